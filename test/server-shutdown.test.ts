// The real launcher (src/server.ts) on SIGTERM, as a rolling restart behind a balancer sends it: a Buy already waiting
// for the gateway is finished and answered, not cut; nothing new is accepted; the process then exits 0.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { startMisbehavingGateway, type MisbehavingGateway } from './helpers/misbehaving-gateway.js';
import { CookieJar, freePort, startShopProcess } from './helpers/shop-process.js';

const cwd = mkdtempSync(path.join(tmpdir(), 'server-shutdown-'));
let gateway: MisbehavingGateway | undefined;
let stopLater: (() => Promise<unknown>) | undefined;
afterAll(async () => {
  await stopLater?.();
  await gateway?.close();
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
