import { afterAll, describe, expect, it } from '@jest/globals';
import { createLedger } from '../../src/orders/ledger.js';
import { memoryLedger, orderInput, tempDir } from '../helpers/orders-db.js';

const FORM = { gatewayOrderId: 'gw-1', formUrl: 'https://pay.example/payment_en.html?mdOrder=gw-1' };
const items = [
  { productId: 'mug', name: 'Mug', quantity: 2, unitAmount: 1250 },
  { productId: 'tote', name: 'Tote', quantity: 1, unitAmount: 900 },
];

describe('the fulfilment effect', () => {
  it('when an order is paid, then one fulfilments row is written and its units are counted as sold, once', () => {
    const { ledger } = memoryLedger(() => 1_000);
    const { id } = ledger.createOrder(orderInput({ items, amount: 3400 }));
    ledger.markRegistered(id, FORM);
    expect(ledger.fulfilment(id)).toBeUndefined();
    for (let i = 0; i < 3; i += 1) ledger.applyGatewayStatus(id, { orderStatus: 2, actionCode: 0 });
    expect(ledger.fulfilment(id)).toEqual({ at: 1_000, status: 'paid' });
    expect(ledger.unitsSold('mug')).toBe(2);
    expect(ledger.unitsSold('tote')).toBe(1);
    expect(ledger.unitsSold('notebook')).toBe(0);
  });

  it('when a two-phase hold is later captured or refunded, then it is still fulfilled once, at the hold', () => {
    const { ledger } = memoryLedger(() => 2_000);
    const { id } = ledger.createOrder(orderInput({ items, amount: 3400, flow: 'two-phase' }));
    ledger.markRegistered(id, FORM);
    ledger.applyGatewayStatus(id, { orderStatus: 1, actionCode: 0 });
    ledger.applyGatewayStatus(id, { orderStatus: 2, actionCode: 0 });
    ledger.applyGatewayStatus(id, { orderStatus: 4, actionCode: 0 });
    expect(ledger.fulfilment(id)).toEqual({ at: 2_000, status: 'authorized' });
    expect(ledger.unitsSold('mug')).toBe(2);
  });

  it('when an order is declined or mismatched, then nothing is fulfilled', () => {
    const { ledger } = memoryLedger();
    const declined = ledger.createOrder(orderInput({ items, amount: 3400 }));
    ledger.markRegistered(declined.id, FORM);
    ledger.applyGatewayStatus(declined.id, { orderStatus: 6, actionCode: 116 });
    const mismatched = ledger.createOrder(orderInput({ items, amount: 3400 }));
    ledger.markRegistered(mismatched.id, { ...FORM, gatewayOrderId: 'gw-2' });
    ledger.markMismatch(mismatched.id, { fields: ['amount'] });
    expect(ledger.fulfilment(declined.id)).toBeUndefined();
    expect(ledger.fulfilment(mismatched.id)).toBeUndefined();
    expect(ledger.unitsSold('mug')).toBe(0);
  });
});

describe('the fulfilment effect across connections', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('when two connections apply "paid" in turn, then one row and one count of units', () => {
    const a = createLedger(tmp.open('f.sqlite'));
    const b = createLedger(tmp.open('f.sqlite'));
    const { id } = a.createOrder(orderInput({ items, amount: 3400 }));
    b.markRegistered(id, FORM);
    for (const l of [a, b, a, b]) l.applyGatewayStatus(id, { orderStatus: 2, actionCode: 0 });
    expect(b.fulfilment(id)?.status).toBe('paid');
    expect(a.unitsSold('mug')).toBe(2);
  });
});
