/**
 * The SSRF allow-list: server-side requests (callbacks) go only to hosts the sandbox's configuration allows.
 * Only loopback addresses are used here; Linux routes all of 127.0.0.0/8 to lo, so 127.0.0.2 is a second "host".
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import {
  CallbackDispatcher,
  createSandboxApp,
  createSandboxClock,
  DEFAULT_MERCHANTS,
  OrderJournal,
  type SandboxOrder,
} from '../src/index.js';
import { CallbackAllowList } from '../src/callbacks/allow-list.js';
import { HOST_NOT_ALLOWED } from '../src/callbacks/dispatcher.js';
import { CREDS, makeSandbox, OPERATOR_AUTH, payDirect, type TestSandbox } from './helpers/sandbox-app.js';

interface Listener {
  url: string;
  port: number;
  requests: string[];
  close(): Promise<void>;
}

/** A listener on `host` that records every request and answers with `answer`. */
async function listen(host: string, answer: (res: http.ServerResponse) => void): Promise<Listener> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    answer(res);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const ok = (res: http.ServerResponse) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
const FAST = { retryBaseMs: 5, maxAttempts: 2, timeoutMs: 2000 };

describe('callback allow-list', () => {
  let allowed: Listener;
  let forbidden: Listener;
  let sb: TestSandbox | undefined;
  beforeAll(async () => {
    allowed = await listen('127.0.0.1', ok);
    forbidden = await listen('127.0.0.2', ok);
  });
  afterEach(async () => {
    await sb?.callbacks?.idle();
    sb?.stop();
    sb = undefined;
    allowed.requests.length = 0;
  });
  afterAll(async () => {
    await allowed.close();
    await forbidden.close();
    // The assertion every test here depends on: nothing ever reached the host outside the allow-list.
    expect(forbidden.requests).toEqual([]);
  });

  it('when register names a dynamicCallbackUrl on a host outside SANDBOX_CALLBACK_HOSTS, then errorCode 5 says so and no order exists', async () => {
    sb = makeSandbox({ callbackHosts: ['127.0.0.1'], callbacks: FAST });
    const p = forbidden.port;
    // The same host spelled the ways the URL parser (and so fetch) reads as 127.0.0.2.
    const spellings = [
      `http://127.0.0.2:${p}/cb`,
      `http://127.0.0.2.:${p}/cb`,
      `http://2130706434:${p}/cb`,
      `http://0x7f.0.0.2:${p}/cb`,
      `http://[::ffff:127.0.0.2]:${p}/cb`,
      `http://127.0.0.1@127.0.0.2:${p}/cb`,
    ];
    for (const method of ['register', 'registerPreAuth'])
      for (const dynamicCallbackUrl of spellings) {
        const res = await sb.call(method, {
          ...CREDS,
          orderNumber: `SSRF-${method}-${spellings.indexOf(dynamicCallbackUrl)}`,
          amount: '1000',
          returnUrl: 'https://shop.test/return',
          dynamicCallbackUrl,
        });
        expect([dynamicCallbackUrl, res.body.errorCode]).toEqual([dynamicCallbackUrl, '5']);
        expect(res.body.errorMessage).toMatch(/host is not allowed/);
        expect(res.body.orderId).toBeUndefined();
      }
    expect(sb.store.size).toBe(0);
    expect(sb.callbacks!.pending).toBe(0);
  });

  it('when register names an allowed host, then the order is created and its callback goes there', async () => {
    sb = makeSandbox({ callbackHosts: ['127.0.0.1'], callbacks: FAST });
    const { orderId } = await sb.register({ dynamicCallbackUrl: `${allowed.url}/dynamic` });
    payDirect(sb, orderId);
    await sb.callbacks!.idle();
    expect(allowed.requests).toEqual([expect.stringMatching(/^\/dynamic\?mdOrder=/)]);
  });

  it("by default, a merchant's callbacks go only to its own origins: another port on loopback is refused at register", async () => {
    const merchants = [{ ...DEFAULT_MERCHANTS[0]!, callbackUrl: `${allowed.url}/static` }];
    sb = makeSandbox({ merchants, callbacks: FAST });
    const other = await listen('127.0.0.1', ok);
    try {
      // The public demo credentials must not buy a blind request to any local service (here: another port).
      const refused = await sb.call('register', {
        ...CREDS,
        orderNumber: 'SSRF-PORT',
        amount: '1000',
        returnUrl: 'https://shop.test/return',
        dynamicCallbackUrl: `${other.url}/admin/shutdown`,
      });
      expect([refused.body.errorCode, refused.body.orderId]).toEqual(['5', undefined]);
      const { orderId } = await sb.register({ dynamicCallbackUrl: `${allowed.url}/another/path` });
      payDirect(sb, orderId);
      await sb.callbacks!.idle();
      expect(allowed.requests).toEqual([expect.stringMatching(/^\/another\/path\?mdOrder=/)]);
      expect(other.requests).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it("when two merchants share the sandbox, then one cannot send callbacks to the other's origin, only to its own", async () => {
    const merchants = [
      { ...DEFAULT_MERCHANTS[0]!, callbackOrigins: [`http://localhost:${allowed.port}`] },
      {
        login: 'second-shop',
        userName: 'second-api',
        password: 'second-password-0123',
        callbackUrl: `${forbidden.url}/cb`,
        allowTwoPhase: true,
      },
    ];
    sb = makeSandbox({ merchants, callbacks: FAST });
    const stolen = await sb.call('register', {
      ...CREDS,
      orderNumber: 'SSRF-OTHER',
      amount: '1000',
      returnUrl: 'https://shop.test/return',
      dynamicCallbackUrl: `${forbidden.url}/cb`,
    });
    expect(stolen.body.errorCode).toBe('5');
    expect(stolen.body.errorMessage).toMatch(/host is not allowed/);
    const { orderId } = await sb.register({ dynamicCallbackUrl: `http://localhost:${allowed.port}/mine` });
    payDirect(sb, orderId);
    await sb.callbacks!.idle();
    expect(allowed.requests).toEqual([expect.stringMatching(/^\/mine\?/)]);
    expect(sb.callbackAllowed(`${forbidden.url}/x`, 'second-shop')).toBe(true);
    expect(sb.callbackAllowed(`${forbidden.url}/x`, 'demo-shop')).toBe(false);
  });

  it('when an order got a callback URL without register (engine API), then the dispatcher refuses it before sending and records why', async () => {
    sb = makeSandbox({ callbackHosts: ['127.0.0.1'], callbacks: FAST });
    const created = sb.engine.register(sb.merchants[0]!, {
      orderNumber: 'SSRF-ENGINE',
      twoPhase: false,
      amount: 1000,
      currency: '643',
      description: '',
      language: 'en',
      returnUrl: 'https://shop.test/return',
      callbackUrl: `${forbidden.url}/engine`,
      jsonParams: {},
    });
    if (!created.ok) throw new Error('register failed');
    payDirect(sb, created.order.id);
    await sb.callbacks!.idle();
    expect(forbidden.requests).toEqual([]);
    expect(sb.journal.of(created.order).deliveries).toEqual([
      expect.objectContaining({
        attempt: 0,
        outcome: { kind: 'skipped', reason: HOST_NOT_ALLOWED },
      }),
    ]);
    const page = await request(sb.app).get(`/sandbox/orders/${created.order.id}`).set(OPERATOR_AUTH);
    expect(page.text).toContain('not sent (not allowed (the merchant&#39;s callback origins, SANDBOX_CALLBACK_HOSTS))');
  });

  it('when an allowed host answers a redirect to another host, then the redirect is not followed and counts as a failed attempt', async () => {
    const redirecting = await listen('127.0.0.1', (res) =>
      res.writeHead(302, { location: `${forbidden.url}/redirected` }).end(),
    );
    try {
      sb = makeSandbox({ callbackHosts: ['127.0.0.1'], callbacks: FAST });
      const { orderId } = await sb.register({ dynamicCallbackUrl: `${redirecting.url}/cb` });
      payDirect(sb, orderId);
      await sb.callbacks!.idle();
      expect(redirecting.requests).toHaveLength(2);
      expect(forbidden.requests).toEqual([]);
      expect(sb.journal.of(sb.store.get(orderId)!).deliveries.map((d) => [d.attempt, d.outcome, d.gaveUp])).toEqual([
        [1, { kind: 'http', status: 302 }, undefined],
        [2, { kind: 'http', status: 302 }, true],
      ]);
    } finally {
      await redirecting.close();
    }
  });

  it('when the receiver answers a body, then the operations view shows the HTTP status and never the body', async () => {
    const talkative = await listen('127.0.0.1', (res) =>
      res.writeHead(500, { 'content-type': 'text/plain' }).end('internal-body-canary root:x:0:0'),
    );
    try {
      sb = makeSandbox({ callbackHosts: ['127.0.0.1'], callbacks: FAST });
      const { orderId } = await sb.register({ dynamicCallbackUrl: `${talkative.url}/cb` });
      payDirect(sb, orderId);
      await sb.callbacks!.idle();
      const page = await request(sb.app).get(`/sandbox/orders/${orderId}`).set(OPERATOR_AUTH);
      expect(page.text).toContain('HTTP 500');
      expect(page.text).not.toContain('canary');
      expect(JSON.stringify(sb.journal.of(sb.store.get(orderId)!))).not.toContain('canary');
    } finally {
      await talkative.close();
    }
  });

  it("when SANDBOX_CALLBACK_HOSTS lists other hosts, then a merchant's own callbackUrl origin is still allowed", () => {
    const merchants = [{ ...DEFAULT_MERCHANTS[0]!, callbackUrl: `${forbidden.url}/static` }];
    const app = createSandboxApp({
      publicUrl: 'http://gateway.test',
      merchants,
      callbackHosts: ['127.0.0.1'],
      callbacks: false,
    });
    expect(app.callbackAllowed(`${forbidden.url}/static`, 'demo-shop')).toBe(true);
    expect(app.callbackAllowed(`http://127.0.0.2:${forbidden.port + 1}/`, 'demo-shop')).toBe(false);
    expect(app.callbackAllowed('http://127.0.0.1:1/any', 'demo-shop')).toBe(true);
  });
});

describe('the dispatcher checks the allow-list before every attempt', () => {
  it('when the allow-list stops allowing a URL between two attempts, then the retry is not sent', async () => {
    let allowed = true;
    // The receiver withdraws the permission while it answers the first attempt with a failure.
    const failing = await listen('127.0.0.1', (res) => {
      allowed = false;
      res.writeHead(500).end();
    });
    try {
      const journal = new OrderJournal();
      const dispatcher = new CallbackDispatcher({
        clock: createSandboxClock(),
        journal,
        allows: () => allowed,
        options: { maxAttempts: 3, retryBaseMs: 0, timeoutMs: 2000 },
      });
      const order = { id: 'o-1', orderNumber: 'N-1', amount: 100, callbackUrl: `${failing.url}/cb` } as SandboxOrder;
      dispatcher.handle({
        merchant: { ...DEFAULT_MERCHANTS[0]! },
        order,
        operation: 'deposited',
        status: 1,
        amount: 100,
      });
      await dispatcher.idle();
      expect(failing.requests).toHaveLength(1);
      expect(journal.of(order).deliveries.map((d) => [d.attempt, d.outcome])).toEqual([
        [1, { kind: 'http', status: 500 }],
        [2, { kind: 'skipped', reason: HOST_NOT_ALLOWED }],
      ]);
    } finally {
      await failing.close();
    }
  });
});

describe('CallbackAllowList (no requests: the decision only)', () => {
  it("by default allows each merchant's own origins only: its callbackUrl's and its callbackOrigins, any path there", () => {
    const list = CallbackAllowList.of(undefined, [
      {
        ...DEFAULT_MERCHANTS[0]!,
        callbackUrl: 'https://Shop.Example/payment/callback',
        callbackOrigins: ['http://127.0.0.1:3000'],
      },
      {
        login: 'other',
        userName: 'o',
        password: 'p',
        callbackUrl: 'http://other.example:8080/cb',
        allowTwoPhase: true,
      },
    ]);
    for (const url of [
      'https://shop.example/other',
      'https://shop.example.:443/x',
      'http://127.0.0.1:3000/payment/callback',
      'http://127.1:3000/',
      'http://[::ffff:127.0.0.1]:3000/',
    ])
      expect([url, list.allows(url, 'demo-shop')]).toEqual([url, true]);
    for (const url of [
      'http://shop.example/',
      'https://shop.example:444/',
      'http://127.0.0.1/',
      'http://127.0.0.1:3001/',
      'http://localhost:3000/',
      'http://[::1]:3000/',
      'http://other.example:8080/cb',
      'ftp://127.0.0.1:3000/',
      'nope',
    ])
      expect([url, list.allows(url, 'demo-shop')]).toEqual([url, false]);
    expect(list.allows('http://other.example:8080/any', 'other')).toBe(true);
    expect(list.allows('https://shop.example/', 'other')).toBe(false);
    expect(list.allows('https://shop.example/', 'unknown-merchant')).toBe(false);
  });

  it('when hosts are given, allows those on any port for every merchant, besides their own origins', () => {
    const list = CallbackAllowList.of(['127.0.0.1', 'shop.example'], [{ ...DEFAULT_MERCHANTS[0]! }]);
    expect(list.allows('http://127.0.0.1:9/', 'demo-shop')).toBe(true);
    expect(list.allows('http://shop.example/', 'any-login')).toBe(true);
    expect(list.allows('http://127.0.0.2/', 'demo-shop')).toBe(false);
    expect(list.allows('http://[::1]/', 'demo-shop')).toBe(false);
    expect(list.allows('http://localhost:3000/', 'demo-shop')).toBe(true);
    expect(list.allows('http://localhost:3001/', 'demo-shop')).toBe(false);
  });
});
