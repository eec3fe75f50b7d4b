// docs/security.md threats 1 (the status reply), 2-4 and 6-10, each proved against the running shop.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { replies } from '../helpers/misbehaving-gateway.js';
import { payOnHostedPage } from '../../packages/gateway-sandbox/test/helpers/sandbox-buyer.js';
import {
  buy,
  buyTwiceAtOnce,
  cookieValue,
  csrfTokenFrom,
  scriptedShopPerTest,
  setCookie,
  sandboxHelpers,
  SHOP_URL,
  shopPath,
  startShop,
  type TestShop,
} from '../helpers/shop.js';

describe('against the sandbox', () => {
  let shop: TestShop;
  beforeAll(async () => {
    shop = await startShop();
  });
  afterAll(() => shop.close());

  it('#2 when the return URL claims success but the gateway says unpaid, no success page and no fulfilment', async () => {
    const agent = request.agent(shop.app);
    const bought = await buy(agent, 'notebook', 1);
    const orderId = new URL(bought.headers.location!).searchParams.get('mdOrder')!;
    const res = await agent
      .get(`/checkout/return?orderId=${orderId}&status=paid&orderStatus=2&actionCode=0`)
      .expect(200);
    expect(res.text).not.toMatch(/Payment successful/);
    expect(res.text).toMatch(/confirming your payment/i);
    const order = shop.ledger.findByGatewayOrderId(orderId)!;
    expect(order.status).toBe('registered');
    expect(shop.fulfilled).not.toContain(order.id);
  });

  it("#3 when another browser opens the first buyer's return URL, it learns nothing about the order", async () => {
    const alice = request.agent(shop.app);
    const bought = await buy(alice, 'ceramic-mug', 1);
    const paid = await payOnHostedPage(bought.headers.location!, { pan: '4111111111111111' });
    const url = shopPath(paid.redirectUrl!);
    const own = await alice.get(url).expect(200);
    expect(own.text).toMatch(/Payment successful/);
    const order = shop.ledger.findByGatewayOrderId(new URL(paid.redirectUrl!).searchParams.get('orderId')!)!;

    const bob = await request.agent(shop.app).get(url);
    const unknown = await request.agent(shop.app).get('/checkout/return?orderId=00000000-0000-0000-0000-000000000000');
    expect(bob.status).toBe(404);
    expect(bob.text).not.toContain(order.orderNumber);
    expect(bob.text).not.toMatch(/successful|failed|€|Mug/i);
    // indistinguishable from an order that does not exist: nothing to probe
    expect(bob.status).toBe(unknown.status);
    expect(bob.text.replace(/[0-9A-F]{12}/g, '')).toBe(unknown.text.replace(/[0-9A-F]{12}/g, ''));
  });

  it('#4 when the return page is refreshed five times, the order is fulfilled once', async () => {
    const agent = request.agent(shop.app);
    const bought = await buy(agent, 'tote-bag', 1);
    const mdOrder = new URL(bought.headers.location!).searchParams.get('mdOrder')!;
    const paid = await sandboxHelpers(shop).pay(mdOrder);
    const order = shop.ledger.findByGatewayOrderId(mdOrder)!;
    for (let i = 0; i < 5; i++) {
      const res = await agent.get(shopPath(paid.returnUrl!)).expect(200);
      expect(res.text).toMatch(/Payment successful/);
    }
    expect(shop.fulfilled.filter((id) => id === order.id)).toHaveLength(1);
    expect(shop.ledger.events(order.id).filter((e) => e.kind === 'fulfilled')).toHaveLength(1);
  });

  it('#9 without a CSRF token, or with a wrong one, Buy answers 403; with the right one, 303', async () => {
    const agent = request.agent(shop.app);
    const page = await agent.get('/products/notebook').expect(200);
    const token = csrfTokenFrom(page.text);
    const none = await agent.post('/buy').type('form').send({ productId: 'notebook', quantity: '1' });
    expect(none.status).toBe(403);
    expect(none.text).toMatch(/expired|security|refresh/i);
    await agent
      .post('/buy')
      .type('form')
      .send({ _csrf: `${token}x`, productId: 'notebook', quantity: '1' })
      .expect(403);
    // a token from another browser is no good either
    const other = csrfTokenFrom((await request.agent(shop.app).get('/products/notebook')).text);
    await agent.post('/buy').type('form').send({ _csrf: other, productId: 'notebook', quantity: '1' }).expect(403);
    await agent.post('/buy').type('form').send({ _csrf: token, productId: 'notebook', quantity: '1' }).expect(303);
  });

  it('#10 a session id planted before Buy is replaced by a new one', async () => {
    const agent = request.agent(shop.app);
    const first = await buy(agent, 'notebook', 2);
    const planted = cookieValue(first, 'sid')!;
    expect(planted).toBeDefined();
    const second = await buy(agent, 'notebook', 3);
    const renewed = cookieValue(second, 'sid');
    expect(renewed).toBeDefined();
    expect(renewed).not.toBe(planted);
  });

  it('the session cookie is HttpOnly and SameSite=Lax; over https behind one proxy it is Secure', async () => {
    const res = await buy(request.agent(shop.app), 'notebook', 1);
    const cookie = setCookie(res, 'sid')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/);

    const proxied = await startShop({ env: { TRUST_PROXY: '1' } });
    try {
      const agent = request.agent(proxied.app);
      const page = await agent.get('/products/notebook').set('X-Forwarded-Proto', 'https');
      const sent = await agent
        .post('/buy')
        .set('X-Forwarded-Proto', 'https')
        .type('form')
        .send({ _csrf: csrfTokenFrom(page.text), productId: 'notebook', quantity: '1' })
        .expect(303);
      const secure = setCookie(sent, 'sid')!;
      expect(secure).toMatch(/; Secure/);
    } finally {
      await proxied.close();
    }
  });
});

