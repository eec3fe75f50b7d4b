import { it, expect } from '@jest/globals';
import type { LocalStatus } from '../../src/orders/types.js';
import { describeLedgers, type AsyncLedger } from '../helpers/ledgers.js';
import { orderInput } from '../helpers/orders-db.js';

const FORM = { gatewayOrderId: 'gw-1', formUrl: 'https://pay.example/payment_en.html?mdOrder=gw-1' };

/** Drives a fresh order into `status` through the public API only. */
async function orderIn(ledger: AsyncLedger, status: LocalStatus): Promise<number> {
  const { id } = await ledger.createOrder(orderInput());
  const reg = () => ledger.markRegistered(id, FORM);
  const gw = (orderStatus: number) => ledger.applyGatewayStatus(id, { orderStatus, actionCode: 0 });
  switch (status) {
    case 'new':
      break;
    case 'registered':
      await reg();
      break;
    case 'register_failed':
    case 'register_unknown':
      await ledger.markRegisterFailed(id, status, {});
      break;
    case 'processing':
      await reg();
      await gw(5);
      break;
    case 'authorized':
      await reg();
      await gw(1);
      break;
    case 'paid':
      await reg();
      await gw(2);
      break;
    case 'declined':
      await reg();
      await gw(6);
      break;
    case 'reversed':
      await reg();
      await gw(1);
      await gw(3);
      break;
    case 'partially_refunded':
      await reg();
      await gw(2);
      await ledger.applyGatewayStatus(id, {
        orderStatus: 4,
        actionCode: 0,
        amounts: { deposited: 2500, refunded: 500 },
      });
      break;
    case 'refunded':
      await reg();
      await gw(2);
      await gw(4);
      break;
    case 'mismatch':
      await reg();
      await ledger.markMismatch(id, { reason: 'amount' });
      break;
  }
  expect((await ledger.get(id))?.status).toBe(status);
  return id;
}

// Expected local status after the gateway reports orderStatus 0 | 5 | 1 | 2 | 3 | 4 | 6.
const GATEWAY_COLUMNS = [0, 5, 1, 2, 3, 4, 6] as const;
const MATRIX: Record<LocalStatus, LocalStatus[]> = {
  new: ['new', 'processing', 'authorized', 'paid', 'reversed', 'refunded', 'declined'],
  registered: ['registered', 'processing', 'authorized', 'paid', 'reversed', 'refunded', 'declined'],
  register_failed: Array<LocalStatus>(7).fill('register_failed'),
  register_unknown: ['register_unknown', 'processing', 'authorized', 'paid', 'reversed', 'refunded', 'declined'],
  processing: ['processing', 'processing', 'authorized', 'paid', 'reversed', 'refunded', 'declined'],
  authorized: ['authorized', 'authorized', 'authorized', 'paid', 'reversed', 'refunded', 'authorized'],
  paid: ['paid', 'paid', 'paid', 'paid', 'reversed', 'refunded', 'paid'],
  declined: Array<LocalStatus>(7).fill('declined'),
  reversed: Array<LocalStatus>(7).fill('reversed'),
  // Only a refund (of the rest) moves it on; "4" without amounts counts as refunded in full.
  partially_refunded: [...Array<LocalStatus>(5).fill('partially_refunded'), 'refunded', 'partially_refunded'],
  refunded: Array<LocalStatus>(7).fill('refunded'),
  mismatch: Array<LocalStatus>(7).fill('mismatch'),
};
const GATEWAY_MEANS: Record<number, LocalStatus> = {
  0: 'registered',
  5: 'processing',
  1: 'authorized',
  2: 'paid',
  3: 'reversed',
  4: 'refunded',
  6: 'declined',
};
const FULFILLED_BEFORE: LocalStatus[] = ['authorized', 'paid', 'reversed', 'refunded'];

const cases = Object.entries(MATRIX).flatMap(([from, row]) =>
  GATEWAY_COLUMNS.map((orderStatus, i) => [from as LocalStatus, orderStatus, row[i] as LocalStatus] as const),
);

describeLedgers('applyGatewayStatus: forward-only state machine', (open) => {
  it.each(cases)(
    'when the order is %s and the gateway reports orderStatus %i, then it becomes %s',
    async (from, orderStatus, expected) => {
      const { ledger } = await open();
      const id = await orderIn(ledger, from);
      const before = await ledger.get(id);
      const statusEvents = async () => (await ledger.events(id)).filter((e) => e.kind === 'status');
      const eventsBefore = (await statusEvents()).length;
      const result = await ledger.applyGatewayStatus(id, { orderStatus, actionCode: 116 });
      expect(result.order.status).toBe(expected);
      expect(result.changed).toBe(expected !== from);
      const shouldFulfil =
        (expected === 'paid' || expected === 'authorized') && expected !== from && !FULFILLED_BEFORE.includes(from);
      expect(result.fulfilled).toBe(shouldFulfil);
      if (expected === from && GATEWAY_MEANS[orderStatus] !== from) {
        // A refused (stale, replayed, out-of-order) reply leaves the row untouched.
        expect(await ledger.get(id)).toEqual(before);
      }
      const events = await statusEvents();
      if (expected === from && GATEWAY_MEANS[orderStatus] === from) {
        // The reply repeats what the order says: no event (re-checks would flood the log).
        expect(events).toHaveLength(eventsBefore);
      } else {
        expect(events.at(-1)?.detail).toMatchObject({ orderStatus, actionCode: 116, from });
      }
    },
  );

  it('when the gateway reports an unmapped orderStatus (7, 8), then nothing changes and the reply is logged', async () => {
    const { ledger } = await open();
    const id = await orderIn(ledger, 'registered');
    for (const orderStatus of [7, 8, -1]) {
      expect(await ledger.applyGatewayStatus(id, { orderStatus, actionCode: 0 })).toMatchObject({
        changed: false,
        fulfilled: false,
      });
    }
    expect((await ledger.get(id))?.status).toBe('registered');
    expect((await ledger.events(id)).filter((e) => e.outcome === 'unknown_status')).toHaveLength(3);
  });

  it('when the same status arrives again, then the last actionCode and gatewayStatus are refreshed', async () => {
    const { ledger } = await open();
    const id = await orderIn(ledger, 'registered');
    await ledger.applyGatewayStatus(id, { orderStatus: 0, actionCode: -100 });
    expect(await ledger.get(id)).toMatchObject({ status: 'registered', gatewayStatus: 0, actionCode: -100 });
  });

  it('when a stale reply arrives after paid, then actionCode is not overwritten by it', async () => {
    const { ledger } = await open();
    const id = await orderIn(ledger, 'paid');
    await ledger.applyGatewayStatus(id, { orderStatus: 6, actionCode: 116 });
    expect(await ledger.get(id)).toMatchObject({ status: 'paid', gatewayStatus: 2, actionCode: 0 });
  });

  it('when a non-integer status is given, then it is rejected before touching the database', async () => {
    const { ledger } = await open();
    const id = await orderIn(ledger, 'registered');
    await expect(ledger.applyGatewayStatus(id, { orderStatus: Number('2'), actionCode: NaN })).rejects.toThrow(
      expect.objectContaining({ code: 'INVALID_ORDER' }),
    );
    expect((await ledger.get(id))?.status).toBe('registered');
  });
});

