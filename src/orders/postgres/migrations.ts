import type pg from 'pg';
// Each shipped step keeps its own status list: the SQLite steps' lists.
import { MIGRATIONS as SQLITE_MIGRATIONS, V1_STATUSES, quoted } from '../migrations.js';
import { LOCAL_STATUSES } from '../types.js';

/**
 * The PostgreSQL schema steps: the same versions and names as the SQLite list (src/orders/migrations.ts), ending at
 * the same logical schema. Applied versions are rows of `schema_migrations`. Never edit a step that has shipped:
 * append one, here and in the SQLite list.
 */
export interface PgMigration {
  version: number;
  name: string;
  sql: string;
}

export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    name: 'orders and order events',
    sql: `
      -- BIGSERIAL: ids (part of orderNumber) come from a sequence and are never reused, even after a rollback.
      CREATE TABLE orders (
        id               BIGSERIAL PRIMARY KEY,
        order_number     TEXT    NOT NULL UNIQUE
                         CHECK (length(order_number) BETWEEN 1 AND 32 AND order_number ~ '^[ -~]+$'),
        gateway_order_id TEXT    UNIQUE,
        form_url         TEXT,
        items            TEXT    NOT NULL,
        amount           BIGINT  NOT NULL CHECK (amount > 0),
        currency         TEXT    NOT NULL CHECK (currency ~ '^[0-9]{3}$'),
        flow             TEXT    NOT NULL CHECK (flow IN ('one-phase', 'two-phase')),
        language         TEXT    NOT NULL,
        status           TEXT    NOT NULL CONSTRAINT orders_status_check CHECK (status IN (${quoted(V1_STATUSES)})),
        action_code      INTEGER,
        gateway_status   INTEGER,
        purchase_key     TEXT,
        created_at       BIGINT  NOT NULL,
        updated_at       BIGINT  NOT NULL,
        paid_at          BIGINT
      );
      -- One pending order per purchase: double click / two tabs / two instances cannot register twice.
      CREATE UNIQUE INDEX orders_pending_purchase_key ON orders (purchase_key)
        WHERE purchase_key IS NOT NULL AND status IN ('new', 'registered');
      CREATE INDEX orders_status_created ON orders (status, created_at);

      CREATE TABLE order_events (
        id       BIGSERIAL PRIMARY KEY,
        order_id BIGINT NOT NULL REFERENCES orders (id),
        at       BIGINT NOT NULL,
        kind     TEXT   NOT NULL,
        outcome  TEXT   NOT NULL,
        detail   TEXT
      );
      CREATE INDEX order_events_order ON order_events (order_id, id);
    `,
  },
  {
    version: 2,
    name: 'sessions',
    // Sessions live in Redis (or in the SQLite file) when the ledger is in PostgreSQL: the step is kept so that both
    // lists count the same versions, and creates nothing.
    sql: `SELECT 1`,
  },
  {
    version: 3,
    name: 'reconciler claims',
    sql: `
      ALTER TABLE orders ADD COLUMN checked_at BIGINT;
      ALTER TABLE orders ADD COLUMN lease_until BIGINT;
      ALTER TABLE orders ADD COLUMN lease_holder TEXT;
      CREATE INDEX orders_paid_at ON orders (paid_at) WHERE paid_at IS NOT NULL;
    `,
  },
  {
    version: 4,
    name: 'fulfilments and units sold',
    sql: `
      CREATE TABLE fulfilments (
        order_id BIGINT PRIMARY KEY REFERENCES orders (id),
        at       BIGINT NOT NULL,
        status   TEXT   NOT NULL
      );
      CREATE TABLE product_sales (
        product_id TEXT   PRIMARY KEY,
        sold       BIGINT NOT NULL CHECK (sold >= 0)
      );
    `,
  },
  {
    version: 5,
    name: 'amounts over time, partially refunded',
    // PostgreSQL alters a CHECK in place: no table rebuild, ids and sequences stay as they are.
    sql: `
      ALTER TABLE orders DROP CONSTRAINT orders_status_check;
      ALTER TABLE orders ADD CONSTRAINT orders_status_check CHECK (status IN (${quoted(LOCAL_STATUSES)}));
      ALTER TABLE orders ADD COLUMN deposited_amount BIGINT NOT NULL DEFAULT 0 CHECK (deposited_amount >= 0);
      ALTER TABLE orders ADD COLUMN refunded_amount BIGINT NOT NULL DEFAULT 0 CHECK (refunded_amount >= 0);
    `,
  },
  {
    version: 6,
    name: 'back-office intents',
    sql: `
      CREATE TABLE admin_intents (
        token_hash     TEXT    PRIMARY KEY CHECK (length(token_hash) = 64),
        ref            TEXT    NOT NULL UNIQUE CHECK (length(ref) BETWEEN 1 AND 36),
        order_id       BIGINT  NOT NULL REFERENCES orders (id),
        action         TEXT    NOT NULL CHECK (action IN ('capture', 'void', 'refund')),
        actor          TEXT    NOT NULL,
        issued_at      BIGINT  NOT NULL,
        state          TEXT    NOT NULL CHECK (state IN ('issued', 'pending', 'done', 'refused', 'unknown')),
        amount         BIGINT  CHECK (amount > 0),
        claimed_at     BIGINT,
        attempts       INTEGER NOT NULL DEFAULT 0,
        answer         TEXT,
        seen_status    TEXT    NOT NULL,
        seen_deposited BIGINT  NOT NULL,
        seen_refunded  BIGINT  NOT NULL,
        seen_claims    INTEGER NOT NULL
      );
      CREATE INDEX admin_intents_order ON admin_intents (order_id, state);
      CREATE INDEX admin_intents_issued ON admin_intents (issued_at) WHERE state = 'issued';
    `,
  },
  {
    version: 7,
    name: 'card line',
    sql: `
      ALTER TABLE orders ADD COLUMN card_masked_pan TEXT;
      ALTER TABLE orders ADD COLUMN card_payment_way TEXT;
    `,
  },
  {
    version: 8,
    name: 'reconciler schedule',
    sql: `
      ALTER TABLE orders ADD COLUMN next_check_at BIGINT;
      CREATE INDEX orders_lease_holder ON orders (lease_holder) WHERE lease_holder IS NOT NULL;
    `,
  },
  {
    version: 9,
    name: 'claim owners and the write probe',
    sql: `
      ALTER TABLE orders ADD COLUMN claim_owner TEXT;
      CREATE TABLE write_probe (
        id     INTEGER PRIMARY KEY CHECK (id = 1),
        writes BIGINT  NOT NULL
      );
    `,
  },
];

