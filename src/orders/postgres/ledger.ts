import { createHash } from 'node:crypto';
import pg from 'pg';
import { cardToKeep } from '../card.js';
import { DuplicatePurchaseError, InvalidOrderError, InvalidTransitionError, OrderNotFoundError } from '../errors.js';
import { ownerText, pendingFate, RETIRED_BECAUSE } from '../claims.js';
import { serializeDetail } from '../events.js';
import { formatOrderNumber } from '../order-number.js';
import { createWriteProbe, WRITE_PROBE_SQL } from '../probe.js';
import { itemsJson, toEvent, toOrder, type EventRow, type OrderRow } from '../rows.js';
import {
  FULFIL_ON,
  PREDECESSORS,
  RECHECK_AFTER_PAYMENT,
  STALE_CANDIDATES,
  canTransition,
  statusFromGateway,
} from '../state-machine.js';
import { LOCAL_STATUSES } from '../types.js';
import type {
  ApplyStatusResult,
  CreateOrderInput,
  GatewayStatusInput,
  Ledger,
  LocalStatus,
  Order,
  PurchaseClaim,
  PurchasePolicy,
  ReconcileQuery,
} from '../types.js';
import { checkLabel, checkText, validateCreateOrder, validateRegistration } from '../validate.js';
import { createPostgresIntents } from './intents.js';
import { checkParity, migratePostgres } from './migrations.js';

