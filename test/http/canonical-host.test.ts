import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import request from 'supertest';
import { loadConfig } from '../../src/config.js';
import { csrfTokenFrom, startShop, type TestShop } from '../helpers/shop.js';

const SECRET = 'a-test-session-secret-of-32-chars!!';
const WRONG = '127.0.0.1:3000';

let shop: TestShop;
let proxied: TestShop;
beforeAll(async () => {
  shop = await startShop({ env: { CANONICAL_HOST: 'on', PUBLIC_BASE_URL: 'http://shop.test' } });
  proxied = await startShop({ env: { CANONICAL_HOST: 'on', PUBLIC_BASE_URL: 'https://shop.test', TRUST_PROXY: '1' } });
});
afterAll(async () => {
  await proxied.close();
  await shop.close();
});

describe('one address for the shop: PUBLIC_BASE_URL', () => {
  it('when a page is opened on another host (127.0.0.1 for localhost), then it redirects to the same path on PUBLIC_BASE_URL', async () => {
    const res = await request(shop.app).get('/products/coffee-beans?lang=ru&x=1').set('Host', WRONG);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('http://shop.test/products/coffee-beans?lang=ru&x=1');
    const head = await request(shop.app).head('/').set('Host', WRONG);
    expect(head.status).toBe(302);
    expect(head.headers.location).toBe('http://shop.test/');
  });

  it('when the host is PUBLIC_BASE_URL’s, in any case or with its default port, then the page is served', async () => {
    for (const host of ['shop.test', 'SHOP.test', 'shop.test:80']) {
      await request(shop.app).get('/').set('Host', host).expect(200);
    }
  });

  it('when a form is sent to another host, then it is refused with 421 and a page naming the address to use, in the buyer’s language', async () => {
    const page = await request(shop.app).get('/products/coffee-beans').set('Host', 'shop.test').expect(200);
    const form = { _csrf: csrfTokenFrom(page.text), productId: 'coffee-beans', quantity: '1' };
    const en = await request(shop.app).post('/buy').set('Host', WRONG).type('form').send(form);
    expect(en.status).toBe(421);
    expect(en.headers.location).toBeUndefined();
    expect(en.text).toContain('This shop is at http://shop.test/');
    expect(en.text).toContain('href="http://shop.test/"');
    const ru = await request(shop.app).post('/buy?lang=ru').set('Host', WRONG).type('form').send(form);
    expect(ru.status).toBe(421);
    expect(ru.text).toContain('Магазин работает по адресу http://shop.test/');
    expect(shop.logs.join('\n')).toContain('request for another host: refused');
  });

  it('when health probes or the gateway’s callbacks arrive on another host, then they are answered there', async () => {
    await request(shop.app).get('/healthz').set('Host', WRONG).expect(200);
    const callback = await request(shop.app).get('/payment/callback').set('Host', WRONG);
    expect([302, 421]).not.toContain(callback.status);
  });

  it('whatever the host and path asked for, the redirect never leaves PUBLIC_BASE_URL’s origin', async () => {
    const tricky = [
      '//evil.example/x',
      '/\\evil.example/x',
      '/%2F%2Fevil.example',
      '/@evil.example',
      '/..//evil.example',
    ];
    for (const path of tricky) {
      const res = await request(shop.app).get(path).set('Host', 'evil.example');
      expect(res.status).toBe(302);
      expect(new URL(res.headers.location ?? '').origin).toBe('http://shop.test');
      expect(res.headers.location).toMatch(/^http:\/\/shop\.test\//);
    }
    await fc.assert(
      fc.asyncProperty(fc.domain(), fc.webPath(), fc.webQueryParameters(), async (host, path, query) => {
        const res = await request(shop.app)
          .get(`/${path.replace(/^\/+/, '')}?${query}`)
          .set('Host', host);
        if (host.toLowerCase() === 'shop.test') return;
        const location = res.headers.location ?? '';
        if (res.status === 301) {
          // A public/ folder ("/.", "/css"): the static files' own trailing-slash redirect, on the host asked for,
          // whose next request is then sent to PUBLIC_BASE_URL. Never to another site.
          expect(location).toMatch(/^\/(?![/\\])/);
          return;
        }
        expect(res.status).toBe(302);
        expect(new URL(location).origin).toBe('http://shop.test');
      }),
      { numRuns: 100 },
    );
  });

  it('when the path is one no URL parser takes as a relative reference (//%5C), then it is still redirected, never a 500', async () => {
    for (const path of ['//%5C', '//%5C/x?y=1', '//[', '//a:b@', '//%', '//:99999', '/\\%5C', '///%5C%5C']) {
      for (const method of ['get', 'head'] as const) {
        const res = await request(shop.app)[method](path).set('Host', 'evil.example');
        expect([method, path, res.status]).toEqual([method, path, 302]);
        expect(new URL(res.headers.location ?? '').origin).toBe('http://shop.test');
        expect(res.headers.location).toMatch(/^http:\/\/shop\.test\/(?![/\\])/);
      }
      const posted = await request(shop.app).post(path).set('Host', 'evil.example').type('form').send('a=1');
      expect([path, posted.status]).toEqual([path, 421]);
    }
  });

  it('when the request line names another site (absolute form), then the redirect still goes to PUBLIC_BASE_URL', async () => {
    const server = shop.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, path: 'http://evil.example/steal?x=1', method: 'GET' });
        req.once('response', resolve).once('error', reject).end();
      });
      res.resume();
      expect(res.statusCode).toBe(302);
      expect(res.headers.location).toBe('http://shop.test/steal?x=1');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('without TRUST_PROXY, X-Forwarded-Host is ignored: it neither passes a wrong host nor redirects a right one', async () => {
    const forged = await request(shop.app).get('/').set('Host', WRONG).set('X-Forwarded-Host', 'shop.test');
    expect(forged.status).toBe(302);
    expect(forged.headers.location).toBe('http://shop.test/');
    await request(shop.app).get('/').set('Host', 'shop.test').set('X-Forwarded-Host', 'evil.example').expect(200);
  });

  it('behind a trusted proxy, the forwarded host is the one compared, and the redirect still goes to PUBLIC_BASE_URL', async () => {
    const app = proxied.app;
    await request(app).get('/').set('Host', 'backend:3000').set('X-Forwarded-Host', 'shop.test').expect(200);
    const res = await request(app).get('/x?y=1').set('Host', 'shop.test').set('X-Forwarded-Host', 'evil.example');
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('https://shop.test/x?y=1');
  });
});

describe('CANONICAL_HOST', () => {
  const base = { SESSION_SECRET: SECRET, DATA_DIR: 'unused', GATEWAY_URL: 'http://127.0.0.1:1/payment/rest/' };
  const credentials = { GATEWAY_USERNAME: 'u', GATEWAY_PASSWORD: 'p' };

  it('is on by default, off by default in tests (ephemeral ports), and can be turned off (a proxy that rewrites Host)', () => {
    expect(loadConfig({ ...base, ...credentials, NODE_ENV: 'development' }).canonicalHost).toBe(true);
    expect(loadConfig({ ...base, ...credentials, NODE_ENV: 'test' }).canonicalHost).toBe(false);
    expect(loadConfig({ ...base, ...credentials, CANONICAL_HOST: 'off' }).canonicalHost).toBe(false);
    expect(loadConfig({ ...base, ...credentials, NODE_ENV: 'test', CANONICAL_HOST: 'on' }).canonicalHost).toBe(true);
  });
});
