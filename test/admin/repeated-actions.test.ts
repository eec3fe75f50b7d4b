import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { ru } from '../../src/http/messages/ru.js';
import type { Order } from '../../src/orders/types.js';
import { describeLedgers, type AsyncLedger } from '../helpers/ledgers.js';
import { replies, sequence } from '../helpers/misbehaving-gateway.js';
import { payOnHostedPage } from '../../packages/gateway-sandbox/test/helpers/sandbox-buyer.js';
import { buy, scriptedShopPerTest, startShop, type TestShop } from '../helpers/shop.js';
import { ADMIN_PASSWORD, confirmAction, confirmForm, intentTokenFrom, login, postAction } from './helpers.js';

/** Gateway calls of one method the shop made (its onCall log lines). */
const callsOf = (shop: TestShop, method: string) => shop.logs.filter((l) => l.includes(`"method":"${method}"`)).length;

/** A buyer buys and pays with the approved test card; the order as `ledger` has it after the return page. */
async function paidOrder(shop: TestShop, ledger: AsyncLedger, productId = 'notebook'): Promise<Order> {
  const buyer = request.agent(shop.app);
  const bought = await buy(buyer, productId, 1);
  const paid = await payOnHostedPage(bought.headers.location!, { pan: '4111 1111 1111 1111' });
  const back = new URL(paid.redirectUrl!);
  await buyer.get(`${back.pathname}${back.search}`).expect(200);
  return (await ledger.findByGatewayOrderId(back.searchParams.get('orderId')!))!;
}