/** The same methods as Ledger, every answer a Promise: the PostgreSQL ledger's own type. */
export type PostgresLedger = {
  [K in keyof Ledger]: Ledger[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
};

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

/** Namespace of the per-purchase advisory locks (the two-int form, apart from the migration lock). */
const PURCHASE_LOCK_SPACE = 0x5242_5331;
const HEALTH_TIMEOUT_MS = 3000;
const IDLE_IN_TRANSACTION_MS = 60_000;

/**
 * The lock id of a purchase key: 32 bits of its SHA-256, computed here rather than by a server function, so every
 * instance agrees whatever the server's version. Two keys sharing an id only wait for each other; they never mix.
 */
export function purchaseLockId(key: string): number {
  return createHash('sha256').update(key).digest().readInt32BE(0);
}
const RETRIES = 3;

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

function pgCode(err: unknown): string | undefined {
  return err instanceof pg.DatabaseError ? err.code : undefined;
}

function isPendingKeyViolation(err: unknown): boolean {
  return pgCode(err) === '23505' && (err as pg.DatabaseError).constraint === 'orders_pending_purchase_key';
}

/** Deadlock or serialization failure: the transaction was rolled back as a whole and can simply run again. */
function isRetryable(err: unknown): boolean {
  const code = pgCode(err);
  return code === '40P01' || code === '40001';
}

/** Ids arrive from URLs and forms: one that cannot exist is treated as missing, not sent to the server. */
const isId = (id: unknown): id is number => Number.isSafeInteger(id) && (id as number) > 0;
/** PostgreSQL text cannot hold NUL, so no stored value contains one. */
const storable = (s: string) => typeof s === 'string' && !s.includes('\u0000');

/** SQLite's LIKE folds ASCII letters only; PostgreSQL's ILIKE would fold more. Both sides are folded the same way. */
const FOLD = `'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'`;
const LIST_FILTER = `($1::text IS NULL OR status = $1)
  AND ($2::text IS NULL OR translate(order_number, ${FOLD}) LIKE $2 ESCAPE '\\'
       OR translate(gateway_order_id, ${FOLD}) LIKE $2 ESCAPE '\\')`;

/** An order the reconciler should look at (as the SQLite ledger's DUE): parameters $1–$7 are dueParams'. */
const DUE = `((status = ANY($1::text[]) AND created_at <= $3) OR (status = ANY($2::text[]) AND paid_at >= $4))
  AND COALESCE(checked_at, 0) <= $5 AND COALESCE(next_check_at, 0) <= $6`;

const dueParams = (r: ReconcileQuery, t: number) =>
  [STALE_CANDIDATES, RECHECK_AFTER_PAYMENT, r.openBefore, r.paidSince, r.checkedBefore, r.dueBy ?? t, t] as const;

type Client = pg.PoolClient;

/** The first error of a transaction whose connection then failed too (its ROLLBACK could not be sent). */
class LostConnectionError extends Error {
  constructor(
    override readonly cause: unknown,
    readonly lost: Error,
  ) {
    super(lost.message);
  }
}

/**
 * Runs `fn` on a client checked out of the pool, and returns it. While checked out, a client is outside the pool's
 * own error listener: a connection dropped then (a server restart, pg_terminate_backend, a network cut) emits
 * 'error' on the client, which without a listener would end the process. Here it is heard, the query in progress
 * fails with it, and the client is destroyed instead of going back to the pool.
 */
async function withClient<T>(pool: pg.Pool, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  let broken: Error | undefined;
  const onError = (err: Error) => (broken ??= err);
  c.on('error', onError);
  try {
    return await fn(c);
  } catch (err) {
    if (err instanceof LostConnectionError) broken ??= err.lost;
    throw err;
  } finally {
    c.off('error', onError);
    c.release(broken);
  }
}

/**
 * Opens a pool on `url` (postgres:// or postgresql://), applies the migrations (safe when several instances start at
 * once) and returns the ledger. Semantics are those of the SQLite ledger (src/orders/sqlite/ledger.ts): every write is one
 * transaction that locks the order's row before reading it, every status change is a compare-and-set on the current
 * status, and fulfilment is a row whose primary key is the order id, written in the same transaction.
 */
export async function openPostgresLedger(url: string, opts: PostgresLedgerOptions = {}): Promise<PostgresLedgerHandle> {
  checkParity();
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

/** The ledger on an existing pool whose database is migrated (openPostgresLedger does both). */
export function createPostgresLedger(pool: pg.Pool, opts: { now?: () => number } = {}): PostgresLedger {
  const now = opts.now ?? Date.now;

  /**
   * One transaction on one pooled connection; run again as a whole after a deadlock, or after the connection was
   * lost before COMMIT was sent (the server rolled it back with the connection). A connection lost once COMMIT was
   * sent is not run again: it may have committed. Either way the caller gets an error, never the process.
   */
  async function tx<T>(fn: (c: Client) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      let committing = false;
      try {
        return await withClient(pool, async (c) => {
          try {
            await c.query('BEGIN');
            const result = await fn(c);
            committing = true;
            await c.query('COMMIT');
            return result;
          } catch (err) {
            // A failed ROLLBACK means a broken connection: withClient's listener has seen it, or it is passed on.
            await c.query('ROLLBACK').catch((e: Error) => {
              throw new LostConnectionError(err, e);
            });
            throw err;
          }
        });
      } catch (err) {
        const cause = err instanceof LostConnectionError ? err.cause : err;
        const again = isRetryable(cause) || (err instanceof LostConnectionError && !committing);
        if (attempt < RETRIES && again) continue;
        throw cause;
      }
    }
  }

  const one = async (c: Client | pg.Pool, sql: string, params: unknown[]): Promise<Order | undefined> => {
    const { rows } = await c.query<OrderRow>(sql, params);
    return rows[0] ? toOrder(rows[0]) : undefined;
  };

  /** Reads the order and locks its row until the transaction ends: the counterpart of SQLite's IMMEDIATE. */
  const lockOrder = async (c: Client, id: number): Promise<Order> => {
    const o = isId(id) ? await one(c, 'SELECT * FROM orders WHERE id = $1 FOR UPDATE', [id]) : undefined;
    if (!o) throw new OrderNotFoundError(id);
    return o;
  };

  const writeEvent = async (
    c: Client,
    orderId: number,
    at: number,
    kind: string,
    outcome: string,
    detail?: Record<string, unknown>,
  ) => {
    await c.query('INSERT INTO order_events (order_id, at, kind, outcome, detail) VALUES ($1, $2, $3, $4, $5)', [
      orderId,
      at,
      kind,
      outcome,
      serializeDetail(detail),
    ]);
  };

  /** Per purchase key: claims and creates for one key run one after another, on every instance. */
  const lockPurchase = (c: Client, key: string) =>
    c.query('SELECT pg_advisory_xact_lock($1::int4, $2::int4)', [PURCHASE_LOCK_SPACE, purchaseLockId(key)]);

  const pendingByKey = (c: Client | pg.Pool, key: string) =>
    one(c, "SELECT * FROM orders WHERE purchase_key = $1 AND status IN ('new', 'registered')", [key]);

  /** CAS into `to`; throws if the row moved meanwhile (cannot happen under the row lock). */
  const move = async (
    c: Client,
    o: Order,
    to: LocalStatus,
    t: number,
    extra: { paidAt?: number; orderStatus?: number; actionCode?: number; deposited?: number; refunded?: number } = {},
  ): Promise<Order> => {
    const moved = await one(
      c,
      `UPDATE orders SET status = $2, updated_at = $3, paid_at = COALESCE(paid_at, $4::bigint),
         gateway_status = COALESCE($5::int, gateway_status), action_code = COALESCE($6::int, action_code),
         deposited_amount = GREATEST(deposited_amount, $7::bigint), refunded_amount = GREATEST(refunded_amount, $8::bigint)
       WHERE id = $1 AND status = ANY($9::text[])
       RETURNING *`,
      [
        o.id,
        to,
        t,
        extra.paidAt ?? null,
        extra.orderStatus ?? null,
        extra.actionCode ?? null,
        extra.deposited ?? 0,
        extra.refunded ?? 0,
        PREDECESSORS[to],
      ],
    );
    if (!moved) throw new InvalidTransitionError(o.id, (await lockOrder(c, o.id)).status, to);
    return moved;
  };

  const insertOrder = async (
    c: Client,
    input: CreateOrderInput,
    t: number,
    owner: string | null = null,
  ): Promise<Order> => {
    // The id comes first, so the orderNumber (which contains it) is written with the row.
    const { rows } = await c.query<{ id: number }>("SELECT nextval(pg_get_serial_sequence('orders', 'id')) AS id");
    const id = rows[0]!.id;
    const order = await one(
      c,
      `INSERT INTO orders (id, order_number, items, amount, currency, flow, language, status, purchase_key,
         created_at, updated_at, claim_owner)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'new', $8, $9, $9, $10)
       RETURNING *`,
      [
        id,
        formatOrderNumber(id, t),
        itemsJson(input.items),
        input.amount,
        input.currency,
        input.flow,
        input.language,
        input.purchaseKey ?? null,
        t,
        owner,
      ],
    );
    await writeEvent(c, id, t, 'created', 'ok', { amount: input.amount, currency: input.currency, flow: input.flow });
    return order!;
  };

  const fail = async (
    c: Client,
    o: Order,
    status: 'register_failed' | 'register_unknown',
    detail: Record<string, unknown>,
  ): Promise<Order> => {
    if (o.status === status) return o;
    if (o.status !== 'new') throw new InvalidTransitionError(o.id, o.status, status);
    const t = now();
    const failed = await one(
      c,
      "UPDATE orders SET status = $2, updated_at = $3 WHERE id = $1 AND status = 'new' RETURNING *",
      [o.id, status, t],
    );
    if (!failed) throw new InvalidTransitionError(o.id, (await lockOrder(c, o.id)).status, status);
    await writeEvent(c, o.id, t, 'register_error', status, detail);
    return failed;
  };

  const release = async (c: Client, o: Order, detail: Record<string, unknown> = {}): Promise<Order> => {
    if (o.purchaseKey === null || o.status === 'new') return o;
    const t = now();
    const released = await one(
      c,
      'UPDATE orders SET purchase_key = NULL, updated_at = $2 WHERE id = $1 AND purchase_key IS NOT NULL RETURNING *',
      [o.id, t],
    );
    await writeEvent(c, o.id, t, 'purchase_key', 'released', { status: o.status, ...detail });
    return released ?? o;
  };

  const claim = (input: CreateOrderInput & { purchaseKey: string }, policy: PurchasePolicy) =>
    tx(async (c): Promise<PurchaseClaim> => {
      await lockPurchase(c, input.purchaseKey);
      const { rows } = await c.query<OrderRow>(
        "SELECT * FROM orders WHERE purchase_key = $1 AND status IN ('new', 'registered') FOR UPDATE",
        [input.purchaseKey],
      );
      const pending = rows[0] ? toOrder(rows[0]) : undefined;
      const t = now();
      let retired: Order | undefined;
      if (pending) {
        const fate = pendingFate(pending, rows[0]?.claim_owner, t, policy);
        if (fate === 'in_flight') return { outcome: 'in_flight', order: pending };
        if (fate === 'reusable') return { outcome: 'reusable', order: pending, formUrl: pending.formUrl! };
        retired =
          fate === 'stale'
            ? await release(c, pending)
            : await fail(c, pending, 'register_unknown', RETIRED_BECAUSE[fate]);
      }
      const order = await insertOrder(c, input, t, ownerText(policy.owner));
      return retired ? { outcome: 'created', order, retired } : { outcome: 'created', order };
    });

  /**
   * The card line rides with the status it came with: written right after that status's compare-and-set, in its
   * transaction (cardToKeep decides what is kept). Answers the row as it then is.
   */
  const keepCard = async (c: Client, before: Order, after: Order, card: GatewayStatusInput['card']): Promise<Order> => {
    const kept = cardToKeep(before.card, card);
    if (kept.maskedPan === after.card.maskedPan && kept.paymentWay === after.card.paymentWay) return after;
    const stored = await one(
      c,
      'UPDATE orders SET card_masked_pan = $2, card_payment_way = $3 WHERE id = $1 RETURNING *',
      [after.id, kept.maskedPan, kept.paymentWay],
    );
    return stored!;
  };

  /** Units per product of one order, in a fixed order, so two fulfilments never lock product rows crosswise. */
  const unitsByProduct = (o: Order): [string, number][] => {
    const units = new Map<string, number>();
    for (const item of o.items) units.set(item.productId, (units.get(item.productId) ?? 0) + item.quantity);
    return [...units].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  };

  return {
    async createOrder(input) {
      validateCreateOrder(input);
      const key = input.purchaseKey;
      try {
        return await tx(async (c) => {
          if (key !== undefined) {
            await lockPurchase(c, key);
            const existing = await pendingByKey(c, key);
            if (existing) throw new DuplicatePurchaseError(existing);
          }
          return insertOrder(c, input, now());
        });
      } catch (err) {
        // Backstop: the partial unique index caught a concurrent duplicate (a writer that skipped the lock).
        const existing = key !== undefined && isPendingKeyViolation(err) ? await pendingByKey(pool, key) : undefined;
        if (existing) throw new DuplicatePurchaseError(existing, { cause: err });
        throw err;
      }
    },

    async claimPurchase(input, policy) {
      validateCreateOrder(input);
      try {
        return await claim(input, policy);
      } catch (err) {
        if (isPendingKeyViolation(err)) return claim(input, policy);
        throw err;
      }
    },

    releasePurchase: (id, detail) => tx(async (c) => release(c, await lockOrder(c, id), detail)),

    get: async (id) => (isId(id) ? one(pool, 'SELECT * FROM orders WHERE id = $1', [id]) : undefined),
    findByGatewayOrderId: async (orderId) =>
      storable(orderId) ? one(pool, 'SELECT * FROM orders WHERE gateway_order_id = $1', [orderId]) : undefined,
    findByOrderNumber: async (n) =>
      storable(n) ? one(pool, 'SELECT * FROM orders WHERE order_number = $1', [n]) : undefined,

    async markRegistered(id, r) {
      validateRegistration(r);
      return tx(async (c) => {
        const o = await lockOrder(c, id);
        // A retried call with the same reply is harmless.
        if (o.status === 'registered' && o.gatewayOrderId === r.gatewayOrderId && o.formUrl === r.formUrl) return o;
        if (o.status !== 'new') throw new InvalidTransitionError(id, o.status, 'registered');
        const t = now();
        const registered = await one(
          c,
          `UPDATE orders SET status = 'registered', gateway_order_id = $2, form_url = $3, updated_at = $4
           WHERE id = $1 AND status = 'new' RETURNING *`,
          [id, r.gatewayOrderId, r.formUrl, t],
        );
        await writeEvent(c, id, t, 'register', 'registered', { gatewayOrderId: r.gatewayOrderId });
        return registered!;
      });
    },

    markRegisterFailed: (id, status, detail) => tx(async (c) => fail(c, await lockOrder(c, id), status, detail)),

    async applyGatewayStatus(id, s) {
      if (!Number.isSafeInteger(s.orderStatus) || !Number.isSafeInteger(s.actionCode)) {
        throw new InvalidOrderError('orderStatus and actionCode must be integers');
      }
      for (const amount of [s.amounts?.deposited, s.amounts?.refunded]) {
        if (amount !== undefined && (!Number.isSafeInteger(amount) || amount < 0)) {
          throw new InvalidOrderError('amounts must be non-negative integers of minor units');
        }
      }
      const { orderStatus, actionCode, amounts, card, cause } = s;
      return tx(async (c): Promise<ApplyStatusResult> => {
        const o = await lockOrder(c, id);
        const t = now();
        const to = statusFromGateway(orderStatus, amounts);
        const deposited = amounts?.deposited ?? 0;
        const refunded = amounts?.refunded ?? 0;
        const detail = { orderStatus, actionCode, from: o.status, to: to ?? null, cause, ...(amounts && { amounts }) };
        if (to === undefined) {
          await writeEvent(c, id, t, 'status', 'unknown_status', detail);
          return { order: o, changed: false, fulfilled: false };
        }
        if (to === o.status) {
          // Amounts only grow: a stale reply can't take a refund back.
          const refreshed = (await one(
            c,
            `UPDATE orders SET gateway_status = $2, action_code = $3, updated_at = $4,
               deposited_amount = GREATEST(deposited_amount, $5::bigint),
               refunded_amount = GREATEST(refunded_amount, $6::bigint)
             WHERE id = $1 RETURNING *`,
            [id, orderStatus, actionCode, t, deposited, refunded],
          ))!;
          const after = await keepCard(c, o, refreshed, card);
          const grew = after.depositedAmount > o.depositedAmount || after.refundedAmount > o.refundedAmount;
          // A reply that changes nothing is no event (as in the SQLite ledger).
          if (grew) await writeEvent(c, id, t, 'status', 'amounts', detail);
          return { order: after, changed: grew, fulfilled: false };
        }
        if (!canTransition(o.status, to)) {
          // Stale, replayed or out-of-order reply: keep the state, keep the evidence.
          await writeEvent(c, id, t, 'status', 'ignored', detail);
          return { order: o, changed: false, fulfilled: false };
        }
        const fulfilled = FULFIL_ON.includes(to) && o.paidAt === null;
        const moved = await move(c, o, to, t, {
          orderStatus,
          actionCode,
          paidAt: fulfilled ? t : undefined,
          deposited,
          refunded,
        });
        const after = await keepCard(c, o, moved, card);
        await writeEvent(c, id, t, 'status', 'changed', detail);
        if (fulfilled) {
          // The fulfilment's visible effect, in the same transaction as the compare-and-set that decided it; the
          // primary key on order_id refuses a second row whatever happens.
          await c.query('INSERT INTO fulfilments (order_id, at, status) VALUES ($1, $2, $3)', [id, t, to]);
          for (const [productId, quantity] of unitsByProduct(o)) {
            await c.query(
              `INSERT INTO product_sales (product_id, sold) VALUES ($1, $2)
               ON CONFLICT (product_id) DO UPDATE SET sold = product_sales.sold + EXCLUDED.sold`,
              [productId, quantity],
            );
          }
          await writeEvent(c, id, t, 'fulfilled', to, { amount: o.amount, currency: o.currency });
        }
        return { order: after, changed: true, fulfilled };
      });
    },

    markMismatch: (id, detail, cause) =>
      tx(async (c) => {
        const o = await lockOrder(c, id);
        const t = now();
        const evidence = { ...detail, cause };
        if (!canTransition(o.status, 'mismatch')) {
          // Never downgrade a fulfilled or final order; the evidence is still recorded.
          await writeEvent(c, id, t, 'mismatch', o.status === 'mismatch' ? 'unchanged' : 'ignored', {
            ...evidence,
            status: o.status,
          });
          return o;
        }
        const after = await move(c, o, 'mismatch', t);
        await writeEvent(c, id, t, 'mismatch', 'marked', evidence);
        return after;
      }),

    async recordEvent(orderId, kind, outcome, detail) {
      checkLabel(kind, 'kind');
      checkLabel(outcome, 'outcome');
      await tx(async (c) => {
        const { rowCount } = isId(orderId)
          ? await c.query('SELECT 1 FROM orders WHERE id = $1', [orderId])
          : { rowCount: 0 };
        if (!rowCount) throw new OrderNotFoundError(orderId);
        await writeEvent(c, orderId, now(), kind, outcome, detail);
      });
    },

    async events(orderId) {
      if (!isId(orderId)) return [];
      const { rows } = await pool.query<EventRow>('SELECT * FROM order_events WHERE order_id = $1 ORDER BY id', [
        orderId,
      ]);
      return rows.map(toEvent);
    },

    async listRecent(limit) {
      const n = Math.min(Math.max(Math.trunc(limit) || 1, 1), 1000);
      const { rows } = await pool.query<OrderRow>('SELECT * FROM orders ORDER BY id DESC LIMIT $1', [n]);
      return rows.map(toOrder);
    },

    async listOrders({ status, text, limit, offset }) {
      if (!Number.isSafeInteger(limit) || limit < 1 || limit > 100) throw new InvalidOrderError('limit must be 1..100');
      if (!Number.isSafeInteger(offset) || offset < 0) throw new InvalidOrderError('offset must be 0 or more');
      if (status !== undefined && !LOCAL_STATUSES.includes(status)) throw new InvalidOrderError('unknown status');
      if (text !== undefined) checkText(text, 'text', 64);
      if (text !== undefined && !storable(text)) return { orders: [], total: 0 };
      // Matched literally (LIKE's own wildcards escaped) and ASCII-case-insensitively, as SQLite's LIKE does.
      const like =
        text === undefined
          ? null
          : `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`).replace(/[A-Z]/g, (ch) => ch.toLowerCase())}%`;
      const filter = [status ?? null, like];
      const [page, count] = await Promise.all([
        pool.query<OrderRow>(`SELECT * FROM orders WHERE ${LIST_FILTER} ORDER BY id DESC LIMIT $3 OFFSET $4`, [
          ...filter,
          limit,
          offset,
        ]),
        pool.query<{ n: number }>(`SELECT count(*) AS n FROM orders WHERE ${LIST_FILTER}`, filter),
      ]);
      return { orders: page.rows.map(toOrder), total: count.rows[0]?.n ?? 0 };
    },

    async leaseDue(r) {
      if (!Number.isSafeInteger(r.limit) || r.limit < 1 || r.limit > 1000)
        throw new InvalidOrderError('limit must be 1..1000');
      const t = now();
      // One statement: the due rows are locked as they are picked, rows another instance is leasing right now are
      // skipped (SKIP LOCKED), and a row leased and committed meanwhile is re-checked against lease_until and dropped.
      const { rows } = await pool.query<OrderRow>(
        `UPDATE orders SET lease_until = $8, lease_holder = $9
         WHERE id IN (
           SELECT id FROM orders
           WHERE ${DUE} AND COALESCE(lease_until, 0) <= $7
           ORDER BY COALESCE(checked_at, 0), id
           LIMIT $10
           FOR UPDATE SKIP LOCKED)
         RETURNING *`,
        [...dueParams(r, t), t + r.leaseMs, r.holder, r.limit],
      );
      return rows.map(toOrder).sort((a, b) => (a.checkedAt ?? 0) - (b.checkedAt ?? 0) || a.id - b.id);
    },

    async countUnleased(r) {
      const { rows } = await pool.query<{ leased: number; leased_until: number | null; free: number }>(
        `SELECT count(*) FILTER (WHERE COALESCE(lease_until, 0) > $7)::int AS leased,
                max(lease_until) FILTER (WHERE COALESCE(lease_until, 0) > $7) AS leased_until,
                count(*) FILTER (WHERE COALESCE(lease_until, 0) <= $7)::int AS free
         FROM orders WHERE ${DUE} AND lease_holder IS DISTINCT FROM $8`,
        [...dueParams(r, now()), r.holder],
      );
      const row = rows[0];
      return { leased: row?.leased ?? 0, leasedUntil: row?.leased_until ?? null, overBatch: row?.free ?? 0 };
    },

    async checked(id, holder, nextCheckAt = null) {
      if (!isId(id)) return;
      await pool.query(
        `UPDATE orders SET checked_at = $1, next_check_at = $4, lease_until = NULL, lease_holder = NULL
         WHERE id = $2 AND lease_holder = $3`,
        [now(), id, holder, nextCheckAt],
      );
    },

    async renewLeases(holder, leaseMs) {
      const res = await pool.query('UPDATE orders SET lease_until = $1 WHERE lease_holder = $2', [
        now() + leaseMs,
        holder,
      ]);
      return res.rowCount ?? 0;
    },

    async releaseLeases(holder) {
      const res = await pool.query(
        'UPDATE orders SET lease_until = NULL, lease_holder = NULL WHERE lease_holder = $1',
        [holder],
      );
      return res.rowCount ?? 0;
    },

    async adoptGatewayOrderId(id, gatewayOrderId) {
      checkText(gatewayOrderId, 'gatewayOrderId', 128);
      return tx(async (c) => {
        const o = await lockOrder(c, id);
        if (o.gatewayOrderId === gatewayOrderId) return o;
        if (o.gatewayOrderId !== null) throw new InvalidOrderError(`order ${id} already has a gateway order id`);
        const t = now();
        const adopted = await one(
          c,
          'UPDATE orders SET gateway_order_id = $2, updated_at = $3 WHERE id = $1 AND gateway_order_id IS NULL RETURNING *',
          [id, gatewayOrderId, t],
        );
        await writeEvent(c, id, t, 'register', 'adopted', { gatewayOrderId });
        return adopted!;
      });
    },

    markNeverRegistered: (id, detail) =>
      tx(async (c) => {
        const o = await lockOrder(c, id);
        if (o.status === 'register_failed') return o;
        if (o.status !== 'register_unknown' && o.status !== 'new') {
          throw new InvalidTransitionError(id, o.status, 'register_failed');
        }
        const t = now();
        const after = await move(c, o, 'register_failed', t);
        await writeEvent(c, id, t, 'register_error', 'never_registered', detail);
        return after;
      }),

    async fulfilment(orderId) {
      if (!isId(orderId)) return undefined;
      const { rows } = await pool.query<{ at: number; status: string }>(
        'SELECT at, status FROM fulfilments WHERE order_id = $1',
        [orderId],
      );
      return rows[0];
    },

    async unitsSold(productId) {
      if (!storable(productId)) return 0;
      const { rows } = await pool.query<{ sold: number }>('SELECT sold FROM product_sales WHERE product_id = $1', [
        productId,
      ]);
      return rows[0]?.sold ?? 0;
    },

    ...createPostgresIntents({ pool, tx, lockOrder, writeEvent, now }),
  };
}
