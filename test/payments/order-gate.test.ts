import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, jest } from '@jest/globals';
import request from 'supertest';
import { toMajorString } from '../../src/admin/amount.js';
import type { Order } from '../../src/orders/types.js';
import { ADMIN_PASSWORD, confirmForm, login, postAction } from '../admin/helpers.js';
import type { HandlerContext } from '../helpers/misbehaving-gateway.js';
import { buy, nextSettled, scriptedShopPerTest, type TestShop } from '../helpers/shop.js';

/** How long the scripted gateway takes to answer a status call: long enough for every trigger to arrive meanwhile. */
const STATUS_DELAY_MS = 400;

const start = scriptedShopPerTest();

/** When each status call to the scripted gateway started and ended, to tell whether two overlapped. */
interface Span {
  method: string;
  from: number;
  to: number;
}

/**
 * A gateway that takes STATUS_DELAY_MS to answer a status call and then reports the order approved (deposited after
 * a deposit), as it would once the buyer has paid; status calls before call number `paidFrom` still find it unpaid.
 * Every other call answers at once. `spans` records each call's time.
 */
async function slowStatusShop(
  env: Record<string, string> = {},
  reconciler = {},
  paidFrom = 1,
  cooldown?: (key: string, ms: number) => Promise<boolean>,
) {
  const spans: Span[] = [];
  const timed =
    (method: string, delayMs: number, answer: (form: Record<string, string>, ctx: HandlerContext) => unknown) =>
    async (form: Record<string, string>, ctx: HandlerContext) => {
      const from = Date.now();
      const body = await answer(form, ctx);
      await sleep(delayMs);
      spans.push({ method, from, to: Date.now() });
      return { body };
    };
  const { gateway, shop } = await start(
    {
      getOrderStatusExtended: timed('status', STATUS_DELAY_MS, async (form, ctx) => {
        const { body } = (await ctx.healthy(form)) as { body: Record<string, unknown> };
        if (body.orderStatus === undefined) return body; // unknown order: the healthy answer (errorCode 6)
        const amount = body.amount as number;
        const deposited = spans.some((s) => s.method === 'deposit');
        if (ctx.count < paidFrom) return body; // registered, not paid yet
        return {
          ...body,
          orderStatus: deposited ? 2 : 1,
          actionCode: 0,
          paymentAmountInfo: {
            paymentState: deposited ? 'DEPOSITED' : 'APPROVED',
            approvedAmount: amount,
            depositedAmount: deposited ? amount : 0,
            refundedAmount: 0,
          },
        };
      }),
      deposit: timed('deposit', 50, () => ({ errorCode: 0, errorMessage: 'Success' })),
    },
    { env: { PAYMENT_FLOW: 'two-phase', ...env }, reconciler, cooldown },
  );
  const statusCalls = () => gateway.callsTo('getOrderStatusExtended').length;
  /** Any two of the recorded calls that overlapped in time (the gate lets none do so). */
  const overlaps = () =>
    spans.flatMap((a, i) =>
      spans
        .slice(i + 1)
        .filter((b) => a.from < b.to && b.from < a.to)
        .map((b) => [a, b]),
    );
  return { gateway, shop, spans, statusCalls, overlaps };
}

/** A buyer's Buy, registered with the gateway; its browser (for the return) and the order. */
async function bought(shop: TestShop): Promise<{ agent: request.Agent; order: Order }> {
  const agent = request.agent(shop.app);
  const res = await buy(agent, 'notebook', 1);
  expect(res.status).toBe(303);
  const order = shop.ledger.findByGatewayOrderId(new URL(res.headers.location!).searchParams.get('mdOrder')!)!;
  expect(order.status).toBe('registered');
  return { agent, order };
}

/** Resolves once `cond` holds (polled). */
async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await sleep(5);
}

const callback = (order: Order) => ({
  mdOrder: order.gatewayOrderId!,
  orderNumber: order.orderNumber,
  operation: 'approved',
  status: '1',
});