describe('against a scripted gateway', () => {
  const start = scriptedShopPerTest();

  it('#1 when the status reply carries another amount, the order is not paid and the buyer sees no success', async () => {
    const { gateway, shop } = await start({
      // the right order number, the right currency, but not our amount
      getOrderStatusExtended: () => ({
        body: {
          errorCode: '0',
          orderNumber: gateway.callsTo('register')[0]!.form.orderNumber,
          orderStatus: 2,
          actionCode: 0,
          actionCodeDescription: '',
          amount: 1,
          currency: '978',
        },
      }),
    });
    const agent = request.agent(shop.app);
    const bought = await buy(agent, 'coffee-beans', 1);
    const orderId = new URL(bought.headers.location!).searchParams.get('mdOrder')!;
    const order = shop.ledger.findByGatewayOrderId(orderId)!;
    const res = await agent.get(`/checkout/return?orderId=${orderId}`);
    expect(res.status).toBe(502);
    expect(res.text).not.toMatch(/Payment successful/);
    expect(shop.ledger.get(order.id)!.status).toBe('mismatch');
    expect(shop.fulfilled).toHaveLength(0);
    expect(shop.logs.join('')).toMatch(/does not match/);
  });

  it('#6 when Buy is pressed twice at once in one browser, the gateway registers one order', async () => {
    const { gateway, shop } = await start({
      register: (form, ctx) => ({
        delayMs: 300,
        body: {
          orderId: `order-${form.orderNumber}`,
          formUrl: `${ctx.origin}/payment/merchants/x/payment_en.html?mdOrder=order-${form.orderNumber}`,
        },
      }),
      // Asked before the stored page is reused: still registered, unpaid.
      getOrderStatusExtended: (form) =>
        replies.json({ errorCode: '0', orderNumber: form.orderId!.slice('order-'.length), orderStatus: 0 }),
    });
    const { a, b, again: pressAgain } = await buyTwiceAtOnce(request.agent(shop.app), 'notebook');
    expect([a.status, b.status]).toEqual([303, 303]);
    expect(a.headers.location).toBe(b.headers.location);
    expect(gateway.callsTo('register')).toHaveLength(1);
    // and pressing it again later reuses the same payment page
    const again = await pressAgain().expect(303);
    expect(again.headers.location).toBe(a.headers.location);
    expect(gateway.callsTo('register')).toHaveLength(1);
    expect(gateway.callsTo('getOrderStatusExtended').map((r) => r.form.orderId)).toContain(
      new URL(a.headers.location!).searchParams.get('mdOrder'),
    );
  });

  it('#7 when the gateway answers a formUrl on a foreign origin, the buyer is not redirected', async () => {
    const { shop } = await start({
      register: () => ({ body: { orderId: 'abc', formUrl: 'https://evil.example/payment_en.html?mdOrder=abc' } }),
    });
    const res = await buy(request.agent(shop.app), 'notebook', 1);
    expect(res.status).toBe(502);
    expect(res.headers.location).toBeUndefined();
    expect(res.text).not.toContain('evil.example');
    expect(res.text).toMatch(/not been charged/i);
  });

  it('#8 when Host and X-Forwarded-Host are forged, returnUrl and failUrl still come from PUBLIC_BASE_URL', async () => {
    const { gateway, shop } = await start({}, { env: { TRUST_PROXY: '1' } });
    const agent = request.agent(shop.app);
    const page = await agent.get('/products/notebook').set('Host', 'evil.example');
    await agent
      .post('/buy')
      .set('Host', 'evil.example')
      .set('X-Forwarded-Host', 'evil.example')
      .set('X-Forwarded-Proto', 'https')
      .type('form')
      .send({ _csrf: csrfTokenFrom(page.text), productId: 'notebook', quantity: '1' })
      .expect(303);
    const [call] = gateway.callsTo('register');
    expect(call!.form.returnUrl).toBe(`${SHOP_URL}/checkout/return`);
    expect(call!.form.failUrl).toBe(`${SHOP_URL}/checkout/fail`);
  });

  it('#9 a CSRF failure never reaches the gateway', async () => {
    const { gateway, shop } = await start({ register: replies.hang() });
    await request(shop.app).post('/buy').type('form').send({ productId: 'notebook', quantity: '1' }).expect(403);
    expect(gateway.requests).toHaveLength(0);
  });
});
