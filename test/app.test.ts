import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { startShop, type TestShop } from './helpers/shop.js';

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

  it('when a form body is too large, answers 4xx without a stack', async () => {
    const res = await request(shop.app).post('/buy').type('form').send(`quantity=${'9'.repeat(20_000)}`);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.text).not.toMatch(/at .*\.(js|ts):\d+/);
  });
});
