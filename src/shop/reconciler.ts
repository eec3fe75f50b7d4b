import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { ShopDeps } from './deps.js';
import { createSettle } from './settle.js';

export interface ReconcilerOptions {
  /** Pause between runs of the periodic job; 0 = no periodic job (runOnce still works). */
  intervalMs: number;
  /** Most orders looked at in one run: bounds the gateway calls a run makes. */
  batch: number;
  /** How long after payment an order is still re-checked for refunds or reversals made outside the shop. */
  recheckPaidForMs: number;
  /** How long an open order may stay on the payment page before the reconciler asks about it. */
  openAfterMs: number;
  now?: () => number;
}

export interface ReconcileSummary {
  /** Orders leased and asked about in this run. */
  checked: number;
  /** Of those, how many changed status. */
  changed: number;
  /** Of those, how many the gateway could not answer for now (they come back next run). */
  unanswered: number;
}

export interface Reconciler {
  runOnce(): Promise<ReconcileSummary>;
  /** Starts the periodic job (if intervalMs > 0). */
  start(): void;
  /** Stops it and waits for a run in progress. */
  stop(): Promise<void>;
}

/**
 * Brings orders up to date that no buyer or callback will: open ones past their payment page (paid and closed
 * the tab, abandoned, or a register answer that was lost) and recently paid ones (refunded or reversed elsewhere).
 * Each order is leased in the database, so several shop instances can run it at once without asking twice; runs
 * are bounded, sequential and never overlap, and a request never waits for one.
 */
export function createReconciler(deps: ShopDeps, opts: ReconcilerOptions): Reconciler {
  const { ledger, logger, config } = deps;
  const settle = createSettle(deps);
  const now = opts.now ?? Date.now;
  const holder = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  // Long enough for a whole run of slow status calls (each tried up to three times); a dead holder's lease ends.
  const leaseMs = Math.max(60_000, opts.batch * config.gateway.statusTimeoutMs * 3);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<ReconcileSummary> | undefined;
  let stopped = true;

  async function run(): Promise<ReconcileSummary> {
    const t = now();
    const due = await ledger.leaseDue({
      holder,
      leaseMs,
      openBefore: t - opts.openAfterMs,
      paidSince: t - opts.recheckPaidForMs,
      // Not the same order twice in one interval (a one-shot run with interval 0 looks at everything due).
      checkedBefore: t - opts.intervalMs / 2,
      limit: opts.batch,
    });
    const summary: ReconcileSummary = { checked: 0, changed: 0, unanswered: 0 };
    for (const order of due) {
      try {
        const settled = await settle(order, { source: 'reconciler' });
        summary.checked += 1;
        if (!settled) summary.unanswered += 1;
        else if (settled.order.status !== order.status) summary.changed += 1;
      } finally {
        await ledger.checked(order.id, holder);
      }
    }
    if (summary.checked > 0) logger.info({ reconcile: summary }, 'reconciler run');
    deps.metrics?.reconcilerRun(summary);
    return summary;
  }

  function runOnce(): Promise<ReconcileSummary> {
    // One run at a time in this process; the leases keep other processes apart.
    running ??= run().finally(() => {
      running = undefined;
    });
    return running;
  }

  function schedule(): void {
    if (stopped || opts.intervalMs <= 0) return;
    timer = setTimeout(() => {
      runOnce()
        .catch((err: unknown) => logger.error({ err }, 'reconciler run failed'))
        .finally(schedule);
    }, opts.intervalMs);
    timer.unref();
  }

  return {
    runOnce,
    start() {
      stopped = false;
      schedule();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}
