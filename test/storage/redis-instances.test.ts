import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { openRedis, type RedisState } from '../../src/storage/redis.js';
import { capturedLogger } from '../helpers/logs.js';
import { redisInspector, startTcpProxy, testKeyPrefix } from '../helpers/redis.js';
import { payOnHostedPage } from '../../packages/gateway-sandbox/test/helpers/sandbox-buyer.js';
import { redisUrl } from '../helpers/services.js';
import { buy, cookieValue, csrfTokenFrom, restartShop, shopPath, startShop, type TestShop } from '../helpers/shop.js';

/**
 * Two shop instances on one Redis (REDIS_URL): a Buy limit holds across them, and a buyer's session follows them
 * from one instance to the other. Each instance has its own connection, as two processes would.
 */
const url = redisUrl('the two-instance Redis tests (test/storage/redis-instances.test.ts)');
const withRedis = url ? describe : describe.skip;

withRedis('shop instances sharing Redis', () => {
  const prefix = testKeyPrefix('instances');
  const states: RedisState[] = [];
  const shops: TestShop[] = [];
  let inspector: Awaited<ReturnType<typeof redisInspector>>;

  /** One instance's connection to Redis (its own), under this file's key prefix. */
  async function connect(target = url!): Promise<RedisState> {
    const state = await openRedis(target, { logger: capturedLogger().logger, keyPrefix: prefix });
    states.push(state);
    return state;
  }
  async function shop(opts: Parameters<typeof startShop>[0] = {}): Promise<TestShop> {
    const s = await startShop(opts);
    shops.push(s);
    return s;
  }

  beforeAll(async () => {
    inspector = await redisInspector(url!);
  });
  afterEach(async () => {
    // restarted shops first: they share the database of the shop they were made from
    for (const s of shops.splice(0).reverse()) await s.close();
    for (const s of states.splice(0)) await s.close();
    await inspector.deleteAll(prefix);
  });
  afterAll(() => inspector.close());

  const LIMIT = { BUY_RATE_LIMIT_PER_MINUTE: '3' };
  /** A Buy from a new browser (so only the per-address limit counts), from the same address as every other. */
  const buyOn = (s: TestShop) => buy(request.agent(s.app), 'notebook', 1);

  it('BUY_RATE_LIMIT_PER_MINUTE holds across two instances: two Buys on each, the fourth gets 429', async () => {
    const a = await shop({ env: LIMIT, rateLimitStore: (await connect()).rateLimitStore });
    const b = await shop({ env: LIMIT, rateLimitStore: (await connect()).rateLimitStore });
    expect((await buyOn(a)).status).toBe(303);
    expect((await buyOn(a)).status).toBe(303);
    expect((await buyOn(b)).status).toBe(303);
    const fourth = await buyOn(b);
    expect(fourth.status).toBe(429);
    expect(fourth.text).toMatch(/Too many attempts/);
    expect((await buyOn(a)).status).toBe(429);
    // the counter lives in Redis, under the limiter's own prefix
    const keys = await inspector.keys(`${prefix}shop:rl:buy:`);
    expect(keys).toHaveLength(1);
    // and B registered one order only: the refused Buy never reached its ledger or the gateway
    expect(b.ledger.listRecent(10)).toHaveLength(1);
  });

  it('without the shared counters, each instance allows its own BUY_RATE_LIMIT_PER_MINUTE', async () => {
    const a = await shop({ env: LIMIT });
    const b = await shop({ env: LIMIT });
    for (const s of [a, b, a, b, a, b]) expect((await buyOn(s)).status).toBe(303);
    expect((await buyOn(a)).status).toBe(429);
  });

  it('a cart filled on one instance is shown and bought on the other (the cart is in the Redis session)', async () => {
    const a = await shop({ sessionStore: (await connect()).sessionStore });
    const b = restartShop(a, {}, { sessionStore: (await connect()).sessionStore });
    shops.push(b);
    const onA = request.agent(a.app);
    const list = await onA.get('/').expect(200);
    const form = { _csrf: csrfTokenFrom(list.text), productId: 'notebook', quantity: '2' };
    const added = await onA.post('/cart/add').type('form').send(form).expect(303);
    await onA
      .post('/cart/add')
      .type('form')
      .send({ ...form, productId: 'tote-bag', quantity: '1' })
      .expect(303);
    const cookie = ['sid', 'buyer', 'csrf']
      .map((n) => `${n}=${cookieValue(n === 'sid' ? added : list, n)!}`)
      .join('; ');

    const page = await request(b.app).get('/cart').set('Cookie', cookie).expect(200);
    expect(page.text).toContain('Dotted notebook');
    expect(page.text).toContain('Canvas tote bag');
    const version = /name="cart" value="([^"]+)"/.exec(page.text)![1]!;
    const bought = await request(b.app)
      .post('/buy')
      .set('Cookie', cookie)
      .type('form')
      .send({ _csrf: csrfTokenFrom(page.text), cart: version });
    expect(bought.status).toBe(303);
    const [order] = b.ledger.listRecent(1);
    expect(order!.items.map((i) => [i.productId, i.quantity])).toEqual([
      ['notebook', 2],
      ['tote-bag', 1],
    ]);
  });

  it('a buyer who pays after Buy on one instance sees the order on the other (the session is in Redis)', async () => {
    const a = await shop({ sessionStore: (await connect()).sessionStore });
    const b = restartShop(a, {}, { sessionStore: (await connect()).sessionStore });
    shops.push(b);
    const bought = await buy(request.agent(a.app), 'notebook', 1);
    expect(bought.status).toBe(303);
    const cookie = `sid=${cookieValue(bought, 'sid')!}`;
    const paid = await payOnHostedPage(bought.headers.location!, { pan: '4111 1111 1111 1111' });

    const onB = await request(b.app).get(shopPath(paid.redirectUrl!)).set('Cookie', cookie);
    expect(onB.status).toBe(200);
    expect(onB.text).toMatch(/Payment successful/);

    // Control: an instance on the same ledger keeping sessions in its own file does not know this browser.
    const local = restartShop(a, {}, { sessionStore: undefined });
    shops.push(local);
    const onLocal = await request(local.app).get(shopPath(paid.redirectUrl!)).set('Cookie', cookie);
    expect(onLocal.status).toBe(404);
  });

  /** getOrderStatusExtended calls a shop made, from its own log of gateway calls. */
  const statusCalls = (s: TestShop) =>
    s.logs.filter((l) => l.includes('"gateway call"') && l.includes('"method":"getOrderStatusExtended"')).length;

  it('#32 a return on one instance right after a return on the other makes no second status call (shared cool-down)', async () => {
    const a = await shop({ cooldown: (await connect()).cooldown });
    const b = restartShop(a, {}, { cooldown: (await connect()).cooldown });
    shops.push(b);
    const bought = await buy(request.agent(a.app), 'notebook', 1);
    const orderId = new URL(bought.headers.location!).searchParams.get('mdOrder')!;
    // The order is still on its payment page: each return may ask the gateway about it.
    await request(a.app).get(`/checkout/return?orderId=${orderId}`);
    await request(b.app).get(`/checkout/return?orderId=${orderId}`);
    expect(statusCalls(a) + statusCalls(b)).toBe(1);
    expect(await inspector.keys(`${prefix}shop:cooldown:return:`)).toHaveLength(1);
  });

  it('#32 without the shared cool-down, each instance asks on its own', async () => {
    const a = await shop();
    const b = restartShop(a);
    shops.push(b);
    const bought = await buy(request.agent(a.app), 'notebook', 1);
    const orderId = new URL(bought.headers.location!).searchParams.get('mdOrder')!;
    await request(a.app).get(`/checkout/return?orderId=${orderId}`);
    await request(b.app).get(`/checkout/return?orderId=${orderId}`);
    expect(statusCalls(a) + statusCalls(b)).toBe(2);
  });

  describe('while Redis is away', () => {
    let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
    beforeAll(async () => {
      proxy = await startTcpProxy(url!);
    });
    afterAll(() => proxy.close());

    it('a Buy answers the shop’s error page at once and registers nothing; a return says it can’t show the order yet', async () => {
      const withPassword = new URL(proxy.url());
      withPassword.password = 'instances-Secret-pw'; // Redis's default user without a password accepts any
      const state = await connect(withPassword.toString());
      const s = await shop({ sessionStore: state.sessionStore, rateLimitStore: state.rateLimitStore });
      const agent = request.agent(s.app);
      const bought = await buy(agent, 'notebook', 1);
      expect(bought.status).toBe(303);
      const orderId = new URL(bought.headers.location!).searchParams.get('mdOrder')!;

      await proxy.down();
      const started = Date.now();
      const back = await agent.get(`/checkout/return?orderId=${orderId}`);
      expect(back.status).toBe(503);
      expect(back.text).toMatch(/We can’t show your order right now/);
      expect(back.text).not.toMatch(/redis|ECONNREFUSED|offline/i);
      const again = await buy(agent, 'notebook', 2);
      expect(again.status).toBe(500);
      expect(Date.now() - started).toBeLessThan(3_000);
      await agent.get('/products/notebook').expect(200); // browsing needs no session
      expect(s.ledger.listRecent(10)).toHaveLength(1); // the refused Buy made no order
      expect(s.logs.filter((l) => l.includes('request failed')).length).toBeGreaterThanOrEqual(1);
      expect(s.logs.filter((l) => l.includes('session store failed on a return')).length).toBe(1);
      expect(s.logs.join('')).not.toContain('instances-Secret-pw');

      await proxy.up();
      const deadline = Date.now() + 8_000;
      while (!(await Promise.resolve(state.readiness()).catch(() => false)) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      const later = await agent.get(`/checkout/return?orderId=${orderId}`);
      expect(later.status).toBe(200);
    });
  });
});
