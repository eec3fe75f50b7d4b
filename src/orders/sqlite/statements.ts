import type { Database } from '../db.js';
import type { OrderRow } from '../rows.js';

const LIST_FILTER = `(@status IS NULL OR status = @status)
  AND (@like IS NULL OR order_number LIKE @like ESCAPE '\\' OR gateway_order_id LIKE @like ESCAPE '\\')`;

/** An order the reconciler should look at: open past its first look, or paid lately; and its next check has come. */
const DUE = `((status IN (SELECT value FROM json_each(@open)) AND created_at <= @openBefore)
    OR (status IN (SELECT value FROM json_each(@paid)) AND paid_at >= @paidSince))
  AND COALESCE(checked_at, 0) <= @checkedBefore
  AND COALESCE(next_check_at, 0) <= @dueBy`;

interface DueParams {
  open: string;
  paid: string;
  openBefore: number;
  paidSince: number;
  checkedBefore: number;
  dueBy: number;
  now: number;
}

/** Every SQL statement of the ledger, prepared once per connection. */
export function prepareOrderStatements(db: Database) {
  return {
    byId: db.prepare<[number], OrderRow>('SELECT * FROM orders WHERE id = ?'),
    byGatewayId: db.prepare<[string], OrderRow>('SELECT * FROM orders WHERE gateway_order_id = ?'),
    byNumber: db.prepare<[string], OrderRow>('SELECT * FROM orders WHERE order_number = ?'),
    pendingByKey: db.prepare<[string], OrderRow>(
      "SELECT * FROM orders WHERE purchase_key = ? AND status IN ('new', 'registered')",
    ),
    recent: db.prepare<[number], OrderRow>('SELECT * FROM orders ORDER BY id DESC LIMIT ?'),
    // The back office's list: NULL means "any"; @like is a LIKE pattern whose own % _ \\ are escaped by the caller.
    listPage: db.prepare<{ status: string | null; like: string | null; limit: number; offset: number }, OrderRow>(
      `SELECT * FROM orders WHERE ${LIST_FILTER} ORDER BY id DESC LIMIT @limit OFFSET @offset`,
    ),
    listCount: db
      .prepare<{ status: string | null; like: string | null }, number>(
        `SELECT count(*) FROM orders WHERE ${LIST_FILTER}`,
      )
      .pluck(),
    insert: db.prepare(
      `INSERT INTO orders (order_number, items, amount, currency, flow, language, status, purchase_key, created_at, updated_at,
         claim_owner)
       VALUES (@orderNumber, @items, @amount, @currency, @flow, @language, 'new', @purchaseKey, @now, @now, @claimOwner)`,
    ),
    setNumber: db.prepare('UPDATE orders SET order_number = ? WHERE id = ?'),
    register: db.prepare(
      `UPDATE orders SET status = 'registered', gateway_order_id = ?, form_url = ?, updated_at = ?
       WHERE id = ? AND status IN (SELECT value FROM json_each(?))`,
    ),
    // The compare-and-sets (register, fail, transition): only a row still in a status of @from (casFrom) moves.
    transition: db.prepare(
      `UPDATE orders SET status = @to, updated_at = @now, paid_at = COALESCE(paid_at, @paidAt),
         gateway_status = COALESCE(@gatewayStatus, gateway_status), action_code = COALESCE(@actionCode, action_code),
         deposited_amount = @deposited, refunded_amount = @refunded
       WHERE id = @id AND status IN (SELECT value FROM json_each(@from))`,
    ),
    fail: db.prepare(
      'UPDATE orders SET status = ?, updated_at = ? WHERE id = ? AND status IN (SELECT value FROM json_each(?))',
    ),
    release: db.prepare(
      'UPDATE orders SET purchase_key = NULL, updated_at = ? WHERE id = ? AND purchase_key IS NOT NULL',
    ),
    // The amounts are the plan's (rules.ts: they only grow).
    refresh: db.prepare(
      `UPDATE orders SET gateway_status = @gatewayStatus, action_code = @actionCode, updated_at = @now,
         deposited_amount = @deposited, refunded_amount = @refunded
       WHERE id = @id`,
    ),
    // Open orders past their first look and recently paid ones, whose next check has come, least recently checked
    // first, that no other instance holds: leased to @holder in the same statement.
    leaseDue: db.prepare<DueParams & { until: number; holder: string; limit: number }, OrderRow>(
      `UPDATE orders SET lease_until = @until, lease_holder = @holder
       WHERE id IN (
         SELECT id FROM orders
         WHERE ${DUE} AND COALESCE(lease_until, 0) <= @now
         ORDER BY COALESCE(checked_at, 0), id
         LIMIT @limit)
       RETURNING *`,
    ),
    // The due orders a run did not get: held by another holder's live lease, or free (over the batch).
    unleased: db.prepare<DueParams & { holder: string }, { leased: number; leasedUntil: number | null; free: number }>(
      `SELECT COALESCE(SUM(COALESCE(lease_until, 0) > @now), 0) AS leased,
              MAX(CASE WHEN COALESCE(lease_until, 0) > @now THEN lease_until END) AS leasedUntil,
              COALESCE(SUM(COALESCE(lease_until, 0) <= @now), 0) AS free
       FROM orders WHERE ${DUE} AND lease_holder IS NOT @holder`,
    ),
    checked: db.prepare(
      `UPDATE orders SET checked_at = ?, next_check_at = ?, lease_until = NULL, lease_holder = NULL
       WHERE id = ? AND lease_holder = ?`,
    ),
    renewLeases: db.prepare('UPDATE orders SET lease_until = ? WHERE lease_holder = ?'),
    releaseLeases: db.prepare('UPDATE orders SET lease_until = NULL, lease_holder = NULL WHERE lease_holder = ?'),
    fulfil: db.prepare('INSERT INTO fulfilments (order_id, at, status) VALUES (?, ?, ?)'),
    sell: db.prepare(
      `INSERT INTO product_sales (product_id, sold) VALUES (?, ?)
       ON CONFLICT (product_id) DO UPDATE SET sold = sold + excluded.sold`,
    ),
    fulfilment: db.prepare<[number], { at: number; status: string }>(
      'SELECT at, status FROM fulfilments WHERE order_id = ?',
    ),
    unitsSold: db.prepare<[string], number>('SELECT sold FROM product_sales WHERE product_id = ?').pluck(),
    adopt: db.prepare(
      'UPDATE orders SET gateway_order_id = ?, updated_at = ? WHERE id = ? AND gateway_order_id IS NULL',
    ),
    // The card line rides with the status it came with: written right after that status's compare-and-set.
    card: db.prepare('UPDATE orders SET card_masked_pan = ?, card_payment_way = ? WHERE id = ?'),
  };
}

export type OrderStatements = ReturnType<typeof prepareOrderStatements>;
