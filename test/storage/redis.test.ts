import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Options as RateLimitOptions } from 'express-rate-limit';
import type { SessionData } from 'express-session';
import { openRedis, redisAddress, type RedisState } from '../../src/storage/redis.js';
import { capturedLogger } from '../helpers/logs.js';
import { closedLoopbackPort, redisInspector, startTcpProxy, testKeyPrefix } from '../helpers/redis.js';
import { redisUrl } from '../helpers/services.js';

const PASSWORD = 's3cret-Redis-pw';

const sess = (cookie: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
  ({ cookie: { originalMaxAge: null, ...cookie }, ...extra }) as unknown as SessionData;

const getSession = (state: RedisState, sid: string) =>
  new Promise<SessionData | null | undefined>((resolve, reject) =>
    state.sessionStore.get(sid, (err, value) => (err ? reject(asError(err)) : resolve(value))),
  );
const setSession = (state: RedisState, sid: string, value: SessionData) =>
  new Promise<void>((resolve, reject) =>
    state.sessionStore.set(sid, value, (err) => (err ? reject(asError(err)) : resolve())),
  );
const asError = (e: unknown) => (e instanceof Error ? e : new Error(String(e)));

const isReady = (state: RedisState) =>
  Promise.resolve()
    .then(() => state.readiness())
    .catch(() => false);

async function waitReady(state: RedisState, ms = 8_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!(await isReady(state)) && Date.now() < deadline) await sleep(50);
  return isReady(state);
}

/** A limiter's store, initialised as express-rate-limit does. */
async function limiterStore(state: RedisState, name: string, windowMs = 60_000) {
  const store = state.rateLimitStore(name);
  await store.init?.({ windowMs } as RateLimitOptions);
  return store;
}

