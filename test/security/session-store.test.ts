// docs/security.md row 29: sessions live in the persistent store that src/server.ts wires up, so a restart between
// Buy and the return keeps the buyer's order. Runs the real launcher (src/server.ts) twice on one DATA_DIR.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { DEFAULT_MERCHANTS, startSandbox, type RunningSandbox } from '@rbs-storefront/gateway-sandbox';
import { payOnHostedPage } from '../../packages/gateway-sandbox/test/helpers/sandbox-buyer.js';
import { csrfTokenFrom } from '../helpers/shop.js';
import { CookieJar, freePort, startShopProcess, type ShopProcess } from '../helpers/shop-process.js';

let sandbox: RunningSandbox;
let dataDir: string;
const started: ShopProcess[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, host: '127.0.0.1', callbacks: false });
  dataDir = mkdtempSync(path.join(tmpdir(), 'shop-process-'));
});
afterAll(async () => {
  for (const p of started) await p.stop();
  await sandbox.close();
  rmSync(dataDir, { recursive: true, force: true });
});

it('#29 when the shop process restarts between Buy and the return, the same cookie still shows the paid order (no MemoryStore)', async () => {
  const port = await freePort();
  const merchant = DEFAULT_MERCHANTS[0]!;
  // Production mode: express-session warns on stderr when it is handed a MemoryStore there.
  const env = {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    DATA_DIR: dataDir,
    SESSION_SECRET: 'restart-test-session-secret-0123456789',
    GATEWAY_URL: sandbox.gatewayUrl,
    GATEWAY_USERNAME: merchant.userName,
    GATEWAY_PASSWORD: merchant.password,
    CALLBACKS: 'off',
    RECONCILE_INTERVAL_SECS: '0',
    LOG_LEVEL: 'info',
  };
  const run = async () => {
    const p = await startShopProcess(env, dataDir);
    started.push(p);
    return p;
  };

  const before = await run();
  const browser = new CookieJar();
  const page = await browser.fetch(`${before.url}/products/notebook`);
  expect(page.status).toBe(200);
  const bought = await browser.fetch(`${before.url}/buy`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrfTokenFrom(await page.text()), productId: 'notebook', quantity: '2' }),
  });
  expect(bought.status).toBe(303);
  const paid = await payOnHostedPage(bought.headers.get('location')!, { pan: '4111111111111111' });
  expect(paid.redirectUrl).toMatch(new RegExp(`^${before.url}/checkout/return\\?`));
  expect(await before.stop()).toBe(0);

  const after = await run();
  const back = await browser.fetch(paid.redirectUrl!);
  const html = await back.text();
  expect(back.status).toBe(200);
  expect(html).toMatch(/Payment successful/);
  expect(html).toContain('Dotted notebook');
  expect(await after.stop()).toBe(0);

  for (const p of [before, after]) {
    expect(p.stderr()).not.toMatch(/MemoryStore/);
    expect(p.stdout()).toContain('"shop listening"');
  }
  // Two cold starts of src/server.ts through tsx: generous for a loaded CI machine.
}, 60_000);
