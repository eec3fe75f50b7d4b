// The real launcher (src/server.ts) on SIGTERM, as a rolling restart behind a balancer sends it: a Buy already waiting
// for the gateway is finished and answered, not cut; nothing new is accepted; the process then exits 0.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { openDatabase } from '../src/orders/db.js';
import { createLedger } from '../src/orders/ledger.js';
import { startMisbehavingGateway, type MisbehavingGateway } from './helpers/misbehaving-gateway.js';
import { notebookOrder } from './helpers/orders-db.js';
import { CookieJar, freePort, startShopProcess } from './helpers/shop-process.js';

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

const waitFor = async (check: () => boolean, ms = 5_000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('SIGTERM while a Buy waits for the gateway', () => {
  it('the Buy still gets its payment page, a new request is refused, and the process exits 0', async () => {
    const REGISTER_MS = 1_500;
    gateway = await startMisbehavingGateway({
      register: (form, ctx) => ({
        delayMs: REGISTER_MS,
        body: { orderId: `order-${form.orderNumber}`, formUrl: `${ctx.origin}/payment/merchants/test/payment_en.html` },
      }),
    });
    const port = await freePort();
    const shop = await startShopProcess(
      {
        NODE_ENV: 'development',
        HOST: '127.0.0.1',
        PORT: String(port),
        PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
        DATA_DIR: path.join(cwd, 'data'),
        GATEWAY_URL: gateway.baseUrl,
        GATEWAY_USERNAME: 'shutdown-test',
        GATEWAY_PASSWORD: 'shutdown-test-password',
        CALLBACKS: 'off',
        RECONCILE_INTERVAL_SECS: '0',
        LOG_LEVEL: 'info',
      },
      cwd,
    );
    stopLater = () => shop.stop();
    const jar = new CookieJar();
    const page = await jar.fetch(`${shop.url}/products/notebook`);
    const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
    const buying = jar.fetch(`${shop.url}/buy`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: token, productId: 'notebook', quantity: '1' }).toString(),
    });
    await waitFor(() => gateway!.callsTo('register').length === 1);
    const stopped = shop.stop();
    await waitFor(() => shop.stdout().includes('"msg":"shutting down"'));

    // A new connection is no longer accepted while the Buy finishes.
    await expect(fetch(`${shop.url}/healthz`)).rejects.toThrow();
    const bought = await buying;
    expect(bought.status).toBe(303);
    expect(bought.headers.get('location')).toContain('/payment/merchants/test/payment_en.html');
    expect(await stopped).toBe(0);
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
      {
        NODE_ENV: 'development',
        HOST: '127.0.0.1',
        PORT: String(port),
        PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
        DATA_DIR: dataDir,
        GATEWAY_URL: slowGateway.baseUrl,
        GATEWAY_USERNAME: 'shutdown-test',
        GATEWAY_PASSWORD: 'shutdown-test-password',
        CALLBACKS: 'off',
        RECONCILE_INTERVAL_SECS: '1',
        LOG_LEVEL: 'info',
      },
      cwd,
    );
    stopSecond = () => shop.stop();
    await waitFor(() => slowGateway!.callsTo('getOrderStatusExtended').length === 1, 10_000);
    const sentAt = Date.now();
    const code = await shop.stop();
    const tookMs = Date.now() - sentAt;
    expect(code).toBe(0);
    // One status call in flight (STATUS_MS) may finish; the other nine are not asked (they would take 18 s more).
    expect(tookMs).toBeLessThan(STATUS_MS + 3_000);
    expect(slowGateway.callsTo('getOrderStatusExtended')).toHaveLength(1);

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
