import { createHash } from 'node:crypto';
import type pg from 'pg';
import { InvalidTransitionError, OrderNotFoundError } from '../errors.js';
import { serializeDetail } from '../events.js';
import { formatOrderNumber } from '../order-number.js';
import { itemsJson, toOrder, type OrderRow } from '../rows.js';
import { casFrom, casTarget, createdEvent, type Plan, type RowWrite } from '../rules.js';
import type { CreateOrderInput, Order } from '../types.js';
import type { Client } from './client.js';

/** Ids arrive from URLs and forms: one that cannot exist is treated as missing, not sent to the server. */
export const isId = (id: unknown): id is number => Number.isSafeInteger(id) && (id as number) > 0;
/** PostgreSQL text cannot hold NUL, so no stored value contains one. */
export const storable = (s: string) => typeof s === 'string' && !s.includes('\u0000');

export async function one(c: Client | pg.Pool, sql: string, params: unknown[]): Promise<Order | undefined> {
  const { rows } = await c.query<OrderRow>(sql, params);
  return rows[0] ? toOrder(rows[0]) : undefined;
}

/** Reads the order and locks its row until the transaction ends: the counterpart of SQLite's IMMEDIATE. */
export async function lockOrder(c: Client, id: number): Promise<Order> {
  const o = isId(id) ? await one(c, 'SELECT * FROM orders WHERE id = $1 FOR UPDATE', [id]) : undefined;
  if (!o) throw new OrderNotFoundError(id);
  return o;
}

export async function writeEvent(
  c: Client,
  orderId: number,
  at: number,
  kind: string,
  outcome: string,
  detail?: Record<string, unknown>,
): Promise<void> {
  await c.query('INSERT INTO order_events (order_id, at, kind, outcome, detail) VALUES ($1, $2, $3, $4, $5)', [
    orderId,
    at,
    kind,
    outcome,
    serializeDetail(detail),
  ]);
}

/** Namespace of the per-purchase advisory locks (the two-int form, apart from the migration lock). */
const PURCHASE_LOCK_SPACE = 0x5242_5331;

/**
 * The lock id of a purchase key: 32 bits of its SHA-256, computed here rather than by a server function, so every
 * instance agrees whatever the server's version. Two keys sharing an id only wait for each other; they never mix.
 */
export function purchaseLockId(key: string): number {
  return createHash('sha256').update(key).digest().readInt32BE(0);
}

/** Per purchase key: claims and creates for one key run one after another, on every instance. */
export async function lockPurchase(c: Client, key: string): Promise<void> {
  await c.query('SELECT pg_advisory_xact_lock($1::int4, $2::int4)', [PURCHASE_LOCK_SPACE, purchaseLockId(key)]);
}

/** The pending order of a purchase key and its stored claim owner; `forUpdate` locks its row (in a transaction). */
export async function pendingByKey(c: Client | pg.Pool, key: string, forUpdate = false) {
  const sql = "SELECT * FROM orders WHERE purchase_key = $1 AND status IN ('new', 'registered')";
  const { rows } = await c.query<OrderRow>(forUpdate ? `${sql} FOR UPDATE` : sql, [key]);
  return { pending: rows[0] ? toOrder(rows[0]) : undefined, claimOwner: rows[0]?.claim_owner };
}

/**
 * The row write of each kind of plan (RowWrite), on the order $1, RETURNING the row. The compare-and-sets (register,
 * fail, move): only a row still in a status of their last parameter (casFrom) moves.
 */
const WRITE_SQL: Record<RowWrite['kind'], string> = {
  register: `UPDATE orders SET status = 'registered', gateway_order_id = $2, form_url = $3, updated_at = $4
    WHERE id = $1 AND status = ANY($5::text[]) RETURNING *`,
  fail: 'UPDATE orders SET status = $2, updated_at = $3 WHERE id = $1 AND status = ANY($4::text[]) RETURNING *',
  move: `UPDATE orders SET status = $2, updated_at = $3, paid_at = COALESCE(paid_at, $4::bigint),
      gateway_status = COALESCE($5::int, gateway_status), action_code = COALESCE($6::int, action_code),
      deposited_amount = $7::bigint, refunded_amount = $8::bigint
    WHERE id = $1 AND status = ANY($9::text[]) RETURNING *`,
  // The amounts are the plan's (rules.ts: they only grow).
  refresh: `UPDATE orders SET gateway_status = $2, action_code = $3, updated_at = $4,
      deposited_amount = $5::bigint, refunded_amount = $6::bigint
    WHERE id = $1 RETURNING *`,
  release:
    'UPDATE orders SET purchase_key = NULL, updated_at = $2 WHERE id = $1 AND purchase_key IS NOT NULL RETURNING *',
  adopt:
    'UPDATE orders SET gateway_order_id = $2, updated_at = $3 WHERE id = $1 AND gateway_order_id IS NULL RETURNING *',
};

/** The parameters of a row write, after the order's id. */
function writeParams(w: RowWrite, t: number): unknown[] {
  switch (w.kind) {
    case 'register':
      return [w.gatewayOrderId, w.formUrl, t, casFrom(w)];
    case 'fail':
      return [w.status, t, casFrom(w)];
    case 'move': {
      const f = w.fields;
      return [w.to, t, f.paidAt, f.orderStatus, f.actionCode, f.deposited, f.refunded, casFrom(w)];
    }
    case 'refresh':
      return [w.fields.orderStatus, w.fields.actionCode, t, w.fields.deposited, w.fields.refunded];
    case 'release':
      return [t];
    case 'adopt':
      return [w.gatewayOrderId, t];
  }
}

/** Writes a plan (src/orders/rules.ts) on `o`'s locked row, in the caller's transaction; answers the row after. */
export async function apply(c: Client, o: Order, plan: Plan, t: number): Promise<Order> {
  let after = o;
  if (plan.write) {
    // None when a compare-and-set lost: the row moved.
    const written = await one(c, WRITE_SQL[plan.write.kind], [o.id, ...writeParams(plan.write, t)]);
    const target = casTarget(plan.write);
    // Cannot happen under the row lock; if it did, nothing of the plan is kept (the transaction rolls back).
    if (!written && target) throw new InvalidTransitionError(o.id, (await lockOrder(c, o.id)).status, target);
    after = written ?? o;
  }
  if (plan.card) {
    const { maskedPan, paymentWay } = plan.card;
    const sql = 'UPDATE orders SET card_masked_pan = $2, card_payment_way = $3 WHERE id = $1 RETURNING *';
    after = (await one(c, sql, [o.id, maskedPan, paymentWay])) ?? after;
  }
  if (plan.fulfil) {
    // The primary key on order_id refuses a second fulfilment whatever happens.
    await c.query('INSERT INTO fulfilments (order_id, at, status) VALUES ($1, $2, $3)', [o.id, t, plan.fulfil.status]);
    for (const [productId, quantity] of plan.fulfil.units) {
      await c.query(
        `INSERT INTO product_sales (product_id, sold) VALUES ($1, $2)
         ON CONFLICT (product_id) DO UPDATE SET sold = product_sales.sold + EXCLUDED.sold`,
        [productId, quantity],
      );
    }
  }
  for (const e of plan.events) await writeEvent(c, o.id, t, e.kind, e.outcome, e.detail);
  return after;
}

/** Writes a new 'new' order and its 'created' event, in the caller's transaction. */
export async function insertOrder(c: Client, input: CreateOrderInput, t: number, owner: string | null = null) {
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
  const created = createdEvent(input);
  await writeEvent(c, id, t, created.kind, created.outcome, created.detail);
  return order!;
}
