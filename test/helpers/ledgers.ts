import { afterAll, afterEach, describe, expect } from '@jest/globals';
import path from 'node:path';
import pg from 'pg';
import { createLedger, type SqliteLedger } from '../../src/orders/ledger.js';
import {
  openPostgresLedger,
  type PostgresLedger,
  type PostgresLedgerHandle,
} from '../../src/orders/postgres/ledger.js';
import { tempDir } from './orders-db.js';
import { freshPostgresDatabase, serviceUrl } from './services.js';

/**
 * The shared ledger suite: `describeLedgers(title, body)` runs `body` once per implementation of `Ledger`: SQLite
 * always, PostgreSQL when TEST_DATABASE_URL is set (skipped loudly otherwise, a failure in CI; see services.ts).
 * Both are driven through the same Promise-returning interface, so every test awaits every call.
 */
export type LedgerBackend = 'sqlite' | 'postgres';
export type AsyncLedger = PostgresLedger;

export interface LedgerKit {
  backend: LedgerBackend;
  ledger: AsyncLedger;
  /** Another instance on the same database: a second connection to the file, or a second pool. */
  another: (now?: () => number) => Promise<AsyncLedger>;
  /** Every event detail exactly as stored, for checks that nothing secret reached the database. */
  rawEventDetails: () => Promise<string[]>;
}

/** A fresh, empty, migrated ledger; each call is a database of its own (a file, or a PostgreSQL schema). */
export type OpenLedger = (now?: () => number) => Promise<LedgerKit>;

/** The SQLite ledger behind the same Promise interface (its answers are synchronous; its errors become rejections). */
export function asAsync(ledger: SqliteLedger): AsyncLedger {
  const methods = ledger as unknown as Record<string, (...args: unknown[]) => unknown>;
  const wrapped: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const [name, fn] of Object.entries(methods)) {
    wrapped[name] = (...args) => new Promise((resolve) => resolve(fn(...args)));
  }
  return wrapped as unknown as AsyncLedger;
}

export function ledgerBackends(): LedgerBackend[] {
  const file = path.basename(expect.getState().testPath ?? 'this file');
  return serviceUrl('postgres', `the PostgreSQL run of the ledger suites in ${file}`)
    ? ['sqlite', 'postgres']
    : ['sqlite'];
}

export function describeLedgers(title: string, body: (open: OpenLedger, backend: LedgerBackend) => void): void {
  for (const backend of ledgerBackends()) {
    describe(`${title} [${backend}]`, () => {
      const opener = backend === 'sqlite' ? sqliteOpener() : postgresOpener();
      afterEach(() => opener.closeOpened());
      afterAll(() => opener.closeAll());
      body(opener.open, backend);
    });
  }
}

interface Opener {
  open: OpenLedger;
  closeOpened(): Promise<void>;
  closeAll(): Promise<void>;
}

function sqliteOpener(): Opener {
  const tmp = tempDir('ledger-suite-');
  let n = 0;
  const open = (now: () => number = Date.now): LedgerKit => {
    const name = `ledger-${(n += 1)}.sqlite`;
    const db = tmp.open(name);
    return {
      backend: 'sqlite',
      ledger: asAsync(createLedger(db, { now })),
      another: (otherNow = now) => Promise.resolve(asAsync(createLedger(tmp.open(name), { now: otherNow }))),
      rawEventDetails: () =>
        Promise.resolve(db.prepare<[], string | null>('SELECT detail FROM order_events').pluck().all().map(String)),
    };
  };
  return {
    open: (now) => Promise.resolve(open(now)),
    closeOpened: () => Promise.resolve(),
    closeAll: () => Promise.resolve(tmp.cleanup()),
  };
}

/** One database per describe block (created on first use, dropped after), one schema per opened ledger. */
function postgresOpener(): Opener {
  let database: Promise<{ url: string; drop: () => Promise<void>; admin: pg.Pool }> | undefined;
  let opened: PostgresLedgerHandle[] = [];
  let n = 0;
  const db = () =>
    (database ??= freshPostgresDatabase().then((d) => {
      const admin = new pg.Pool({ connectionString: d.url, max: 2 });
      admin.on('error', () => undefined);
      return { ...d, admin };
    }));
  const track = (h: PostgresLedgerHandle) => {
    opened.push(h);
    return h.ledger;
  };
  return {
    open: async (now = Date.now) => {
      const { url, admin } = await db();
      const schema = `ledger_${(n += 1)}`;
      await admin.query(`CREATE SCHEMA ${schema}`);
      const schemaUrl = new URL(url);
      schemaUrl.searchParams.set('options', `-c search_path=${schema}`);
      const at = schemaUrl.toString();
      return {
        backend: 'postgres',
        ledger: track(await openPostgresLedger(at, { now, poolSize: 4 })),
        another: async (otherNow = now) => track(await openPostgresLedger(at, { now: otherNow, poolSize: 4 })),
        rawEventDetails: async () =>
          (await admin.query<{ detail: string | null }>(`SELECT detail FROM ${schema}.order_events`)).rows.map((r) =>
            String(r.detail),
          ),
      };
    },
    closeOpened: async () => {
      const handles = opened;
      opened = [];
      await Promise.all(handles.map((h) => h.close()));
    },
    closeAll: async () => {
      await Promise.all(opened.map((h) => h.close()));
      opened = [];
      if (!database) return;
      const { admin, drop } = await database;
      await admin.end();
      await drop();
    },
  };
}