describe('openRedis when Redis cannot be reached at start', () => {
  it('rejects with a message naming host:port and REDIS_URL, never the username or password', async () => {
    const port = await closedLoopbackPort();
    const { logger, lines } = capturedLogger();
    const started = Date.now();
    const err = await openRedis(`redis://shopuser:${PASSWORD}@127.0.0.1:${port}/0`, { logger }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(Error);
    expect(err!.message).toBe(`cannot connect to Redis at 127.0.0.1:${port} (REDIS_URL): connection refused`);
    const everything = `${err!.message} ${err!.stack} ${JSON.stringify(err)} ${lines.join('')}`;
    expect(everything).not.toContain(PASSWORD);
    expect(everything).not.toContain('shopuser');
    expect(Date.now() - started).toBeLessThan(3_000); // no retry loop before giving up
  });

  it('redisAddress names host and port only (default port 6379)', () => {
    expect(redisAddress(`redis://u:${PASSWORD}@127.0.0.1:6390/2`)).toBe('127.0.0.1:6390');
    expect(redisAddress(`rediss://:${PASSWORD}@localhost`)).toBe('localhost:6379');
    expect(redisAddress('not a url')).not.toContain('not a url');
  });
});

const url = redisUrl('the Redis storage tests (test/storage/redis.test.ts)');
const withRedis = url ? describe : describe.skip;

withRedis('openRedis against the test Redis', () => {
  const prefix = testKeyPrefix('storage');
  let inspector: Awaited<ReturnType<typeof redisInspector>>;
  const opened: RedisState[] = [];
  const open = async (opts: Partial<Parameters<typeof openRedis>[1]> & { url?: string } = {}) => {
    const { logger, lines } = capturedLogger();
    const state = await openRedis(opts.url ?? url!, { logger, keyPrefix: prefix, ...opts });
    opened.push(state);
    return { state, lines };
  };

  beforeAll(async () => {
    inspector = await redisInspector(url!);
  });
  afterEach(async () => {
    for (const state of opened.splice(0)) await state.close();
  });
  afterAll(async () => {
    await inspector.deleteAll(prefix);
    await inspector.close();
  });

  it('rejects a wrong password with the server’s reason, without echoing the credentials', async () => {
    const u = new URL(url!);
    u.username = 'no-such-shop-user';
    u.password = PASSWORD;
    const err = await open({ url: u.toString() }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toMatch(/^cannot connect to Redis at .+ \(REDIS_URL\): WRONGPASS/);
    expect(err?.message).toContain(redisAddress(url!));
    expect(`${err?.message} ${err?.stack}`).not.toContain(PASSWORD);
    expect(err?.message).not.toContain('no-such-shop-user');
  });

  it('keeps sessions under <keyPrefix>shop:sess: and each limiter under <keyPrefix>shop:rl:<name>:', async () => {
    const { state } = await open();
    await setSession(state, 'sid-1', sess({ maxAge: 60_000 }, { orders: [1] }));
    const buy = await limiterStore(state, 'buy');
    const login = await limiterStore(state, 'admin-login');
    await buy.increment('::1');
    await login.increment('::1');
    expect(await inspector.keys(prefix)).toEqual([
      `${prefix}shop:rl:admin-login:::1`,
      `${prefix}shop:rl:buy:::1`,
      `${prefix}shop:sess:sid-1`,
    ]);
    const rlTtl = await inspector.pttl(`${prefix}shop:rl:buy:::1`);
    expect(rlTtl).toBeGreaterThan(55_000);
    expect(rlTtl).toBeLessThanOrEqual(60_000);
    expect(() => state.rateLimitStore('Buy:all')).toThrow(/rate limiter name/);
  });

  it('counts one limiter’s hits across two connections (two instances) and keeps limiters apart', async () => {
    const a = await limiterStore((await open()).state, 'buy');
    const b = await limiterStore((await open()).state, 'buy');
    const other = await limiterStore(opened[0]!, 'return');
    expect((await a.increment('client')).totalHits).toBe(1);
    expect((await b.increment('client')).totalHits).toBe(2);
    expect((await a.increment('client')).totalHits).toBe(3);
    expect((await other.increment('client')).totalHits).toBe(1);
    await b.decrement('client');
    expect((await a.increment('client')).totalHits).toBe(3);
    await a.resetKey('client');
    expect((await b.increment('client')).totalHits).toBe(1);
  });

  it('gives a session without cookie expiry the 24 h default TTL, and one with expires its remaining time', async () => {
    const { state } = await open();
    await setSession(state, 'browser-session', sess());
    await setSession(state, 'absolute', sess({ expires: new Date(Date.now() + 90_000).toISOString() }));
    await setSession(state, 'max-age', sess({ maxAge: 30_000 }));
    const day = 24 * 60 * 60 * 1000;
    expect(await inspector.pttl(`${prefix}shop:sess:browser-session`)).toBeGreaterThan(day - 5_000);
    expect(await inspector.pttl(`${prefix}shop:sess:browser-session`)).toBeLessThanOrEqual(day);
    expect(await inspector.pttl(`${prefix}shop:sess:absolute`)).toBeGreaterThan(85_000);
    expect(await inspector.pttl(`${prefix}shop:sess:absolute`)).toBeLessThanOrEqual(91_000);
    expect(await inspector.pttl(`${prefix}shop:sess:max-age`)).toBeGreaterThan(25_000);
    expect(await inspector.pttl(`${prefix}shop:sess:max-age`)).toBeLessThanOrEqual(31_000);
  });

  it('cooldown: the first claim of a key wins, later ones lose until it expires, other keys are independent', async () => {
    const a = (await open()).state;
    const b = (await open()).state;
    expect(await a.cooldown('order:1', 300)).toBe(true);
    expect(await b.cooldown('order:1', 300)).toBe(false);
    expect(await a.cooldown('order:1', 300)).toBe(false);
    expect(await b.cooldown('order:2', 300)).toBe(true);
    expect(await inspector.keys(`${prefix}shop:cooldown:`)).toEqual([
      `${prefix}shop:cooldown:order:1`,
      `${prefix}shop:cooldown:order:2`,
    ]);
    await sleep(400);
    expect(await b.cooldown('order:1', 300)).toBe(true);
    await expect(a.cooldown('order:3', 0)).rejects.toThrow(RangeError);
  });

  it('readiness is true while connected and false once closed; close() twice is harmless', async () => {
    const { state } = await open();
    expect(await state.readiness()).toBe(true);
    await state.close();
    await state.close();
    expect(await state.readiness()).toBe(false);
  });

  describe('an outage while running', () => {
    let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
    beforeAll(async () => {
      proxy = await startTcpProxy(url!);
    });
    afterAll(() => proxy.close());
    afterEach(() => proxy.up());

    // The relayed URL carries a password (the default user without a password accepts any), to prove it is never
    // logged.
    const relayed = () => {
      const u = new URL(proxy.url());
      u.password = PASSWORD;
      return u.toString();
    };

    it('fails session and limiter calls at once (callback and return count in memory), logs the outage once, recovers', async () => {
      const { state, lines } = await open({ url: relayed() });
      await setSession(state, 'survivor', sess({ maxAge: 60_000 }, { orders: [7] }));
      const buy = await limiterStore(state, 'buy');
      const callback = await limiterStore(state, 'callback');
      const returns = await limiterStore(state, 'return');
      expect((await buy.increment('ip')).totalHits).toBe(1);
      expect((await returns.increment('ip')).totalHits).toBe(1);

      await proxy.down();
      await sleep(50);
      const started = Date.now();
      await expect(getSession(state, 'survivor')).rejects.toThrow();
      await expect(setSession(state, 'other', sess())).rejects.toThrow();
      await expect(buy.increment('ip')).rejects.toThrow(); // fails closed: the request gets the error page
      // Fail open to a count in this process: the limit still holds per instance while Redis is away.
      expect((await callback.increment('ip')).totalHits).toBe(1);
      expect((await returns.increment('ip')).totalHits).toBe(1);
      expect((await returns.increment('ip')).totalHits).toBe(2);
      expect(await returns.get?.('ip')).toMatchObject({ totalHits: 2 });
      expect(await isReady(state)).toBe(false);
      expect(Date.now() - started).toBeLessThan(1_000); // nothing waited for a timeout

      await sleep(700); // several reconnect attempts
      const lost = lines.filter((l) => l.includes('redis connection lost'));
      expect(lost).toHaveLength(1);
      expect(JSON.parse(lost[0]!)).toMatchObject({ level: 50, redis: `127.0.0.1:${proxy.port}` });

      await proxy.up();
      expect(await waitReady(state)).toBe(true);
      expect(await getSession(state, 'survivor')).toMatchObject({ orders: [7] });
      expect((await buy.increment('ip')).totalHits).toBe(2);
      expect((await returns.increment('ip')).totalHits).toBe(2); // Redis's own count again
      expect(lines.filter((l) => l.includes('redis connection restored'))).toHaveLength(1);
      expect(lines.join('')).not.toContain(PASSWORD);
    });

    it('a limiter created while Redis is away works once it is back (its scripts are loaded again)', async () => {
      const { state } = await open({ url: relayed() });
      await proxy.down();
      await sleep(50);
      const store = state.rateLimitStore('buy');
      await store.init?.({ windowMs: 60_000 } as RateLimitOptions)?.catch(() => undefined);
      await expect(store.increment('late')).rejects.toThrow();
      await expect(store.increment('late')).rejects.toThrow();
      await proxy.up();
      expect(await waitReady(state)).toBe(true);
      expect((await store.increment('late')).totalHits).toBe(1);
      expect((await store.increment('late')).totalHits).toBe(2);
    });

    it('a server that accepts the connection but never answers fails start-up after the timeouts', async () => {
      proxy.stall();
      const started = Date.now();
      await expect(open({ url: relayed(), connectTimeoutMs: 300, commandTimeoutMs: 300 })).rejects.toThrow(
        `cannot connect to Redis at 127.0.0.1:${proxy.port} (REDIS_URL): connection timed out`,
      );
      expect(Date.now() - started).toBeLessThan(2_000);
    });

    it('a Redis that stops answering fails a command after commandTimeoutMs instead of hanging', async () => {
      const { state } = await open({ url: relayed(), commandTimeoutMs: 300 });
      await setSession(state, 'slow', sess({ maxAge: 60_000 }));
      proxy.stall();
      const started = Date.now();
      await expect(getSession(state, 'slow')).rejects.toThrow();
      const took = Date.now() - started;
      expect(took).toBeGreaterThanOrEqual(250);
      expect(took).toBeLessThan(2_000);
      expect(await isReady(state)).toBe(false); // the PING times out too
      const closing = Date.now();
      await state.close(); // does not wait for answers that never come
      expect(Date.now() - closing).toBeLessThan(2_000);
    });
  });
});
