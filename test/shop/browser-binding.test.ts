// Which browser an order belongs to, and how much one browser or address can make the shop do: docs/security.md
// threats 6, 10, 24, 31 and 32, each proved against a shop on a scripted gateway.
import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { buy, cookieValue, csrfTokenFrom, scriptedShopPerTest, setCookie, type TestShop } from '../helpers/shop.js';

const start = scriptedShopPerTest();

/** The gateway order id in a formUrl the scripted gateway answered. */
const mdOrder = (res: request.Response): string => new URL(res.headers.location!).searchParams.get('mdOrder')!;

/** What a browser holding only this session cookie sees on an order's return page. */
async function returnPageWith(shop: TestShop, sid: string, orderId: string): Promise<request.Response> {
  return request(shop.app).get(`/checkout/return?orderId=${orderId}`).set('Cookie', `sid=${sid}`);
}

const showsOrder = (res: request.Response) =>
  res.status === 200 && /Order/.test(res.text) && !/can.t show/i.test(res.text);

describe('which browser an order belongs to', () => {
  it('#6 when a stranger posts with the CSRF cookie and token a page printed, a new order is made, not the pending one', async () => {
    const { gateway, shop } = await start();
    const victim = request.agent(shop.app);
    const page = await victim.get('/products/notebook').expect(200);
    const token = csrfTokenFrom(page.text);
    const csrfCookie = cookieValue(page, 'csrf')!;
    const mine = await victim.post('/buy').type('form').send({ _csrf: token, productId: 'notebook', quantity: '1' });
    expect(mine.status).toBe(303);

    // Everything the product page exposes (the token, and even the CSRF cookie), but not the browser key.
    const stranger = await request(shop.app)
      .post('/buy')
      .set('Cookie', `csrf=${csrfCookie}`)
      .type('form')
      .send({ _csrf: token, productId: 'notebook', quantity: '1' });
    expect(stranger.status).toBe(303);
    expect(stranger.headers.location).not.toBe(mine.headers.location);
    expect(gateway.callsTo('register')).toHaveLength(2);
    // and the stranger's session does not see the victim's order
    const seen = await returnPageWith(shop, cookieValue(stranger, 'sid')!, mdOrder(mine));
    expect(showsOrder(seen)).toBe(false);
  });

  it('#6 the browser key is HttpOnly, set with the product page, and never printed in a page', async () => {
    const { shop } = await start();
    const page = await request(shop.app).get('/products/notebook').expect(200);
    const line = setCookie(page, 'buyer')!;
    expect(line).toMatch(/HttpOnly/);
    expect(line).toMatch(/SameSite=Lax/);
    expect(page.text).not.toContain(cookieValue(page, 'buyer')!);
  });

  it('#31 when two Buys for different carts leave one browser at once, both orders stay visible whichever cookie wins', async () => {
    const { shop } = await start();
    const agent = request.agent(shop.app);
    const page = await agent.get('/products/notebook').expect(200);
    const token = csrfTokenFrom(page.text);
    const post = (productId: string) =>
      agent.post('/buy').type('form').send({ _csrf: token, productId, quantity: '1' });
    const [a, b] = await Promise.all([post('notebook'), post('t-shirt')]);
    expect([a.status, b.status]).toEqual([303, 303]);
    for (const winner of [a, b]) {
      const sid = cookieValue(winner, 'sid')!;
      for (const order of [a, b]) expect(showsOrder(await returnPageWith(shop, sid, mdOrder(order)))).toBe(true);
    }
  });

  it('#10 when a session made by another browser is planted before Buy, the new session does not carry its orders', async () => {
    const { shop } = await start();
    const attacker = await buy(request.agent(shop.app), 'notebook', 1);
    const planted = cookieValue(attacker, 'sid')!;

    const victim = request.agent(shop.app);
    const page = await victim.get('/products/t-shirt').expect(200);
    const bought = await victim
      .post('/buy')
      .set('Cookie', `sid=${planted}`)
      .type('form')
      .send({ _csrf: csrfTokenFrom(page.text), productId: 't-shirt', quantity: '1' })
      .expect(303);
    const sid = cookieValue(bought, 'sid')!;
    expect(sid).not.toBe(planted);
    expect(showsOrder(await returnPageWith(shop, sid, mdOrder(bought)))).toBe(true);
    expect(showsOrder(await returnPageWith(shop, sid, mdOrder(attacker)))).toBe(false);
    // and the planted session itself learns nothing about the victim's order
    expect(showsOrder(await returnPageWith(shop, planted, mdOrder(bought)))).toBe(false);
  });

  it('when one browser buys twice in a row, its new session still shows the first order', async () => {
    const { shop } = await start();
    const agent = request.agent(shop.app);
    const first = await buy(agent, 'notebook', 1);
    const second = await buy(agent, 't-shirt', 1);
    const sid = cookieValue(second, 'sid')!;
    for (const order of [first, second]) expect(showsOrder(await returnPageWith(shop, sid, mdOrder(order)))).toBe(true);
  });
});

