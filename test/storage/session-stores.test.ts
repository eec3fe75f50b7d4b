import { describe, it, expect, afterAll, afterEach, jest } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { types } from 'node:util';
import session from 'express-session';
import type { SessionData, Store } from 'express-session';
import { openDatabase, type Database } from '../../src/orders/db.js';
import { createSqliteSessionStore, type SqliteSessionStore } from '../../src/storage/sessions/sqlite.js';
import { openRedis, type RedisState } from '../../src/storage/redis.js';
import { capturedLogger } from '../helpers/logs.js';
import { tempDir } from '../helpers/orders-db.js';
import { redisInspector, testKeyPrefix } from '../helpers/redis.js';
import { redisUrl } from '../helpers/services.js';

const tmp = tempDir('session-store-');
afterAll(() => tmp.cleanup());

const HOUR = 60 * 60 * 1000;
let t = Date.UTC(2026, 2, 1);
const clock = () => t;
const stores: SqliteSessionStore[] = [];
/** What a test's backend opened, closed after the test (newest first). */
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) s.close();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  jest.useRealTimers();
});

function makeStore(db: Database = openDatabase(':memory:'), opts: Parameters<typeof createSqliteSessionStore>[2] = {}) {
  const store = createSqliteSessionStore(session, db, { now: clock, cleanupIntervalMs: 0, ...opts });
  stores.push(store);
  return store;
}

function sess(extra: Record<string, unknown> = {}, cookie: Record<string, unknown> = {}): SessionData {
  return { cookie: { originalMaxAge: null, ...cookie }, ...extra } as unknown as SessionData;
}

/** Rejects with an Error whatever a callback reports; isNativeError also knows Errors from Node's own realm. */
const asError = (e: unknown): Error => (types.isNativeError(e) ? e : new Error(String(e)));

// Promise wrappers over the callback API express-session uses.
const p = {
  get: (s: Store, sid: string) =>
    new Promise<SessionData | null | undefined>((res, rej) => s.get(sid, (e, v) => (e ? rej(asError(e)) : res(v)))),
  set: (s: Store, sid: string, v: SessionData) =>
    new Promise<void>((res, rej) => s.set(sid, v, (e) => (e ? rej(asError(e)) : res()))),
  destroy: (s: Store, sid: string) =>
    new Promise<void>((res, rej) => s.destroy(sid, (e) => (e ? rej(asError(e)) : res()))),
  touch: (s: Store, sid: string, v: SessionData) =>
    new Promise<void>((res, rej) => s.touch?.(sid, v, (e?: unknown) => (e ? rej(asError(e)) : res()))),
  clear: (s: Store) => new Promise<void>((res, rej) => s.clear?.((e) => (e ? rej(asError(e)) : res()))),
  length: (s: Store) =>
    new Promise<number | undefined>((res, rej) => s.length?.((e, n) => (e ? rej(asError(e)) : res(n)))),
  all: (s: Store) => new Promise<unknown>((res, rej) => s.all?.((e, v) => (e ? rej(asError(e)) : res(v)))),
};

/** The session ids `all` returned: the SQLite store answers { sid: session }, connect-redis [session with id]. */
function idsOf(all: unknown): string[] {
  if (Array.isArray(all)) return (all as { id: string }[]).map((s) => s.id).sort();
  return Object.keys(all as object).sort();
}

/**
 * One store under test, fresh and empty. The SQLite store runs on a fake clock; Redis expires keys on its own clock,
 * so `elapse` really waits there, and the expiry tests use whole seconds (Redis keeps session TTLs in seconds).
 */
interface Backend {
  store: Store;
  /** Now, on the clock the store uses. */
  now(): number;
  elapse(ms: number): Promise<void>;
  /** How long the stored session still lives, in ms (undefined: not stored). */
  ttlMs(sid: string): Promise<number | undefined>;
  /** A second store on the same data: another process, or the same one after a restart. */
  reopen(): Promise<Store>;
  /** Makes the storage behind the store fail (database closed, connection closed). */
  fail(): Promise<void>;
}

type BackendFactory = () => Promise<Backend>;

