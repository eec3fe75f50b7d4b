import { byLastChecked, checkLeaseQuery, dueWindow } from '../rules.js';
import { toOrder } from '../rows.js';
import type { Ledger, ReconcileQuery, Synchronous } from '../types.js';
import type { SqliteKit } from './writes.js';

type LeaseMethods = Pick<
  Synchronous<Ledger>,
  'leaseDue' | 'countUnleased' | 'checked' | 'renewLeases' | 'releaseLeases'
>;

/** The reconciler's schedule and leases on SQLite (which orders are due: dueWindow in src/orders/rules.ts). */
export function createSqliteLeases({ db, q, now }: SqliteKit): LeaseMethods {
  const dueParams = (r: ReconcileQuery, t: number) => {
    const due = dueWindow(r, t);
    return { ...due, open: JSON.stringify(due.open), paid: JSON.stringify(due.paid) };
  };

  const leaseTx = db.transaction((r: ReconcileQuery) => {
    const t = now();
    const leased = q.leaseDue.all({ ...dueParams(r, t), until: t + r.leaseMs, holder: r.holder, limit: r.limit });
    return leased.map(toOrder).sort(byLastChecked);
  });

  return {
    leaseDue(r) {
      checkLeaseQuery(r);
      return leaseTx.immediate(r);
    },
    countUnleased(r) {
      const row = q.unleased.get({ ...dueParams(r, now()), holder: r.holder });
      return { leased: row?.leased ?? 0, leasedUntil: row?.leasedUntil ?? null, overBatch: row?.free ?? 0 };
    },
    checked: (id, holder, nextCheckAt = null) => void q.checked.run(now(), nextCheckAt, id, holder),
    renewLeases: (holder, leaseMs) => q.renewLeases.run(now() + leaseMs, holder).changes,
    releaseLeases: (holder) => q.releaseLeases.run(holder).changes,
  };
}
