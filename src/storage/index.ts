import path from 'node:path';
import session from 'express-session';
import type { Store as RateLimitStore } from 'express-rate-limit';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { ReadinessCheck } from '../metrics/readiness.js';
import { createHealthCheck, openDatabase, type Database } from '../orders/db.js';
import { createLedger } from '../orders/ledger.js';
import { createSqliteSessionStore } from './sessions/sqlite.js';
import type { Ledger } from '../orders/types.js';
import type { RedisState } from './redis.js';

/** Where this instance keeps its state (docs/decisions/0011-shared-state.md). */
export interface Storage {
  ledger: Ledger;
  sessionStore: session.Store;
  /** Present with REDIS_URL: every rate limiter counts in Redis, so a limit holds across instances. */
  rateLimitStore: ((name: string) => RateLimitStore) | undefined;
  /** Present with REDIS_URL: a claim on a key for some milliseconds across instances (PaymentsDeps.cooldown). */
  cooldown: ((key: string, ms: number) => Promise<boolean>) | undefined;
  /** Liveness (/healthz): this instance's own storage. Never the shared servers: their outage is not a reason to restart. */
  healthCheck: () => boolean;
  /** Readiness (/readyz): `database` (whichever holds the ledger) and, with REDIS_URL, `redis`. */
  readinessChecks: Record<string, ReadinessCheck>;
  /** What the start-up log says: where each kind of state lives. Addresses only, never credentials. */
  where: { ledger: string; sessions: string };
  /** Closes every connection and file, the shared ones last. */
  close(): Promise<void>;
}

/** A start-up failure of a shared server, worded for the operator: the setting, the address, the cause. */
export class StorageError extends Error {
  override readonly name = 'StorageError';
}

/**
 * Opens the ledger and the session store the configuration asks for: SQLite under DATA_DIR by default, PostgreSQL
 * with DATABASE_URL, Redis with REDIS_URL. The SQLite file is opened only when something lives in it. Migrations run
 * here, on either database, safely when several instances start at once.
 */
export async function openStorage(config: Config, logger: Logger): Promise<Storage> {
  const { databaseUrl, redisUrl } = config.storage;
  const closers: Array<() => Promise<void> | void> = [];
  const close = async () => {
    for (const c of closers.splice(0).reverse()) await c();
  };
  try {
    let db: Database | undefined;
    const sqlite = (): Database => {
      if (!db) {
        const opened = openDatabase(path.join(config.dataDir, 'shop.db'));
        closers.push(() => {
          opened.close();
        });
        db = opened;
      }
      return db;
    };

    let ledger: Ledger;
    const readinessChecks: Record<string, ReadinessCheck> = {};
    let ledgerWhere: string;
    if (databaseUrl !== undefined) {
      const address = postgresAddress(databaseUrl);
      // Loaded only when configured: the pg client costs a default (SQLite) start-up about 100-200 ms otherwise.
      const { openPostgresLedger } = await import('../orders/postgres/ledger.js');
      const pg = await openPostgresLedger(databaseUrl, {
        onPoolError: (err) =>
          logger.warn(
            { postgres: address, error: scrub(err.message, databaseUrl) },
            'PostgreSQL connection lost; reconnecting',
          ),
      }).catch((err: unknown) => {
        throw new StorageError(
          `DATABASE_URL: cannot use PostgreSQL at ${address}: ${scrub(messageOf(err), databaseUrl)}`,
        );
      });
      closers.push(() => pg.close());
      ledger = pg.ledger;
      readinessChecks.database = () => pg.healthCheck();
      ledgerWhere = `PostgreSQL at ${address}`;
    } else {
      ledger = createLedger(sqlite());
      ledgerWhere = `SQLite ${path.join(config.dataDir, 'shop.db')}`;
    }

    let sessionStore: session.Store;
    let rateLimitStore: Storage['rateLimitStore'];
    let cooldown: Storage['cooldown'];
    let sessionsWhere: string;
    if (redisUrl !== undefined) {
      // Loaded only when configured, like the PostgreSQL ledger.
      const { openRedis, redisAddress } = await import('./redis.js');
      const redis: RedisState = await openRedis(redisUrl, { logger }).catch((err: unknown) => {
        // openRedis names REDIS_URL and the address itself.
        throw new StorageError(scrub(messageOf(err), redisUrl));
      });
      closers.push(() => redis.close());
      sessionStore = redis.sessionStore;
      rateLimitStore = (name) => redis.rateLimitStore(name);
      cooldown = (key, ms) => redis.cooldown(key, ms);
      readinessChecks.redis = redis.readiness;
      sessionsWhere = `Redis at ${redisAddress(redisUrl)}`;
    } else {
      const store = createSqliteSessionStore(session, sqlite());
      closers.push(() => store.close());
      sessionStore = store;
      sessionsWhere = `SQLite ${path.join(config.dataDir, 'shop.db')}`;
    }

    const local = db;
    return {
      ledger,
      sessionStore,
      rateLimitStore,
      cooldown,
      healthCheck: local ? createHealthCheck(local) : () => true,
      readinessChecks,
      where: { ledger: ledgerWhere, sessions: sessionsWhere },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/**
 * What the operator is told when only one of the two shared servers is configured: the state that still lives in
 * this instance alone. Undefined when both or neither are set.
 */
export function halfShared(config: Config): string | undefined {
  const { databaseUrl, redisUrl } = config.storage;
  if (databaseUrl !== undefined && redisUrl === undefined)
    return 'DATABASE_URL is set but REDIS_URL is not: orders are shared, but sessions and rate limits stay in this instance (SQLite and memory); set REDIS_URL before running a second instance';
  if (redisUrl !== undefined && databaseUrl === undefined)
    return 'REDIS_URL is set but DATABASE_URL is not: sessions and rate limits are shared, but orders stay in this instance (SQLite); set DATABASE_URL before running a second instance';
  return undefined;
}

/** `host:port/database` of a PostgreSQL URL: what messages and logs may name. Never the user or password. */
export function postgresAddress(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return '(unparsable DATABASE_URL)';
  }
}

function messageOf(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return err.errors.map(messageOf).join('; ');
  return err instanceof Error ? err.message || err.name : String(err);
}

/** Removes the URL (and its password) from a message, should a driver ever repeat them. */
function scrub(text: string, url: string): string {
  let out = text;
  try {
    const u = new URL(url);
    for (const secret of [u.password, decodeURIComponent(u.password)]) {
      if (secret.length > 0) out = out.split(secret).join('***');
    }
  } catch {
    // unparsable: the config check refuses such a URL before this runs
  }
  return out.split(url).join('***');
}