describe('how much one browser or address can make the shop do', () => {
  it('#32 when 20 returns for one open order arrive at once, the gateway is asked once, and not again right after', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const { gateway, shop } = await start({
      getOrderStatusExtended: async (form: Record<string, string>) => {
        await held;
        const order = shop.ledger.findByGatewayOrderId(form.orderId!)!;
        const { orderNumber, amount, currency } = order;
        return { body: { errorCode: '0', orderNumber, orderStatus: 0, amount, currency, actionCode: -100 } };
      },
    });
    const bought = await buy(request.agent(shop.app), 'notebook', 1);
    const path = `/checkout/return?orderId=${mdOrder(bought)}`;
    const returns = Array.from({ length: 20 }, () => request(shop.app).get(path));
    const all = Promise.all(returns.map((r) => r.then((res) => res.status)));
    await waitFor(() => gateway.callsTo('getOrderStatusExtended').length === 1);
    release();
    expect(new Set(await all)).toEqual(new Set([404]));
    await request(shop.app).get(path).expect(404);
    expect(gateway.callsTo('getOrderStatusExtended')).toHaveLength(1);
  });

  it('#32 when the buyer opens the return page in several tabs at once, all wait for the one status call and show its answer', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const { gateway, shop } = await start({
      getOrderStatusExtended: async (form: Record<string, string>) => {
        await held;
        const { orderNumber, amount, currency } = shop.ledger.findByGatewayOrderId(form.orderId!)!;
        return { body: { errorCode: '0', orderNumber, orderStatus: 2, amount, currency, actionCode: 0 } };
      },
    });
    const agent = request.agent(shop.app);
    const bought = await buy(agent, 'notebook', 1);
    const tabs = Array.from({ length: 5 }, () => agent.get(`/checkout/return?orderId=${mdOrder(bought)}`));
    const pages = Promise.all(tabs.map((t) => t.then((res) => res.text)));
    await waitFor(() => gateway.callsTo('getOrderStatusExtended').length === 1);
    release();
    for (const text of await pages) expect(text).toMatch(/Payment successful/);
    expect(gateway.callsTo('getOrderStatusExtended')).toHaveLength(1);
  });

  it('#32 when one address hammers the return page, it gets 429 past 120 a minute', async () => {
    const { gateway, shop } = await start();
    const statuses: number[] = [];
    for (let i = 0; i < 121; i += 1) statuses.push((await request(shop.app).get('/checkout/return?orderId=x')).status);
    expect(statuses.slice(0, 120).every((s) => s === 404)).toBe(true);
    expect(statuses[120]).toBe(429);
    expect(gateway.callsTo('getOrderStatusExtended')).toHaveLength(0);
  });

  it('#24 when one browser presses Buy from many addresses, it gets 429 past its own limit; another browser does not', async () => {
    const { gateway, shop } = await start(
      {},
      { env: { TRUST_PROXY: '1', BUY_RATE_LIMIT_PER_BROWSER: '3', BUY_RATE_LIMIT_PER_MINUTE: '100' } },
    );
    const agent = request.agent(shop.app);
    const page = await agent.get('/products/notebook').expect(200);
    const token = csrfTokenFrom(page.text);
    const statuses: number[] = [];
    for (let i = 1; i <= 4; i += 1) {
      const res = await agent
        .post('/buy')
        .set('X-Forwarded-For', `127.0.0.${i + 10}`)
        .type('form')
        .send({ _csrf: token, productId: 'notebook', quantity: String(i) });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([303, 303, 303, 429]);
    expect(gateway.callsTo('register')).toHaveLength(3);
    const other = await buy(request.agent(shop.app).set('X-Forwarded-For', '127.0.0.99'), 'notebook', 1);
    expect(other.status).toBe(303);
  });
});

describe('cookies over https', () => {
  it('when PUBLIC_BASE_URL is https, the session, browser-key and CSRF cookies are __Host- cookies', async () => {
    const { shop } = await start({}, { env: { PUBLIC_BASE_URL: 'https://shop.test', TRUST_PROXY: '1' } });
    const page = await request(shop.app).get('/products/notebook').set('X-Forwarded-Proto', 'https').expect(200);
    const cookies = `__Host-csrf=${cookieValue(page, '__Host-csrf')!}; __Host-buyer=${cookieValue(page, '__Host-buyer')!}`;
    const bought = await request(shop.app)
      .post('/buy')
      .set('X-Forwarded-Proto', 'https')
      .set('Cookie', cookies)
      .type('form')
      .send({ _csrf: csrfTokenFrom(page.text), productId: 'notebook', quantity: '1' })
      .expect(303);
    for (const line of [
      setCookie(page, '__Host-csrf'),
      setCookie(page, '__Host-buyer'),
      setCookie(bought, '__Host-sid'),
    ]) {
      expect(line).toMatch(/; Path=\/(;|$)/);
      expect(line).toMatch(/; Secure/);
      expect(line).not.toMatch(/Domain=/i);
    }
    expect(setCookie(bought, 'sid')).toBeUndefined();
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}
