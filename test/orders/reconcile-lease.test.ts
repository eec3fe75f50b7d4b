import { expect, it } from '@jest/globals';
import { NO_MORE_CHECKS, type ReconcileQuery } from '../../src/orders/types.js';
import { describeLedgers, type AsyncLedger, type OpenLedger } from '../helpers/ledgers.js';
import { orderInput } from '../helpers/orders-db.js';

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

async function clocked(open: OpenLedger) {
  let t = T0;
  const { ledger } = await open(() => t);
  return { ledger, setNow: (at: number) => (t = at) };
}

async function registered(ledger: AsyncLedger): Promise<number> {
  const { id } = await ledger.createOrder(orderInput());
  await ledger.markRegistered(id, form(id));
  return id;
}

const ids = (orders: { id: number }[]) => orders.map((o) => o.id);

describeLedgers('leaseDue (what the reconciler looks at)', (open) => {
  it('when orders are open past their payment page or recently paid, then exactly those are due', async () => {
    const { ledger, setNow } = await clocked(open);
    const pending = await registered(ledger);
    const paid = await registered(ledger);
    await ledger.applyGatewayStatus(paid, { orderStatus: 2, actionCode: 0 });
    const declined = await registered(ledger);
    await ledger.applyGatewayStatus(declined, { orderStatus: 6, actionCode: 116 });
    setNow(T0 + 10 * MIN);
    const young = await registered(ledger);

    setNow(T0 + 21 * MIN);
    const got = ids(await ledger.leaseDue(due(T0 + 21 * MIN)));
    expect(got.sort()).toEqual([pending, paid].sort());
    expect(got).not.toContain(declined);
    expect(got).not.toContain(young);
  });

  it('when an order is leased, then nobody else gets it until the lease ends or it is checked', async () => {
    const { ledger, setNow } = await clocked(open);
    const id = await registered(ledger);
    const at = T0 + 21 * MIN;
    setNow(at);
    expect(ids(await ledger.leaseDue(due(at, 'a')))).toEqual([id]);
    expect(await ledger.leaseDue(due(at, 'b'))).toEqual([]);
    // the holder died: after its lease another instance takes over
    setNow(at + 5 * MIN);
    expect(ids(await ledger.leaseDue(due(at + 5 * MIN, 'b')))).toEqual([id]);
  });

  it('when an order was just checked, then it is not due again until checkedBefore passes it, least recent first', async () => {
    const { ledger, setNow } = await clocked(open);
    const first = await registered(ledger);
    const second = await registered(ledger);
    let at = T0 + 21 * MIN;
    setNow(at);
    await ledger.leaseDue(due(at, 'a', 1));
    await ledger.checked(first, 'a');
    expect((await ledger.get(first))?.checkedAt).toBe(at);
    expect(ids(await ledger.leaseDue(due(at, 'a')))).toEqual([second]);
    await ledger.checked(second, 'a');
    at += 2 * MIN;
    setNow(at);
    expect(ids(await ledger.leaseDue(due(at, 'a')))).toEqual([first, second]);
  });

  it('when another holder checks an order, then the lease it does not hold is left alone', async () => {
    const { ledger, setNow } = await clocked(open);
    const id = await registered(ledger);
    const at = T0 + 21 * MIN;
    setNow(at);
    await ledger.leaseDue(due(at, 'a'));
    await ledger.checked(id, 'b');
    expect((await ledger.get(id))?.checkedAt).toBeNull();
    expect(await ledger.leaseDue(due(at, 'b'))).toEqual([]);
  });

  it('when more orders are due than the limit, then one run takes only the limit', async () => {
    const { ledger, setNow } = await clocked(open);
    for (let i = 0; i < 5; i += 1) await registered(ledger);
    setNow(T0 + 21 * MIN);
    expect(await ledger.leaseDue(due(T0 + 21 * MIN, 'a', 2))).toHaveLength(2);
    await expect(ledger.leaseDue(due(T0, 'a', 0))).rejects.toThrow(expect.objectContaining({ code: 'INVALID_ORDER' }));
  });
});

