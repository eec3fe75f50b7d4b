import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { openRedis, type RedisState } from '../../src/storage/redis.js';
import { capturedLogger } from '../helpers/logs.js';
import { redisInspector, testKeyPrefix } from '../helpers/redis.js';
import { redisUrl } from '../helpers/services.js';
import { csrfTokenFrom, type TestShop } from '../helpers/shop.js';
import { login, startAdminShop } from './helpers.js';

/**
 * Anonymous requests write nothing (the rule the shop's pages follow, ADR 0002), the back office included: its login
 * form's CSRF token is a signed cookie, and a session exists only after a successful login. Checked on the SQLite
 * session store and, with TEST_REDIS_URL, on Redis.
 */
const url = redisUrl('the back-office login on Redis sessions (test/admin/login-session.test.ts)');

interface Sessions {
  /** Every stored session (id and data), to compare before and after. */
  snapshot: () => Promise<string[]>;
}

/** What strangers do: open the login page, post wrong passwords, bad tokens and no tokens, open guarded pages. */
async function strangers(shop: TestShop, n: number): Promise<{ statuses: number[] }> {
  const statuses: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const agent = request.agent(shop.app);
    const page = await agent.get('/admin/login');
    statuses.push(page.status);
    const posted = await agent
      .post('/admin/login')
      .type('form')
      .send({ _csrf: csrfTokenFrom(page.text), user: 'admin', password: `wrong-${i}-password` });
    statuses.push(posted.status);
    const noToken = await request(shop.app).post('/admin/login').type('form').send({ user: 'admin', password: 'x' });
    statuses.push(noToken.status);
    statuses.push((await request(shop.app).get('/admin/orders')).status);
    statuses.push((await request(shop.app).get('/admin/login?expired=1')).status);
  }
  return { statuses };
}

function suite(
  name: string,
  setUp: () => Promise<{ shop: TestShop; sessions: Sessions; close: () => Promise<void> }>,
  enabled = true,
) {
  (enabled ? describe : describe.skip)(name, () => {
    let shop: TestShop;
    let sessions: Sessions;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ shop, sessions, close } = await setUp());
    });
    afterAll(() => close());

    it('when strangers open the login page and fail to log in 40 times, the session store is unchanged; a login stores one session', async () => {
      const before = await sessions.snapshot();
      const { statuses } = await strangers(shop, 40);
      // Every kind of answer was met: the form, wrong passwords, refusals for a missing token, the throttle.
      expect(new Set(statuses)).toEqual(new Set([200, 401, 403, 303, 429]));
      expect(await sessions.snapshot()).toEqual(before);

      const operator = request.agent(shop.app);
      // From another address than the strangers' (whose failures are over the per-address limit by now).
      operator.set('X-Forwarded-For', '127.0.0.2');
      expect((await login(operator)).status).toBe(303);
      expect(await sessions.snapshot()).toHaveLength(before.length + 1);
      await operator.get('/admin/orders').expect(200);
    });
  });
}

suite('the back-office login on the SQLite session store', async () => {
  const shop = await startAdminShop({ TRUST_PROXY: '1' });
  const rows = shop.db.prepare<[], { sid: string; data: string }>('SELECT sid, data FROM sessions ORDER BY sid');
  return {
    shop,
    sessions: { snapshot: () => Promise.resolve(rows.all().map((r) => `${r.sid} ${r.data}`)) },
    close: () => shop.close(),
  };
});

suite(
  'the back-office login on the Redis session store',
  async () => {
    const prefix = testKeyPrefix('admin-login');
    const state: RedisState = await openRedis(url!, { logger: capturedLogger().logger, keyPrefix: prefix });
    const inspector = await redisInspector(url!);
    const shop = await startAdminShop({ TRUST_PROXY: '1' }, { sessionStore: state.sessionStore });
    return {
      shop,
      sessions: { snapshot: () => inspector.keys(`${prefix}shop:sess:`) },
      async close() {
        await shop.close();
        await state.close();
        await inspector.deleteAll(prefix);
        await inspector.close();
      },
    };
  },
  url !== undefined,
);
