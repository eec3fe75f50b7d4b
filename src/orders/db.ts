import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import path from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { Sqlite } from './driver.js';
import { MIGRATIONS, type Migration } from './migrations.js';
import { createWriteProbe, WRITE_PROBE_SQL, type WriteProbeOptions } from './probe.js';

export type Database = BetterSqlite3.Database;

const BUSY_TIMEOUT_MS = 5000;

function isMemory(file: string): boolean {
  return file === ':memory:' || file === '';
}

/**
 * Opens (creating if needed) the SQLite database and brings its schema up to date.
 * `file` is a path or ':memory:'. The caller owns the handle and closes it on shutdown.
 */
export function openDatabase(file: string): Database {
  if (!isMemory(file)) {
    // 0700: the file holds session ids and the order ledger.
    mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
    ownerOnly(file);
  }
  const db = new Sqlite(file, { timeout: BUSY_TIMEOUT_MS });
  try {
    if (!isMemory(file)) {
      // WAL: readers don't block the writer (web requests + reconciler on one file).
      db.pragma('journal_mode = WAL');
      // NORMAL, said explicitly (better-sqlite3's build already defaults WAL to it): a commit survives a crash of
      // the process; a power cut may lose the last commits, which the reconciler then re-reads from the gateway.
      // FULL would close that gap at a cost per write; see docs/decisions/0003-sqlite-ledger-and-session-store.md.
      db.pragma('synchronous = NORMAL');
    }
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    migrate(db);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/**
 * The database holds session ids and the order ledger: readable by its owner only. SQLite creates the -wal and -shm
 * files with the database file's mode, so creating the file 0600 before SQLite opens it covers all three; files left
 * group- or world-readable by an older version are tightened.
 */
function ownerOnly(file: string): void {
  closeSync(openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    if (existsSync(f) && (statSync(f).mode & 0o077) !== 0) chmodSync(f, 0o600);
  }
}

function userVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Applies every migration newer than PRAGMA user_version, each in its own IMMEDIATE
 * transaction together with the version bump, so a crash leaves the schema at a known
 * version and two processes starting at once don't both apply the same step.
 * Idempotent: re-running is a no-op.
 */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): void {
  const latest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  const current = userVersion(db);
  if (current > latest) {
    throw new Error(`database schema version ${current} is newer than this build supports (${latest})`);
  }
  const ordered = [...migrations].sort((a, b) => a.version - b.version);
  for (const m of ordered) {
    if (userVersion(db) >= m.version) continue;
    const step = db.transaction(() => {
      // Re-read inside the write lock: another process may have migrated meanwhile.
      if (userVersion(db) >= m.version) return;
      db.exec(m.sql);
      if (m.rebuildsTables && (db.pragma('foreign_key_check') as unknown[]).length > 0) {
        throw new Error(`migration ${m.version} (${m.name}) would break foreign keys`);
      }
      db.pragma(`user_version = ${m.version}`);
    });
    // Dropping a referenced table with foreign keys on would fail; the pragma only works outside a transaction.
    const foreignKeys = db.pragma('foreign_keys', { simple: true }) as number;
    if (m.rebuildsTables) db.pragma('foreign_keys = OFF');
    try {
      step.immediate();
    } finally {
      if (m.rebuildsTables) db.pragma(`foreign_keys = ${foreignKeys}`);
    }
  }
}

/**
 * For /healthz and /readyz: true when the database answers a read and takes a write (the probe row, at most every
 * 5 s: src/orders/probe.ts). A full disk fails the write while every read still answers.
 */
export function createHealthCheck(db: Database, opts?: WriteProbeOptions): () => boolean {
  let write: BetterSqlite3.Statement | undefined;
  const writable = createWriteProbe(() => (write ??= db.prepare(WRITE_PROBE_SQL)).run(), opts);
  return () => isDatabaseUsable(db) && writable() === true;
}

/** True when the database answers a trivial query (a read only: see createHealthCheck). */
export function isDatabaseUsable(db: Database): boolean {
  try {
    return db.open && db.prepare('SELECT 1 AS ok').get() !== undefined;
  } catch {
    return false;
  }
}