describeLedgers('#43 a money action submitted again (real sandbox)', (open) => {
  let shop: TestShop;
  let ledger: AsyncLedger;
  let another: () => Promise<AsyncLedger>;
  let admin: request.Agent;
  beforeEach(async () => {
    const kit = await open();
    ledger = kit.ledger;
    another = () => kit.another();
    shop = await startShop({
      env: { ADMIN_PASSWORD, BUY_RATE_LIMIT_PER_MINUTE: '1000', PAYMENT_FLOW: 'two-phase' },
      appLedger: ledger,
    });
    admin = request.agent(shop.app);
    await login(admin).then((r) => expect(r.status).toBe(303));
  });
  afterEach(() => shop.close());

  /** A two-phase order, held and then captured in full (€9.90): ready for refunds. */
  async function capturedOrder(): Promise<Order> {
    const order = await paidOrder(shop, ledger);
    await confirmAction(admin, order.id, 'capture', '9.90').then((r) => expect(r.status).toBe(303));
    return (await ledger.get(order.id))!;
  }

  it('#43 when the same refund form is submitted twice, then refund.do is called once and the refunded amount grows once', async () => {
    const order = await capturedOrder();
    const form = await confirmForm(admin, order.id, 'refund');
    const first = await postAction(admin, order.id, 'refund', { ...form, amount: '5' });
    expect(first.status).toBe(303);
    expect(await ledger.get(order.id)).toMatchObject({ status: 'partially_refunded', refundedAmount: 500 });
    // Back button and submit again, or a double click: the same form, answered with the first outcome.
    const again = await postAction(admin, order.id, 'refund', { ...form, amount: '5' });
    expect(again.status).toBe(303);
    expect(again.headers.location).toBe(first.headers.location);
    expect(callsOf(shop, 'refund')).toBe(1);
    expect(await ledger.get(order.id)).toMatchObject({ refundedAmount: 500 });
    const requested = (await ledger.events(order.id)).filter(
      (e) => e.kind === 'admin' && e.detail?.step === 'requested',
    );
    expect(requested.map((e) => e.outcome)).toEqual(['capture', 'refund']);
  });

  it('#43 when the same refund form is submitted several times at once, then refund.do is called once and every answer is the first outcome', async () => {
    const order = await capturedOrder();
    const form = await confirmForm(admin, order.id, 'refund');
    const answers = await Promise.all(
      [1, 2, 3].map(() => postAction(admin, order.id, 'refund', { ...form, amount: '2.00' })),
    );
    expect(answers.map((a) => a.status)).toEqual([303, 303, 303]);
    expect(callsOf(shop, 'refund')).toBe(1);
    expect(await ledger.get(order.id)).toMatchObject({ refundedAmount: 200 });
  });

  it('#43 when the same refund form is submitted to two instances at once, then refund.do is called once', async () => {
    const order = await capturedOrder();
    // A second instance: its own app, sessions and process state, the same database and gateway.
    const second = await startShop({
      gatewayUrl: shop.gatewayUrl,
      env: { ADMIN_PASSWORD, BUY_RATE_LIMIT_PER_MINUTE: '1000', PAYMENT_FLOW: 'two-phase' },
      appLedger: await another(),
    });
    try {
      const admin2 = request.agent(second.app);
      await login(admin2).then((r) => expect(r.status).toBe(303));
      const form = await confirmForm(admin, order.id, 'refund');
      const { _csrf: csrf2 } = await confirmForm(admin2, order.id, 'refund');
      const [a, b] = await Promise.all([
        postAction(admin, order.id, 'refund', { ...form, amount: '4.00' }),
        postAction(admin2, order.id, 'refund', { ...form, _csrf: csrf2, amount: '4.00' }),
      ]);
      // The one that claimed the form answers its outcome; the other the same outcome, or that it is still running.
      expect([a.status, b.status]).toContain(303);
      for (const r of [a, b]) if (r.status !== 303) expect(r.text).toContain('still running. Nothing was sent again.');
      expect(callsOf(shop, 'refund') + callsOf(second, 'refund')).toBe(1);
      expect(await ledger.get(order.id)).toMatchObject({ refundedAmount: 400 });
    } finally {
      await second.close();
    }
  });

  it('#43 when a hold is captured or voided by a form submitted twice, then deposit.do or reverse.do is called once', async () => {
    const captured = await paidOrder(shop, ledger);
    const capture = await confirmForm(admin, captured.id, 'capture');
    for (let i = 0; i < 2; i += 1) {
      const r = await postAction(admin, captured.id, 'capture', { ...capture, amount: '9.90' });
      expect(r.status).toBe(303);
    }
    expect(callsOf(shop, 'deposit')).toBe(1);
    expect(await ledger.get(captured.id)).toMatchObject({ status: 'paid', depositedAmount: 990 });

    const held = await paidOrder(shop, ledger);
    const voiding = await confirmForm(admin, held.id, 'void');
    const answers = await Promise.all([1, 2].map(() => postAction(admin, held.id, 'void', voiding)));
    expect(answers.map((a) => a.status)).toEqual([303, 303]);
    expect(callsOf(shop, 'reverse')).toBe(1);
    expect(await ledger.get(held.id)).toMatchObject({ status: 'reversed' });
  });

  it('#43 a used refund form cannot be replayed for another amount or another order; nothing more is refunded', async () => {
    const order = await capturedOrder();
    const other = await capturedOrder();
    const form = await confirmForm(admin, order.id, 'refund');
    await postAction(admin, order.id, 'refund', { ...form, amount: '1.00' }).then((r) => expect(r.status).toBe(303));

    const more = await postAction(admin, order.id, 'refund', { ...form, amount: '3.00' });
    expect(more.status).toBe(409);
    expect(more.text).toContain('already used for another amount');
    expect(more.text).toContain('Nothing more was done.');
    const elsewhere = await postAction(admin, other.id, 'refund', { ...form, amount: '1.00' });
    expect(elsewhere.status).toBe(409);
    expect(elsewhere.text).toContain('belongs to another order or action');
    expect(callsOf(shop, 'refund')).toBe(1);
    expect(await ledger.get(order.id)).toMatchObject({ refundedAmount: 100 });
    expect(await ledger.get(other.id)).toMatchObject({ refundedAmount: 0 });
  });

  it('#43 when a form is unknown or stale (two tabs), then a clear message says nothing was done and a new form keeps the typed amount', async () => {
    const order = await capturedOrder();
    const unknown = await postAction(admin, order.id, 'refund', {
      ...(await confirmForm(admin, order.id, 'refund')),
      intent: 'from-before-a-restart',
      amount: '3.30',
    });
    expect(unknown.status).toBe(409);
    expect(unknown.text).toContain('This confirmation form is not known');
    expect(unknown.text).toContain('Nothing was done.');
    expect(unknown.text).toContain('value="3.30"');
    const fresh = intentTokenFrom(unknown.text);
    expect(fresh).toBeDefined();
    expect(callsOf(shop, 'refund')).toBe(0);
    // In Russian, the same message in Russian.
    await admin.get(`/admin/orders/${order.id}?lang=ru`).expect(200);
    const russian = await postAction(admin, order.id, 'refund', {
      ...(await confirmForm(admin, order.id, 'refund')),
      intent: 'from-before-a-restart',
      amount: '3.30',
    });
    expect(russian.status).toBe(409);
    expect(russian.text).toContain(ru['admin.intent.unknown']);
    await admin.get(`/admin/orders/${order.id}?lang=en`).expect(200);

    // Two tabs, each with its own form: the first refund goes through; the second tab's form predates it.
    const tabA = await confirmForm(admin, order.id, 'refund');
    const tabB = await confirmForm(admin, order.id, 'refund');
    await postAction(admin, order.id, 'refund', { ...tabA, amount: '3.30' }).then((r) => expect(r.status).toBe(303));
    const stale = await postAction(admin, order.id, 'refund', { ...tabB, amount: '3.30' });
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('The order changed after this form was shown');
    expect(stale.text).toContain('value="3.30"');
    expect(callsOf(shop, 'refund')).toBe(1);
    expect(await ledger.get(order.id)).toMatchObject({ refundedAmount: 330 });

    // The form the stale answer shows is a good one: confirming it refunds once more.
    const csrf = /name="_csrf" value="([^"]+)"/.exec(stale.text)![1]!;
    const next = await postAction(admin, order.id, 'refund', {
      _csrf: csrf,
      intent: intentTokenFrom(stale.text)!,
      amount: '3.30',
    });
    expect(next.status).toBe(303);
    expect(await ledger.get(order.id)).toMatchObject({ refundedAmount: 660 });
    expect(callsOf(shop, 'refund')).toBe(2);
  });

  it('#43 when the whole amount was refunded and the form is submitted again, then the answer is the first outcome, not a refusal', async () => {
    const order = await capturedOrder();
    const form = await confirmForm(admin, order.id, 'refund');
    await postAction(admin, order.id, 'refund', { ...form, amount: '9.90' }).then((r) => expect(r.status).toBe(303));
    expect(await ledger.get(order.id)).toMatchObject({ status: 'refunded', refundedAmount: 990 });
    const again = await postAction(admin, order.id, 'refund', { ...form, amount: '9.90' });
    expect(again.status).toBe(303);
    expect(again.headers.location).toBe(`/admin/orders/${order.id}?done=refund`);
    expect(callsOf(shop, 'refund')).toBe(1);
  });
});

