/**
 * A Redis restart under a buyer coming back from the payment page (issue 15, item 22): a redis-server of this file's
 * own is stopped and started again, with a shop keeping its sessions, rate-limit counters and cool-down in it. While
 * Redis is away the return still asks the gateway and settles the order, and tells the browser plainly that it can't
 * show the order yet (checking again by itself); once Redis is back, the same browser's reload shows the outcome.
 *
 * Needs redis-server (it runs with TEST_REDIS_URL's servers: skipped loudly without them, a failure in CI).
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { openRedis, type RedisState } from '../../src/storage/redis.js';
import { capturedLogger } from '../helpers/logs.js';
import { startPrivateRedis, testKeyPrefix, type PrivateRedis } from '../helpers/redis.js';
import { payOnHostedPage } from '../../packages/gateway-sandbox/test/helpers/sandbox-buyer.js';
import { redisUrl } from '../helpers/services.js';
import { buy, shopPath, startShop, type TestShop } from '../helpers/shop.js';

const WHAT = 'the Redis restart tests (test/storage/redis-restart.test.ts)';
const run = redisUrl(WHAT) !== undefined;

const UNAVAILABLE_EN = 'We can’t show your order right now';
const UNAVAILABLE_RU = 'Сейчас мы не можем показать ваш заказ';
const NEUTRAL = 'shown only in the browser where the order was placed';

(run ? describe : describe.skip)(
  'a return while Redis restarts (a redis-server of its own, stopped and started)',
  () => {
    let redis: PrivateRedis;
    let state: RedisState;
    let shop: TestShop;

    beforeEach(async () => {
      redis = await startPrivateRedis();
      state = await openRedis(redis.url, { logger: capturedLogger().logger, keyPrefix: testKeyPrefix('restart') });
      shop = await startShop({
        sessionStore: state.sessionStore,
        rateLimitStore: state.rateLimitStore,
        cooldown: state.cooldown,
      });
    }, 30_000);

    afterEach(async () => {
      await shop.close();
      await state.close();
      await redis.close();
    });

    async function redisBack(): Promise<void> {
      await redis.start();
      const until = Date.now() + 15_000;
      while (Date.now() < until) {
        if (await Promise.resolve(state.readiness()).catch(() => false)) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error('the shop did not reconnect to Redis within 15 s');
    }

    /** A buyer who bought (session in Redis) and paid on the hosted page: where the gateway sends them back. */
    async function paidBuyer() {
      const agent = request.agent(shop.app);
      const bought = await buy(agent, 'notebook', 1);
      expect(bought.status).toBe(303);
      const paid = await payOnHostedPage(bought.headers.location!, { pan: '4111 1111 1111 1111' });
      const back = shopPath(paid.redirectUrl!);
      const orderId = new URL(paid.redirectUrl!).searchParams.get('orderId')!;
      const order = shop.ledger.findByGatewayOrderId(orderId)!;
      // No callbacks in this shop: only the return can tell the ledger about the payment.
      expect(order.status).toBe('registered');
      return { agent, back, orderId, order };
    }

    it('Redis down during the return: the order is settled, the page says it can’t show it yet and checks again; back up on reload: the payment', async () => {
      const { agent, back, orderId, order } = await paidBuyer();

      await redis.stop();
      const during = await agent.get(back);
      expect(during.status).toBe(503);
      expect(during.text).toContain(UNAVAILABLE_EN);
      expect(during.text).toContain('nothing is lost');
      expect(during.text).not.toContain(NEUTRAL);
      // Whose order this is can't be told without the session: nothing about it is shown.
      expect(during.text).not.toContain(order.orderNumber);
      const refresh = /^3; url=(\/checkout\/return\?orderId=[^&]+&n=1)$/.exec(String(during.headers.refresh));
      expect(refresh?.[1]).toBe(`/checkout/return?orderId=${orderId}&n=1`);

      // The return asked the gateway all the same: the ledger is right whatever the browser saw.
      const settled = shop.ledger.findByGatewayOrderId(orderId)!;
      expect(settled.status).toBe('paid');
      expect(shop.fulfilled).toEqual([order.id]);
      const statusEvents = shop.ledger.events(order.id).filter((e) => e.kind === 'status');
      expect(statusEvents.map((e) => e.detail?.cause)).toContainEqual({ source: 'return' });

      const russian = await agent.get(`${refresh![1]!}&lang=ru`);
      expect(russian.status).toBe(503);
      expect(russian.text).toContain(UNAVAILABLE_RU);

      // The checks are bounded like the confirming page's: the last one says what to do, with a reference.
      const last = await agent.get(`/checkout/return?orderId=${orderId}&n=6&lang=en`);
      expect(last.status).toBe(503);
      expect(last.headers.refresh).toBeUndefined();
      expect(last.text).toContain('is still unavailable');
      expect(last.text).toMatch(/Reference ID: <span class="mono">[0-9A-F]+<\/span>/);
      expect(last.text).not.toContain(order.orderNumber);

      await redisBack();
      const reloaded = await agent.get(`${refresh![1]!}&lang=en`);
      expect(reloaded.status).toBe(200);
      expect(reloaded.text).toContain('Payment successful');
      expect(reloaded.text).toContain(order.orderNumber);
      expect(shop.fulfilled).toEqual([order.id]);
    }, 60_000);

    it('tells “the store failed” from “not this browser’s order”: another buyer gets the same page while Redis is down, the neutral one once it is back', async () => {
      const { back } = await paidBuyer();
      // Another buyer: a browser with a session of its own (its own order), which can't be read while Redis is down.
      const other = request.agent(shop.app);
      expect((await buy(other, 'ceramic-mug', 1)).status).toBe(303);
      // A browser without any session cookie: there is nothing to read, so nothing fails and nothing is its order.
      const anonymous = request.agent(shop.app);

      await redis.stop();
      const during = await other.get(back);
      expect(during.status).toBe(503);
      expect(during.text).toContain(UNAVAILABLE_EN);
      // An order id nobody has gets the very same page: it tells nothing about which orders exist.
      const unknown = await other.get('/checkout/return?orderId=00000000-0000-0000-0000-000000000000');
      expect(unknown.status).toBe(503);
      expect(unknown.text).toContain(UNAVAILABLE_EN);
      const noSession = await anonymous.get(back);
      expect(noSession.status).toBe(404);
      expect(noSession.text).toContain(NEUTRAL);

      await redisBack();
      const after = await other.get(back);
      expect(after.status).toBe(404);
      expect(after.text).toContain(NEUTRAL);
      expect(after.text).not.toContain(UNAVAILABLE_EN);
    }, 60_000);
  },
);
