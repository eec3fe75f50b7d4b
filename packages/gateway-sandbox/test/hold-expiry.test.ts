/** Holds expire: an approved two-phase order neither deposited nor reversed within the hold lifetime is released. */
import { afterEach, describe, expect, it } from '@jest/globals';
import { createSandboxApp, loadSandboxConfig } from '../src/index.js';
import { CREDS, makeSandbox, payDirect, type TestSandbox } from './helpers/sandbox-app.js';

const DAY_MS = 24 * 3600 * 1000;
const sandboxes: TestSandbox[] = [];
const sandboxWith = (holdLifetimeSecs?: number) => {
  const sb = makeSandbox(holdLifetimeSecs === undefined ? {} : { holdLifetimeSecs });
  sandboxes.push(sb);
  return sb;
};
afterEach(() => {
  for (const sb of sandboxes.splice(0)) sb.stop();
});

async function heldOrder(sb: TestSandbox): Promise<string> {
  const { orderId } = await sb.register({}, 'registerPreAuth');
  payDirect(sb, orderId);
  expect(sb.engine.get(orderId)?.status).toBe(1);
  return orderId;
}

const status = async (sb: TestSandbox, orderId: string) =>
  (await sb.call('getOrderStatusExtended', { ...CREDS, orderId })).body;

describe('hold expiry', () => {
  it('when 7 days pass without deposit or reversal, then the gateway releases the hold: status 3, a reversed event', async () => {
    const sb = sandboxWith();
    expect(sb.holdLifetimeMs).toBe(7 * DAY_MS);
    const orderId = await heldOrder(sb);
    sb.clock.advance(7 * DAY_MS - 1);
    expect(await status(sb, orderId)).toMatchObject({ orderStatus: 1 });
    sb.clock.advance(1);
    expect(await status(sb, orderId)).toMatchObject({
      orderStatus: 3,
      actionCode: 0,
      paymentAmountInfo: { approvedAmount: 150000, depositedAmount: 0 },
    });
    await status(sb, orderId);
    expect(sb.events_.filter((e) => e.order.id === orderId).map((e) => [e.operation, e.status, e.amount])).toEqual([
      ['approved', 1, 150000],
      ['reversed', 1, 150000],
    ]);
    // Released: nothing left to capture or reverse.
    expect((await sb.call('deposit', { ...CREDS, orderId, amount: '0' })).body.errorCode).toBe(7);
    expect((await sb.call('reverse', { ...CREDS, orderId })).body.errorCode).toBe(7);
  });

  it('when the hold was captured or reversed in time, then nothing more happens to it', async () => {
    const sb = sandboxWith();
    const captured = await heldOrder(sb);
    const reversed = await heldOrder(sb);
    expect((await sb.call('deposit', { ...CREDS, orderId: captured, amount: '0' })).body.errorCode).toBe(0);
    expect((await sb.call('reverse', { ...CREDS, orderId: reversed })).body.errorCode).toBe(0);
    sb.clock.advance(8 * DAY_MS);
    expect(await status(sb, captured)).toMatchObject({ orderStatus: 2 });
    expect(await status(sb, reversed)).toMatchObject({ orderStatus: 3 });
    expect(sb.events_.filter((e) => e.operation === 'reversed').map((e) => e.order.id)).toEqual([reversed]);
  });

  it('when holdLifetimeSecs is set, then the sweep releases the hold after that, dated at its expiry', async () => {
    const sb = sandboxWith(60);
    expect(sb.holdLifetimeMs).toBe(60_000);
    const orderId = await heldOrder(sb);
    const authorized = sb.engine.get(orderId)!.authDateTime!;
    sb.clock.advance(3_600_000);
    sb.sweep();
    const order = sb.store.get(orderId)!;
    expect(order).toMatchObject({ status: 3, reversedDate: authorized + 60_000, updatedAt: authorized + 60_000 });
  });

  it('when the retention passes, then a live hold is kept (not purged) until it is released, then purged as usual', async () => {
    const sb = sandboxWith(2 * 3600);
    const orderId = await heldOrder(sb);
    sb.clock.advance(2 * 3600 * 1000 - 1);
    expect(sb.sweep().purged).toBe(0);
    expect(sb.store.get(orderId)?.status).toBe(1);
    sb.clock.advance(1);
    expect(sb.sweep().purged).toBe(0);
    expect(sb.store.get(orderId)?.status).toBe(3);
    // Retention (1 h by default) counts from the release.
    sb.clock.advance(3600 * 1000);
    expect(sb.sweep().purged).toBe(1);
  });

  it('when holdLifetimeSecs is not a whole number of seconds from 1, then the sandbox refuses to start', () => {
    for (const holdLifetimeSecs of [0, 1.5, -60, 400 * 24 * 3600])
      expect(() => createSandboxApp({ publicUrl: 'http://gateway.test', holdLifetimeSecs })).toThrow(
        /holdLifetimeSecs must be a whole number of seconds/,
      );
  });

  it('when SANDBOX_HOLD_LIFETIME_SECS is set, then the config carries it; a bad value is named with the rule', () => {
    expect(loadSandboxConfig({ SANDBOX_HOLD_LIFETIME_SECS: '3600' }).holdLifetimeSecs).toBe(3600);
    expect(loadSandboxConfig({}).holdLifetimeSecs).toBeUndefined();
    for (const value of ['0', '1.5', 'week', '99999999'])
      expect(() => loadSandboxConfig({ SANDBOX_HOLD_LIFETIME_SECS: value })).toThrow(
        'SANDBOX_HOLD_LIFETIME_SECS: must be a whole number of seconds from 1 to 31622400 (unset: 604800, 7 days)',
      );
  });
});
