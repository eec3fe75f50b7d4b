// The panel's memory is bounded: orders and entries per order.
import { describe, expect, it } from '@jest/globals';
import { createWireLog, MAX_ENTRIES_PER_ORDER, MAX_ORDERS } from '../../src/dev/wire-log.js';
import type { GatewayExchange } from '../../src/gateway/index.js';
import type { Order } from '../../src/orders/types.js';

/** A ledger where order number N-<id> is order <id>. */
const ledger = {
  findByOrderNumber: (n: string) => (n.startsWith('N-') ? ({ id: Number(n.slice(2)) } as Order) : undefined),
  findByGatewayOrderId: () => undefined,
};

function call(orderNumber: string): GatewayExchange {
  return { method: 'register', at: 0, durationMs: 1.4, ok: true, attempt: 1, request: { orderNumber } };
}

describe('the wire log', () => {
  it('keeps the last MAX_ORDERS orders, forgetting the least recently touched', () => {
    const log = createWireLog(ledger);
    for (let id = 1; id <= MAX_ORDERS + 5; id++) log.recordCall(call(`N-${id}`));
    log.recordCall(call('N-6')); // touched again: now the newest
    log.recordCall(call(`N-${MAX_ORDERS + 6}`));
    expect(log.orderIds()).toHaveLength(MAX_ORDERS);
    expect(log.orderIds()[0]).toBe(MAX_ORDERS + 6);
    expect(log.orderIds()[1]).toBe(6);
    expect(log.entries(7).entries).toEqual([]);
    expect(log.entries(8).entries).toHaveLength(1);
  });

  it('keeps the last MAX_ENTRIES_PER_ORDER entries of an order and counts the dropped ones', () => {
    const log = createWireLog(ledger);
    for (let i = 0; i < MAX_ENTRIES_PER_ORDER + 3; i++) log.recordCall(call('N-1'));
    expect(log.entries(1)).toMatchObject({ dropped: 3 });
    expect(log.entries(1).entries).toHaveLength(MAX_ENTRIES_PER_ORDER);
  });

  it('when an order is re-checked for a day, then its register.do and its first callback stay while later calls rotate', () => {
    const log = createWireLog(ledger);
    log.recordCall(call('N-1'));
    const status = (at: number): GatewayExchange => ({ ...call('N-1'), method: 'getOrderStatusExtended', at });
    log.recordCall(status(1));
    const callback = { httpMethod: 'GET', httpStatus: 200, signed: true, params: { orderNumber: 'N-1' } };
    log.recordCallback({ ...callback, at: 2 });
    for (let at = 3; at < 3 + 3 * MAX_ENTRIES_PER_ORDER; at++) {
      log.recordCall(status(at));
      if (at % 50 === 0) log.recordCallback({ ...callback, at });
    }
    const { entries, dropped } = log.entries(1);
    expect(entries).toHaveLength(MAX_ENTRIES_PER_ORDER);
    expect(dropped).toBeGreaterThan(0);
    // How the order began, then the most recent entries, oldest first.
    expect(entries.slice(0, 3).map((e) => (e.kind === 'call' ? e.method : 'callback'))).toEqual([
      'register',
      'getOrderStatusExtended',
      'callback',
    ]);
    expect(entries.slice(0, 3).map((e) => e.at)).toEqual([0, 1, 2]);
    expect(entries.at(-1)?.at).toBe(2 + 3 * MAX_ENTRIES_PER_ORDER);
    const later = entries.slice(3).map((e) => e.at);
    expect(later).toEqual([...later].sort((a, b) => a - b));
  });

  it('records nothing for an order the shop does not have', () => {
    const log = createWireLog(ledger);
    log.recordCall(call('unknown'));
    log.recordCallback({ at: 0, httpMethod: 'GET', httpStatus: 403, signed: true, params: { mdOrder: 'zz' } });
    expect(log.orderIds()).toEqual([]);
  });
});
