import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import path from 'node:path';
import { Sqlite, type SqliteDatabase } from './sqlite.js';

/** The sandbox's database file inside its data folder (DATA_DIR/sandbox embedded, SANDBOX_DATA_DIR standalone). */
export const SANDBOX_DB_FILE = 'sandbox.db';

/** One forward-only schema step; `version` goes into PRAGMA user_version. Never edit a shipped one: append. */
export interface SandboxMigration {
  version: number;
  name: string;
  sql: string;
}

export const SANDBOX_MIGRATIONS: readonly SandboxMigration[] = [
  {
    version: 1,
    name: 'orders with their journal, and a few facts about the last stop',
    sql: `
      -- seq keeps creation order (oldest evicted first, newest listed first), as the in-memory store's Map does.
      -- data is the whole order as JSON: the store keeps every order in memory and only writes through here.
      CREATE TABLE orders (
        seq            INTEGER PRIMARY KEY AUTOINCREMENT,
        id             TEXT    NOT NULL UNIQUE,
        merchant_login TEXT    NOT NULL,
        order_number   TEXT    NOT NULL,
        data           TEXT    NOT NULL,
        -- The operations view's history of the order (journal.ts), capped there; NULL until the first record.
        journal        TEXT,
        UNIQUE (merchant_login, order_number)
      ) STRICT;
      CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 2,
    name: 'the integration journal (traffic.ts): REST calls, hosted-page steps and callbacks per merchant',
    sql: `
      -- seq is the journal's own sequence id; merchant is the login ('' for calls naming no known merchant), the
      -- bucket its per-merchant bound counts; data is the whole entry as JSON, secrets already redacted.
      CREATE TABLE journal_entries (
        seq      INTEGER PRIMARY KEY,
        merchant TEXT    NOT NULL,
        data     TEXT    NOT NULL
      ) STRICT;
    `,
  },
];

/** The database is in use by another process (another sandbox on the same data folder). */
export class SandboxDatabaseError extends Error {
  override readonly name = 'SandboxDatabaseError';
}

/**
 * Opens (creating if needed) `<dir>/sandbox.db`, or an in-memory database for ':memory:', and brings its schema up
 * to date. The folder is made 0700 and the files 0600: they hold what buyers typed on the hosted page (masked card
 * numbers, names) and the callback history. The connection takes SQLite's exclusive lock, so a second sandbox on
 * the same folder fails at start instead of working on a copy of the orders that the first one never sees.
 */
export function openSandboxDatabase(dir: string): { db: SqliteDatabase; file: string } {
  const memory = dir === ':memory:';
  const file = memory ? ':memory:' : path.join(path.resolve(dir), SANDBOX_DB_FILE);
  if (!memory) {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    ownerOnly(path.dirname(file), 0o700);
    // Created 0600 before SQLite opens it; SQLite gives its -wal and -shm files the database file's mode.
    closeSync(openSync(file, 'a', 0o600));
    for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) ownerOnly(f, 0o600);
  }
  const db = new Sqlite(file, { timeout: 0 });
  try {
    if (!memory) {
      db.pragma('locking_mode = EXCLUSIVE');
      db.pragma('journal_mode = WAL');
      // A commit survives a crash of the process; a power cut may lose the last ones. It is a sandbox.
      db.pragma('synchronous = NORMAL');
      // The first write takes the exclusive lock and keeps it until close().
      db.exec('BEGIN IMMEDIATE; COMMIT');
    }
    migrateSandboxDatabase(db);
  } catch (err) {
    db.close();
    if (isLocked(err))
      throw new SandboxDatabaseError(
        `the sandbox database ${file} is in use by another process: give each sandbox its own data folder`,
        { cause: err },
      );
    throw err;
  }
  return { db, file };
}

/** Applies every migration newer than PRAGMA user_version, each in one transaction with its version bump. */
export function migrateSandboxDatabase(
  db: SqliteDatabase,
  migrations: readonly SandboxMigration[] = SANDBOX_MIGRATIONS,
): void {
  const version = () => db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  if (version() > latest)
    throw new SandboxDatabaseError(
      `the sandbox database schema version ${version()} is newer than this build supports (${latest})`,
    );
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (version() >= m.version) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
}

/** Takes group/other permissions away (a copy or an old umask may have added them). */
function ownerOnly(target: string, mode: number): void {
  if (process.platform === 'win32') return;
  if ((statSync(target).mode & 0o777) !== mode) chmodSync(target, mode);
}

/**
 * SQLITE_BUSY or SQLITE_LOCKED: another connection holds the lock. Read from the error's code, not by instanceof: the
 * native addon keeps the SqliteError class of the first copy of the driver a process loaded (a jest worker loads
 * several), so an error may come from another copy's class.
 */
function isLocked(err: unknown): boolean {
  const code = typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
  return typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)/.test(code);
}
