import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { GatewayClient } from '../../src/gateway/index.js';
import { createLedger } from '../../src/orders/ledger.js';
import type { Ledger, Order } from '../../src/orders/types.js';
import { createReconciler, type ReconcilerOptions } from '../../src/shop/reconciler.js';
import { notebookOrder } from '../helpers/orders-db.js';
import { payOnHostedPage } from '../helpers/sandbox-buyer.js';
import { buy, shopPath, startShop, type TestShop } from '../helpers/shop.js';

const VISA_OK = { pan: '4111 1111 1111 1111' };

describe('the reconciler against the sandbox', () => {
  let shop: TestShop;
  let gateway: GatewayClient;
  // A shop (and sandbox) per test: each run sees only the orders its own test made.
  beforeEach(async () => {
    shop = await startShop();
    gateway = shop.deps.gateway;
  });
  afterEach(() => shop.close());

  /** A reconciler of this shop; by default every open order counts as past its payment page. */
  function reconciler(opts: Partial<ReconcilerOptions> = {}, ledger: Ledger = shop.ledger) {
    const defaults = { intervalMs: 60_000, batch: 50, recheckPaidForMs: 24 * 3600_000, openAfterMs: 0 };
    return createReconciler({ ...shop.deps, ledger }, { ...defaults, ...opts });
  }
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
    expect(first).toEqual({ checked: 1, changed: 1, unanswered: 0 });
    expect(shop.ledger.get(order.id)?.status).toBe('paid');
    expect(fulfilments(order.id)).toBe(1);
    const statusEvents = shop.ledger.events(order.id).filter((e) => e.kind === 'status');
    expect(statusEvents.at(-1)?.detail).toMatchObject({ cause: { source: 'reconciler' } });

    const second = await r.runOnce();
    expect(second.checked).toBe(0);
    expect(shop.ledger.get(order.id)?.status).toBe('paid');
    expect(fulfilments(order.id)).toBe(1);
  });

  it('when the clock says the payment page is still open, the order is left alone; past its lifetime it is fulfilled once', async () => {
    const { order } = await payAndCloseTab();
    const lifetimeMs = shop.config.orderLifetimeSecs * 1000;
    let now = Date.now();
    const r = reconciler({ openAfterMs: lifetimeMs, now: () => now });
    expect(await r.runOnce()).toEqual({ checked: 0, changed: 0, unanswered: 0 });
    expect(shop.ledger.get(order.id)?.status).toBe('registered');
    now += lifetimeMs;
    expect(await r.runOnce()).toEqual({ checked: 1, changed: 1, unanswered: 0 });
    expect(shop.ledger.get(order.id)?.status).toBe('paid');
    // Twenty minutes on (by this clock) the paid order is due for its refund re-check: asked again, nothing changes.
    expect(await r.runOnce()).toEqual({ checked: 1, changed: 0, unanswered: 0 });
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
    await reconciler({ intervalMs: 0 }).runOnce();
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
    await gateway.refund({ orderId: order.gatewayOrderId!, amount: 200 });
    await reconciler({ intervalMs: 0 }).runOnce();
    expect(shop.ledger.get(order.id)).toMatchObject({ status: 'partially_refunded', refundedAmount: 200 });
    const page = await agent.get(shopPath(redirectUrl));
    expect(page.text).toMatch(/Payment successful/);
    expect(page.text).toContain('Of this, €2.00 has been refunded to your card.');

    await gateway.refund({ orderId: order.gatewayOrderId!, amount: 790 });
    await reconciler({ intervalMs: 0 }).runOnce();
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
});