describe('the per-order gate (one status call at a time per order)', () => {
  it('when a return and a callback for one order arrive at the same moment, asks the gateway once', async () => {
    const { shop, statusCalls } = await slowStatusShop();
    const { agent, order } = await bought(shop);
    const settled = nextSettled(shop, order.id);
    const [page, ack] = await Promise.all([
      agent.get(`/checkout/return?orderId=${order.gatewayOrderId!}`),
      request(shop.app).get('/payment/callback').query(callback(order)),
    ]);
    expect(ack.status).toBe(200);
    expect(page.status).toBe(200);
    expect((await settled).status).toBe('authorized');
    await sleep(STATUS_DELAY_MS * 2); // a second call, if any, has been made by now
    expect(statusCalls()).toBe(1);
    expect(shop.fulfilled).toEqual([order.id]);
  });

  it('when a callback arrives while the return is asking (the return first), asks the gateway once', async () => {
    // The test above finds the callback first (the return shares its call); here the return is at the gateway first.
    const { shop, statusCalls } = await slowStatusShop();
    const { agent, order } = await bought(shop);
    const page = agent.get(`/checkout/return?orderId=${order.gatewayOrderId!}`).then((res) => res);
    await until(() => statusCalls() === 1); // the return's call is at the gateway
    await request(shop.app).get('/payment/callback').query(callback(order)).expect(200);
    expect((await page).status).toBe(200);
    expect(shop.ledger.get(order.id)?.status).toBe('authorized');
    await sleep(STATUS_DELAY_MS * 2); // a second call, if any, has been made by now
    expect(statusCalls()).toBe(1);
    expect(shop.fulfilled).toEqual([order.id]);
  });

  it('when a callback arrives while the return claims the shared cool-down (Redis), asks the gateway once', async () => {
    let claiming = false;
    /** A shared cool-down (as with REDIS_URL) that takes a moment to answer: the return waits for it before asking. */
    const cooldown = async () => {
      claiming = true;
      await sleep(STATUS_DELAY_MS);
      return true;
    };
    const { shop, statusCalls } = await slowStatusShop({}, {}, 1, cooldown);
    const { agent, order } = await bought(shop);
    const page = agent.get(`/checkout/return?orderId=${order.gatewayOrderId!}`).then((res) => res);
    await until(() => claiming); // the return's call waits for the cool-down's answer
    await request(shop.app).get('/payment/callback').query(callback(order)).expect(200);
    expect((await page).status).toBe(200);
    expect(shop.ledger.get(order.id)?.status).toBe('authorized');
    await sleep(STATUS_DELAY_MS * 2); // a second call, if any, has been made by now
    expect(statusCalls()).toBe(1);
    expect(shop.fulfilled).toEqual([order.id]);
  });

  it('when the reconciler runs while a return for the same order is asking, the run shares that one call', async () => {
    const { shop, statusCalls } = await slowStatusShop({}, { intervalMs: 0, firstLookMs: 0, pageLifetimeMs: 0 });
    const { agent, order } = await bought(shop);
    const page = agent.get(`/checkout/return?orderId=${order.gatewayOrderId!}`).then((res) => res);
    await until(() => statusCalls() === 1); // the return's call is at the gateway
    const summary = await shop.payments.reconciler.runOnce();
    expect(summary).toMatchObject({ checked: 1, changed: 1, unanswered: 0 });
    expect((await page).status).toBe(200);
    expect(statusCalls()).toBe(1);
    expect(shop.ledger.get(order.id)?.status).toBe('authorized');
    expect(shop.fulfilled).toEqual([order.id]);
  });

  it("when the back office captures while a callback's status call is running, the capture waits for it and its own status call follows", async () => {
    const { shop, spans, statusCalls, overlaps } = await slowStatusShop({ ADMIN_PASSWORD });
    const { order } = await bought(shop);
    expect((await shop.payments.settle(order, { source: 'callback' }))?.order.status).toBe('authorized');
    const admin = request.agent(shop.app);
    expect((await login(admin)).status).toBe(303);
    const form = await confirmForm(admin, order.id, 'capture');

    await request(shop.app).get('/payment/callback').query(callback(order)).expect(200);
    await until(() => statusCalls() === 2); // the callback's call is at the gateway
    const amount = toMajorString(order.amount, order.currency);
    const res = await postAction(admin, order.id, 'capture', { ...form, amount });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/admin/orders/${order.id}?done=capture`);
    expect(overlaps()).toEqual([]);
    expect(spans.map((s) => s.method)).toEqual(['status', 'status', 'deposit', 'status']);
    expect(shop.ledger.get(order.id)?.status).toBe('paid');
  });

  it('when a callback arrives while a status call sent before the payment is running, it asks once more after it', async () => {
    const { shop, statusCalls, overlaps } = await slowStatusShop({}, {}, 2);
    const { agent, order } = await bought(shop);
    const page = agent.get(`/checkout/return?orderId=${order.gatewayOrderId!}`).then((res) => res);
    await until(() => statusCalls() === 1); // the return's call is at the gateway, which still has it unpaid
    await request(shop.app).get('/payment/callback').query(callback(order)).expect(200);
    expect((await page).text).toMatch(/confirming your payment/i);
    await until(() => shop.ledger.get(order.id)?.status === 'authorized');
    expect(statusCalls()).toBe(2);
    expect(overlaps()).toEqual([]);
    expect(shop.fulfilled).toEqual([order.id]);
  });

  it('when a callback arrives while a status call that found the payment still processing is running, it asks once more after it', async () => {
    // The first status call is sent while the buyer is at 3-D Secure (orderStatus 5): it moves the order to
    // 'processing', which is not the payment the callback announces.
    const { gateway, shop } = await start({
      getOrderStatusExtended: async (form, ctx) => {
        const { body } = (await ctx.healthy(form)) as { body: Record<string, unknown> };
        await sleep(STATUS_DELAY_MS);
        const amount = body.amount as number;
        if (ctx.count === 1) return { body: { ...body, orderStatus: 5 } };
        const info = { paymentState: 'DEPOSITED', approvedAmount: amount, depositedAmount: amount, refundedAmount: 0 };
        return { body: { ...body, orderStatus: 2, actionCode: 0, paymentAmountInfo: info } };
      },
    });
    const statusCalls = () => gateway.callsTo('getOrderStatusExtended').length;
    const { agent, order } = await bought(shop);
    const page = agent.get(`/checkout/return?orderId=${order.gatewayOrderId!}`).then((res) => res);
    await until(() => statusCalls() === 1); // the return's call is at the gateway, which has the payment processing
    await request(shop.app).get('/payment/callback').query(callback(order)).expect(200);
    expect((await page).text).toMatch(/confirming your payment/i);
    const deadline = Date.now() + 10 * STATUS_DELAY_MS; // bounded: without the second call it never gets paid
    await until(() => shop.ledger.get(order.id)?.status === 'paid' || Date.now() > deadline);
    expect(shop.ledger.get(order.id)?.status).toBe('paid');
    expect(statusCalls()).toBe(2);
    expect(shop.fulfilled).toEqual([order.id]);
  });

  it("when the back office's capture waits in the gate past its claim's time, it is not sent (the claim may be taken for dead)", async () => {
    // The clock the ledger and the back office read; moved forward while the capture waits.
    const realNow = Date.now.bind(Date);
    let shift = 0;
    const clock = jest.spyOn(Date, 'now').mockImplementation(() => realNow() + shift);
    try {
      let release: () => void = () => undefined;
      let held = false;
      const { gateway, shop } = await start(
        {
          getOrderStatusExtended: async (form, ctx) => {
            const { body } = (await ctx.healthy(form)) as { body: Record<string, unknown> };
            if (held) await new Promise<void>((resolve) => (release = resolve));
            const amount = body.amount as number;
            const info = { paymentState: 'APPROVED', approvedAmount: amount, depositedAmount: 0, refundedAmount: 0 };
            return { body: { ...body, orderStatus: 1, actionCode: 0, paymentAmountInfo: info } };
          },
        },
        { env: { PAYMENT_FLOW: 'two-phase', ADMIN_PASSWORD, GATEWAY_STATUS_TIMEOUT_MS: '5000' } },
      );
      const statusCalls = () => gateway.callsTo('getOrderStatusExtended').length;
      const { order } = await bought(shop);
      expect((await shop.payments.settle(order, { source: 'callback' }))?.order.status).toBe('authorized');
      const admin = request.agent(shop.app);
      expect((await login(admin)).status).toBe(303);
      const form = await confirmForm(admin, order.id, 'capture');

      held = true;
      await request(shop.app).get('/payment/callback').query(callback(order)).expect(200);
      await until(() => statusCalls() === 2); // the callback's call is at the gateway, which holds it
      const amount = toMajorString(order.amount, order.currency);
      const posted = postAction(admin, order.id, 'capture', { ...form, amount }).then((res) => res);
      await until(() => shop.ledger.unresolvedIntents(order.id).length === 1); // claimed; waiting in the gate
      shift = 60_000; // past the claim's pendingForMs: a refresh or another instance may now take it for dead
      release();
      const res = await posted;
      expect(gateway.callsTo('deposit')).toHaveLength(0);
      expect(res.status).toBe(503); // outcome unknown: the same form rechecks the status before any call
    } finally {
      clock.mockRestore();
    }
  });
});
