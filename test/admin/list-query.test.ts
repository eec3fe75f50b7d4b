import { describe, expect, it } from '@jest/globals';
import { InvalidOrderError } from '../../src/orders/ledger.js';
import { memoryLedger, orderInput } from '../helpers/orders-db.js';

describe('ledger.listOrders, the back office list', () => {
  function ledgerWith(n: number) {
    const { ledger } = memoryLedger();
    const ids = Array.from({ length: n }, () => ledger.createOrder(orderInput()).id);
    return { ledger, ids };
  }

  it('returns a page, newest first, with the total of all pages', () => {
    const { ledger, ids } = ledgerWith(30);
    const first = ledger.listOrders({ limit: 25, offset: 0 });
    expect(first.total).toBe(30);
    expect(first.orders.map((o) => o.id)).toEqual(ids.slice().reverse().slice(0, 25));
    expect(ledger.listOrders({ limit: 25, offset: 25 }).orders.map((o) => o.id)).toEqual(ids.slice(0, 5).reverse());
  });

  it('filters by status and by part of the order number or gateway id, matching % and _ literally', () => {
    const { ledger, ids } = ledgerWith(3);
    ledger.markRegistered(ids[0]!, { gatewayOrderId: 'gw_50%-abc', formUrl: 'http://127.0.0.1:1/pay' });
    expect(ledger.listOrders({ status: 'registered', limit: 10, offset: 0 }).orders.map((o) => o.id)).toEqual([ids[0]]);
    expect(ledger.listOrders({ status: 'new', limit: 10, offset: 0 }).total).toBe(2);
    expect(ledger.listOrders({ text: '50%-A', limit: 10, offset: 0 }).orders.map((o) => o.id)).toEqual([ids[0]]);
    expect(ledger.listOrders({ text: '%', limit: 10, offset: 0 }).total).toBe(1);
    expect(ledger.listOrders({ text: '_', limit: 10, offset: 0 }).total).toBe(1);
    const number = ledger.get(ids[2]!)!.orderNumber;
    expect(ledger.listOrders({ text: number.slice(2, 8), limit: 10, offset: 0 }).orders.map((o) => o.id)).toContain(
      ids[2],
    );
    expect(ledger.listOrders({ text: "x' OR 1=1 --", limit: 10, offset: 0 }).total).toBe(0);
  });

  it('refuses unbounded or malformed queries', () => {
    const { ledger } = ledgerWith(1);
    expect(() => ledger.listOrders({ limit: 101, offset: 0 })).toThrow(InvalidOrderError);
    expect(() => ledger.listOrders({ limit: 0, offset: 0 })).toThrow(InvalidOrderError);
    expect(() => ledger.listOrders({ limit: 10, offset: -1 })).toThrow(InvalidOrderError);
    expect(() => ledger.listOrders({ text: 'x'.repeat(65), limit: 10, offset: 0 })).toThrow(InvalidOrderError);
    // @ts-expect-error -- a status that does not exist
    expect(() => ledger.listOrders({ status: 'stolen', limit: 10, offset: 0 })).toThrow(InvalidOrderError);
  });
});
