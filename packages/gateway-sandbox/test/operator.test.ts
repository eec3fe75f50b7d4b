/** The operator surface (orders view, order detail, fault switches page, control API) and what stays public. */
import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createSandboxApp, DEFAULT_MERCHANTS } from '../src/index.js';
import { CREDS, makeSandbox, OPERATOR_TOKEN, payDirect } from './helpers/sandbox-app.js';

const MERCHANT = DEFAULT_MERCHANTS[0]!;
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('the operator surface', () => {
  // Dozens of wrong credentials on purpose, from one address: the throttle (auth-throttle.test.ts) is set out of reach.
  const sb = makeSandbox({ callbacks: false, authThrottle: { perAddress: 1000 } });
  let orderId = '';
  const operatorRoutes = () =>
    [
      ['get', '/sandbox/orders'],
      ['get', `/sandbox/orders/${orderId}`],
      ['get', '/sandbox/orders/unknown-order'],
      ['get', '/sandbox/control'],
      ['post', '/sandbox/control'],
      ['get', '/sandbox/control/merchants/demo-shop/faults'],
      ['put', '/sandbox/control/merchants/demo-shop/faults'],
      ['delete', '/sandbox/control/merchants/demo-shop/faults'],
      ['get', '/sandbox/report'],
      ['get', '/sandbox/report/demo-shop'],
      ['get', '/sandbox/report/demo-shop.json'],
      // Express matches paths case-insensitively and ignores a trailing slash: so does the gate.
      ['get', '/SANDBOX/ORDERS/'],
      ['get', '/sandbox/Control'],
    ] as const;

  it('when a page or API route is asked without credentials, then 401 with a Basic challenge, and no data', async () => {
    ({ orderId } = await sb.register({ orderNumber: 'OP-SECRET-1' }));
    sb.faults.set(MERCHANT.login, { latencyMs: 7 });
    for (const [method, path] of operatorRoutes()) {
      const agent = request(sb.app);
      const res = await agent[method](path).send(method === 'put' ? {} : undefined);
      expect([method, path, res.status]).toEqual([method, path, 401]);
      expect(res.headers['www-authenticate']).toBe('Basic realm="sandbox operator"');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.text).not.toContain('OP-SECRET-1');
    }
    // Nothing was changed by the refused PUT and DELETE.
    expect(sb.faults.get(MERCHANT.login)).toEqual({ latencyMs: 7 });
    sb.faults.clear(MERCHANT.login);
  });

  it("when a merchant's credentials are sent, in any form, then the pages stay closed", async () => {
    const merchantAuth = [
      basic(CREDS.userName, CREDS.password),
      `Bearer ${MERCHANT.token!}`,
      basic('anyone', MERCHANT.token!),
      basic('anyone', CREDS.password),
      `Bearer ${CREDS.password}`,
    ];
    for (const authorization of merchantAuth) {
      for (const path of [
        '/sandbox/orders',
        `/sandbox/orders/${orderId}`,
        '/sandbox/control',
        '/sandbox/report/demo-shop',
        '/sandbox/report/demo-shop.json',
      ]) {
        const res = await request(sb.app).get(path).set('authorization', authorization);
        expect([path, res.status]).toEqual([path, 401]);
      }
      const api = await request(sb.app)
        .get('/sandbox/control/merchants/demo-shop/faults')
        .set('authorization', authorization);
      expect(api.status).toBe(401);
    }
  });

  it('when the operator token is sent as Bearer or as the Basic password with any user name, then the pages open', async () => {
    for (const authorization of [
      `Bearer ${OPERATOR_TOKEN}`,
      `bearer ${OPERATOR_TOKEN}`,
      basic('operator', OPERATOR_TOKEN),
      basic('', OPERATOR_TOKEN),
      basic('demo-shop-api', OPERATOR_TOKEN),
    ]) {
      const list = await request(sb.app).get('/sandbox/orders').set('authorization', authorization);
      expect(list.status).toBe(200);
      expect(list.text).toContain('OP-SECRET-1');
      const detail = await request(sb.app).get(`/sandbox/orders/${orderId}`).set('authorization', authorization);
      expect(detail.status).toBe(200);
      expect((await request(sb.app).get('/sandbox/control').set('authorization', authorization)).status).toBe(200);
    }
  });

  it('when a wrong or malformed operator credential is sent, then 401', async () => {
    for (const authorization of [
      `Bearer ${OPERATOR_TOKEN.slice(0, -1)}`,
      `Bearer ${OPERATOR_TOKEN} extra`,
      `Bearer`,
      basic('operator', `${OPERATOR_TOKEN} `),
      `Basic ${Buffer.from(OPERATOR_TOKEN).toString('base64')}`, // no colon: no password
      `Basic !!!not-base64!!!`,
      `Digest ${OPERATOR_TOKEN}`,
    ]) {
      const res = await request(sb.app).get('/sandbox/orders').set('authorization', authorization);
      expect([authorization, res.status]).toEqual([authorization, 401]);
    }
  });

  it('the hosted payment page, the 3-D Secure page, /healthz and the test-card list stay public', async () => {
    const { orderId: id, formUrl } = await sb.register({ orderNumber: 'OP-PUBLIC-1' });
    const page = new URL(formUrl);
    expect((await request(sb.app).get(`${page.pathname}${page.search}`)).status).toBe(200);
    expect(payDirect(sb, id, '5555555555555599').kind).toBe('challenge');
    expect((await request(sb.app).get('/payment/acs/challenge').query({ mdOrder: id })).status).toBe(200);
    expect((await request(sb.app).get('/healthz')).status).toBe(200);
    expect((await request(sb.app).get('/sandbox/cards')).status).toBe(200);
    expect((await request(sb.app).get('/sandbox/assets/sandbox.css')).status).toBe(200);
  });
});

describe('the operator token of createSandboxApp', () => {
  it('when none is given, then each app generates its own, which opens its pages', async () => {
    const a = createSandboxApp({ publicUrl: 'http://gateway.test', callbacks: false });
    const b = createSandboxApp({ publicUrl: 'http://gateway.test', callbacks: false });
    expect(a.operatorToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.operatorToken).not.toBe(b.operatorToken);
    const auth = `Bearer ${a.operatorToken}`;
    expect((await request(a.app).get('/sandbox/orders').set('authorization', auth)).status).toBe(200);
    expect((await request(b.app).get('/sandbox/orders').set('authorization', auth)).status).toBe(401);
  });

  it("when the given one is too short or is a merchant's password or token, then the app refuses to start", () => {
    const app = (operatorToken: string) => () =>
      createSandboxApp({ publicUrl: 'http://gateway.test', callbacks: false, operatorToken });
    expect(app('short')).toThrow(/operator token must be 16/);
    expect(app(MERCHANT.password)).toThrow(/must differ from every merchant password and token/);
    expect(app('demo-shop-token-0123456789')).not.toThrow();
    const merchants = [{ ...MERCHANT, token: 'merchant-token-0123456789' }];
    expect(() =>
      createSandboxApp({
        publicUrl: 'http://gateway.test',
        callbacks: false,
        merchants,
        operatorToken: 'merchant-token-0123456789',
      }),
    ).toThrow(/must differ/);
  });
});
