import { describe, it, expect, afterAll, afterEach, jest } from '@jest/globals';
import { types } from 'node:util';
import session from 'express-session';
import type { SessionData } from 'express-session';
import { openDatabase, type Database } from '../../src/orders/db.js';
import { createSqliteSessionStore, type SqliteSessionStore } from '../../src/orders/session-store.js';
import { tempDir } from '../helpers/orders-db.js';

const tmp = tempDir('session-store-');
afterAll(() => tmp.cleanup());

const HOUR = 60 * 60 * 1000;
let t = Date.UTC(2026, 2, 1);
const clock = () => t;
const stores: SqliteSessionStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
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
  get: (s: SqliteSessionStore, sid: string) =>
    new Promise<SessionData | null | undefined>((res, rej) => s.get(sid, (e, v) => (e ? rej(asError(e)) : res(v)))),
  set: (s: SqliteSessionStore, sid: string, v: SessionData) =>
    new Promise<void>((res, rej) => s.set(sid, v, (e) => (e ? rej(asError(e)) : res()))),
  destroy: (s: SqliteSessionStore, sid: string) =>
    new Promise<void>((res, rej) => s.destroy(sid, (e) => (e ? rej(asError(e)) : res()))),
  touch: (s: SqliteSessionStore, sid: string, v: SessionData) =>
    new Promise<void>((res, rej) => s.touch?.(sid, v, (e?: unknown) => (e ? rej(asError(e)) : res()))),
  clear: (s: SqliteSessionStore) => new Promise<void>((res, rej) => s.clear?.((e) => (e ? rej(asError(e)) : res()))),
  length: (s: SqliteSessionStore) =>
    new Promise<number | undefined>((res, rej) => s.length?.((e, n) => (e ? rej(asError(e)) : res(n)))),
  all: (s: SqliteSessionStore) => new Promise<unknown>((res, rej) => s.all?.((e, v) => (e ? rej(asError(e)) : res(v)))),
};

describe('SQLite session store', () => {
  it('when a session is set, then get returns it and an unknown sid returns null', async () => {
    const store = makeStore();
    await p.set(store, 'sid-1', sess({ orderId: 7, csrf: 'abc' }, { maxAge: HOUR }));
    expect(await p.get(store, 'sid-1')).toMatchObject({ orderId: 7, csrf: 'abc' });
    expect(await p.get(store, 'nope')).toBeNull();
  });

  it('when set twice, then the second value replaces the first', async () => {
    const store = makeStore();
    await p.set(store, 's', sess({ n: 1 }));
    await p.set(store, 's', sess({ n: 2 }));
    expect(await p.get(store, 's')).toMatchObject({ n: 2 });
    expect(await p.length(store)).toBe(1);
  });

  it('when destroyed, then the session is gone', async () => {
    const store = makeStore();
    await p.set(store, 's', sess());
    await p.destroy(store, 's');
    expect(await p.get(store, 's')).toBeNull();
  });

  it('when the cookie maxAge passes, then get, length and all no longer return the session', async () => {
    const store = makeStore();
    await p.set(store, 'short', sess({}, { maxAge: 1000 }));
    await p.set(store, 'long', sess({}, { maxAge: HOUR }));
    t += 1001;
    expect(await p.get(store, 'short')).toBeNull();
    expect(await p.length(store)).toBe(1);
    expect(Object.keys((await p.all(store)) as object)).toEqual(['long']);
  });

  it('when the cookie has an absolute expires, then it wins over the default TTL', async () => {
    const store = makeStore(undefined, { defaultTtlMs: 10 * HOUR });
    await p.set(store, 's', sess({}, { expires: new Date(t + 5000).toISOString() }));
    t += 5001;
    expect(await p.get(store, 's')).toBeNull();
  });

  it('when the cookie has no expiry (browser-session cookie), then the default TTL of 24 h applies', async () => {
    const store = makeStore();
    await p.set(store, 's', sess());
    t += 24 * HOUR - 1;
    expect(await p.get(store, 's')).not.toBeNull();
    t += 2;
    expect(await p.get(store, 's')).toBeNull();
  });

  it('when touched before expiry, then the expiry moves; when touched after expiry, then it stays expired', async () => {
    const store = makeStore();
    await p.set(store, 'a', sess({}, { maxAge: 1000 }));
    t += 900;
    await p.touch(store, 'a', sess({}, { maxAge: 1000 }));
    t += 900;
    expect(await p.get(store, 'a')).not.toBeNull();
    t += 1001;
    await p.touch(store, 'a', sess({}, { maxAge: 1000 }));
    expect(await p.get(store, 'a')).toBeNull();
  });

  it('when cleared, then length is 0', async () => {
    const store = makeStore();
    await p.set(store, 'a', sess());
    await p.set(store, 'b', sess());
    expect(await p.length(store)).toBe(2);
    await p.clear(store);
    expect(await p.length(store)).toBe(0);
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

  it('when the database fails, then errors go to the callback and nothing is thrown', async () => {
    const db = openDatabase(':memory:');
    const store = makeStore(db);
    db.close();
    await expect(p.get(store, 's')).rejects.toThrow();
    await expect(p.set(store, 's', sess())).rejects.toThrow();
    await expect(p.length(store)).rejects.toThrow();
    expect(() => store.destroy('s')).not.toThrow();
  });

  it('when the database is closed and reopened (restart between Buy and return), then the session survives', async () => {
    const file = tmp.file('sessions.sqlite');
    const before = openDatabase(file);
    const first = makeStore(before);
    await p.set(first, 'buyer', sess({ pendingOrderId: 42, csrfSecret: 's3' }, { maxAge: HOUR }));
    first.close();
    before.close();

    const after = openDatabase(file);
    try {
      const second = makeStore(after);
      expect(await p.get(second, 'buyer')).toMatchObject({ pendingOrderId: 42, csrfSecret: 's3' });
    } finally {
      after.close();
    }
  });

  it('when used by express-session middleware, then a session created in one request is loaded in the next', async () => {
    const { default: express } = await import('express');
    const { default: request } = await import('supertest');
    const db = openDatabase(':memory:');
    const store = makeStore(db);
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
