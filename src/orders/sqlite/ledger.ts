import type { Database } from '../db.js';
import type { Ledger, Synchronous } from '../types.js';
import { createSqliteIntents } from './intents.js';
import { createSqliteLeases } from './leases.js';
import { createSqliteOrders } from './orders.js';
import { createSqliteReads } from './reads.js';
import { createSqliteKit } from './writes.js';

/** The SQLite ledger answers synchronously (better-sqlite3); it is a Ledger, whose callers await every answer. */
export type SqliteLedger = Synchronous<Ledger>;

/**
 * The order ledger on SQLite. Every write runs in an IMMEDIATE transaction (the write lock is taken before the row
 * is read), and every status change is a compare-and-set on the current status, so concurrent callers — on this
 * connection or another process — can't both win. What each write does is decided in src/orders/rules.ts.
 */
export function createLedger(db: Database, opts: { now?: () => number } = {}): SqliteLedger {
  const kit = createSqliteKit(db, opts.now ?? Date.now);
  return {
    ...createSqliteOrders(kit),
    ...createSqliteReads(kit),
    ...createSqliteLeases(kit),
    ...createSqliteIntents(kit),
  };
}
