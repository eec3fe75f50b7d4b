/**
 * compose.scale.yaml's topology without Docker: the real nginx with deploy/nginx/shop.conf in front of two real shop
 * launchers (src/server.ts, NODE_ENV=production, TRUST_PROXY=1, CANONICAL_HOST on), sharing one PostgreSQL database
 * and one Redis, and the standalone sandbox calling back through the balancer. Buyers only ever talk to the balancer,
 * as they would in production; nginx's access log says which shop answered each request.
 *
 * Needs nginx, TEST_DATABASE_URL and TEST_REDIS_URL: without them the suite is skipped with a loud warning on a
 * developer machine and fails in CI.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type pg from 'pg';
import { NGINX_MISSING_IN_CI, nginxPlan, startBalancer, warnNginxSkipped, type Balancer } from '../helpers/nginx.js';
import { payOnHostedPage } from '../../packages/gateway-sandbox/test/helpers/sandbox-buyer.js';
import { postgresUrl, redisUrl } from '../helpers/services.js';
import { startShopPair, type ShopPair } from '../helpers/shop-pair.js';
import { CookieJar, freePort } from '../helpers/shop-process.js';

const WHAT = 'the shops behind nginx (test/deploy/scale-behind-nginx.test.ts)';
const plan = nginxPlan();
if (plan === 'skip') warnNginxSkipped(WHAT);
const pgBase = postgresUrl(WHAT);
const redisBase = redisUrl(WHAT);
const run = plan !== 'skip' && pgBase !== undefined && redisBase !== undefined;

/** Redis database of this file alone (test/scale/two-instances.test.ts has 11; the others use prefixes in 0). */
const REDIS_DB = 13;
const BUY_LIMIT = 4;
const BUYERS = 2;
const CARD = { pan: '4111111111111111' };

/** Buy from the product page: its form token, then POST /buy; both through the balancer. */
async function buy(browser: CookieJar, base: string, headers: Record<string, string> = {}): Promise<Response> {
  const page = await browser.fetch(`${base}/products/notebook`, { headers });
  expect(page.status).toBe(200);
  const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1];
  if (!token) throw new Error('no form token on the product page');
  return browser.fetch(`${base}/buy`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: token, productId: 'notebook', quantity: '1' }).toString(),
  });
}

/** A GET with a Host header of our choosing (fetch cannot set one), without following redirects. */
function getWithHost(port: number, host: string): Promise<{ status: number; location: string | undefined }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/?q=1', headers: { host }, agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location }));
      })
      .on('error', reject);
  });
}

