// /healthz is liveness (the process and its database); /readyz adds what the shop needs to take a Buy: the
// gateway, asked by a cheap probe whose result is reused for 10 s. A failed check is named; nothing else is said.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import session from 'express-session';
import request from 'supertest';
import { createApp } from '../../src/app.js';
import { createGatewayClient } from '../../src/gateway/index.js';
import {
  cached,
  checkGatewayCredentials,
  createGatewayProbe,
  NO_SUCH_ORDER_ID,
  type ReadinessCheck,
} from '../../src/metrics/readiness.js';
import { DEFAULT_MERCHANTS, startSandbox } from '@rbs-storefront/gateway-sandbox';
import { startMisbehavingGateway } from '../helpers/misbehaving-gateway.js';
import { isDatabaseUsable } from '../../src/orders/db.js';
import { createSqliteSessionStore } from '../../src/storage/sessions/sqlite.js';
import { freePort } from '../helpers/shop-process.js';
import { startShop, type TestShop } from '../helpers/shop.js';

const CANARY = 'canary-password-5b81d0';

/** A local HTTP server answering every request with `status`, counting the requests by method. */
async function answering(
  status: number,
  port = 0,
): Promise<{ url: string; hits: string[]; close: () => Promise<void> }> {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    res.writeHead(status).end();
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, hits, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** The test shop's app rebuilt with these readiness checks; close() closes its session store. */
function withChecks(shop: TestShop, readinessChecks: Record<string, ReadinessCheck>) {
  const sessionStore = createSqliteSessionStore(session, shop.db);
  const app = createApp({ ...shop.deps, sessionStore, healthCheck: () => isDatabaseUsable(shop.db), readinessChecks });
  return { app, close: () => sessionStore.close() };
}

describe('/readyz against the sandbox', () => {
  let shop: TestShop;
  beforeAll(async () => {
    shop = await startShop();
  });
  afterAll(() => shop.close());

  it('answers 200 naming each check', async () => {
    const res = await request(shop.app).get('/readyz').expect(200);
    expect(res.body).toEqual({ status: 'ok', checks: { database: 'ok', gateway: 'ok' } });
    expect(res.headers['cache-control']).toMatch(/no-store/);
  });

  it('is liveness’ sibling: /healthz still answers as before', async () => {
    const res = await request(shop.app).get('/healthz').expect(200);
    expect(res.body).toEqual({ status: 'ok' });
  });
});

describe('/readyz when something is down', () => {
  const closing: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const close of closing.splice(0).reverse()) await close();
  });

  it('answers 503 naming the gateway when nothing listens there, and says nothing else', async () => {
    const port = await freePort();
    const shop = await startShop({ gatewayUrl: `http://127.0.0.1:${port}/payment/rest/`, password: CANARY });
    closing.push(() => shop.close());
    const res = await request(shop.app).get('/readyz').expect(503);
    expect(res.body).toEqual({ status: 'unavailable', checks: { database: 'ok', gateway: 'failed' } });
    expect(res.text).not.toContain(CANARY);
    expect(res.text).not.toContain(String(port));
    await request(shop.app).get('/healthz').expect(200); // liveness is not about the gateway
  });

  it('answers 503 naming the database when it is closed', async () => {
    const shop = await startShop();
    closing.push(() => shop.close());
    const served = withChecks(shop, { gateway: () => true });
    closing.push(() => served.close());
    await request(served.app).get('/readyz').expect(200);
    shop.db.close();
    const res = await request(served.app).get('/readyz').expect(503);
    expect(res.body).toEqual({ status: 'unavailable', checks: { database: 'failed', gateway: 'ok' } });
  });

  it('takes a check that throws or rejects for a failed one (the extension point, e.g. redis)', async () => {
    const shop = await startShop();
    closing.push(() => shop.close());
    const served = withChecks(shop, {
      gateway: () => true,
      redis: () => Promise.reject(new Error('connect ECONNREFUSED redis://:secret@127.0.0.1:6379')),
    });
    closing.push(() => served.close());
    const res = await request(served.app).get('/readyz').expect(503);
    expect(res.body).toEqual({ status: 'unavailable', checks: { database: 'ok', gateway: 'ok', redis: 'failed' } });
    expect(res.text).not.toContain('secret');
  });
});

