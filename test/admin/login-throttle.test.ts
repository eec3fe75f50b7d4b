import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { MemoryStore, type ClientRateLimitInfo } from 'express-rate-limit';
import request from 'supertest';
import { hashPassword } from '../../src/admin/password.js';
import {
  ACCOUNT_FIRST_DELAY_MS,
  ACCOUNT_FREE_FAILURES,
  ACCOUNT_MAX_DELAY_MS,
  accountDelayMs,
  LOGIN_FAILURES_PER_ADDRESS,
  LOGIN_FAILURES_PER_DEVICE,
} from '../../src/admin/throttle.js';
import { openRedis, type RedisState } from '../../src/storage/redis.js';
import { capturedLogger } from '../helpers/logs.js';
import { redisInspector, testKeyPrefix } from '../helpers/redis.js';
import { redisUrl } from '../helpers/services.js';
import {
  cookieValue,
  csrfTokenFrom,
  setCookie,
  startShop,
  type StartShopOptions,
  type TestShop,
} from '../helpers/shop.js';
import { ADMIN_PASSWORD, login, tokenOf } from './helpers.js';

/**
 * The back-office login's throttle (src/admin/throttle.ts): a limit per address, a growing slow-down per account, and
 * a browser that logged in before ("known device" cookie) that strangers' failures never block.
 */

// A cheap hash keeps a hundred logins quick; the check is the same code path.
const ADMIN_PASSWORD_HASH = hashPassword(ADMIN_PASSWORD, { N: 1024, r: 8, p: 1 });

/** A shop behind one trusted proxy (so X-Forwarded-For names the client), whose slow-down records instead of waiting. */
async function throttledShop(opts: Omit<StartShopOptions, 'env'> = {}) {
  const delays: number[] = [];
  const shop = await startShop({
    env: { ADMIN_PASSWORD_HASH, TRUST_PROXY: '1' },
    adminSleep: (ms) => {
      delays.push(ms);
      return Promise.resolve();
    },
    ...opts,
  });
  return { shop, delays };
}

/** A browser at a client address; i picks the address (127.0.x.y, loopback only). */
const from = (shop: TestShop, i: number) =>
  request.agent(shop.app).set('X-Forwarded-For', `127.0.${Math.floor(i / 250) + 1}.${(i % 250) + 1}`);

async function logout(agent: request.Agent) {
  const token = await tokenOf(agent);
  await agent.post('/admin/logout').type('form').send({ _csrf: token }).expect(303);
}