(run ? describe : describe.skip)('two shops behind the real nginx, as compose.scale.yaml runs them', () => {
  let pair: ShopPair | undefined;
  let db: pg.Client | undefined;
  let lb: Balancer | undefined;
  let ports: { a: number; b: number } = { a: 0, b: 0 };
  /** Buy attempts this client address made so far: the per-address limit counts them all. */
  let buysSoFar = 0;

  beforeAll(async () => {
    if (plan === 'fail') throw new Error(NGINX_MISSING_IN_CI);
    const lbPort = await freePort();
    const publicUrl = `http://127.0.0.1:${lbPort}`;
    pair = await startShopPair({
      redisBase: redisBase!,
      redisDb: REDIS_DB,
      merchantLogin: 'lb-shop',
      // The balancer's address, as SCALE_PUBLIC_URL; CANONICAL_HOST stays on (production's default).
      publicUrl: () => publicUrl,
      // As in compose.scale.yaml: callbacks go to the balancer, never to one shop.
      callbackUrl: () => `${publicUrl}/payment/callback`,
      sandboxEnv: { SANDBOX_CALLBACK_HOSTS: '127.0.0.1' },
      shopEnv: () => ({ BUY_RATE_LIMIT_PER_MINUTE: String(BUY_LIMIT) }),
    });
    ({ db } = pair);
    ports = { a: pair.ports.a, b: pair.ports.b };
    lb = await startBalancer([ports.a, ports.b], lbPort);
  }, 60_000);

  afterAll(async () => {
    await lb?.stop();
    await pair?.close();
  });

  /** The shop (a or b) that answered each logged request matching `re`, in order. */
  const answeredBy = (re: RegExp) =>
    (lb?.accessLog() ?? [])
      .filter((line) => re.test(line))
      .map((line) => {
        const upstream = line.split(' ').slice(3).join(' ');
        return upstream === `127.0.0.1:${ports.a}` ? 'a' : upstream === `127.0.0.1:${ports.b}` ? 'b' : upstream;
      });

  it(`${BUYERS} buyers pay through the balancer: sessions, form tokens and callbacks work on whichever shop answers`, async () => {
    if (!lb || !db) throw new Error('setup failed');
    for (let i = 0; i < BUYERS; i++) {
      const browser = new CookieJar();
      const bought = await buy(browser, lb.url);
      buysSoFar += 1;
      expect(bought.status).toBe(303);
      const paid = await payOnHostedPage(bought.headers.get('location') ?? '', CARD);
      // returnUrl is built from PUBLIC_BASE_URL: the buyer comes back through the balancer.
      expect(paid.redirectUrl?.startsWith(`${lb.url}/checkout/return?orderId=`)).toBe(true);
      let target = paid.redirectUrl ?? '';
      let res = await browser.fetch(target);
      for (let step = 0; step < 5 && res.status >= 300 && res.status < 400; step++) {
        target = new URL(res.headers.get('location') ?? '', target).href;
        expect(target.startsWith(lb.url)).toBe(true);
        res = await browser.fetch(target);
      }
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('Payment successful');
    }
    // Requests took turns: each shop answered some product pages and some Buys, so a form token issued by one shop
    // was accepted by the other (one SESSION_SECRET, sessions in Redis).
    const pages = answeredBy(/^GET \/products\/notebook 200 /);
    const buys = answeredBy(/^POST \/buy 303 /);
    expect(buys).toHaveLength(BUYERS);
    expect(pages.map((shop, i) => shop !== buys[i])).toContain(true);
    expect(new Set(answeredBy(/ 200 /))).toEqual(new Set(['a', 'b']));

    // The sandbox's signed callbacks arrived through the balancer, and every order is paid once. nginx logs a request
    // once it has answered, so the log may trail the database by a moment: both are waited for.
    const callbacksLogged = () => answeredBy(/^GET \/payment\/callback\?\S* 200 /).length;
    const until = Date.now() + 10_000;
    let received = 0;
    while (Date.now() < until) {
      const { rows } = await db.query<{ n: string }>(
        "SELECT count(DISTINCT order_id) AS n FROM order_events WHERE kind = 'callback' AND outcome = 'received'",
      );
      received = Number(rows[0]?.n);
      if (received === BUYERS && callbacksLogged() >= BUYERS) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(received).toBe(BUYERS);
    expect(callbacksLogged()).toBeGreaterThanOrEqual(BUYERS);
    const orders = await db.query<{ status: string }>('SELECT status FROM orders');
    expect(orders.rows.map((o) => o.status)).toEqual(Array.from({ length: BUYERS }, () => 'paid'));
  }, 60_000);

  it('redirects a request for another host to PUBLIC_BASE_URL: nginx passes the Host with its port', async () => {
    if (!lb) throw new Error('setup failed');
    expect(await getWithHost(lb.port, `127.0.0.1:${lb.port}`)).toEqual({ status: 200, location: undefined });
    expect(await getWithHost(lb.port, `localhost:${lb.port}`)).toEqual({ status: 302, location: `${lb.url}/?q=1` });
  });

  it(`counts one client's Buys on both shops against one limit of ${BUY_LIMIT}, whatever X-Forwarded-For it sends`, async () => {
    if (!lb) throw new Error('setup failed');
    const statuses: number[] = [];
    for (let i = buysSoFar; i <= BUY_LIMIT; i++) {
      // The balancer alternates, and each Buy is two requests (page, POST): one more request every other time
      // sends the POSTs to both shops in turn.
      if (i % 2) await (await fetch(`${lb.url}/`)).body?.cancel();
      // A new browser each time (the per-browser limit stays out of it) and a forged address each time.
      const res = await buy(new CookieJar(), lb.url, { 'x-forwarded-for': `127.0.9.${i + 1}` });
      await res.body?.cancel();
      statuses.push(res.status);
    }
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.slice(0, -1).every((s) => s === 303)).toBe(true);
    expect(new Set(answeredBy(/^POST \/buy /))).toEqual(new Set(['a', 'b']));
  }, 30_000);

  it('leaves no error in either shop’s log', () => {
    for (const shop of pair ? [pair.a, pair.b] : []) {
      const errors = shop
        .stdout()
        .split('\n')
        .filter((line) => /"level":(50|60)/.test(line));
      expect(errors).toEqual([]);
    }
  });
});