describe('the gateway’s verdict on the shop’s credentials', () => {
  const closing: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closing.splice(0)) await close();
  });

  it('/readyz names the gateway check "credentials rejected" (503) while the sandbox refuses the shop’s password', async () => {
    const shop = await startShop({ password: 'a-wrong-password-for-this-test' });
    closing.push(() => shop.close());
    const res = await request(shop.app).get('/readyz').expect(503);
    expect(res.body).toEqual({ status: 'unavailable', checks: { database: 'ok', gateway: 'credentials rejected' } });
    expect(res.text).not.toContain('a-wrong-password-for-this-test');
  });

  it('asks for an order that cannot exist: the sandbox’s errorCode 6 means accepted, 5 rejected, no answer unknown', async () => {
    const sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
    closing.push(() => sandbox.close());
    const { userName, password } = DEFAULT_MERCHANTS[0]!;
    const client = (auth: { userName: string; password: string }, baseUrl = sandbox.gatewayUrl) =>
      createGatewayClient({ baseUrl, auth, statusRetries: 0 });
    expect(await checkGatewayCredentials(client({ userName, password }))).toEqual({ verdict: 'accepted' });
    expect(await checkGatewayCredentials(client({ userName, password: 'wrong-password' }))).toEqual({
      verdict: 'rejected',
    });
    const nowhere = `http://127.0.0.1:${await freePort()}/payment/rest/`;
    expect(await checkGatewayCredentials(client({ userName, password }, nowhere))).toEqual({
      verdict: 'unknown',
      error: 'GATEWAY_NETWORK',
    });
  });

  it('asks the gateway at most once a minute, however often /readyz is asked', async () => {
    const gateway = await startMisbehavingGateway({ getOrderStatusExtended: { body: { errorCode: '6' } } });
    closing.push(() => gateway.close());
    const shop = await startShop({ gatewayUrl: gateway.baseUrl });
    closing.push(() => shop.close());
    for (let i = 0; i < 3; i++) await request(shop.app).get('/readyz').expect(200);
    expect(gateway.callsTo('getOrderStatusExtended').map((c) => c.form.orderId)).toEqual([NO_SUCH_ORDER_ID]);
  });
});

describe('the gateway probe', () => {
  const closing: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closing.splice(0)) await close();
  });

  it('asks a remote gateway’s origin with HEAD: any answer below 500 means reachable', async () => {
    for (const [status, ok] of [
      [200, true],
      [404, true],
      [302, true],
      [502, false],
      [503, false],
    ] as const) {
      const origin = await answering(status);
      closing.push(origin.close);
      expect(await createGatewayProbe({ url: `${origin.url}/`, kind: 'origin' })()).toBe(ok);
      expect(origin.hits).toEqual(['HEAD /']);
    }
  });

  it('asks the embedded sandbox’s /healthz with GET: only 2xx means reachable', async () => {
    for (const [status, ok] of [
      [200, true],
      [404, false],
      [503, false],
    ] as const) {
      const sandbox = await answering(status);
      closing.push(sandbox.close);
      expect(await createGatewayProbe({ url: `${sandbox.url}/healthz`, kind: 'healthz' })()).toBe(ok);
      expect(sandbox.hits).toEqual(['GET /healthz']);
    }
  });

  it('gives up after its timeout when the gateway accepts but never answers', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    closing.push(async () => {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    });
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/`;
    expect(await createGatewayProbe({ url, kind: 'origin', timeoutMs: 50 })()).toBe(false);
  });

  it('probes at most once per 10 s, however often it is asked, and once for concurrent asks', async () => {
    const origin = await answering(200);
    closing.push(origin.close);
    let t = 1_000_000;
    const probe = createGatewayProbe({ url: `${origin.url}/`, kind: 'origin', now: () => t });
    expect(await Promise.all([probe(), probe(), probe()])).toEqual([true, true, true]);
    expect(origin.hits).toHaveLength(1);
    t += 9_999;
    expect(await probe()).toBe(true);
    expect(origin.hits).toHaveLength(1);
    t += 1;
    expect(await probe()).toBe(true);
    expect(origin.hits).toHaveLength(2);
  });

  it('remembers a failure for the same 10 s, then asks again', async () => {
    const port = await freePort();
    let t = 0;
    const probe = createGatewayProbe({ url: `http://127.0.0.1:${port}/`, kind: 'origin', now: () => t });
    expect(await probe()).toBe(false);
    const origin = await answering(200, port);
    closing.push(origin.close);
    t += 9_999;
    expect(await probe()).toBe(false);
    expect(origin.hits).toHaveLength(0);
    t += 1;
    expect(await probe()).toBe(true);
    expect(origin.hits).toEqual(['HEAD /']);
  });
});

describe('cached (the probes behind /readyz)', () => {
  it('when an ask fails, then the next want asks again instead of keeping the failure', async () => {
    let asks = 0;
    const want = cached(
      () => {
        asks += 1;
        return asks === 1 ? Promise.reject(new Error('gateway away')) : Promise.resolve('ok');
      },
      { cacheMs: 60_000 },
    );
    await expect(want()).rejects.toThrow('gateway away');
    await expect(want()).resolves.toBe('ok');
    expect(asks).toBe(2);
  });
});
