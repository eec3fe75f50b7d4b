// kill -9 in the middle of a Buy: the shop process dies while its register.do call waits on a slow gateway, which
// goes on to register the order. The restarted process (same instance: same host and address, same data) knows that
// nothing is registering that purchase any more, so the same browser's Buy goes straight to a new payment page
// instead of "your previous attempt is still being processed" for GATEWAY_TIMEOUT_MS + 2 s; the retired order is
// asked about by its orderNumber and the gateway's order adopted, not orphaned.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { openDatabase } from '../../src/orders/db.js';
import { createLedger } from '../../src/orders/ledger.js';
import { startMisbehavingGateway, type MisbehavingGateway } from '../helpers/misbehaving-gateway.js';
import { CookieJar, freePort, startShopProcess, type ShopProcess } from '../helpers/shop-process.js';

const cwd = mkdtempSync(path.join(tmpdir(), 'crash-during-buy-'));
const started: ShopProcess[] = [];
let gateway: MisbehavingGateway | undefined;
afterAll(async () => {
  for (const shop of started) await shop.kill();
  await gateway?.close();
  rmSync(cwd, { recursive: true, force: true });
});

async function until(check: () => boolean, ms = 10_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

async function buy(jar: CookieJar, shop: string): Promise<Response> {
  const page = await jar.fetch(`${shop}/products/notebook`, { headers: { accept: 'text/html' } });
  const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  return jar.fetch(`${shop}/buy`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    body: new URLSearchParams({ _csrf: token, productId: 'notebook', quantity: '1' }).toString(),
  });
}

describe('a shop process killed while its register call waits on the gateway', () => {
  it('after a restart on the same data, the same browser’s Buy goes straight to a payment page and the first order is adopted', async () => {
    /** The gateway's order id of each registered orderNumber. */
    const registered = new Map<string, string>();
    gateway = await startMisbehavingGateway({
      register: async (form, ctx) => {
        const reply = await ctx.healthy(form);
        registered.set(form.orderNumber!, (reply.body as { orderId: string }).orderId);
        // The first register is done, but its answer is held until long after the crash.
        return ctx.count === 1 ? { ...reply, delayMs: 60_000 } : reply;
      },
    });
    const port = await freePort();
    const env = {
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      DATA_DIR: path.join(cwd, 'data'),
      GATEWAY_URL: gateway.baseUrl,
      GATEWAY_USERNAME: 'crash-test',
      GATEWAY_PASSWORD: 'crash-test-password',
      // Long enough that waiting it out (the old behaviour) would fail this test.
      GATEWAY_TIMEOUT_MS: '30000',
      CALLBACKS: 'off',
      RECONCILE_INTERVAL_SECS: '0',
      LOG_LEVEL: 'info',
    };
    const first = await startShopProcess(env, cwd);
    started.push(first);
    const browser = new CookieJar();
    const crashed = buy(browser, first.url).catch((err: unknown) => err);
    expect(await until(() => registered.size === 1)).toBe(true);
    await first.kill();
    // The browser's request died with the process (fetch's own error, from another realm than this test's).
    expect(String(await crashed)).toMatch(/fetch failed|terminated|socket/i);
    const [[firstNumber, firstGatewayId]] = [...registered] as [[string, string]];

    const second = await startShopProcess(env, cwd);
    started.push(second);
    const res = await buy(browser, second.url);
    expect(res.status).toBe(303);
    const formUrl = res.headers.get('location') ?? '';
    expect(formUrl.startsWith(gateway.origin)).toBe(true);
    expect(formUrl).not.toContain(firstGatewayId);
    expect(registered.size).toBe(2);

    // The first order is asked about by its number and the gateway's id adopted.
    const db = openDatabase(path.join(cwd, 'data', 'shop.db'));
    try {
      const ledger = createLedger(db);
      const adopted = await until(() => ledger.findByOrderNumber(firstNumber)?.gatewayOrderId === firstGatewayId);
      expect(gateway.callsTo('getOrderStatusExtended').map((r) => r.form.orderNumber)).toContain(firstNumber);
      expect(adopted).toBe(true);
      const orphan = ledger.findByOrderNumber(firstNumber)!;
      expect(orphan.status).toBe('register_unknown');
      expect(ledger.events(orphan.id).map((e) => `${e.kind}:${e.outcome}`)).toEqual(
        expect.arrayContaining(['register_error:register_unknown', 'register:adopted']),
      );
    } finally {
      db.close();
    }
  }, 60_000);
});