let fileNo = 0;
const sqliteBackend: BackendFactory = () => {
  const file = tmp.file(`sessions-${++fileNo}.sqlite`);
  const db = openDatabase(file);
  const reopened: Database[] = [];
  cleanups.push(() => {
    for (const d of reopened.splice(0)) d.close();
    if (db.open) db.close();
  });
  return Promise.resolve({
    store: makeStore(db),
    now: clock,
    elapse: (ms) => {
      t += ms;
      return Promise.resolve();
    },
    ttlMs: (sid) => {
      const row = db.prepare<[string], { expires: number }>('SELECT expires FROM sessions WHERE sid = ?').get(sid);
      return Promise.resolve(row ? row.expires - t : undefined);
    },
    reopen: () => {
      const other = openDatabase(file);
      reopened.push(other);
      return Promise.resolve(makeStore(other));
    },
    fail: () => {
      db.close();
      return Promise.resolve();
    },
  });
};

const url = redisUrl('the Redis run of the session-store suite (test/storage/session-stores.test.ts)');
const filePrefix = testKeyPrefix('session-store');
let testNo = 0;
const redisBackend: BackendFactory = async () => {
  const keyPrefix = `${filePrefix}${++testNo}:`;
  const inspector = await redisInspector(url!);
  cleanups.push(async () => {
    await inspector.deleteAll(keyPrefix);
    await inspector.close();
  });
  const open = async () => {
    const state: RedisState = await openRedis(url!, { logger: capturedLogger().logger, keyPrefix });
    cleanups.push(() => state.close());
    return state;
  };
  const state = await open();
  return {
    store: state.sessionStore,
    now: Date.now,
    elapse: (ms) => sleep(ms),
    ttlMs: async (sid) => {
      const ms = await inspector.pttl(`${keyPrefix}shop:sess:${sid}`);
      return ms >= 0 ? ms : undefined;
    },
    reopen: async () => (await open()).sessionStore,
    fail: () => state.close(),
  };
};

const backends: [string, BackendFactory][] = [['SQLite', sqliteBackend]];
if (url) backends.push(['Redis', redisBackend]);

describe.each(backends)('session store behaviour: %s', (_name, backendFactory) => {
  /** A fresh backend for this test; what it opened is closed after the test. */
  const backend = backendFactory;

  it('when a session is set, then get returns it and an unknown sid returns null', async () => {
    const { store } = await backend();
    await p.set(store, 'sid-1', sess({ orderId: 7, csrf: 'abc' }, { maxAge: HOUR }));
    expect(await p.get(store, 'sid-1')).toMatchObject({ orderId: 7, csrf: 'abc' });
    expect(await p.get(store, 'nope')).toBeNull();
  });

  it('when set twice, then the second value replaces the first', async () => {
    const { store } = await backend();
    await p.set(store, 's', sess({ n: 1 }));
    await p.set(store, 's', sess({ n: 2 }));
    expect(await p.get(store, 's')).toMatchObject({ n: 2 });
    expect(await p.length(store)).toBe(1);
  });

  it('when destroyed, then the session is gone', async () => {
    const { store } = await backend();
    await p.set(store, 's', sess());
    await p.destroy(store, 's');
    expect(await p.get(store, 's')).toBeNull();
  });

  it('when the cookie maxAge passes, then get, length and all no longer return the session', async () => {
    const b = await backend();
    await p.set(b.store, 'short', sess({}, { maxAge: 1000 }));
    await p.set(b.store, 'long', sess({}, { maxAge: HOUR }));
    await b.elapse(1100);
    expect(await p.get(b.store, 'short')).toBeNull();
    expect(await p.length(b.store)).toBe(1);
    expect(idsOf(await p.all(b.store))).toEqual(['long']);
  });

  it('when the cookie has an absolute expires, then it sets the lifetime, whatever maxAge says', async () => {
    const b = await backend();
    await p.set(b.store, 's', sess({}, { expires: new Date(b.now() + 5000).toISOString(), maxAge: HOUR }));
    const ttl = await b.ttlMs('s');
    expect(ttl).toBeGreaterThan(3000);
    expect(ttl).toBeLessThanOrEqual(5000);
  });

  it('when the cookie has no expiry (browser-session cookie), then the default TTL of 24 h applies', async () => {
    const b = await backend();
    await p.set(b.store, 's', sess());
    const ttl = await b.ttlMs('s');
    expect(ttl).toBeGreaterThan(24 * HOUR - 5000);
    expect(ttl).toBeLessThanOrEqual(24 * HOUR);
  });

  it('when touched before expiry, then the expiry moves; when touched after expiry, then it stays expired', async () => {
    const b = await backend();
    // Margins of 800 ms, so a busy machine's Redis run doesn't flake.
    await p.set(b.store, 'a', sess({}, { maxAge: 2000 }));
    await b.elapse(1200);
    await p.touch(b.store, 'a', sess({}, { maxAge: 2000 }));
    await b.elapse(1200); // past the first expiry, before the moved one
    expect(await p.get(b.store, 'a')).not.toBeNull();
    await b.elapse(2000);
    await p.touch(b.store, 'a', sess({}, { maxAge: 2000 }));
    expect(await p.get(b.store, 'a')).toBeNull();
  });

  it('when cleared, then length is 0', async () => {
    const { store } = await backend();
    await p.set(store, 'a', sess());
    await p.set(store, 'b', sess());
    expect(await p.length(store)).toBe(2);
    await p.clear(store);
    expect(await p.length(store)).toBe(0);
  });

  it('when the storage fails, then errors go to the callback and nothing is thrown', async () => {
    const b = await backend();
    await b.fail();
    await expect(p.get(b.store, 's')).rejects.toThrow();
    await expect(p.set(b.store, 's', sess())).rejects.toThrow();
    await expect(p.length(b.store)).rejects.toThrow();
    expect(() => b.store.destroy('s')).not.toThrow();
  });

  it('when opened again (a restart between Buy and return, or another instance), then the session is there', async () => {
    const b = await backend();
    await p.set(b.store, 'buyer', sess({ pendingOrderId: 42, csrfSecret: 's3' }, { maxAge: HOUR }));
    const second = await b.reopen();
    expect(await p.get(second, 'buyer')).toMatchObject({ pendingOrderId: 42, csrfSecret: 's3' });
  });

  it('when used by express-session middleware, then a session created in one request is loaded in the next', async () => {
    const { default: express } = await import('express');
    const { default: request } = await import('supertest');
    const { store } = await backend();
    const app = express();
    app.use(
      session({ store, secret: 'test-secret', resave: false, saveUninitialized: false, cookie: { maxAge: HOUR } }),
    );
    app.post('/buy', (req, res) => {
      (req.session as unknown as Record<string, unknown>).orderId = 5;
      res.sendStatus(204);
    });
    app.get('/return', (req, res) => {
      res.json({ orderId: (req.session as unknown as Record<string, unknown>).orderId ?? null });
    });
    const agent = request.agent(app);
    await agent.post('/buy').expect(204);
    const res = await agent.get('/return').expect(200);
    expect(res.body).toEqual({ orderId: 5 });
    expect(await p.length(store)).toBe(1);
  });
});

