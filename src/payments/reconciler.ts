import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '../log.js';
import { RECHECK_AFTER_PAYMENT, STALE_CANDIDATES } from '../orders/state-machine.js';
import { NO_MORE_CHECKS, type Ledger, type Order, type ReconcileQuery } from '../orders/types.js';
import { purchasePolicy } from './register.js';
import type { Settle } from './settle.js';
import type { PaymentsMetrics } from './types.js';

export interface ReconcilerDeps {
  ledger: Ledger;
  logger: Logger;
  /** Settles one order: through the per-order gate, shared with returns, callbacks and the back office. */
  settle: Settle;
  /** GATEWAY_TIMEOUT_MS: a 'new' order younger than a register call (plus a little) is left to that call. */
  registerTimeoutMs: number;
  metrics?: PaymentsMetrics | undefined;
}

export interface ReconcilerOptions {
  /** Pause between runs of the periodic job; 0 = no periodic job (runOnce still works). */
  intervalMs: number;
  /** Most orders looked at in one run: bounds the gateway calls a run makes. */
  batch: number;
  /** How long after payment an order is still re-checked for refunds or reversals made outside the shop. */
  recheckPaidForMs: number;
  /** The payment page's lifetime: an open order gets one look as its page ends (the gateway then declines it). */
  pageLifetimeMs: number;
  /** How long after its Buy an open order is still asked about; its last look records a 'reconcile gave_up' event. */
  giveUpAfterMs: number;
  /** How soon after its Buy an open order is first asked about (default FIRST_LOOK_MS). */
  firstLookMs?: number;
  /** How long a run's leases last without a heartbeat (default LEASE_MS); renewed every third of it. */
  leaseMs?: number;
  now?: () => number;
}

/** An open order is first asked about this long after its Buy: a buyer who paid and closed the tab is found soon. */
export const FIRST_LOOK_MS = 30_000;
/** No two looks at one order closer than this, nor further apart than MAX_DELAY_MS. */
export const MIN_DELAY_MS = 30_000;
export const MAX_DELAY_MS = 6 * 3_600_000;
/**
 * The pause before the next look, as a share of the order's age: an open order's age (since its Buy) grows by half
 * at each look once past MIN_DELAY_MS (30 s, 1 min, 1.5 min, 2.3 min, 3.4 min…), a paid order's age (since
 * payment) doubles (1, 2, 4, 8… min).
 */
const OPEN_GROWTH = 0.5;
const PAID_GROWTH = 1;
/** A run's leases end this long after its last heartbeat: a crashed holder frees its orders within it. */
export const LEASE_MS = 30_000;

export interface SkippedOrders {
  /** Due orders held by another reconciler's live lease (it is running, or crashed less than a lease ago). */
  leased: number;
  /** When the latest of those leases ends (ISO 8601), if any. */
  leasedUntil: string | null;
  /** Due orders past this run's batch: the next run takes them. */
  overBatch: number;
  /** Leased to this run, left unasked because the process is stopping; their leases were ended at once. */
  stopped: number;
}

export interface ReconcileSummary {
  /** Orders leased and asked about in this run. */
  checked: number;
  /** Of those, how many changed status. */
  changed: number;
  /** Of those, how many the gateway could not answer for now (they come back at their next look). */
  unanswered: number;
  /** Of those, open orders past RECONCILE_GIVE_UP_HOURS: never asked about again. */
  gaveUp: number;
  /** Orders due that this run did not ask about, by reason. */
  skipped: SkippedOrders;
}

export interface Reconciler {
  runOnce(): Promise<ReconcileSummary>;
  /** Starts the periodic job (if intervalMs > 0). */
  start(): void;
  /** Stops it: a run in progress stops before its next order and ends its remaining leases; resolves after that. */
  stop(): Promise<void>;
}

/** The skipped orders in words, for a log line or a person: empty when nothing was skipped. */
export function describeSkipped(s: SkippedOrders): string[] {
  const why: string[] = [];
  if (s.leased > 0) {
    const until = s.leasedUntil ? ` until ${s.leasedUntil}` : '';
    why.push(`${s.leased} leased by another reconciler${until} (running, or stopped less than a lease ago)`);
  }
  if (s.overBatch > 0) why.push(`${s.overBatch} over RECONCILE_BATCH, left for the next run`);
  if (s.stopped > 0) why.push(`${s.stopped} not asked because the process is stopping (leases ended)`);
  return why;
}

/**
 * Brings orders up to date that no buyer or callback will: open ones soon after their Buy (paid and closed the tab,
 * abandoned, or a register answer that was lost) and recently paid ones (refunded or reversed elsewhere). Each order
 * is asked about on its own schedule, backing off from seconds to hours (kept in the ledger: nextCheckAt), until its
 * re-check window ends (paid) or it is past RECONCILE_GIVE_UP_HOURS (open). Each order is leased in the database for a
 * short time, renewed while the run is alive, so several shop instances can run it at once without asking twice; runs
 * are bounded, sequential and never overlap, and a request never waits for one.
 */
