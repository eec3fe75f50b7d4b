import { LOCAL_STATUSES } from './types.js';

/**
 * Schema migrations, applied in order. `version` is stored in PRAGMA user_version.
 * Never edit a migration that has shipped: append a new one.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
  /**
   * The step rebuilds a table that others reference (SQLite can't alter a CHECK constraint): foreign keys are
   * switched off around it and checked before it commits.
   */
  rebuildsTables?: boolean;
}

// The statuses each schema version allows. A shipped migration never changes, so each keeps its own list (the
// PostgreSQL migrations, src/orders/postgres/migrations.ts, use the same ones).
export const V1_STATUSES: readonly string[] = [
  'new',
  'registered',
  'register_failed',
  'register_unknown',
  'processing',
  'authorized',
  'paid',
  'declined',
  'reversed',
  'refunded',
  'mismatch',
];
/** A status list as SQL string literals, for a CHECK constraint. */
export const quoted = (list: readonly string[]) => list.map((s) => `'${s}'`).join(', ');
const statusList = quoted(V1_STATUSES);

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'orders and order events',
    sql: `
      -- AUTOINCREMENT: ids (part of orderNumber) are never reused, even after a row is deleted.
      CREATE TABLE orders (
        id               INTEGER PRIMARY KEY AUTOINCREMENT,
        order_number     TEXT    NOT NULL UNIQUE
                         CHECK (length(order_number) BETWEEN 1 AND 32 AND order_number NOT GLOB '*[^ -~]*'),
        gateway_order_id TEXT    UNIQUE,
        form_url         TEXT,
        items            TEXT    NOT NULL,
        amount           INTEGER NOT NULL CHECK (amount > 0),
        currency         TEXT    NOT NULL CHECK (length(currency) = 3 AND currency NOT GLOB '*[^0-9]*'),
        flow             TEXT    NOT NULL CHECK (flow IN ('one-phase', 'two-phase')),
        language         TEXT    NOT NULL,
        status           TEXT    NOT NULL CHECK (status IN (${statusList})),
        action_code      INTEGER,
        gateway_status   INTEGER,
        purchase_key     TEXT,
        created_at       INTEGER NOT NULL,
        updated_at       INTEGER NOT NULL,
        paid_at          INTEGER
      ) STRICT;
      -- One pending order per purchase: double click / two tabs cannot register twice.
      CREATE UNIQUE INDEX orders_pending_purchase_key ON orders (purchase_key)
        WHERE purchase_key IS NOT NULL AND status IN ('new', 'registered');
      CREATE INDEX orders_status_created ON orders (status, created_at);

      CREATE TABLE order_events (
        id       INTEGER PRIMARY KEY AUTOINCREMENT,
        order_id INTEGER NOT NULL REFERENCES orders (id),
        at       INTEGER NOT NULL,
        kind     TEXT    NOT NULL,
        outcome  TEXT    NOT NULL,
        detail   TEXT
      ) STRICT;
      CREATE INDEX order_events_order ON order_events (order_id, id);
    `,
  },
  {
    version: 2,
    name: 'sessions',
    sql: `
      CREATE TABLE sessions (
        sid     TEXT    PRIMARY KEY,
        expires INTEGER NOT NULL,
        data    TEXT    NOT NULL
      ) STRICT;
      CREATE INDEX sessions_expires ON sessions (expires);
    `,
  },
  {
    version: 3,
    name: 'reconciler claims',
    sql: `
      -- When the reconciler last asked the gateway about the order, and which instance holds it now (until when).
      ALTER TABLE orders ADD COLUMN checked_at INTEGER;
      ALTER TABLE orders ADD COLUMN lease_until INTEGER;
      ALTER TABLE orders ADD COLUMN lease_holder TEXT;
      CREATE INDEX orders_paid_at ON orders (paid_at) WHERE paid_at IS NOT NULL;
    `,
  },
  {
    version: 4,
    name: 'fulfilments and units sold',
    sql: `
      -- The visible effect of fulfilment: one row per order, ever (the primary key makes a second one fail).
      CREATE TABLE fulfilments (
        order_id INTEGER PRIMARY KEY REFERENCES orders (id),
        at       INTEGER NOT NULL,
        status   TEXT    NOT NULL
      ) STRICT;
      -- Units shipped per product, counted in the same transaction as the fulfilment.
      CREATE TABLE product_sales (
        product_id TEXT    PRIMARY KEY,
        sold       INTEGER NOT NULL CHECK (sold >= 0)
      ) STRICT;
    `,
  },
  {
    version: 5,
    name: 'amounts over time, partially refunded',
    rebuildsTables: true,
    sql: `
      CREATE TABLE orders_v5 (
        id               INTEGER PRIMARY KEY AUTOINCREMENT,
        order_number     TEXT    NOT NULL UNIQUE
                         CHECK (length(order_number) BETWEEN 1 AND 32 AND order_number NOT GLOB '*[^ -~]*'),
        gateway_order_id TEXT    UNIQUE,
        form_url         TEXT,
        items            TEXT    NOT NULL,
        amount           INTEGER NOT NULL CHECK (amount > 0),
        currency         TEXT    NOT NULL CHECK (length(currency) = 3 AND currency NOT GLOB '*[^0-9]*'),
        flow             TEXT    NOT NULL CHECK (flow IN ('one-phase', 'two-phase')),
        language         TEXT    NOT NULL,
        status           TEXT    NOT NULL CHECK (status IN (${quoted(LOCAL_STATUSES)})),
        action_code      INTEGER,
        gateway_status   INTEGER,
        purchase_key     TEXT,
        created_at       INTEGER NOT NULL,
        updated_at       INTEGER NOT NULL,
        paid_at          INTEGER,
        checked_at       INTEGER,
        lease_until      INTEGER,
        lease_holder     TEXT,
        -- What the gateway last said was captured and refunded, in minor units; they only ever grow.
        deposited_amount INTEGER NOT NULL DEFAULT 0 CHECK (deposited_amount >= 0),
        refunded_amount  INTEGER NOT NULL DEFAULT 0 CHECK (refunded_amount >= 0)
      ) STRICT;
      INSERT INTO orders_v5 (id, order_number, gateway_order_id, form_url, items, amount, currency, flow, language,
          status, action_code, gateway_status, purchase_key, created_at, updated_at, paid_at, checked_at, lease_until,
          lease_holder)
        SELECT id, order_number, gateway_order_id, form_url, items, amount, currency, flow, language, status,
          action_code, gateway_status, purchase_key, created_at, updated_at, paid_at, checked_at, lease_until,
          lease_holder
        FROM orders;
      -- Ids are never reused: carry the AUTOINCREMENT high-water mark over, even past deleted rows.
      DELETE FROM sqlite_sequence WHERE name = 'orders_v5';
      INSERT INTO sqlite_sequence (name, seq) SELECT 'orders_v5', seq FROM sqlite_sequence WHERE name = 'orders';
      DROP TABLE orders;
      ALTER TABLE orders_v5 RENAME TO orders;
      CREATE UNIQUE INDEX orders_pending_purchase_key ON orders (purchase_key)
        WHERE purchase_key IS NOT NULL AND status IN ('new', 'registered');
      CREATE INDEX orders_status_created ON orders (status, created_at);
      CREATE INDEX orders_paid_at ON orders (paid_at) WHERE paid_at IS NOT NULL;
    `,
  },
  {
    version: 6,
    name: 'back-office intents',
    sql: `
      -- One row per confirmation form of a capture, void or refund: its one-time token (as a SHA-256), the order as
      -- the form showed it, and, once claimed, the amount and the gateway's answer (see src/orders/intents.ts).
      CREATE TABLE admin_intents (
        token_hash     TEXT    PRIMARY KEY CHECK (length(token_hash) = 64),
        ref            TEXT    NOT NULL UNIQUE CHECK (length(ref) BETWEEN 1 AND 36),
        order_id       INTEGER NOT NULL REFERENCES orders (id),
        action         TEXT    NOT NULL CHECK (action IN ('capture', 'void', 'refund')),
        actor          TEXT    NOT NULL,
        issued_at      INTEGER NOT NULL,
        state          TEXT    NOT NULL CHECK (state IN ('issued', 'pending', 'done', 'refused', 'unknown')),
        amount         INTEGER CHECK (amount > 0),
        claimed_at     INTEGER,
        attempts       INTEGER NOT NULL DEFAULT 0,
        answer         TEXT,
        seen_status    TEXT    NOT NULL,
        seen_deposited INTEGER NOT NULL,
        seen_refunded  INTEGER NOT NULL,
        seen_claims    INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX admin_intents_order ON admin_intents (order_id, state);
      CREATE INDEX admin_intents_issued ON admin_intents (issued_at) WHERE state = 'issued';
    `,
  },
  {
    version: 7,
    name: 'card line',
    sql: `
      -- What the status answer said about the card (src/orders/card.ts): a masked number and the payment way only.
      ALTER TABLE orders ADD COLUMN card_masked_pan TEXT;
      ALTER TABLE orders ADD COLUMN card_payment_way TEXT;
    `,
  },
  {
    version: 8,
    name: 'reconciler schedule',
    sql: `
      -- When the reconciler asks about the order next: it backs off per order (minutes growing to hours), and the
      -- schedule is kept here so that it holds across instances and restarts. NULL: not scheduled yet (due at once).
      ALTER TABLE orders ADD COLUMN next_check_at INTEGER;
      -- A run renews and ends its own leases every few seconds: found by holder, not by reading every order.
      CREATE INDEX orders_lease_holder ON orders (lease_holder) WHERE lease_holder IS NOT NULL;
    `,
  },
  {
    version: 9,
    name: 'claim owners and the write probe',
    sql: `
      -- Which process holds a 'new' order's purchase claim (src/orders/claims.ts): a restarted instance takes over
      -- the claims of its own previous life at once.
      ALTER TABLE orders ADD COLUMN claim_owner TEXT;
      -- One row, rewritten in place by the readiness check's write probe: proves the ledger still takes writes.
      CREATE TABLE write_probe (
        id     INTEGER PRIMARY KEY CHECK (id = 1),
        writes INTEGER NOT NULL
      ) STRICT;
    `,
  },
];