describeLedgers("the reconciler's schedule and live leases", (open) => {
  it('when a check schedules the next one, then the order is not due before that time, and never after NO_MORE_CHECKS', async () => {
    const { ledger, setNow } = await clocked(open);
    const id = await registered(ledger);
    const gaveUp = await registered(ledger);
    const at = T0 + 21 * MIN;
    setNow(at);
    await ledger.leaseDue(due(at));
    await ledger.checked(id, 'a', at + 10 * MIN);
    await ledger.checked(gaveUp, 'a', NO_MORE_CHECKS);
    expect((await ledger.get(id))?.nextCheckAt).toBe(at + 10 * MIN);
    setNow(at + 9 * MIN);
    expect(await ledger.leaseDue(due(at + 9 * MIN))).toEqual([]);
    expect(await ledger.leaseDue({ ...due(at + 9 * MIN), dueBy: at + 10 * MIN })).toHaveLength(1);
    await ledger.releaseLeases('a');
    setNow(at + 10 * MIN);
    expect(ids(await ledger.leaseDue(due(at + 10 * MIN)))).toEqual([id]);
    const muchLater = at + 1000 * 24 * 60 * MIN;
    setNow(muchLater);
    await ledger.releaseLeases('a');
    expect(ids(await ledger.leaseDue(due(muchLater)))).toEqual([id]);
  });

  it('when a holder renews its leases, then they last from now; when it releases them, then anyone may lease at once', async () => {
    const { ledger, setNow } = await clocked(open);
    const first = await registered(ledger);
    const second = await registered(ledger);
    let at = T0 + 21 * MIN;
    setNow(at);
    expect(await ledger.leaseDue({ ...due(at, 'a'), leaseMs: MIN })).toHaveLength(2);
    at += 50_000;
    setNow(at);
    expect(await ledger.renewLeases('a', MIN)).toBe(2);
    expect(await ledger.renewLeases('nobody', MIN)).toBe(0);
    at += 50_000; // past the first lease, within the renewed one
    setNow(at);
    expect(await ledger.leaseDue(due(at, 'b'))).toEqual([]);
    expect(await ledger.releaseLeases('a')).toBe(2);
    expect(ids(await ledger.leaseDue(due(at, 'b'))).sort()).toEqual([first, second].sort());
    expect((await ledger.get(first))?.checkedAt).toBeNull();
  });

  it('when a run leases fewer orders than are due, then countUnleased says how many are held elsewhere (until when) and how many wait', async () => {
    const { ledger, setNow } = await clocked(open);
    for (let i = 0; i < 5; i += 1) await registered(ledger);
    const at = T0 + 21 * MIN;
    setNow(at);
    await ledger.leaseDue({ ...due(at, 'crashed', 2), leaseMs: MIN });
    expect(await ledger.leaseDue(due(at, 'b', 1))).toHaveLength(1);
    expect(await ledger.countUnleased(due(at, 'b'))).toEqual({ leased: 2, leasedUntil: at + MIN, overBatch: 2 });
    setNow(at + MIN);
    expect(await ledger.countUnleased(due(at + MIN, 'b'))).toEqual({ leased: 0, leasedUntil: null, overBatch: 4 });
  });

  it('when the gateway repeats what the order already says, then no event is written', async () => {
    const { ledger } = await clocked(open);
    const id = await registered(ledger);
    await ledger.applyGatewayStatus(id, { orderStatus: 2, actionCode: 0, cause: { source: 'reconciler' } });
    const before = (await ledger.events(id)).length;
    for (let i = 0; i < 3; i += 1) {
      const again = await ledger.applyGatewayStatus(id, {
        orderStatus: 2,
        actionCode: 0,
        cause: { source: 'reconciler' },
      });
      expect(again.changed).toBe(false);
    }
    expect(await ledger.events(id)).toHaveLength(before);
  });
});

describeLedgers('orders whose register answer was lost', (open) => {
  it('when the gateway knows the order, then its id is adopted once and a later payment applies', async () => {
    const { ledger } = await clocked(open);
    const { id } = await ledger.createOrder(orderInput());
    await ledger.markRegisterFailed(id, 'register_unknown', { code: 'GATEWAY_TIMEOUT' });
    expect((await ledger.adoptGatewayOrderId(id, 'gw-late')).gatewayOrderId).toBe('gw-late');
    expect((await ledger.adoptGatewayOrderId(id, 'gw-late')).gatewayOrderId).toBe('gw-late');
    await expect(ledger.adoptGatewayOrderId(id, 'gw-other')).rejects.toThrow(
      expect.objectContaining({ code: 'INVALID_ORDER' }),
    );
    expect((await ledger.findByGatewayOrderId('gw-late'))?.id).toBe(id);
    expect((await ledger.applyGatewayStatus(id, { orderStatus: 2, actionCode: 0 })).fulfilled).toBe(true);
  });

  it('when the gateway never heard of it, then it becomes register_failed, and a paid order never does', async () => {
    const { ledger } = await clocked(open);
    const { id } = await ledger.createOrder(orderInput());
    await ledger.markRegisterFailed(id, 'register_unknown', { code: 'GATEWAY_TIMEOUT' });
    expect((await ledger.markNeverRegistered(id, { errorCode: 6 })).status).toBe('register_failed');
    expect((await ledger.markNeverRegistered(id, { errorCode: 6 })).status).toBe('register_failed');
    expect((await ledger.events(id)).at(-1)).toMatchObject({ kind: 'register_error', outcome: 'never_registered' });
    const paid = await registered(ledger);
    await ledger.applyGatewayStatus(paid, { orderStatus: 2, actionCode: 0 });
    await expect(ledger.markNeverRegistered(paid, {})).rejects.toThrow(
      expect.objectContaining({ code: 'INVALID_TRANSITION' }),
    );
  });
});

describeLedgers('two instances on one database', (open) => {
  it('when both lease one after the other, then every due order goes to exactly one of them', async () => {
    const kit = await open(() => T0);
    const a = await kit.another(() => T0 + 21 * MIN);
    const b = await kit.another(() => T0 + 21 * MIN);
    const seeded: number[] = [];
    for (let i = 0; i < 6; i += 1) seeded.push(await registered(kit.ledger));
    const gotA = ids(await a.leaseDue(due(T0 + 21 * MIN, 'a', 4)));
    const gotB = ids(await b.leaseDue(due(T0 + 21 * MIN, 'b', 4)));
    expect(gotA).toHaveLength(4);
    expect([...gotA, ...gotB].sort()).toEqual(seeded.sort());
  });

  it('when both lease at the same moment, again and again, then no order is ever leased to both', async () => {
    const kit = await open(() => T0);
    const a = await kit.another(() => T0 + 21 * MIN);
    const b = await kit.another(() => T0 + 21 * MIN);
    const seeded: number[] = [];
    for (let i = 0; i < 30; i += 1) seeded.push(await registered(kit.ledger));
    const runs = await Promise.all(
      Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).leaseDue(due(T0 + 21 * MIN, `h${i}`, 4))),
    );
    const leased = runs.flatMap(ids);
    expect(new Set(leased).size).toBe(leased.length);
    expect(leased.sort()).toEqual(seeded.sort());
  });
});
