// Two shop instances, as behind a load balancer: two real launchers (src/server.ts) in their own processes, sharing
// one PostgreSQL database (the ledger), one Redis (sessions and rate limits) and one standalone sandbox (the gateway).
// Buyers start on one instance and come back from the payment page to the other; the gateway's callbacks all land on
// instance B while half the buyers return to A; both reconcilers run every second; one client's Buys alternate
// between the instances against one rate limit. Every order must end paid and fulfilled exactly once, every buyer
// must see their success page, and neither instance may log an error. Docs: docs/decisions/0011-shared-state.md.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type pg from 'pg';
import { valueOf } from '../helpers/metrics.js';
import { payOnHostedPage } from '../../packages/gateway-sandbox/test/helpers/sandbox-buyer.js';
import { postgresUrl, redisUrl } from '../helpers/services.js';
import { startShopPair, type ShopPair } from '../helpers/shop-pair.js';
import { freePort, type ShopProcess } from '../helpers/shop-process.js';

const pgBase = postgresUrl('the two-instance test (test/scale/two-instances.test.ts)');
const redisBase = redisUrl('the two-instance test (test/scale/two-instances.test.ts)');
const run = pgBase !== undefined && redisBase !== undefined;

/** Redis database of this file alone: other files use key prefixes in database 0. */
const REDIS_DB = 11;
const BUYERS = 16;
const BUY_LIMIT = 4;
const CARD = { pan: '4111111111111111' };

/** One browser: its cookies (one jar for the shop, whichever instance answers: behind a balancer it is one host). */
class Browser {
  readonly #cookies = new Map<string, string>();
  constructor(readonly ip: string) {}

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('accept', 'text/html');
    // The shops trust one proxy (TRUST_PROXY=1), as behind the balancer: this is the buyer's address to them.
    headers.set('x-forwarded-for', this.ip);
    if (this.#cookies.size > 0) headers.set('cookie', [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair?.indexOf('=') ?? -1;
      if (pair && eq > 0) this.#cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    return res;
  }

  /** The product page's form token, then Buy: the answer to POST /buy. */
  async buy(shop: string, productId = 'notebook'): Promise<Response> {
    const page = await this.fetch(`${shop}/products/${productId}`);
    const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1];
    if (!token) throw new Error(`no form token on ${shop}/products/${productId}`);
    return this.fetch(`${shop}/buy`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: token, productId, quantity: '1' }).toString(),
    });
  }

  /** Follows the shop's redirects (on `shop`, whatever origin they name) to the page that answers 200. */
  async follow(shop: string, url: string): Promise<{ url: string; status: number; html: string }> {
    let target = new URL(url, shop);
    for (let step = 0; step < 8; step += 1) {
      const res = await this.fetch(`${shop}${target.pathname}${target.search}`);
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        await res.body?.cancel();
        target = new URL(location, target);
        continue;
      }
      return { url: target.href, status: res.status, html: await res.text() };
    }
    throw new Error(`more than 8 redirects from ${url}`);
  }
}

