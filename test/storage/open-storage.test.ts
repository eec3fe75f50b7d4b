// openStorage (src/storage/index.ts): which state lives where for each combination of DATABASE_URL and REDIS_URL,
// what the operator is told, and that a server that can't be reached stops start-up with a message naming the
// setting and the address, never the password.
import { existsSync, mkdtempSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config.js';
import { halfShared, openStorage, postgresAddress, StorageError } from '../../src/storage/index.js';
import session from 'express-session';
import request from 'supertest';
import { createApp } from '../../src/app.js';
import { openDatabase } from '../../src/orders/db.js';
import { createSqliteSessionStore } from '../../src/storage/sessions/sqlite.js';
import { capturedLogger } from '../helpers/logs.js';
import { startTcpProxy } from '../helpers/redis.js';
import { startShop } from '../helpers/shop.js';
import { orderInput, tempDir } from '../helpers/orders-db.js';
import { freePort } from '../helpers/shop-process.js';
import { freshPostgresDatabase, postgresUrl, redisUrl } from '../helpers/services.js';

const tmp = tempDir('open-storage-');
afterAll(() => tmp.cleanup());

const SECRET = 'session-secret-for-open-storage-0123456789';
const PASSWORD = 'pw-canary-7f3a9c';
const config = (env: Record<string, string> = {}) =>
  loadConfig({ NODE_ENV: 'test', SESSION_SECRET: SECRET, DATA_DIR: mkdtempSync(path.join(tmp.dir, 'data-')), ...env });

describe('openStorage without shared servers', () => {
  it('keeps orders and sessions in DATA_DIR/shop.db, with no rate-limit store (memory) and no extra readiness check', async () => {
    const c = config();
    const { logger } = capturedLogger();
    const storage = await openStorage(c, logger);
    try {
      expect(storage.where).toEqual({
        ledger: `SQLite ${path.join(c.dataDir, 'shop.db')}`,
        sessions: `SQLite ${path.join(c.dataDir, 'shop.db')}`,
      });
      expect(storage.rateLimitStore).toBeUndefined();
      expect(storage.readinessChecks).toEqual({});
      expect(storage.healthCheck()).toBe(true);
      expect(existsSync(path.join(c.dataDir, 'shop.db'))).toBe(true);
      const order = await storage.ledger.createOrder(orderInput());
      expect((await storage.ledger.get(order.id))?.amount).toBe(orderInput().amount);
    } finally {
      await storage.close();
    }
    expect(halfShared(c)).toBeUndefined();
  });
});

describe('a shared server that cannot be reached', () => {
  /** openStorage with `env`, which must fail with a StorageError: its message and everything logged meanwhile. */
  async function refusedStart(env: Record<string, string>): Promise<{ message: string; lines: string[] }> {
    const { logger, lines } = capturedLogger();
    const failure = await openStorage(config(env), logger).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(StorageError);
    return { message: (failure as Error).message, lines };
  }

  it('DATABASE_URL: start-up stops with the setting and host:port/database, never the password', async () => {
    const port = await freePort();
    const { message, lines } = await refusedStart({
      DATABASE_URL: `postgres://shop:${PASSWORD}@127.0.0.1:${port}/shopdb`,
    });
    expect(message).toContain(`DATABASE_URL: cannot use PostgreSQL at 127.0.0.1:${port}/shopdb`);
    expect(message).not.toContain(PASSWORD);
    expect(JSON.stringify(lines)).not.toContain(PASSWORD);
  });

  it('REDIS_URL: start-up stops with the setting and host:port, never the password', async () => {
    const port = await freePort();
    const { message, lines } = await refusedStart({ REDIS_URL: `redis://:${PASSWORD}@127.0.0.1:${port}/0` });
    expect(message).toMatch(/^cannot connect to Redis at .* \(REDIS_URL\)/);
    expect(message).toContain(`127.0.0.1:${port}`);
    expect(message).not.toContain(PASSWORD);
    expect(JSON.stringify(lines)).not.toContain(PASSWORD);
  });

  it('postgresAddress names host, port and database only', () => {
    expect(postgresAddress(`postgresql://u:${PASSWORD}@127.0.0.1/orders`)).toBe('127.0.0.1:5432/orders');
  });
});

describe('half shared: one of the two servers configured', () => {
  it('says which state still lives in this instance alone', () => {
    expect(halfShared(config({ DATABASE_URL: 'postgres://127.0.0.1/shop' }))).toMatch(
      /^DATABASE_URL is set but REDIS_URL is not: .*sessions and rate limits stay in this instance/,
    );
    expect(halfShared(config({ REDIS_URL: 'redis://127.0.0.1:6379' }))).toMatch(
      /^REDIS_URL is set but DATABASE_URL is not: .*orders stay in this instance/,
    );
    expect(halfShared(config({ DATABASE_URL: 'postgres://127.0.0.1/shop', REDIS_URL: 'redis://127.0.0.1' }))).toBe(
      undefined,
    );
  });
});

const pg = postgresUrl('openStorage with PostgreSQL and Redis (test/storage/open-storage.test.ts)');
const redis = redisUrl('openStorage with PostgreSQL and Redis (test/storage/open-storage.test.ts)');

(pg && redis ? describe : describe.skip)('openStorage with both shared servers', () => {
  it('puts the ledger in PostgreSQL and sessions and limits in Redis, with both in readiness and no local file', async () => {
    const database = await freshPostgresDatabase();
    const c = config({ DATABASE_URL: database.url, REDIS_URL: redis! });
    const { logger } = capturedLogger();
    const storage = await openStorage(c, logger);
    try {
      expect(storage.where.ledger).toMatch(/^PostgreSQL at 127\.0\.0\.1:\d+\/ledger_test_/);
      expect(storage.where.sessions).toMatch(/^Redis at 127\.0\.0\.1:\d+$/);
      expect(typeof storage.rateLimitStore).toBe('function');
      expect(Object.keys(storage.readinessChecks).sort()).toEqual(['database', 'redis']);
      expect(await storage.readinessChecks.database!()).toBe(true);
      expect(await storage.readinessChecks.redis!()).toBe(true);
      // Nothing lives in this instance: no SQLite file is created, and liveness does not hang on the shared servers.
      expect(existsSync(path.join(c.dataDir, 'shop.db'))).toBe(false);
      expect(storage.healthCheck()).toBe(true);
    } finally {
      await storage.close();
      await database.drop();
    }
  });

  it('when PostgreSQL goes away, the shop is unready (database failed) but alive, and ready again once it is back', async () => {
    const database = await freshPostgresDatabase();
    const relay = await startTcpProxy(database.url);
    // The relay's port is not 5432: the URL is rewritten with it (startTcpProxy defaults to Redis' port only).
    const c = config({ DATABASE_URL: relay.url(database.url) });
    const { logger, lines } = capturedLogger();
    const storage = await openStorage(c, logger);
    const sessionStore = createSqliteSessionStore(session, openDatabase(':memory:'), { cleanupIntervalMs: 0 });
    const shop = await startShop();
    const app = createApp({
      ...shop.deps,
      ledger: storage.ledger,
      sessionStore,
      healthCheck: storage.healthCheck,
      readinessChecks: { ...storage.readinessChecks, gateway: () => true },
    });
    try {
      await request(app).get('/readyz').expect(200);
      await relay.down();
      const unready = await request(app).get('/readyz').expect(503);
      expect(unready.body).toEqual({ status: 'unavailable', checks: { database: 'failed', gateway: 'ok' } });
      await request(app).get('/healthz').expect(200);
      // A page that needs the ledger answers the error page, not a hang or a stack trace.
      const page = await request(app).get('/checkout/return?orderId=some-order').expect(500);
      expect(page.text).toMatch(/Something went wrong/);
      expect(page.text).not.toMatch(/ECONNREFUSED|pg|postgres/i);
      await relay.up();
      await request(app).get('/readyz').expect(200);
      await request(app).get('/checkout/return?orderId=some-order').expect(404);
      expect(lines.join('')).not.toContain(database.url);
    } finally {
      sessionStore.close();
      await shop.close();
      await storage.close();
      await relay.down();
      await database.drop();
    }
  }, 30_000);
});