describe('#43 a refund whose outcome was unknown, submitted again', () => {
  const start = scriptedShopPerTest();

  /** A paid one-phase order of €9.90 in the shop's ledger, known to the scripted gateway as `gw-1`. */
  function paidInLedger(shop: TestShop) {
    const items = [{ productId: 'notebook', name: 'Notebook', quantity: 1, unitAmount: 990 }];
    const order = shop.ledger.createOrder({ items, amount: 990, currency: '978', flow: 'one-phase', language: 'en' });
    shop.ledger.markRegistered(order.id, { gatewayOrderId: 'gw-1', formUrl: 'http://127.0.0.1:9/pay' });
    return shop.ledger.applyGatewayStatus(order.id, { orderStatus: 2, actionCode: 0, amounts: { deposited: 990 } })
      .order;
  }

  /** The gateway's status of gw-1: deposited €9.90, `refunded` refunded. */
  const statusOf = (order: Order, refunded: number) =>
    replies.json({
      errorCode: '0',
      orderNumber: order.orderNumber,
      orderStatus: refunded > 0 ? 4 : 2,
      actionCode: 0,
      amount: 990,
      currency: '978',
      attributes: [{ name: 'mdOrder', value: 'gw-1' }],
      paymentAmountInfo: { depositedAmount: 990, refundedAmount: refunded },
    });

  it('#43 when the status shows the refund was made, then it is not sent again and the answer is done', async () => {
    const seeded: { order?: Order } = {};
    const { shop, gateway } = await start(
      { refund: replies.hang(), getOrderStatusExtended: () => statusOf(seeded.order!, 500) },
      { env: { ADMIN_PASSWORD, GATEWAY_TIMEOUT_MS: '200' } },
    );
    const order = (seeded.order = paidInLedger(shop));
    const admin = request.agent(shop.app);
    await login(admin);
    const form = await confirmForm(admin, order.id, 'refund');
    const first = await postAction(admin, order.id, 'refund', { ...form, amount: '5' });
    expect(first.status).toBe(503);
    expect(first.text).toContain('the outcome is unknown');
    // The page's form is the same intent: submitting it again rechecks, it never starts a second refund.
    expect(intentTokenFrom(first.text)).toBe(form.intent);
    const again = await postAction(admin, order.id, 'refund', { ...form, amount: '5' });
    expect(again.status).toBe(303);
    expect(gateway.callsTo('refund')).toHaveLength(1);
    expect(gateway.callsTo('getOrderStatusExtended').length).toBeGreaterThan(0);
    expect(shop.ledger.get(order.id)).toMatchObject({ status: 'partially_refunded', refundedAmount: 500 });
    const last = shop.ledger
      .events(order.id)
      .filter((e) => e.kind === 'admin')
      .at(-1);
    expect(last?.detail).toMatchObject({ step: 'answered', answer: 'ok', by: 'status' });
  });

  it('#43 when the status shows it was not made, then it is sent again with the same externalRefundId', async () => {
    const seeded: { order?: Order } = {};
    const { shop, gateway } = await start(
      {
        refund: sequence(replies.hang(), replies.ok()),
        getOrderStatusExtended: sequence(
          () => statusOf(seeded.order!, 0),
          () => statusOf(seeded.order!, 500),
        ),
      },
      { env: { ADMIN_PASSWORD, GATEWAY_TIMEOUT_MS: '200' } },
    );
    const order = (seeded.order = paidInLedger(shop));
    const admin = request.agent(shop.app);
    await login(admin);
    const form = await confirmForm(admin, order.id, 'refund');
    expect((await postAction(admin, order.id, 'refund', { ...form, amount: '5' })).status).toBe(503);
    const again = await postAction(admin, order.id, 'refund', { ...form, amount: '5' });
    expect(again.status).toBe(303);
    const sent = gateway.callsTo('refund').map((r) => r.form.externalRefundId);
    expect(sent).toHaveLength(2);
    expect(sent[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(sent[1]).toBe(sent[0]);
    expect(shop.ledger.get(order.id)).toMatchObject({ refundedAmount: 500 });
    // The token itself never reaches the gateway, the log or the ledger.
    const everything = [
      shop.logs.join('\n'),
      JSON.stringify(shop.ledger.events(order.id)),
      JSON.stringify(gateway.requests),
    ];
    for (const text of everything) expect(text).not.toContain(form.intent!);
  });
});

describe('#43 a new form while a refund of unknown outcome is unresolved', () => {
  const start = scriptedShopPerTest();

  it('#43 when another form of the order is used before the unknown refund is resolved, then nothing is sent; a refresh resolves it', async () => {
    const seeded: { order?: Order; refunded: number } = { refunded: 0 };
    const { shop, gateway } = await start(
      {
        refund: sequence(replies.hang(), replies.ok()),
        getOrderStatusExtended: () =>
          replies.json({
            errorCode: '0',
            orderNumber: seeded.order!.orderNumber,
            orderStatus: seeded.refunded > 0 ? 4 : 2,
            actionCode: 0,
            amount: 990,
            currency: '978',
            attributes: [{ name: 'mdOrder', value: 'gw-1' }],
            paymentAmountInfo: { depositedAmount: 990, refundedAmount: seeded.refunded },
          }),
      },
      { env: { ADMIN_PASSWORD, GATEWAY_TIMEOUT_MS: '200' } },
    );
    const items = [{ productId: 'notebook', name: 'Notebook', quantity: 1, unitAmount: 990 }];
    const created = shop.ledger.createOrder({ items, amount: 990, currency: '978', flow: 'one-phase', language: 'en' });
    shop.ledger.markRegistered(created.id, { gatewayOrderId: 'gw-1', formUrl: 'http://127.0.0.1:9/pay' });
    const order = (seeded.order = shop.ledger.applyGatewayStatus(created.id, {
      orderStatus: 2,
      actionCode: 0,
      amounts: { deposited: 990 },
    }).order);
    const admin = request.agent(shop.app);
    await login(admin);
    const lost = await postAction(admin, order.id, 'refund', {
      ...(await confirmForm(admin, order.id, 'refund')),
      amount: '5',
    });
    expect(lost.status).toBe(503);

    // A second tab opens a new form: it must not refund while the first refund may have been made.
    const other = await postAction(admin, order.id, 'refund', {
      ...(await confirmForm(admin, order.id, 'refund')),
      amount: '5',
    });
    expect(other.status).toBe(409);
    expect(other.text).toContain('its outcome is unknown. Nothing was done.');
    expect(gateway.callsTo('refund')).toHaveLength(1);

    // The gateway did make it; a refresh learns so and resolves the intent; a new form then works.
    seeded.refunded = 500;
    await confirmAction(admin, order.id, 'refresh').then((r) => expect(r.status).toBe(303));
    expect(shop.ledger.get(order.id)).toMatchObject({ status: 'partially_refunded', refundedAmount: 500 });
    const answered = shop.ledger.events(order.id).filter((e) => e.detail?.step === 'answered');
    expect(answered.at(-1)?.detail).toMatchObject({ answer: 'ok', by: 'status' });
    const next = await confirmAction(admin, order.id, 'refund', '4.90');
    expect(next.status).toBe(303);
    expect(gateway.callsTo('refund')).toHaveLength(2);
  });
});