export function createReconciler(deps: ReconcilerDeps, opts: ReconcilerOptions): Reconciler {
  const { ledger, logger, settle } = deps;
  const now = opts.now ?? Date.now;
  const holder = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const leaseMs = opts.leaseMs ?? LEASE_MS;
  const firstLookMs = opts.firstLookMs ?? FIRST_LOOK_MS;
  // A 'new' order younger than this may still be waiting for its register answer: asking the gateway about it by
  // number now could close it as never registered while register.do is about to succeed (the Buy's own rule).
  const { abandonAfterMs } = purchasePolicy(opts.pageLifetimeMs, deps.registerTimeoutMs);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<ReconcileSummary> | undefined;
  let stopped = true;
  let stopping = false;

  /**
   * When to ask about `o` next, having asked at `t` (`answered`: whether the gateway answered that look);
   * NO_MORE_CHECKS once an open order is past the give-up age.
   */
  function nextCheck(o: Order, t: number, answered: boolean): number | null {
    if (STALE_CANDIDATES.includes(o.status)) {
      const pageEnds = o.createdAt + opts.pageLifetimeMs;
      // Never while its payment page may still be paid (RECONCILE_GIVE_UP_HOURS shorter than ORDER_LIFETIME_SECS).
      const giveUpAt = Math.max(o.createdAt + opts.giveUpAfterMs, pageEnds + MIN_DELAY_MS);
      // A last look the gateway did not answer (unreachable, say) is tried again, up to as long again.
      const lastAt = answered ? giveUpAt : giveUpAt + (giveUpAt - o.createdAt);
      if (t >= lastAt) return NO_MORE_CHECKS;
      let next = t + clampDelay((t - o.createdAt) * OPEN_GROWTH);
      // One look as the payment page ends, and a last one at the give-up age.
      if (t < pageEnds) next = Math.min(next, pageEnds);
      return Math.min(next, t < giveUpAt ? giveUpAt : lastAt);
    }
    if (RECHECK_AFTER_PAYMENT.includes(o.status) && o.paidAt !== null) {
      return t + clampDelay((t - o.paidAt) * PAID_GROWTH);
    }
    return null;
  }

  async function run(): Promise<ReconcileSummary> {
    const t = now();
    const query: ReconcileQuery = {
      holder,
      leaseMs,
      openBefore: t - firstLookMs,
      paidSince: t - opts.recheckPaidForMs,
      // Not the same order twice in one interval (a one-shot run with interval 0 looks at everything due).
      checkedBefore: t - opts.intervalMs / 2,
      dueBy: t,
      limit: opts.batch,
    };
    const due = await ledger.leaseDue(query);
    const summary: ReconcileSummary = {
      checked: 0,
      changed: 0,
      unanswered: 0,
      gaveUp: 0,
      skipped: { leased: 0, leasedUntil: null, overBatch: 0, stopped: 0 },
    };
    // The leases stay short: renewed while this run is alive, they end soon after a crash.
    const renew = async () => {
      try {
        await ledger.renewLeases(holder, leaseMs);
      } catch (err) {
        // The SQLite ledger throws at once, the PostgreSQL one rejects: neither may escape the timer.
        logger.warn({ err }, 'reconciler could not renew its leases');
      }
    };
    const heartbeat = setInterval(() => void renew(), leaseMs / 3);
    heartbeat.unref();
    let done = 0;
    try {
      const unleased = await ledger.countUnleased(query);
      summary.skipped.leased = unleased.leased;
      summary.skipped.leasedUntil = unleased.leasedUntil === null ? null : new Date(unleased.leasedUntil).toISOString();
      summary.skipped.overBatch = unleased.overBatch;
      for (const order of due) {
        if (stopping) break;
        let next: number | null = null;
        try {
          if (order.status === 'new' && now() - order.createdAt < abandonAfterMs) {
            next = order.createdAt + abandonAfterMs;
            continue;
          }
          const settled = await settle(order, { source: 'reconciler' });
          summary.checked += 1;
          if (!settled) summary.unanswered += 1;
          else if (settled.order.status !== order.status) summary.changed += 1;
          const after = settled?.order ?? order;
          next = nextCheck(after, now(), settled !== undefined);
          if (next === NO_MORE_CHECKS) {
            summary.gaveUp += 1;
            const ageHours = Math.round(((now() - after.createdAt) / 3_600_000) * 10) / 10;
            const giveUpHours = opts.giveUpAfterMs / 3_600_000;
            await ledger.recordEvent(order.id, 'reconcile', 'gave_up', { status: after.status, ageHours, giveUpHours });
            logger.warn(
              { orderId: order.id, status: after.status, ageHours },
              'reconciler gave up on an open order past RECONCILE_GIVE_UP_HOURS; its status stays as it is',
            );
          }
        } finally {
          done += 1;
          await ledger.checked(order.id, holder, next);
        }
      }
    } finally {
      clearInterval(heartbeat);
      if (done < due.length) {
        summary.skipped.stopped = due.length - done;
        await ledger.releaseLeases(holder);
      }
    }
    const why = describeSkipped(summary.skipped);
    if (summary.checked > 0 || why.length > 0) {
      const msg = why.length > 0 ? `reconciler run; skipped ${why.join('; ')}` : 'reconciler run';
      logger.info({ reconcile: summary }, msg);
    }
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
      stopping = false;
      schedule();
    },
    async stop() {
      stopped = true;
      stopping = true;
      clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}

/** Whole milliseconds (the ledger stores integers) between MIN_DELAY_MS and MAX_DELAY_MS. */
function clampDelay(ms: number): number {
  return Math.round(Math.min(Math.max(ms, MIN_DELAY_MS), MAX_DELAY_MS));
}
