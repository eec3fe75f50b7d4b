import pg from 'pg';
import { createWriteProbe, WRITE_PROBE_SQL } from '../probe.js';
import type { Ledger } from '../types.js';
import { createTx, withClient, type Async } from './client.js';
import { createPostgresIntents } from './intents.js';
import { createPostgresLeases } from './leases.js';
import { checkParity, migratePostgres } from './migrations.js';
import { createPostgresOrders } from './orders.js';
import { createPostgresReads } from './reads.js';

export { purchaseLockId } from './writes.js';

/** The same methods as Ledger, every answer a Promise: the PostgreSQL ledger's own type. */
export type PostgresLedger = Async<Ledger>;

export interface PostgresLedgerOptions {
  now?: () => number;
  /** Connections in the pool (default 10). Each ledger call holds one for a single short transaction. */
  poolSize?: number;
  /**
   * An idle pooled connection failed (server restart, network): the pool drops it and opens another when needed.
   * The caller logs it; without this option the error is ignored, so it can never crash the process.
   */
  onPoolError?: (err: Error) => void;
}

export interface PostgresLedgerHandle {
  ledger: PostgresLedger;
  /** For /readyz: true when the database answers a read and takes the probe write (src/orders/probe.ts) within 3 s. */
  healthCheck(): Promise<boolean>;
  /** Ends the pool: waits for the calls in progress, then closes every connection. */
  close(): Promise<void>;
}

const HEALTH_TIMEOUT_MS = 3000;
const IDLE_IN_TRANSACTION_MS = 60_000;

/** BIGINT columns (ids, epoch ms, minor units) read as numbers; anything past 2^53 is refused, never rounded. */
function parseBigint(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`integer ${text} is outside the safe range`);
  return n;
}
const INT8_OID = 20;
const defaultParser = pg.types.getTypeParser.bind(pg.types) as (oid: number, format: 'text' | 'binary') => unknown;
const TYPES = {
  getTypeParser: ((oid: number, format: 'text' | 'binary' = 'text'): unknown =>
    oid === INT8_OID && format === 'text' ? parseBigint : defaultParser(oid, format)) as typeof pg.types.getTypeParser,
};

/**
 * The ledger's connection pool. Every error a connection emits has a listener, whoever holds it: an idle one's goes
 * to `onPoolError` (the pool drops that connection), one checked out by `withClient` or `pool.query` fails the call
 * in progress, and a listener added to each new connection keeps any other (a drop in a gap between the pool's
 * listener and the holder's, node-postgres issue 2762) from ending the process as an unhandled 'error' event. A
 * connection that failed so is never reused: its next query fails, and it is released with that error.
 */
export function createLedgerPool(url: string, opts: Pick<PostgresLedgerOptions, 'poolSize' | 'onPoolError'> = {}) {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.poolSize ?? 10,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
    application_name: 'storefront-ledger',
    // A ledger transaction is a few statements with no wait in between: one left open this long lost its client
    // (a network cut), and the server ends it rather than keep the order's row locked.
    idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_MS,
    types: TYPES,
  });
  const onPoolError = opts.onPoolError ?? (() => undefined);
  pool.on('error', (err) => onPoolError(err));
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

/**
 * Opens a pool on `url` (postgres:// or postgresql://), applies the migrations (safe when several instances start at
 * once) and returns the ledger. Semantics are those of the SQLite ledger (src/orders/sqlite/): every write is one
 * transaction that locks the order's row before reading it, every status change is a compare-and-set on the current
 * status, and fulfilment is a row whose primary key is the order id, written in the same transaction.
 */
export async function openPostgresLedger(url: string, opts: PostgresLedgerOptions = {}): Promise<PostgresLedgerHandle> {
  checkParity();
  const pool = createLedgerPool(url, opts);
  try {
    await withClient(pool, (client) => migratePostgres(client));
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw err;
  }
  let closed: Promise<void> | undefined;
  const writable = createWriteProbe(() => pool.query(WRITE_PROBE_SQL), { now: opts.now });
  return {
    ledger: createPostgresLedger(pool, opts),
    async healthCheck() {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), HEALTH_TIMEOUT_MS);
        timer.unref();
      });
      const read = pool.query<{ ok: number }>('SELECT 1 AS ok').then(
        (r) => r.rows[0]?.ok === 1,
        () => false,
      );
      const probe = Promise.all([read, writable()]).then(([r, w]) => r && w);
      try {
        return await Promise.race([probe, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    close() {
      closed ??= pool.end();
      return closed;
    },
  };
}

/**
 * The ledger on an existing pool whose database is migrated (openPostgresLedger does both). Each part locks, reads,
 * asks src/orders/rules.ts (or intents.ts) what to do, and writes it.
 */
export function createPostgresLedger(pool: pg.Pool, opts: { now?: () => number } = {}): PostgresLedger {
  const now = opts.now ?? Date.now;
  const tx = createTx(pool);
  return {
    ...createPostgresOrders(pool, tx, now),
    ...createPostgresReads(pool),
    ...createPostgresLeases(pool, now),
    ...createPostgresIntents(pool, tx, now),
  };
}