/** Both lists must name the same steps; a test checks it, and so does every start (cheap, and fails loudly). */
export function checkParity(sqlite = SQLITE_MIGRATIONS, postgres = PG_MIGRATIONS): void {
  const names = (list: readonly { version: number; name: string }[]) =>
    list.map((m) => `${m.version} ${m.name}`).join('\n');
  if (names(sqlite) !== names(postgres)) {
    throw new Error('the PostgreSQL migrations do not match the SQLite ones (versions and names)');
  }
}

/**
 * Serialises migrations across every instance using this database: taken with pg_advisory_xact_lock, so it is
 * released with each step's transaction. An arbitrary constant, only unique among this application's locks.
 */
export const MIGRATION_LOCK = 0x5242_5330_0001n;

/**
 * Applies every step newer than the database, each in its own transaction together with its `schema_migrations`
 * row, under the migration lock; the version is re-read under the lock, so two instances starting at once apply
 * each step exactly once (the second waits, then finds it done). A database newer than this build is refused.
 * Returns the version the database is at.
 */
export async function migratePostgres(
  client: pg.ClientBase,
  migrations: readonly PgMigration[] = PG_MIGRATIONS,
): Promise<number> {
  const ordered = [...migrations].sort((a, b) => a.version - b.version);
  const latest = ordered.at(-1)?.version ?? 0;
  for (;;) {
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK.toString()]);
      await client.query(
        `CREATE TABLE IF NOT EXISTS schema_migrations (
           version    INTEGER PRIMARY KEY,
           name       TEXT    NOT NULL,
           applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
         )`,
      );
      const { rows } = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
      const current = rows[0]?.v ?? 0;
      if (current > latest) {
        throw new Error(`database schema version ${current} is newer than this build supports (${latest})`);
      }
      const next = ordered.find((m) => m.version > current);
      if (!next) {
        await client.query('COMMIT');
        return current;
      }
      await client.query(next.sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [next.version, next.name]);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }
}
