import { afterAll, describe, expect, it } from '@jest/globals';
import { createLedger, type SqliteLedger } from '../../src/orders/ledger.js';
import type { ReconcileQuery } from '../../src/orders/types.js';
import { memoryLedger, orderInput, tempDir } from '../helpers/orders-db.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 30, 12);
const form = (id: number) => ({ gatewayOrderId: `gw-${id}`, formUrl: `https://pay.example/p?mdOrder=gw-${id}` });

/** Due: open orders older than 20 min, paid ones from the last day, none checked in the last minute. */
const due = (at: number, holder = 'a', limit = 10): ReconcileQuery => ({
  holder,
  leaseMs: 5 * MIN,
  openBefore: at - 20 * MIN,
  paidSince: at - 24 * 60 * MIN,
  checkedBefore: at - MIN,
  limit,
});

function clocked() {
  let t = T0;
  const { ledger } = memoryLedger(() => t);
  return { ledger, setNow: (at: number) => (t = at) };
}

function registered(ledger: SqliteLedger): number {
  const { id } = ledger.createOrder(orderInput());
  ledger.markRegistered(id, form(id));
  return id;
}

describe('leaseDue (what the reconciler looks at)', () => {
  it('when orders are open past their payment page or recently paid, then exactly those are due', () => {
    const { ledger, setNow } = clocked();
    const open = registered(ledger);
    const paid = registered(ledger);
    ledger.applyGatewayStatus(paid, { orderStatus: 2, actionCode: 0 });
    const declined = registered(ledger);
    ledger.applyGatewayStatus(declined, { orderStatus: 6, actionCode: 116 });
    setNow(T0 + 10 * MIN);
    const young = registered(ledger);

    setNow(T0 + 21 * MIN);
    const ids = ledger.leaseDue(due(T0 + 21 * MIN)).map((o) => o.id);
    expect(ids.sort()).toEqual([open, paid].sort());
    expect(ids).not.toContain(declined);
    expect(ids).not.toContain(young);
  });

  it('when an order is leased, then nobody else gets it until the lease ends or it is checked', () => {
    const { ledger, setNow } = clocked();
    const id = registered(ledger);
    const at = T0 + 21 * MIN;
    setNow(at);
    expect(ledger.leaseDue(due(at, 'a')).map((o) => o.id)).toEqual([id]);
    expect(ledger.leaseDue(due(at, 'b'))).toEqual([]);
    // the holder died: after its lease another instance takes over
    setNow(at + 5 * MIN);
    expect(ledger.leaseDue(due(at + 5 * MIN, 'b')).map((o) => o.id)).toEqual([id]);
  });

  it('when an order was just checked, then it is not due again until checkedBefore passes it, least recent first', () => {
    const { ledger, setNow } = clocked();
    const first = registered(ledger);
    const second = registered(ledger);
    let at = T0 + 21 * MIN;
    setNow(at);
    ledger.leaseDue(due(at, 'a', 1));
    ledger.checked(first, 'a');
    expect(ledger.get(first)?.checkedAt).toBe(at);
    expect(ledger.leaseDue(due(at, 'a')).map((o) => o.id)).toEqual([second]);
    ledger.checked(second, 'a');
    at += 2 * MIN;
    setNow(at);
    expect(ledger.leaseDue(due(at, 'a')).map((o) => o.id)).toEqual([first, second]);
  });

  it('when another holder checks an order, then the lease it does not hold is left alone', () => {
    const { ledger, setNow } = clocked();
    const id = registered(ledger);
    const at = T0 + 21 * MIN;
    setNow(at);
    ledger.leaseDue(due(at, 'a'));
    ledger.checked(id, 'b');
    expect(ledger.get(id)?.checkedAt).toBeNull();
    expect(ledger.leaseDue(due(at, 'b'))).toEqual([]);
  });

  it('when more orders are due than the limit, then one run takes only the limit', () => {
    const { ledger, setNow } = clocked();
    for (let i = 0; i < 5; i += 1) registered(ledger);
    setNow(T0 + 21 * MIN);
    expect(ledger.leaseDue(due(T0 + 21 * MIN, 'a', 2))).toHaveLength(2);
    expect(() => ledger.leaseDue(due(T0, 'a', 0))).toThrow(expect.objectContaining({ code: 'INVALID_ORDER' }));
  });
});

describe('orders whose register answer was lost', () => {
  it('when the gateway knows the order, then its id is adopted once and a later payment applies', () => {
    const { ledger } = clocked();
    const { id } = ledger.createOrder(orderInput());
    ledger.markRegisterFailed(id, 'register_unknown', { code: 'GATEWAY_TIMEOUT' });
    expect(ledger.adoptGatewayOrderId(id, 'gw-late').gatewayOrderId).toBe('gw-late');
    expect(ledger.adoptGatewayOrderId(id, 'gw-late').gatewayOrderId).toBe('gw-late');
    expect(() => ledger.adoptGatewayOrderId(id, 'gw-other')).toThrow(
      expect.objectContaining({ code: 'INVALID_ORDER' }),
    );
    expect(ledger.findByGatewayOrderId('gw-late')?.id).toBe(id);
    expect(ledger.applyGatewayStatus(id, { orderStatus: 2, actionCode: 0 }).fulfilled).toBe(true);
  });

  it('when the gateway never heard of it, then it becomes register_failed, and a paid order never does', () => {
    const { ledger } = clocked();
    const { id } = ledger.createOrder(orderInput());
    ledger.markRegisterFailed(id, 'register_unknown', { code: 'GATEWAY_TIMEOUT' });
    expect(ledger.markNeverRegistered(id, { errorCode: 6 }).status).toBe('register_failed');
    expect(ledger.events(id).at(-1)).toMatchObject({ kind: 'register_error', outcome: 'never_registered' });
    const paid = registered(ledger);
    ledger.applyGatewayStatus(paid, { orderStatus: 2, actionCode: 0 });
    expect(() => ledger.markNeverRegistered(paid, {})).toThrow(expect.objectContaining({ code: 'INVALID_TRANSITION' }));
  });
});

describe('two instances on one database file', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('when both lease at once, then every due order goes to exactly one of them', () => {
    const a = createLedger(tmp.open('lease.sqlite'), { now: () => T0 + 21 * MIN });
    const b = createLedger(tmp.open('lease.sqlite'), { now: () => T0 + 21 * MIN });
    const seed = createLedger(tmp.open('lease.sqlite'), { now: () => T0 });
    const ids = Array.from({ length: 6 }, () => registered(seed));
    const gotA = a.leaseDue(due(T0 + 21 * MIN, 'a', 4)).map((o) => o.id);
    const gotB = b.leaseDue(due(T0 + 21 * MIN, 'b', 4)).map((o) => o.id);
    expect(gotA).toHaveLength(4);
    expect([...gotA, ...gotB].sort()).toEqual(ids.sort());
  });
});