(run ? describe : describe.skip)('two shop instances sharing PostgreSQL, Redis and one gateway', () => {
  let pair: ShopPair;
  let a: ShopProcess;
  let b: ShopProcess;
  let sandbox: ShopProcess;
  let db: pg.Client;
  let metricsPorts: number[] = [];
  /** Both instances' /metrics, as Prometheus would scrape them, summed for one counter. */
  const scraped = async (name: string, labels: Record<string, string> = {}) => {
    let sum = 0;
    for (const port of metricsPorts) {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      sum += valueOf(text, name, labels) ?? 0;
    }
    return sum;
  };

  beforeAll(async () => {
    metricsPorts = [await freePort(), await freePort()];
    pair = await startShopPair({
      redisBase: redisBase!,
      redisDb: REDIS_DB,
      merchantLogin: 'scale-shop',
      // One public address for both, as behind the balancer; the test picks the instance by port.
      publicUrl: (ports) => `http://127.0.0.1:${ports.a}`,
      // Every callback goes to instance B; half the buyers come back to A meanwhile.
      callbackUrl: (ports) => `http://127.0.0.1:${ports.b}/payment/callback`,
      shopEnv: (instance) => ({
        CANONICAL_HOST: 'off',
        METRICS_PORT: String(metricsPorts[instance === 'a' ? 0 : 1]),
        BUY_RATE_LIMIT_PER_MINUTE: String(BUY_LIMIT),
        RECONCILE_INTERVAL_SECS: '1',
      }),
    });
    ({ a, b, sandbox, db } = pair);
  }, 60_000);

  afterAll(async () => {
    await pair?.close();
  });

  it('both instances started on the empty database at once and applied each migration once', async () => {
    for (const shop of [a, b]) {
      expect(shop.stdout()).toContain('"ledger":"PostgreSQL at 127.0.0.1:');
      expect(shop.stdout()).toContain('"sessions":"Redis at 127.0.0.1:');
      const ready = await fetch(`${shop.url}/readyz`);
      expect(await ready.json()).toEqual({
        status: 'ok',
        checks: { database: 'ok', gateway: 'ok', redis: 'ok' },
      });
    }
    const { rows } = await db.query<{ version: number; n: string }>(
      'SELECT version, count(*) AS n FROM schema_migrations GROUP BY version ORDER BY version',
    );
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.n === '1')).toBe(true);
  });

  it(`${BUYERS} buyers: Buy on one instance, return on the other, callbacks on B, reconcilers on both — every order paid and fulfilled once`, async () => {
    const outcomes = await Promise.all(
      Array.from({ length: BUYERS }, async (_, i) => {
        const browser = new Browser(`127.0.7.${i + 1}`);
        const [start, back] = i % 2 === 0 ? [a, b] : [b, a];
        const bought = await browser.buy(start.url);
        expect(bought.status).toBe(303);
        const formUrl = bought.headers.get('location') ?? '';
        expect(formUrl.startsWith(sandbox.url)).toBe(true);
        const paid = await payOnHostedPage(formUrl, CARD);
        expect(paid.redirectUrl).toMatch(/\/checkout\/return\?orderId=/);
        // The buyer comes back to the other instance, whose only way to know them is the shared session.
        return browser.follow(back.url, paid.redirectUrl!);
      }),
    );
    for (const page of outcomes) {
      expect(page.status).toBe(200);
      expect(page.html).toContain('Payment successful');
    }

    // The funnel, summed over both instances' /metrics during the run: each purchase counted once, where it happened.
    expect(await scraped('shop_orders_registered_total')).toBe(BUYERS);
    expect(await scraped('shop_orders_paid_total', { status: 'paid' })).toBe(BUYERS);
    expect(await scraped('shop_callbacks_received_total')).toBeGreaterThanOrEqual(BUYERS);
    expect(await scraped('shop_callbacks_refused_total')).toBe(0);

    // Let both reconcilers re-check the freshly paid orders a few times, at once.
    await new Promise((resolve) => setTimeout(resolve, 3_000));

    const orders = await db.query<{ id: string; status: string }>('SELECT id, status FROM orders ORDER BY id');
    expect(orders.rows).toHaveLength(BUYERS);
    expect(orders.rows.every((o) => o.status === 'paid')).toBe(true);
    const fulfilled = await db.query<{ order_id: string }>('SELECT order_id FROM fulfilments');
    expect(fulfilled.rows.map((r) => r.order_id).sort()).toEqual(orders.rows.map((o) => o.id).sort());
    const sold = await db.query<{ sold: string }>("SELECT sold FROM product_sales WHERE product_id = 'notebook'");
    expect(Number(sold.rows[0]?.sold)).toBe(BUYERS);
    // Every callback landed on B and was verified there (the sandbox signs with the shared key).
    const callbacks = await db.query<{ n: string }>(
      "SELECT count(DISTINCT order_id) AS n FROM order_events WHERE kind = 'callback' AND outcome = 'received'",
    );
    expect(Number(callbacks.rows[0]?.n)).toBe(BUYERS);
    // Both reconcilers ran, at once, over the same orders; between them they re-checked every paid order, and the
    // leases kept them from doubling anything (which of the two got which order is a race, so only the sum is fixed).
    for (const port of metricsPorts) {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(valueOf(text, 'shop_reconciler_runs_total')).toBeGreaterThanOrEqual(2);
    }
    expect(await scraped('shop_reconciler_orders_total', { result: 'checked' })).toBeGreaterThanOrEqual(BUYERS);
    expect(await scraped('shop_reconciler_orders_total', { result: 'changed' })).toBe(0);
    for (const shop of [a, b]) {
      const errors = shop
        .stdout()
        .split('\n')
        .filter((line) => /"level":(50|60)/.test(line));
      expect(errors).toEqual([]);
    }
  }, 90_000);

  it(`one client's Buys alternating between the instances meet one limit of ${BUY_LIMIT} a minute`, async () => {
    const browser = new Browser('127.0.8.1');
    const statuses: number[] = [];
    for (let i = 0; i <= BUY_LIMIT; i += 1) {
      const res = await browser.buy((i % 2 === 0 ? a : b).url, i % 2 === 0 ? 'notebook' : 't-shirt');
      await res.body?.cancel();
      statuses.push(res.status);
    }
    // Each instance alone would have allowed all of them (it saw at most 3): the counter is shared.
    expect(statuses.slice(0, BUY_LIMIT).every((s) => s === 303)).toBe(true);
    expect(statuses[BUY_LIMIT]).toBe(429);
  });

  it('nothing either instance logged carries the database or Redis password, the callback key or the session secret', () => {
    for (const shop of [a, b, sandbox]) {
      const output = shop.stdout() + shop.stderr();
      for (const secret of [...pair.secrets, pair.database.url]) {
        expect(output).not.toContain(secret);
      }
    }
  });
});