describe('the back-office login throttle', () => {
  let shop: TestShop;
  let delays: number[];
  afterEach(() => shop.close());

  it('when strangers fail 120 times from 60 addresses, the operator’s known browser still logs in at once', async () => {
    ({ shop, delays } = await throttledShop());
    const operator = from(shop, 0);
    const first = await login(operator);
    expect(first.status).toBe(303);
    await logout(operator);

    for (let i = 0; i < 120; i += 1) {
      expect((await login(from(shop, 1 + (i % 60)), `wrong-password-${i}`)).status).toBe(401);
    }
    // The strangers were slowed down (and more and more), never the operator's browser.
    expect(delays.at(-1)).toBe(ACCOUNT_MAX_DELAY_MS);
    const slowedBefore = delays.length;
    const again = await login(operator);
    expect(again.status).toBe(303);
    expect(delays).toHaveLength(slowedBefore);
    await operator.get('/admin/orders').expect(200);

    // The operator on a new browser, from a new address, waits at most the slow-down's ceiling, and gets in.
    const newBrowser = from(shop, 999);
    expect((await login(newBrowser)).status).toBe(303);
    expect(delays.slice(slowedBefore)).toEqual([ACCOUNT_MAX_DELAY_MS]);
    expect(shop.logs.join('\n')).toContain('back-office login slowed down');
    // What made the browser known: a cookie set at its login, on the back office's path, out of scripts' reach.
    expect(setCookie(first, 'admin_device')).toMatch(/; Path=\/admin; .*HttpOnly; SameSite=Strict/);
  });

  it('one address is limited: after 5 failures its 6th attempt gets 429 even with the right password; another address is not', async () => {
    ({ shop, delays } = await throttledShop());
    const stranger = from(shop, 7);
    for (let i = 0; i < LOGIN_FAILURES_PER_ADDRESS; i += 1) {
      expect((await login(stranger, `wrong-${i}-password`)).status).toBe(401);
    }
    const sixth = await login(stranger);
    expect(sixth.status).toBe(429);
    // A new browser at the same address is the same address.
    expect((await login(from(shop, 7))).status).toBe(429);
    await stranger.get('/admin/orders').expect(303);
    expect((await login(from(shop, 8))).status).toBe(303);
  });

  it('a known browser has a limit of its own: after 5 failures it is refused itself, and says so', async () => {
    ({ shop, delays } = await throttledShop());
    const operator = from(shop, 0);
    expect((await login(operator)).status).toBe(303);
    await logout(operator);
    for (let i = 0; i < LOGIN_FAILURES_PER_DEVICE; i += 1) {
      expect((await login(operator, `typo-${i}-password`)).status).toBe(401);
    }
    const refused = await login(operator);
    expect(refused.status).toBe(429);
    expect(refused.text).toContain('This browser has had too many failed logins');
    // Its failures are its own: they did not fill the address's limit, nor slow anyone down.
    expect((await login(from(shop, 0))).status).toBe(303);
    expect(delays).toEqual([]);
  });

  it('the account slow-down grows: none for the first failures, then 1 s, 2 s, 4 s, 8 s … up to 30 s', async () => {
    ({ shop, delays } = await throttledShop());
    const failures = ACCOUNT_FREE_FAILURES + 7;
    for (let i = 0; i < failures; i += 1) {
      expect((await login(from(shop, 10 + i), `wrong-password-${i}`)).status).toBe(401);
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
    expect(delays[0]).toBe(ACCOUNT_FIRST_DELAY_MS);
    expect([0, ACCOUNT_FREE_FAILURES - 1, ACCOUNT_FREE_FAILURES, 1000].map(accountDelayMs)).toEqual([
      0,
      0,
      ACCOUNT_FIRST_DELAY_MS,
      ACCOUNT_MAX_DELAY_MS,
    ]);
  });

  it('the slow-down is a real wait: the first slowed attempt takes at least a second', async () => {
    shop = await startShop({ env: { ADMIN_PASSWORD_HASH, TRUST_PROXY: '1' } });
    for (let i = 0; i < ACCOUNT_FREE_FAILURES; i += 1) {
      expect((await login(from(shop, 10 + i), `wrong-password-${i}`)).status).toBe(401);
    }
    const started = performance.now();
    expect((await login(from(shop, 100), 'wrong-password')).status).toBe(401);
    expect(performance.now() - started).toBeGreaterThanOrEqual(ACCOUNT_FIRST_DELAY_MS - 5);
  });
});

describe('the page of a refused login', () => {
  let shop: TestShop;
  const last = new Map<string, ClientRateLimitInfo>();
  beforeAll(async () => {
    // The limiters' own counters, watched: what the page says must be what they hold.
    const rateLimitStore = (name: string) =>
      new (class extends MemoryStore {
        override async increment(key: string) {
          const result = await super.increment(key);
          last.set(name, result);
          return result;
        }
      })();
    ({ shop } = await throttledShop({ rateLimitStore }));
  });
  afterAll(() => shop.close());

  it('tells the true wait, from the limiter’s reset time, in the back office’s own layout', async () => {
    const stranger = from(shop, 3);
    for (let i = 0; i < LOGIN_FAILURES_PER_ADDRESS; i += 1) await login(stranger, `wrong-${i}-password`);
    const refused = await login(stranger);
    const now = Date.now();
    expect(refused.status).toBe(429);
    const reset = last.get('admin-login')!.resetTime!.getTime();
    // Retry-After in whole seconds, rounded up; the page the clock time to the second and the wait in minutes.
    const retryAfter = Number(refused.headers['retry-after']);
    expect(Math.abs(retryAfter - Math.ceil((reset - now) / 1000))).toBeLessThanOrEqual(1);
    expect(refused.text).toContain(`(at ${new Date(reset).toISOString().slice(11, 19)} UTC)`);
    const minutes = Math.ceil((reset - now) / 60_000);
    expect(refused.text).toMatch(new RegExp(`try again in (${minutes}|${minutes + 1}) minutes`));
    expect(minutes).toBeGreaterThan(10);
    expect(refused.text).not.toMatch(/wait a minute/i);
    // The back office's header and title, not the shop's.
    expect(refused.text).toContain('— Back office</title>');
    expect(refused.text).toContain('<a class="brand" href="/admin/orders">Back office</a>');
    expect(refused.text).not.toContain('Demo Shop');
    expect(refused.text).toContain('A browser that has logged in to the back office before can log in now.');

    // In Russian too, with the same reset.
    const ru = await login(from(shop, 3).set('Accept-Language', 'ru'));
    expect(ru.status).toBe(429);
    expect(ru.text).toContain(`Попробовать снова можно в ${new Date(reset).toISOString().slice(11, 19)} UTC.`);
    expect(ru.text).toMatch(new RegExp(`Ждать осталось: (${minutes}|${minutes + 1}) минут\\.`));
    expect(ru.text).toContain('<a class="brand" href="/admin/orders">Бэк-офис</a>');
  });
});

const url = redisUrl('the back-office login throttle across instances (test/admin/login-throttle.test.ts)');
(url ? describe : describe.skip)('the back-office login throttle on Redis, across two instances', () => {
  const prefix = testKeyPrefix('admin-throttle');
  const states: RedisState[] = [];
  const shops: TestShop[] = [];
  afterAll(async () => {
    for (const s of shops) await s.close();
    for (const s of states) await s.close();
    const inspector = await redisInspector(url!);
    await inspector.deleteAll(prefix);
    await inspector.close();
  });

  it('the per-address limit and the known browser hold across instances', async () => {
    for (let i = 0; i < 2; i += 1) {
      const state = await openRedis(url!, { logger: capturedLogger().logger, keyPrefix: prefix });
      states.push(state);
      shops.push(
        (
          await throttledShop({
            sessionStore: state.sessionStore,
            rateLimitStore: state.rateLimitStore,
          })
        ).shop,
      );
    }
    const [a, b] = shops as [TestShop, TestShop];
    // The operator's browser logs in on A.
    const first = await login(from(a, 0));
    expect(first.status).toBe(303);
    const device = cookieValue(first, 'admin_device')!;
    // One stranger's failures alternate between the instances: the fifth is the last one heard.
    for (let i = 0; i < LOGIN_FAILURES_PER_ADDRESS; i += 1) {
      expect((await login(from(i % 2 ? a : b, 5), `wrong-${i}-password`)).status).toBe(401);
    }
    expect((await login(from(a, 5))).status).toBe(429);
    expect((await login(from(b, 5))).status).toBe(429);
    // The operator's browser, now at that same address, is known on B too (signed with the shared session secret).
    const page = await request(b.app).get('/admin/login').set('X-Forwarded-For', '127.0.1.6').expect(200);
    const known = await request(b.app)
      .post('/admin/login')
      .set('X-Forwarded-For', '127.0.1.6')
      .set('Cookie', `admin_csrf=${cookieValue(page, 'admin_csrf')!}; admin_device=${device}`)
      .type('form')
      .send({ _csrf: csrfTokenFrom(page.text), user: 'admin', password: ADMIN_PASSWORD });
    expect(known.status).toBe(303);
  });
});
