import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { payOnHostedPage } from '../packages/gateway-sandbox/test/helpers/sandbox-buyer.js';
import { buy, cookieValue, restartShop, shopPath, startShop, type TestShop } from './helpers/shop.js';

describe('the app shell', () => {
  let shop: TestShop;
  beforeAll(async () => {
    shop = await startShop();
  });
  afterAll(() => shop.close());

  it('answers /healthz with 200 while the database is usable', async () => {
    const res = await request(shop.app).get('/healthz').expect(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('sends security headers: a strict CSP allowing forms to post to the gateway, no X-Powered-By', async () => {
    const res = await request(shop.app).get('/products/notebook').expect(200);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toMatch(/default-src 'self'/);
    expect(csp).toMatch(/object-src 'none'/);
    expect(csp).toMatch(/base-uri 'none'/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(csp).toContain(`form-action 'self' ${shop.sandbox!.url}`);
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('serves pages with no script at all and no card fields', async () => {
    for (const path of ['/', '/products/notebook']) {
      const res = await request(shop.app).get(path).expect(200);
      expect(res.text).not.toMatch(/<script/i);
      expect(res.text).not.toMatch(/name="(pan|cvc|cvv|card)/i);
    }
  });

  it('serves product images', async () => {
    await request(shop.app).get('/img/notebook.svg').expect(200).expect('Content-Type', /svg/);
  });

  it('#25 marks every page no-store (they carry form tokens or order data); only static files may be cached', async () => {
    for (const path of [
      '/',
      '/products/notebook',
      '/no-such-page',
      '/checkout/return?orderId=x',
      '/healthz',
      '/admin',
    ]) {
      const res = await request(shop.app).get(path);
      expect([path, res.headers['cache-control']]).toEqual([path, 'no-store']);
    }
    const css = await request(shop.app).get('/css/app.css').expect(200);
    expect(css.headers['cache-control']).toMatch(/max-age=3600/);
  });

  it('when a form body is too large, answers 4xx without a stack', async () => {
    const res = await request(shop.app)
      .post('/buy')
      .type('form')
      .send(`quantity=${'9'.repeat(20_000)}`);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.text).not.toMatch(/at .*\.(js|ts):\d+/);
  });

  it.each([
    ['too large (413)', `quantity=${'9'.repeat(20_000)}`, 413],
    ['in an unsupported charset (415)', 'quantity=1', 415],
    ['too many fields (413)', Array.from({ length: 30 }, (_, i) => `f${i}=1`).join('&'), 413],
  ])(
    'when a form body is %s, the shop error page says so in the buyer language with a reference id',
    async (_what, body, status) => {
      const res = await request(shop.app)
        .post('/buy')
        .set('Cookie', 'lang=ru')
        .set('Content-Type', `application/x-www-form-urlencoded; charset=${status === 415 ? 'koi8-r' : 'utf-8'}`)
        .send(body);
      expect(res.status).toBe(status);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.text).toContain('Мы не смогли разобрать запрос');
      expect(res.text).toMatch(/Код обращения[\s\S]*[A-Za-z0-9-]{8,}/);
      expect(res.headers['cache-control']).toBe('no-store');
    },
  );
});

describe('abuse and operations', () => {
  it('when Buy is hammered from one address, answers 429 with RateLimit headers past the limit', async () => {
    const shop = await startShop({ env: { BUY_RATE_LIMIT_PER_MINUTE: '2' } });
    try {
      const agent = request.agent(shop.app);
      const page = await agent.get('/products/notebook');
      const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
      const send = (q: string) =>
        agent.post('/buy').type('form').send({ _csrf: token, productId: 'notebook', quantity: q });
      await send('1').expect(303);
      await send('2').expect(303);
      const limited = await send('3');
      expect(limited.status).toBe(429);
      expect(limited.headers['ratelimit-policy'] ?? limited.headers['ratelimit']).toBeDefined();
      expect(limited.text).toMatch(/too many/i);
    } finally {
      await shop.close();
    }
  });

  it('when the database is closed, /healthz answers 503', async () => {
    const shop = await startShop();
    try {
      await request(shop.app).get('/healthz').expect(200);
      await shop.close();
      await request(shop.app).get('/healthz').expect(503);
    } finally {
      await shop.close().catch(() => undefined);
    }
  });

  it('when the shop restarts between Buy and the return, the buyer still lands on the success page', async () => {
    const before = await startShop();
    const agent = request.agent(before.app);
    const bought = await buy(agent, 'notebook', 1);
    const cookie = `sid=${cookieValue(bought, 'sid')!}`;
    const paid = await payOnHostedPage(bought.headers.location!, { pan: '4111 1111 1111 1111' });
    const after = restartShop(before);
    try {
      const res = await request(after.app).get(shopPath(paid.redirectUrl!)).set('Cookie', cookie);
      expect(res.status).toBe(200);
      expect(res.text).toMatch(/Payment successful/);
    } finally {
      await after.close();
      await before.close();
    }
  });

  it('after a session secret rotation, a browser holding a cookie signed with the old secret keeps its order', async () => {
    const oldSecret = 'old-secret-0123456789abcdef0123456789';
    const before = await startShop({ env: { SESSION_SECRET: oldSecret } });
    const agent = request.agent(before.app);
    const bought = await buy(agent, 'notebook', 1);
    const orderId = new URL(bought.headers.location!).searchParams.get('mdOrder')!;
    const cookie = `sid=${cookieValue(bought, 'sid')!}`;
    // same database and sandbox, new primary secret, old one kept as previous
    const after = restartShop(before, {
      SESSION_SECRET: 'new-secret-0123456789abcdef0123456789',
      SESSION_SECRET_PREVIOUS: oldSecret,
    });
    try {
      const res = await request(after.app).get(`/checkout/return?orderId=${orderId}`).set('Cookie', cookie);
      expect(res.status).toBe(200);
      expect(res.text).toMatch(/confirming your payment/i);
    } finally {
      await after.close();
      await before.close();
    }
  });
});
