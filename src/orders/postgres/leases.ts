import type pg from 'pg';
import { byLastChecked, checkLeaseQuery, dueWindow } from '../rules.js';
import { toOrder, type OrderRow } from '../rows.js';
import type { Ledger, ReconcileQuery } from '../types.js';
import type { Async } from './client.js';
import { isId } from './writes.js';

type LeaseMethods = Async<Pick<Ledger, 'leaseDue' | 'countUnleased' | 'checked' | 'renewLeases' | 'releaseLeases'>>;

/** An order the reconciler should look at (as the SQLite ledger's DUE): parameters $1–$7 are dueParams'. */
const DUE = `((status = ANY($1::text[]) AND created_at <= $3) OR (status = ANY($2::text[]) AND paid_at >= $4))
  AND COALESCE(checked_at, 0) <= $5 AND COALESCE(next_check_at, 0) <= $6`;

const dueParams = (r: ReconcileQuery, t: number) => {
  const due = dueWindow(r, t);
  return [due.open, due.paid, due.openBefore, due.paidSince, due.checkedBefore, due.dueBy, due.now] as const;
};

/** The reconciler's schedule and leases on PostgreSQL (which orders are due: dueWindow in src/orders/rules.ts). */
export function createPostgresLeases(pool: pg.Pool, now: () => number): LeaseMethods {
  return {
    async leaseDue(r) {
      checkLeaseQuery(r);
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
      return rows.map(toOrder).sort(byLastChecked);
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
      const sql = 'UPDATE orders SET lease_until = NULL, lease_holder = NULL WHERE lease_holder = $1';
      return (await pool.query(sql, [holder])).rowCount ?? 0;
    },
  };
}