describe('SQLite session store: its table', () => {
  it("when a browser-session cookie's 24 h have passed, then the row expires to the millisecond", async () => {
    const store = makeStore();
    await p.set(store, 's', sess());
    t += 24 * HOUR - 1;
    expect(await p.get(store, 's')).not.toBeNull();
    t += 2;
    expect(await p.get(store, 's')).toBeNull();
  });

  it('when the cleanup interval elapses, then expired rows are deleted from the table', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask', 'Date'] });
    const db = openDatabase(':memory:');
    const store = makeStore(db, { cleanupIntervalMs: 60_000 });
    await p.set(store, 'old', sess({}, { maxAge: 1000 }));
    await p.set(store, 'live', sess({}, { maxAge: HOUR }));
    t += 2000;
    const rows = () => db.prepare('SELECT sid FROM sessions ORDER BY sid').pluck().all();
    expect(rows()).toEqual(['live', 'old']);
    jest.advanceTimersByTime(60_000);
    expect(rows()).toEqual(['live']);
    store.close();
    t += 2 * HOUR;
    jest.advanceTimersByTime(10 * 60_000);
    expect(rows()).toEqual(['live']); // close() stopped the timer
    expect(jest.getTimerCount()).toBe(0);
  });

  it('when prune is called, then it deletes the expired rows now and says how many', async () => {
    const db = openDatabase(':memory:');
    const store = makeStore(db);
    await p.set(store, 'old', sess({}, { maxAge: 1000 }));
    await p.set(store, 'older', sess({}, { maxAge: 500 }));
    await p.set(store, 'live', sess({}, { maxAge: HOUR }));
    t += 2000;
    expect(store.prune()).toBe(2);
    expect(db.prepare('SELECT sid FROM sessions').pluck().all()).toEqual(['live']);
    expect(store.prune()).toBe(0);
  });
});
