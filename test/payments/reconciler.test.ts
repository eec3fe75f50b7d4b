import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { GatewayNetworkError } from '../../src/gateway/errors.js';
import type { GatewayClient } from '../../src/gateway/index.js';
import { createLedger } from '../../src/orders/ledger.js';
import { NO_MORE_CHECKS, type Ledger, type Order } from '../../src/orders/types.js';
import { movedItems, spreadAmount } from '../../src/payments/bundle.js';
import { createPayments, type ReconcilerOptions } from '../../src/payments/index.js';
import { createCatalog } from '../../src/shop/catalog.js';
import { notebookOrder } from '../helpers/orders-db.js';
import { payOnHostedPage } from '../../packages/gateway-sandbox/test/helpers/sandbox-buyer.js';
import { buy, shopPath, startShop, type TestShop } from '../helpers/shop.js';

const VISA_OK = { pan: '4111 1111 1111 1111' };
const MIN = 60_000;
const HOUR = 3_600_000;

/** The refund lines of `amount` out of what is `left` of a one-line order, built as the back office builds them. */
function refundLines(order: Order, amount: number, left: number) {
  const catalog = createCatalog();
  return movedItems(order, (id) => catalog.get(id)?.fiscal, spreadAmount(order, amount, [left]));
}

describe('the reconciler against the sandbox', () => {
  let shop: TestShop;
  let gateway: GatewayClient;
  // A shop (and sandbox) per test: each run sees only the orders its own test made.
  beforeEach(async () => {
    shop = await startShop();
    gateway = shop.deps.gateway;
  });
  afterEach(() => shop.close());

  /** A reconciler of this shop; by default every open order is due for its first look at once. */
  function reconciler(opts: Partial<ReconcilerOptions> = {}, ledger: Ledger = shop.ledger, deps = shop.paymentsDeps) {
    const defaults = {
      intervalMs: 60_000,
      batch: 50,
      recheckPaidForMs: 24 * HOUR,
      pageLifetimeMs: 0,
      giveUpAfterMs: 72 * HOUR,
      firstLookMs: 0,
    };
    return createPayments({ ...deps, ledger, reconciler: { ...defaults, ...opts } }).reconciler;
  }
  /** A clock this far ahead of the real one: the orders' next looks have come. */
  const ahead = (ms: number) => () => Date.now() + ms;
  const fulfilments = (id: number) => shop.ledger.events(id).filter((e) => e.kind === 'fulfilled').length;

  /** Buys and pays on the hosted page, but never comes back to the shop (closed the tab). */
  async function payAndCloseTab(): Promise<{ order: Order; redirectUrl: string; agent: request.Agent }> {
    const agent = request.agent(shop.app);
    const bought = await buy(agent, 'notebook', 1);
    const paid = await payOnHostedPage(bought.headers.location!, VISA_OK);
    const orderId = new URL(paid.redirectUrl!).searchParams.get('orderId')!;
    return { order: shop.ledger.findByGatewayOrderId(orderId)!, redirectUrl: paid.redirectUrl!, agent };
  }

  it('when the buyer paid and closed the tab, then a run makes the order paid and fulfils it once; a second run changes nothing', async () => {
    const { order } = await payAndCloseTab();
    expect(order.status).toBe('registered');
    const r = reconciler();
    const first = await r.runOnce();
    expect(first).toMatchObject({ checked: 1, changed: 1, unanswered: 0 });
    expect(shop.ledger.get(order.id)?.status).toBe('paid');
    expect(fulfilments(order.id)).toBe(1);
    const statusEvents = shop.ledger.events(order.id).filter((e) => e.kind === 'status');
    expect(statusEvents.at(-1)?.detail).toMatchObject({ cause: { source: 'reconciler' } });

    const second = await r.runOnce();
    expect(second.checked).toBe(0);
    expect(shop.ledger.get(order.id)?.status).toBe('paid');
    expect(fulfilments(order.id)).toBe(1);
  });

  it('when an order was abandoned on the payment page, then after its lifetime it is declined', async () => {
    const agent = request.agent(shop.app);
    const bought = await buy(agent, 'notebook', 2);
    const orderId = new URL(bought.headers.location!).searchParams.get('mdOrder')!;
    const order = shop.ledger.findByGatewayOrderId(orderId)!;
    shop.sandbox!.clock.advance(shop.config.orderLifetimeSecs * 1000);
    await reconciler().runOnce();
    expect(shop.ledger.get(order.id)).toMatchObject({ status: 'declined', actionCode: -2007 });
  });

  it('when a register answer was lost, then the order is found by its number, and one the gateway never saw is closed', async () => {
    const input = notebookOrder();
    const lost = shop.ledger.createOrder(input);
    const registered = await gateway.register({
      orderNumber: lost.orderNumber,
      amount: 990,
      currency: '978',
      returnUrl: 'http://shop.test/checkout/return',
    });
    shop.ledger.markRegisterFailed(lost.id, 'register_unknown', { code: 'GATEWAY_TIMEOUT' });
    const never = shop.ledger.createOrder(input);
    shop.ledger.markRegisterFailed(never.id, 'register_unknown', { code: 'GATEWAY_NETWORK' });

    await reconciler({ intervalMs: 0 }).runOnce();
    expect(shop.ledger.get(lost.id)).toMatchObject({ gatewayOrderId: registered.orderId, status: 'register_unknown' });
    expect(shop.ledger.get(never.id)?.status).toBe('register_failed');

    await payOnHostedPage(registered.formUrl, VISA_OK);
    await reconciler({ intervalMs: 0, now: ahead(HOUR) }).runOnce();
    expect(shop.ledger.get(lost.id)?.status).toBe('paid');
    expect(fulfilments(lost.id)).toBe(1);
  });

  it('when a paid order is refunded outside the shop, then a run records it and the buyer sees it refunded', async () => {
    const { order, redirectUrl, agent } = await payAndCloseTab();
    await agent.get(shopPath(redirectUrl)).expect(200);
    expect(shop.ledger.get(order.id)?.status).toBe('paid');
    await gateway.refund({ orderId: order.gatewayOrderId!, amount: order.amount });
    await reconciler({ intervalMs: 0 }).runOnce();
    expect(shop.ledger.get(order.id)?.status).toBe('refunded');
    expect(fulfilments(order.id)).toBe(1);
    const page = await agent.get(shopPath(redirectUrl));
    expect(page.text).toMatch(/Payment refunded/);
    expect(page.text).toMatch(/refunded to your card/);
    expect(page.text).not.toMatch(/Payment successful/);
  });

  it('when a paid order is refunded in parts outside the shop, then the ledger follows each part and the buyer sees it', async () => {
    const { order, redirectUrl, agent } = await payAndCloseTab();
    await agent.get(shopPath(redirectUrl)).expect(200);
    expect(shop.ledger.get(order.id)).toMatchObject({ status: 'paid', depositedAmount: 990, refundedAmount: 0 });
    // A part of a cart order names its lines (the gateway refuses it otherwise), as the back office's refund does.
    await gateway.refund({ orderId: order.gatewayOrderId!, amount: 200, items: refundLines(order, 200, 990) });
    await reconciler({ intervalMs: 0 }).runOnce();
    expect(shop.ledger.get(order.id)).toMatchObject({ status: 'partially_refunded', refundedAmount: 200 });
    const page = await agent.get(shopPath(redirectUrl));
    expect(page.text).toMatch(/Payment successful/);
    expect(page.text).toContain('Of this, €2.00 has been refunded to your card.');

    await gateway.refund({ orderId: order.gatewayOrderId!, amount: 790, items: refundLines(order, 790, 790) });
    await reconciler({ intervalMs: 0, now: ahead(HOUR) }).runOnce();
    expect(shop.ledger.get(order.id)).toMatchObject({ status: 'refunded', refundedAmount: 990 });
    expect(fulfilments(order.id)).toBe(1);
  });

  it('when paid orders are older than the re-check window, then they are not asked about again', async () => {
    const { order, redirectUrl, agent } = await payAndCloseTab();
    await agent.get(shopPath(redirectUrl)).expect(200);
    shop.db.prepare('UPDATE orders SET paid_at = paid_at - 7200000 WHERE id = ?').run(order.id);
    const summary = await reconciler({ intervalMs: 0, recheckPaidForMs: 3600_000 }).runOnce();
    expect(shop.ledger.get(order.id)?.checkedAt).toBeNull();
    expect(summary.checked).toBe(0);
  });

  it('when two instances reconcile at once, then every order is asked about once and fulfilled once', async () => {
    const orders = [];
    for (let i = 0; i < 4; i += 1) orders.push((await payAndCloseTab()).order);
    const other = createLedger(shop.db);
    const [a, b] = await Promise.all([reconciler().runOnce(), reconciler({}, other).runOnce()]);
    expect(a.checked + b.checked).toBe(orders.length);
    for (const o of orders) {
      expect(shop.ledger.get(o.id)?.status).toBe('paid');
      expect(fulfilments(o.id)).toBe(1);
    }
  });
  /** The shop's deps with a gateway that counts status calls per gateway order id (or order number). */
  function countingDeps(): { deps: typeof shop.paymentsDeps; calls: (ref: string) => number } {
    const counts = new Map<string, number>();
    const counted: GatewayClient = {
      ...gateway,
      getOrderStatusExtended: (q, o) => {
        const key = 'orderId' in q ? q.orderId : q.orderNumber;
        counts.set(key, (counts.get(key) ?? 0) + 1);
        return gateway.getOrderStatusExtended(q, o);
      },
    };
    return { deps: { ...shop.paymentsDeps, gateway: counted }, calls: (ref) => counts.get(ref) ?? 0 };
  }

  /** Runs `r` at t0 + phase, t0 + phase + every, … up to t0 + until, calling `beforeRun(t)` first; the run times. */
  async function runEvery(
    clock: { t: number },
    t0: number,
    o: { phase: number; every: number; until: number },
    r: { runOnce(): Promise<unknown> },
    beforeRun?: (t: number) => Promise<boolean | void>,
  ): Promise<void> {
    for (let t = t0 + o.phase; t <= t0 + o.until; t += o.every) {
      clock.t = t;
      if ((await beforeRun?.(t)) === true) return;
      await r.runOnce();
    }
  }

  it('when a paid order is re-checked for a day, then the pauses grow from minutes to hours and no event is written', async () => {
    const { order, redirectUrl, agent } = await payAndCloseTab();
    await agent.get(shopPath(redirectUrl)).expect(200);
    const paidAt = shop.ledger.get(order.id)!.paidAt!;
    const eventsBefore = shop.ledger.events(order.id).length;
    const { deps, calls } = countingDeps();
    const clock = { t: paidAt };
    const r = reconciler({ now: () => clock.t }, shop.ledger, deps);
    const looks: number[] = [];
    let seen = 0;
    // The periodic job, every minute of a day (by the reconciler's clock).
    await runEvery(clock, paidAt, { phase: MIN, every: MIN, until: 24 * HOUR }, r, (t) => {
      if (calls(order.gatewayOrderId!) > seen) looks.push(t - MIN);
      seen = calls(order.gatewayOrderId!);
      return Promise.resolve();
    });
    expect(calls(order.gatewayOrderId!)).toBeLessThanOrEqual(20);
    expect(calls(order.gatewayOrderId!)).toBeGreaterThanOrEqual(8);
    const pauses = looks.slice(1).map((t, i) => t - looks[i]!);
    for (let i = 1; i < pauses.length; i += 1) expect(pauses[i]).toBeGreaterThanOrEqual(pauses[i - 1]!);
    expect(pauses[0]).toBeLessThanOrEqual(2 * MIN);
    expect(Math.max(...pauses)).toBeGreaterThanOrEqual(2 * HOUR);
    expect(shop.ledger.events(order.id)).toHaveLength(eventsBefore);
    expect(shop.ledger.get(order.id)?.nextCheckAt).toBeGreaterThan(clock.t);
  });

  it.each([0, 40, 90, 119])(
    'when callbacks are off and the buyer pays %i s after the Buy and closes the tab, then the order is paid within 2 minutes of paying',
    async (paysAfterSecs) => {
      const agent = request.agent(shop.app);
      const bought = await buy(agent, 'notebook', 1);
      const formUrl = bought.headers.location!;
      const order = shop.ledger.findByGatewayOrderId(new URL(formUrl).searchParams.get('mdOrder')!)!;
      const t0 = order.createdAt;
      const paysAt = t0 + paysAfterSecs * 1000;
      const clock = { t: t0 };
      // The shop's defaults: first look FIRST_LOOK_MS after the Buy, a run every minute (here just before each minute).
      const lifetimeMs = shop.config.orderLifetimeSecs * 1000;
      const r = reconciler({ now: () => clock.t, firstLookMs: undefined, pageLifetimeMs: lifetimeMs });
      let paid = false;
      let settledAt: number | undefined;
      await runEvery(clock, t0, { phase: MIN - 1000, every: MIN, until: 30 * MIN }, r, async (t) => {
        if (settledAt === undefined && shop.ledger.get(order.id)?.status === 'paid') settledAt = t - MIN;
        if (settledAt !== undefined) return true;
        if (!paid && t >= paysAt) {
          await payOnHostedPage(formUrl, VISA_OK);
          paid = true;
        }
      });
      // A run that finds the payment runs in the minute before `settledAt`.
      expect(settledAt).toBeDefined();
      expect(settledAt! - paysAt).toBeLessThanOrEqual(2 * MIN);
      expect(fulfilments(order.id)).toBe(1);
      const change = shop.ledger.events(order.id).find((e) => e.kind === 'status' && e.outcome === 'changed');
      expect(change?.detail).toMatchObject({ to: 'paid', cause: { source: 'reconciler' } });
    },
  );

  it('when the gateway no longer knows an open order, then it is asked with growing pauses and given up at twice the stated age (no look was answered)', async () => {
    const order = shop.ledger.createOrder(notebookOrder());
    shop.ledger.markRegistered(order.id, {
      gatewayOrderId: 'forgotten-by-the-gateway',
      formUrl: `${shop.gatewayUrl}/x`,
    });
    const { deps, calls } = countingDeps();
    const clock = { t: order.createdAt };
    const r = reconciler({ now: () => clock.t, firstLookMs: undefined, giveUpAfterMs: 72 * HOUR }, shop.ledger, deps);
    await runEvery(clock, order.createdAt, { phase: MIN + 1, every: 10 * MIN, until: 150 * HOUR }, r);
    expect(calls('forgotten-by-the-gateway')).toBeGreaterThanOrEqual(5);
    // Growing pauses up to the give-up age, then one look every 6 h (MAX_DELAY_MS) until twice that age.
    expect(calls('forgotten-by-the-gateway')).toBeLessThanOrEqual(55);
    const events = shop.ledger.events(order.id);
    expect(events.filter((e) => e.kind === 'reconcile')).toEqual([
      expect.objectContaining({ outcome: 'gave_up', detail: expect.objectContaining({ status: 'registered' }) }),
    ]);
    // It stays as it was (the outcome is unknown), and is never leased again.
    expect(shop.ledger.get(order.id)).toMatchObject({ status: 'registered', nextCheckAt: NO_MORE_CHECKS });
    const asked = calls('forgotten-by-the-gateway');
    clock.t += 1000 * HOUR;
    expect((await r.runOnce()).checked).toBe(0);
    expect(calls('forgotten-by-the-gateway')).toBe(asked);
  });

  it('when RECONCILE_GIVE_UP_HOURS is shorter than the payment page lives, then an open order is not given up while it may still be paid', async () => {
    const agent = request.agent(shop.app);
    const bought = await buy(agent, 'notebook', 1);
    const formUrl = bought.headers.location!;
    const order = shop.ledger.findByGatewayOrderId(new URL(formUrl).searchParams.get('mdOrder')!)!;
    const clock = { t: order.createdAt };
    const r = reconciler({
      now: () => clock.t,
      firstLookMs: undefined,
      pageLifetimeMs: 24 * HOUR,
      giveUpAfterMs: 1 * HOUR,
    });
    await runEvery(clock, order.createdAt, { phase: MIN + 1, every: 10 * MIN, until: 2 * HOUR }, r);
    expect(shop.ledger.get(order.id)).toMatchObject({ status: 'registered' });
    expect(shop.ledger.get(order.id)?.nextCheckAt).not.toBe(NO_MORE_CHECKS);
    expect(shop.ledger.events(order.id).filter((e) => e.kind === 'reconcile')).toEqual([]);
  });

  it('when the gateway does not answer the last look, then the order is asked again later, and given up at twice the age', async () => {
    const order = shop.ledger.createOrder(notebookOrder());
    shop.ledger.markRegistered(order.id, { gatewayOrderId: 'gw-unreachable', formUrl: `${shop.gatewayUrl}/x` });
    const down: GatewayClient = {
      ...gateway,
      getOrderStatusExtended: () =>
        Promise.reject(
          new GatewayNetworkError('connect ECONNREFUSED', {
            method: 'getOrderStatusExtended.do',
            outcomeUnknown: false,
          }),
        ),
    };
    const clock = { t: order.createdAt + 72 * HOUR };
    const r = reconciler({ now: () => clock.t }, shop.ledger, { ...shop.paymentsDeps, gateway: down });
    const first = await r.runOnce();
    expect(first).toMatchObject({ checked: 1, unanswered: 1, gaveUp: 0 });
    expect(shop.ledger.get(order.id)?.nextCheckAt).toBeGreaterThan(clock.t);
    clock.t = order.createdAt + 144 * HOUR;
    expect(await r.runOnce()).toMatchObject({ unanswered: 1, gaveUp: 1 });
    expect(shop.ledger.get(order.id)?.nextCheckAt).toBe(NO_MORE_CHECKS);
  });

  it('when a run is alive, then its leases are short and renewed; another run skips them and says why', async () => {
    const orders = [];
    for (let i = 0; i < 3; i += 1) orders.push((await payAndCloseTab()).order);
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let started: () => void = () => undefined;
    const first = new Promise<void>((resolve) => (started = resolve));
    const slow: GatewayClient = {
      ...gateway,
      getOrderStatusExtended: async (q, o) => {
        started();
        await held;
        return gateway.getOrderStatusExtended(q, o);
      },
    };
    const a = reconciler({ leaseMs: 600 }, shop.ledger, { ...shop.paymentsDeps, gateway: slow });
    const running = a.runOnce();
    await first;
    const leases = () =>
      shop.db.prepare<[], { lease_until: number | null }>('SELECT lease_until FROM orders ORDER BY id').all();
    const leasedAt = Date.now();
    for (const l of leases()) expect(l.lease_until! - leasedAt).toBeLessThanOrEqual(600);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // Renewed by the heartbeat: still held, past the first lease's end.
    for (const l of leases()) expect(l.lease_until!).toBeGreaterThan(leasedAt + 600);

    const b = await reconciler({ batch: 1 }).runOnce();
    expect(b).toMatchObject({ checked: 0, skipped: { leased: 3, overBatch: 0, stopped: 0 } });
    expect(Date.parse(b.skipped.leasedUntil!)).toBeGreaterThan(Date.now());
    expect(shop.logs.join('')).toMatch(/skipped 3 leased by another reconciler until/);
    release();
    expect(await running).toMatchObject({ checked: 3, changed: 3 });
    for (const l of leases()) expect(l.lease_until).toBeNull();
  });

  it('when the reconciler is stopped during a run, then it stops before the next order and ends the rest of its leases', async () => {
    const orders = [];
    for (let i = 0; i < 4; i += 1) orders.push((await payAndCloseTab()).order);
    let started: () => void = () => undefined;
    const first = new Promise<void>((resolve) => (started = resolve));
    const slow: GatewayClient = {
      ...gateway,
      getOrderStatusExtended: async (q, o) => {
        started();
        await new Promise((resolve) => setTimeout(resolve, 300));
        return gateway.getOrderStatusExtended(q, o);
      },
    };
    const r = reconciler({}, shop.ledger, { ...shop.paymentsDeps, gateway: slow });
    r.start();
    const running = r.runOnce();
    await first;
    const stoppedAt = Date.now();
    await r.stop();
    expect(Date.now() - stoppedAt).toBeLessThan(2000);
    expect(await running).toMatchObject({ checked: 1, skipped: { stopped: 3 } });
    const held = shop.db.prepare('SELECT count(*) FROM orders WHERE lease_holder IS NOT NULL').pluck().get();
    expect(held).toBe(0);
    // Another instance takes them at once.
    expect((await reconciler().runOnce()).checked).toBe(3);
  });
  it('when the ledger cannot renew the leases, then the run goes on and says so', async () => {
    const { order } = await payAndCloseTab();
    const slow: GatewayClient = {
      ...gateway,
      getOrderStatusExtended: async (q, o) => {
        await new Promise((resolve) => setTimeout(resolve, 300));
        return gateway.getOrderStatusExtended(q, o);
      },
    };
    const failing: Ledger = {
      ...shop.ledger,
      renewLeases: () => {
        throw new Error('database or disk is full');
      },
    };
    const r = reconciler({ leaseMs: 90 }, failing, { ...shop.paymentsDeps, gateway: slow });
    expect(await r.runOnce()).toMatchObject({ checked: 1, changed: 1 });
    expect(shop.ledger.get(order.id)?.status).toBe('paid');
    expect(shop.logs.join('')).toMatch(/reconciler could not renew its leases/);
  });
  it('when an order is still new within the register timeout, then it is not asked about until the timeout has passed', async () => {
    const order = shop.ledger.createOrder(notebookOrder());
    const { deps, calls } = countingDeps();
    const clock = { t: order.createdAt + shop.config.gateway.timeoutMs };
    const r = reconciler({ intervalMs: 0, now: () => clock.t }, shop.ledger, deps);
    await r.runOnce();
    expect(calls(order.orderNumber)).toBe(0);
    expect(shop.ledger.get(order.id)?.status).toBe('new');
    // Past the Buy's own limit (register timeout + 2 s) its register call has died: the gateway never heard of it.
    clock.t = order.createdAt + shop.config.gateway.timeoutMs + 2_000;
    await r.runOnce();
    expect(calls(order.orderNumber)).toBe(1);
    expect(shop.ledger.get(order.id)?.status).toBe('register_failed');
  });
});
