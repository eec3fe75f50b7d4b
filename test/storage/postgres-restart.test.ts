// A PostgreSQL restart under load must cost the requests it interrupts, never the shop process: a connection that
// drops while a ledger transaction holds it ("terminating connection due to administrator command", then
// "Connection terminated unexpectedly") is an 'error' event on that client, which without a listener ends Node.
// The real launcher runs on a PostgreSQL of this test's own, which is restarted (fast, then immediate) while
// buyers keep buying.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startMisbehavingGateway, type MisbehavingGateway } from '../helpers/misbehaving-gateway.js';
import { internalsIn } from '../helpers/page-leaks.js';
import { privatePostgresPlan, startPrivatePostgres, type PrivatePostgres } from '../helpers/private-postgres.js';
import { CookieJar, freePort, gatewayShopEnv, startShopProcess, type ShopProcess } from '../helpers/shop-process.js';

const run = privatePostgresPlan('the PostgreSQL restart test (test/storage/postgres-restart.test.ts)') === 'run';
const BUYERS = 6;

interface Outcome {
  status: number;
  body: string;
  at: number;
}

/** One new browser's Buy: the product page (form token, browser key), then POST /buy. */
async function buyOnce(shop: string): Promise<Outcome> {
  const jar = new CookieJar();
  const page = await jar.fetch(`${shop}/products/notebook`, { headers: { accept: 'text/html' } });
  const html = await page.text();
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!token) return { status: page.status, body: html, at: Date.now() };
  const res = await jar.fetch(`${shop}/buy`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    body: new URLSearchParams({ _csrf: token, productId: 'notebook', quantity: '1' }).toString(),
  });
  return { status: res.status, body: await res.text(), at: Date.now() };
}

(run ? describe : describe.skip)('a PostgreSQL restart while buyers are buying', () => {
  let postgres: PrivatePostgres;
  let gateway: MisbehavingGateway;
  let shop: ShopProcess;
  const cwd = mkdtempSync(path.join(tmpdir(), 'pg-restart-'));

  beforeAll(async () => {
    postgres = await startPrivatePostgres();
    gateway = await startMisbehavingGateway();
    const port = await freePort();
    shop = await startShopProcess(
      gatewayShopEnv(port, path.join(cwd, 'data'), gateway.baseUrl, 'pg-restart-test', {
        DATABASE_URL: postgres.url,
        // The reconciler's ledger calls are interrupted too.
        RECONCILE_INTERVAL_SECS: '1',
        BUY_RATE_LIMIT_PER_MINUTE: '10000',
      }),
      cwd,
    );
  }, 90_000);

  afterAll(async () => {
    await shop?.stop();
    await gateway?.close();
    await postgres?.close();
    rmSync(cwd, { recursive: true, force: true });
  }, 60_000);

  it('the process keeps serving: interrupted Buys get the error page, later ones reach the payment page', async () => {
    const outcomes: Outcome[] = [];
    let buying = true;
    const buyers = Array.from({ length: BUYERS }, async () => {
      while (buying)
        outcomes.push(
          await buyOnce(shop.url).catch((err: Error) => ({ status: 0, body: err.message, at: Date.now() })),
        );
    });
    const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    try {
      await settle(1_500);
      for (const mode of ['fast', 'immediate', 'fast', 'immediate'] as const) {
        await postgres.restart(mode);
        // On failure, say how the process ended: the end of what it wrote to stderr (an uncaught error's stack).
        expect({
          exited: shop.exited(),
          stderr: shop.exited() === undefined ? '' : shop.stderr().slice(-2000),
        }).toEqual({
          exited: undefined,
          stderr: '',
        });
        await settle(1_000);
      }
      const restartedAt = Date.now();
      // Purchases succeed again once the server is back.
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && !outcomes.some((o) => o.at > restartedAt + 500 && o.status === 303)) {
        await settle(200);
      }
      await settle(500);
    } finally {
      buying = false;
      await Promise.all(buyers);
    }

    // Still the same process, still serving.
    expect(shop.exited()).toBeUndefined();
    expect((await fetch(`${shop.url}/healthz`)).status).toBe(200);
    const after = await buyOnce(shop.url);
    expect(after.status).toBe(303);

    // Every answer was either the payment page or the shop's own error page, without internals.
    expect(outcomes.filter((o) => o.status === 0)).toEqual([]);
    const failed = outcomes.filter((o) => o.status !== 303);
    for (const o of failed) {
      expect(o.status).toBeGreaterThanOrEqual(500);
      expect(o.body).toContain('<html');
      expect(internalsIn(o.body)).toEqual([]);
      expect(o.body).not.toMatch(/ECONNREFUSED|Connection terminated|administrator command|57P01/);
    }
    expect(outcomes.filter((o) => o.status === 303).length).toBeGreaterThan(BUYERS);
    expect(shop.stderr()).not.toMatch(/Connection terminated|Unhandled|uncaught/i);
  }, 120_000);
});
