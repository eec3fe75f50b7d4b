// The real launcher (src/server.ts) on SIGTERM, as a rolling restart behind a balancer sends it: a Buy already waiting
// for the gateway is finished and answered, not cut; nothing new is accepted; the process then exits 0. An idle
// keep-alive connection holds nothing up, nor does a request that never finishes arriving (after src/http/drain.ts's
// short arrival window; test/http/drain.test.ts tests that rule on its own).
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { openDatabase } from '../src/orders/db.js';
import { createLedger } from '../src/orders/ledger.js';
import { startMisbehavingGateway, type MisbehavingGateway } from './helpers/misbehaving-gateway.js';
import { notebookOrder } from './helpers/orders-db.js';
import { CookieJar, freePort, gatewayShopEnv, startShopProcess } from './helpers/shop-process.js';

const cwd = mkdtempSync(path.join(tmpdir(), 'server-shutdown-'));
let gateway: MisbehavingGateway | undefined;
let slowGateway: MisbehavingGateway | undefined;
let stopLater: (() => Promise<unknown>) | undefined;
let stopSecond: (() => Promise<unknown>) | undefined;
afterAll(async () => {
  await stopLater?.();
  await stopSecond?.();
  await gateway?.close();
  await slowGateway?.close();
  rmSync(cwd, { recursive: true, force: true });
});

/** The launcher against the fake gateway, as a rolling restart finds it. */
function startShop(gatewayUrl: string, port: number) {
  return startShopProcess(gatewayShopEnv(port, path.join(cwd, 'data'), gatewayUrl, 'shutdown-test'), cwd);
}

/**
 * Two raw connections a client may hold at SIGTERM: one kept alive after its answer, one whose request's headers are
 * half sent. Resolves once the first has its answer; `closed` tells when the server ended each.
 */
async function idleConnections(port: number) {
  const open = () =>
    new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(s));
      s.once('error', reject);
    });
  const keepAlive = await open();
  const answered = new Promise((resolve) => keepAlive.once('data', resolve));
  keepAlive.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: keep-alive\r\n\r\n`);
  await answered;
  const halfSent = await open();
  halfSent.write(`GET /products/notebook HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: te`);
  const closed = { keepAlive: false, halfSent: false };
  for (const [name, s] of [
    ['keepAlive', keepAlive],
    ['halfSent', halfSent],
  ] as const) {
    s.on('error', () => undefined);
    s.once('close', () => (closed[name] = true));
  }
  return { closed, destroy: () => [keepAlive, halfSent].forEach((s) => s.destroy()) };
}

const waitFor = async (check: () => boolean, ms = 5_000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('SIGTERM while a Buy waits for the gateway', () => {
  it('the Buy still gets its payment page, a new request is refused, and the process exits 0', async () => {
    const REGISTER_MS = 3_000;
    gateway = await startMisbehavingGateway({
      register: (form, ctx) => ({
        delayMs: REGISTER_MS,
        body: { orderId: `order-${form.orderNumber}`, formUrl: `${ctx.origin}/payment/merchants/test/payment_en.html` },
      }),
    });
    const port = await freePort();
    const shop = await startShop(gateway.baseUrl, port);
    stopLater = () => shop.stop();
    const idle = await idleConnections(port);
    const jar = new CookieJar();
    const page = await jar.fetch(`${shop.url}/products/notebook`);
    const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
    let answered = false;
    const buying = jar
      .fetch(`${shop.url}/buy`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: token, productId: 'notebook', quantity: '1' }).toString(),
      })
      .finally(() => (answered = true));
    await waitFor(() => gateway!.callsTo('register').length === 1);
    const stopped = shop.stop();
    await waitFor(() => shop.stdout().includes('"msg":"shutting down"'));
    // The connections where no handler runs are ended at once, while the Buy is still waiting for the gateway.
    await waitFor(() => idle.closed.keepAlive && idle.closed.halfSent);
    expect(answered).toBe(false);

    // A new connection is no longer accepted while the Buy finishes.
    await expect(fetch(`${shop.url}/healthz`)).rejects.toThrow();
    const bought = await buying;
    expect(bought.status).toBe(303);
    expect(bought.headers.get('location')).toContain('/payment/merchants/test/payment_en.html');
    expect(await stopped).toBe(0);
    idle.destroy();
  }, 20_000);
});

describe('SIGTERM while no handler runs', () => {
  it('with an idle keep-alive connection and a half-sent request open, exits at once, not after the grace period', async () => {
    gateway ??= await startMisbehavingGateway();
    const port = await freePort();
    const shop = await startShop(gateway.baseUrl, port);
    stopLater = () => shop.stop();
    const idle = await idleConnections(port);
    try {
      const signalled = Date.now();
      expect(await shop.stop()).toBe(0);
      // Before: 8 s (the grace for requests in progress), though no handler was running.
      expect(Date.now() - signalled).toBeLessThan(3_000);
      expect(idle.closed).toEqual({ keepAlive: true, halfSent: true });
    } finally {
      idle.destroy();
    }
  }, 20_000);
});

describe('SIGTERM while a reconciler run waits for slow status calls', () => {
  it('the run stops before its next order, its leases are ended, and the process exits well within the grace', async () => {
    const STATUS_MS = 2_000;
    const ORDERS = 10;
    slowGateway = await startMisbehavingGateway({
      getOrderStatusExtended: { delayMs: STATUS_MS, body: { errorCode: '5', errorMessage: 'Try again later' } },
    });
    const dataDir = path.join(cwd, 'reconciler-data');
    // Open orders, a minute old: all due for their first look when the shop starts.
    const db = openDatabase(path.join(dataDir, 'shop.db'));
    const ledger = createLedger(db, { now: () => Date.now() - 60_000 });
    for (let i = 0; i < ORDERS; i += 1) {
      const { id } = ledger.createOrder(notebookOrder());
      ledger.markRegistered(id, { gatewayOrderId: `gw-${id}`, formUrl: `${slowGateway.origin}/pay?mdOrder=gw-${id}` });
    }
    db.close();
    const port = await freePort();
    const shop = await startShopProcess(
      gatewayShopEnv(port, dataDir, slowGateway.baseUrl, 'shutdown-test', { RECONCILE_INTERVAL_SECS: '1' }),
      cwd,
    );
    stopSecond = () => shop.stop();
    // The shop's start-up credentials check asks about an order that cannot exist: only the ledger's orders count.
    const reconcilerCalls = () =>
      slowGateway!.callsTo('getOrderStatusExtended').filter((r) => r.form.orderId?.startsWith('gw-'));
    await waitFor(() => reconcilerCalls().length === 1, 10_000);
    const sentAt = Date.now();
    const code = await shop.stop();
    const tookMs = Date.now() - sentAt;
    expect(code).toBe(0);
    // One status call in flight (STATUS_MS) may finish; the other nine are not asked (they would take 18 s more).
    expect(tookMs).toBeLessThan(STATUS_MS + 3_000);
    expect(reconcilerCalls()).toHaveLength(1);

    const after = openDatabase(path.join(dataDir, 'shop.db'));
    try {
      const held = after.prepare(
        'SELECT count(*) FROM orders WHERE lease_holder IS NOT NULL OR lease_until IS NOT NULL',
      );
      expect(held.pluck().get()).toBe(0);
      const asked = after.prepare('SELECT count(*) FROM orders WHERE checked_at IS NOT NULL').pluck().get();
      expect(asked).toBe(1);
    } finally {
      after.close();
    }
  }, 60_000);
});
