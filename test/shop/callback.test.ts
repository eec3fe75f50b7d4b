import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createPayments } from '../../src/payments/index.js';
import { createSettle } from '../../src/payments/settle.js';
import type { Order } from '../../src/orders/types.js';
import { DEFAULT_MERCHANTS } from '@rbs-storefront/gateway-sandbox';
import { payOnHostedPage } from '../../packages/gateway-sandbox/test/helpers/sandbox-buyer.js';
import { buy, nextSettled, RECONCILE_AT_ONCE, shopPath, startShop, type TestShop } from '../helpers/shop.js';
import { signCallback } from '../helpers/callback-signature.js';

// A canary: it must never show up in a log line.
const KEY = 'Callback-Key-Canary-5e1f';
const merchant = DEFAULT_MERCHANTS[0]!;

const signed = (params: Record<string, string>, key = KEY) => signCallback(params, key);

describe('the callback receiver (GATEWAY_CALLBACK_KEY set)', () => {
  let shop: TestShop;
  beforeEach(async () => {
    shop = await startShop({ env: { GATEWAY_CALLBACK_KEY: KEY } });
  });
  afterEach(async () => {
    expect(shop.logs.join('')).not.toContain(KEY);
    await shop.close();
  });

  /** Buys and pays on the hosted page, then closes the tab: the shop has not heard of the payment. */
  async function paidInAnotherTab(): Promise<{ order: Order; redirectUrl: string; agent: request.Agent }> {
    const agent = request.agent(shop.app);
    const bought = await buy(agent, 'notebook', 1);
    const paid = await payOnHostedPage(bought.headers.location!, { pan: '4111 1111 1111 1111' });
    const orderId = new URL(paid.redirectUrl!).searchParams.get('orderId')!;
    const order = shop.ledger.findByGatewayOrderId(orderId)!;
    expect(order.status).toBe('registered');
    return { order, redirectUrl: paid.redirectUrl!, agent };
  }
  const deposited = (o: Order) => ({
    mdOrder: o.gatewayOrderId!,
    orderNumber: o.orderNumber,
    operation: 'deposited',
    status: '1',
    amount: String(o.amount),
  });
  const callbackEvents = (o: Order) => shop.ledger.events(o.id).filter((e) => e.kind === 'callback');

  it('when a signed callback arrives (GET), answers 200 at once and then settles the order from the gateway', async () => {
    const { order } = await paidInAnotherTab();
    const settled = nextSettled(shop, order.id);
    const res = await request(shop.app)
      .get('/payment/callback')
      .query(signed(deposited(order)));
    expect(res.status).toBe(200);
    expect(res.text).toBe('OK');
    expect((await settled).status).toBe('paid');
    expect(shop.fulfilled).toEqual([order.id]);
    expect(callbackEvents(order)).toEqual([
      expect.objectContaining({ outcome: 'received', detail: expect.objectContaining({ operation: 'deposited' }) }),
    ]);
  });

  it('when the callback comes as a POST form, it works the same', async () => {
    const { order } = await paidInAnotherTab();
    const settled = nextSettled(shop, order.id);
    await request(shop.app)
      .post('/payment/callback')
      .type('form')
      .send(signed(deposited(order)))
      .expect(200);
    expect((await settled).status).toBe('paid');
  });

  it('when the same callback arrives three times, the order is fulfilled once', async () => {
    const { order } = await paidInAnotherTab();
    const params = signed(deposited(order));
    for (let i = 0; i < 3; i += 1) {
      const settled = nextSettled(shop, order.id);
      await request(shop.app).get('/payment/callback').query(params).expect(200);
      await settled;
    }
    expect(shop.ledger.get(order.id)?.status).toBe('paid');
    expect(shop.fulfilled).toEqual([order.id]);
    expect(callbackEvents(order)).toHaveLength(3);
    // the visible effect: one fulfilments row, one notebook sold, shown on the product page
    expect(shop.ledger.fulfilment(order.id)?.status).toBe('paid');
    expect(shop.ledger.unitsSold('notebook')).toBe(1);
    const page = await request(shop.app).get('/products/notebook').expect(200);
    expect(page.text).toContain('Sold so far: 1');
  });

  it('when a stale "deposited" arrives after a refund, the order stays refunded', async () => {
    const { order, redirectUrl, agent } = await paidInAnotherTab();
    await agent.get(shopPath(redirectUrl)).expect(200);
    await shop.deps.gateway.refund({ orderId: order.gatewayOrderId!, amount: order.amount });
    const refunded = nextSettled(shop, order.id);
    await request(shop.app)
      .get('/payment/callback')
      .query(signed({ ...deposited(order), operation: 'refunded' }))
      .expect(200);
    expect((await refunded).status).toBe('refunded');
    const stale = nextSettled(shop, order.id);
    await request(shop.app)
      .get('/payment/callback')
      .query(signed(deposited(order)))
      .expect(200);
    expect((await stale).status).toBe('refunded');
    expect(shop.fulfilled).toEqual([order.id]);
  });

  it('when 25 returns and 25 callbacks settle the same paid order at once, it is fulfilled exactly once', async () => {
    const { order } = await paidInAnotherTab();
    // Ungated (the gate would make them one call): 50 status calls racing in the ledger.
    const settle = createSettle(shop.paymentsDeps);
    const sources = Array.from({ length: 50 }, (_, i) => (i % 2 ? ('return' as const) : ('callback' as const)));
    const settled = await Promise.all(sources.map((source) => settle(order, { source })));
    expect(settled.every((s) => s?.order.status === 'paid')).toBe(true);
    expect(shop.ledger.events(order.id).filter((e) => e.kind === 'fulfilled')).toHaveLength(1);
    expect(shop.ledger.fulfilment(order.id)?.status).toBe('paid');
    expect(shop.ledger.unitsSold('notebook')).toBe(1);
  });

  it('when settling after a callback fails (gateway down), the callback still got 200 and the reconciler finishes it', async () => {
    const { order } = await paidInAnotherTab();
    shop.sandbox!.sandbox.faults.set(merchant.login, { httpStatus: 502 });
    const failed = nextSettled(shop, order.id);
    await request(shop.app)
      .get('/payment/callback')
      .query(signed(deposited(order)))
      .expect(200);
    expect((await failed).status).toBe('registered');
    expect(shop.ledger.events(order.id).at(-1)).toMatchObject({ kind: 'status', outcome: 'error' });

    shop.sandbox!.sandbox.faults.set(merchant.login, {});
    const { reconciler } = createPayments({
      ...shop.paymentsDeps,
      reconciler: RECONCILE_AT_ONCE,
    });
    await reconciler.runOnce();
    expect(shop.ledger.get(order.id)?.status).toBe('paid');
    expect(shop.fulfilled).toEqual([order.id]);
  });

  it('when the callback names an order this shop does not know, answers 200 (no retries) and logs it', async () => {
    const params = signed({ mdOrder: 'no-such-order', orderNumber: '1', operation: 'deposited', status: '1' });
    await request(shop.app).get('/payment/callback').query(params).expect(200);
    expect(shop.logs.join('')).toMatch(/callback for an unknown order/);
  });

  it.each([
    ['no checksum', (p: Record<string, string>) => p],
    ['a forged checksum', (p: Record<string, string>) => ({ ...p, checksum: 'A'.repeat(64) })],
    ['a checksum under another key', (p: Record<string, string>) => signed(p, 'another-key-123')],
    ['a checksum over other parameters', (p: Record<string, string>) => ({ ...signed(p), amount: '1' })],
  ])('when the callback carries %s, answers 403 and changes nothing', async (_label, forge) => {
    const { order } = await paidInAnotherTab();
    const res = await request(shop.app)
      .get('/payment/callback')
      .query(forge(deposited(order)));
    expect(res.status).toBe(403);
    expect(callbackEvents(order)).toEqual([]);
    expect(shop.ledger.get(order.id)?.status).toBe('registered');
    expect(shop.logs.join('')).toMatch(/callback refused/);
  });

  it("when a genuine callback for one order is replayed with another order's id, answers 403", async () => {
    const first = await paidInAnotherTab();
    const second = await paidInAnotherTab();
    const params = { ...signed(deposited(first.order)), mdOrder: second.order.gatewayOrderId! };
    await request(shop.app).get('/payment/callback').query(params).expect(403);
    expect(callbackEvents(second.order)).toEqual([]);
  });

  it('when values are malformed or the call is oversized, answers 4xx and changes nothing', async () => {
    const { order } = await paidInAnotherTab();
    const params = signed(deposited(order));
    const repeated = `/payment/callback?${new URLSearchParams(params).toString()}&mdOrder=${order.gatewayOrderId!}`;
    expect((await request(shop.app).get(repeated)).status).toBe(400);
    expect(
      (
        await request(shop.app)
          .get('/payment/callback')
          .query({ ...params, mdOrder: '../x' })
      ).status,
    ).toBe(403);
    const long = { ...params, extra: 'x'.repeat(600) };
    expect((await request(shop.app).get('/payment/callback').query(long)).status).toBe(400);
    // Node's HTTP parser refuses the 100 KB request line itself (431) and closes the socket; depending on timing the
    // client reads the 431 or only sees the reset. Either way the request never reaches the shop.
    const huge = await request(shop.app)
      .get(`/payment/callback?pad=${'x'.repeat(100_000)}`)
      .then(
        (res) => res.status,
        (err: NodeJS.ErrnoException) => err.code,
      );
    expect([431, 'ECONNRESET', 'EPIPE']).toContain(huge);
    expect(callbackEvents(order)).toEqual([]);
  });
});

describe('callback settings', () => {
  it('with CALLBACKS=off there is no receiver at all', async () => {
    const shop = await startShop({ env: { CALLBACKS: 'off', GATEWAY_CALLBACK_KEY: KEY } });
    try {
      await request(shop.app).get('/payment/callback').query({ mdOrder: 'x' }).expect(404);
    } finally {
      await shop.close();
    }
  });

  it('without a key outside production, unsigned callbacks are accepted (a demo convenience)', async () => {
    const shop = await startShop();
    try {
      const params = { mdOrder: 'no-such-order', orderNumber: '1', operation: 'deposited', status: '1' };
      await request(shop.app).get('/payment/callback').query(params).expect(200);
    } finally {
      await shop.close();
    }
  });
});