describeLedgers('markMismatch', (open) => {
  it.each<[LocalStatus, LocalStatus]>([
    ['new', 'mismatch'],
    ['registered', 'mismatch'],
    ['register_unknown', 'mismatch'],
    ['processing', 'mismatch'],
    ['paid', 'paid'],
    ['authorized', 'authorized'],
    ['refunded', 'refunded'],
    ['declined', 'declined'],
    ['register_failed', 'register_failed'],
  ])('when the order is %s, then markMismatch leaves it %s and logs the evidence', async (from, expected) => {
    const { ledger } = await open();
    const id = await orderIn(ledger, from);
    expect((await ledger.markMismatch(id, { expectedAmount: 2500, gotAmount: 1 })).status).toBe(expected);
    expect((await ledger.events(id)).at(-1)).toMatchObject({
      kind: 'mismatch',
      detail: expect.objectContaining({ gotAmount: 1 }),
    });
  });

  it('when an order is in mismatch, then a later paid reply never fulfils it', async () => {
    const { ledger } = await open();
    const id = await orderIn(ledger, 'mismatch');
    expect(await ledger.applyGatewayStatus(id, { orderStatus: 2, actionCode: 0 })).toMatchObject({
      changed: false,
      fulfilled: false,
    });
    expect((await ledger.get(id))?.paidAt).toBeNull();
  });
});

describeLedgers('fulfilment exactly once', (open) => {
  it('when status 2 is applied 5 times (refresh, callback, reconciler), then exactly one call fulfils', async () => {
    let t = 1000;
    const { ledger } = await open(() => (t += 1));
    const id = await orderIn(ledger, 'registered');
    const results = [];
    for (let i = 0; i < 5; i += 1) results.push(await ledger.applyGatewayStatus(id, { orderStatus: 2, actionCode: 0 }));
    expect(results.map((r) => r.fulfilled)).toEqual([true, false, false, false, false]);
    expect(results.map((r) => r.changed)).toEqual([true, false, false, false, false]);
    expect((await ledger.events(id)).filter((e) => e.kind === 'fulfilled')).toHaveLength(1);
    const paidAt = (await ledger.get(id))?.paidAt;
    expect(paidAt).toBe(results[0]?.order.paidAt);
    expect(paidAt).not.toBeNull();
  });

  it('when a two-phase order is authorized and later deposited, then it is fulfilled once, on authorization', async () => {
    const { ledger } = await open();
    const { id } = await ledger.createOrder(orderInput({ flow: 'two-phase' }));
    await ledger.markRegistered(id, FORM);
    expect((await ledger.applyGatewayStatus(id, { orderStatus: 1, actionCode: 0 })).fulfilled).toBe(true);
    expect(await ledger.applyGatewayStatus(id, { orderStatus: 2, actionCode: 0 })).toMatchObject({
      changed: true,
      fulfilled: false,
    });
    expect((await ledger.events(id)).filter((e) => e.kind === 'fulfilled')).toHaveLength(1);
  });

  it('when an old "deposited" reply is replayed after a refund, then the order stays refunded and is not fulfilled again', async () => {
    const { ledger } = await open();
    const id = await orderIn(ledger, 'refunded');
    expect(await ledger.applyGatewayStatus(id, { orderStatus: 2, actionCode: 0 })).toMatchObject({
      changed: false,
      fulfilled: false,
    });
    expect((await ledger.get(id))?.status).toBe('refunded');
    expect((await ledger.events(id)).filter((e) => e.kind === 'fulfilled')).toHaveLength(1);
  });

  it('when a refund was seen before any paid reply, then the order is never fulfilled', async () => {
    const { ledger } = await open();
    const id = await orderIn(ledger, 'registered');
    expect(await ledger.applyGatewayStatus(id, { orderStatus: 4, actionCode: 0 })).toMatchObject({
      changed: true,
      fulfilled: false,
    });
    expect((await ledger.applyGatewayStatus(id, { orderStatus: 2, actionCode: 0 })).fulfilled).toBe(false);
    expect((await ledger.get(id))?.paidAt).toBeNull();
  });
});
