import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { payOnHostedPage } from '../../packages/gateway-sandbox/test/helpers/sandbox-buyer.js';
import { buy, cookieValue, shopPath, startShop, type TestShop } from '../helpers/shop.js';

const VISA_OK = '4111 1111 1111 1111';
const MC_3DS = '5555 5555 5555 5599';
const NO_FUNDS = '2202 2050 0006 0910';
const EXPIRED = '2202 2021 0759 3166';

/** Buys a product, pays on the sandbox's page and follows the redirect back to the shop. */
async function purchase(
  shop: TestShop,
  agent: request.Agent,
  card: { pan: string; otp?: string },
  product = 'coffee-beans',
  qty = 2,
) {
  const bought = await buy(agent, product, qty);
  expect(bought.status).toBe(303);
  const formUrl = bought.headers.location!;
  expect(formUrl.startsWith(shop.sandbox!.url)).toBe(true);
  const paid = await payOnHostedPage(formUrl, card);
  expect(paid.redirectUrl).not.toBeNull();
  const back = await agent.get(shopPath(paid.redirectUrl!));
  return { formUrl, redirectUrl: paid.redirectUrl!, back };
}

describe('the redirect checkout against the sandbox', () => {
  let shop: TestShop;
  beforeAll(async () => {
    shop = await startShop();
  });
  afterAll(() => shop.close());

  it('lets anonymous buyers browse the list and a product page without creating a session', async () => {
    const list = await request(shop.app).get('/').expect(200);
    expect(list.text).toMatch(/Coffee/i);
    const product = await request(shop.app).get('/products/coffee-beans').expect(200);
    expect(product.text).toMatch(/Buy/);
    for (const res of [list, product]) expect(cookieValue(res, 'sid')).toBeUndefined();
  });

  it('when paid with 4111…, shows the success page with the order and its amount, and fulfils once', async () => {
    const agent = request.agent(shop.app);
    const { back, redirectUrl } = await purchase(shop, agent, { pan: VISA_OK });
    expect(redirectUrl).toMatch(/^http:\/\/shop\.test\/checkout\/return\?orderId=[0-9a-f-]+&lang=en$/);
    expect(back.status).toBe(200);
    expect(back.text).toMatch(/Payment successful/);
    const order = shop.ledger.findByGatewayOrderId(new URL(redirectUrl).searchParams.get('orderId')!)!;
    expect(order.status).toBe('paid');
    expect(order.amount).toBe(2 * order.items[0]!.unitAmount);
    expect(back.text).toContain(order.orderNumber);
    expect(back.text).toContain('€25.00'); // 2 × 12.50 EUR, formatted with EUR's two minor digits
    expect(back.headers['cache-control']).toBe('no-store');
    expect(shop.fulfilled).toContain(order.id);
  });

  it('when the card has insufficient funds, explains it and offers a retry that creates a new order', async () => {
    const agent = request.agent(shop.app);
    const { back, redirectUrl } = await purchase(shop, agent, { pan: NO_FUNDS });
    expect(back.status).toBe(200);
    expect(back.text).toMatch(/Payment failed/);
    expect(back.text).toMatch(/Insufficient funds/i);
    const first = shop.ledger.findByGatewayOrderId(new URL(redirectUrl).searchParams.get('orderId')!)!;
    expect(first).toMatchObject({ status: 'declined', actionCode: 116 });

    const token = /name="_csrf" value="([^"]+)"/.exec(back.text)![1]!;
    const retry = await agent
      .post('/buy')
      .type('form')
      .send({ _csrf: token, productId: 'coffee-beans', quantity: '2' });
    expect(retry.status).toBe(303);
    const secondId = new URL(retry.headers.location!).searchParams.get('mdOrder')!;
    const second = shop.ledger.findByGatewayOrderId(secondId)!;
    expect(second.id).not.toBe(first.id);
    expect(second.orderNumber).not.toBe(first.orderNumber);
  });

  it.each([
    ['en', 'Payment cancelled', 'Back to the product'],
    ['ru', 'Платёж отменён', 'Вернуться к товару'],
  ] as const)(
    'when the buyer presses Cancel on the payment page (%s), then the shop says "%s", calmly, with a way back to the product',
    async (lang, headline, back) => {
      const agent = request.agent(shop.app);
      const bought = await buy(agent, 'coffee-beans', 1);
      const formUrl = bought.headers.location!;
      // The hosted page's Cancel button: the form post a browser sends (docs/sandbox.md).
      const cancelled = await fetch(formUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'op=cancel',
        redirect: 'manual',
      });
      expect(cancelled.status).toBe(303);
      const failUrl = new URL(cancelled.headers.get('location')!);
      failUrl.searchParams.set('lang', lang);
      const page = await agent.get(shopPath(failUrl.href)).expect(200);
      const order = shop.ledger.findByGatewayOrderId(new URL(formUrl).searchParams.get('mdOrder')!)!;
      expect(order).toMatchObject({ status: 'declined', actionCode: -2014 });
      expect(page.text).toContain(`<h1>${headline}</h1>`);
      expect(page.text).toContain(`href="/products/coffee-beans">${back}</a>`);
      expect(page.text).not.toMatch(/Payment failed|Оплата не прошла|-2014/);
    },
  );

  it('when the card has expired, says so', async () => {
    const { back } = await purchase(shop, request.agent(shop.app), { pan: EXPIRED });
    expect(back.text).toMatch(/Payment failed/);
    expect(back.text).toMatch(/expired/i);
  });

  it('when 3-D Secure is passed with the right code, succeeds', async () => {
    const { back } = await purchase(shop, request.agent(shop.app), { pan: MC_3DS, otp: '12345678' });
    expect(back.text).toMatch(/Payment successful/);
  });

  it('when 3-D Secure gets a wrong code, fails with the issuer-rejected explanation', async () => {
    const { back, redirectUrl } = await purchase(shop, request.agent(shop.app), { pan: MC_3DS, otp: '00000000' });
    expect(back.text).toMatch(/Payment failed/);
    const order = shop.ledger.findByGatewayOrderId(new URL(redirectUrl).searchParams.get('orderId')!)!;
    expect(order.actionCode).toBe(-2006);
  });

  it('in Russian, sends language=ru to the gateway and shows the result in Russian', async () => {
    const agent = request.agent(shop.app);
    await agent.get('/?lang=ru').expect(200);
    const { formUrl, back, redirectUrl } = await purchase(shop, agent, { pan: VISA_OK });
    expect(formUrl).toMatch(/payment_ru\.html\?mdOrder=/);
    expect(redirectUrl).toMatch(/lang=ru$/);
    expect(back.text).toMatch(/Оплата прошла успешно/);
  });

  it('when the buyer comes back before paying, shows the self-refreshing confirmation page, never "failed"', async () => {
    const agent = request.agent(shop.app);
    const bought = await buy(agent, 'coffee-beans', 1);
    const orderId = new URL(bought.headers.location!).searchParams.get('mdOrder')!;
    const res = await agent.get(`/checkout/return?orderId=${orderId}`).expect(200);
    expect(res.text).toMatch(/confirming your payment/i);
    expect(res.headers.refresh).toMatch(/^3; url=\/checkout\/return\?orderId=/);
    expect(res.text).not.toMatch(/http-equiv="refresh"/);
    expect(res.text).not.toMatch(/failed/i);
  });

  it('rejects an unknown product, a bad quantity and an unknown route with clear 4xx pages', async () => {
    await request(shop.app)
      .get('/products/nope')
      .expect(404)
      .expect(/product/i);
    const agent = request.agent(shop.app);
    for (const quantity of ['0', '-1', '11', 'abc', '1.5', '']) {
      const res = await buy(agent, 'coffee-beans', quantity);
      expect(res.status).toBe(400);
      expect(res.text).toMatch(/quantity/i);
    }
    const page = await agent.get('/products/coffee-beans');
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
    await agent.post('/buy').type('form').send({ _csrf: token, productId: 'nope', quantity: '1' }).expect(404);
    const missing = await request(shop.app).get('/no/such/page').expect(404);
    expect(missing.text).toMatch(/not found/i);
    expect(missing.text).not.toMatch(/at .*\.(js|ts):\d+/);
    // an unknown route stays "not found" whatever the method: no CSRF or 500 answer for it
    await request(shop.app).delete('/').expect(404);
    await request(shop.app).post('/products/notebook').type('form').send({ quantity: '1' }).expect(404);
  });
});

describe('the two-phase checkout', () => {
  let shop: TestShop;
  beforeAll(async () => {
    shop = await startShop({ env: { PAYMENT_FLOW: 'two-phase' } });
  });
  afterAll(() => shop.close());

  it('when the amount is held, says in a buyer’s words that the card is charged when the order ships', async () => {
    const { back, redirectUrl } = await purchase(shop, request.agent(shop.app), { pan: VISA_OK });
    expect(back.text).toMatch(/you pay when we ship/i);
    expect(back.text).not.toMatch(/authorized, will be captured/i);
    const order = shop.ledger.findByGatewayOrderId(new URL(redirectUrl).searchParams.get('orderId')!)!;
    expect(order).toMatchObject({ status: 'authorized', flow: 'two-phase' });
  });
});
