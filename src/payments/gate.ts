import { isOpen } from '../orders/state-machine.js';
import type { Order, StatusCause } from '../orders/types.js';
import type { Settle, Settled } from './settle.js';

/** An open order asked about on a return this recently is shown as the ledger has it: returns can't multiply calls. */
export const RECHECK_COOLDOWN_MS = 2_500;
/** Bounds the cool-down table: past this many entries the oldest are forgotten (which only allows an extra call). */
const COOLDOWN_ENTRIES = 10_000;

export interface GateDeps {
  /** One status call and what follows from it (settle.ts), ungated. */
  settle: Settle;
  /** The order as the ledger has it now: a call that waited behind another one starts from it. */
  load: (orderId: number) => Promise<Order | undefined>;
  /**
   * Claims `key` for `ms` across every instance: true when this call got it (Redis SET NX PX with REDIS_URL). Absent,
   * the returns' cool-down holds per process only. A rejection counts as got: the local cool-down still bounds calls.
   */
  cooldown?: ((key: string, ms: number) => Promise<boolean>) | undefined;
  now: () => number;
}

/** A status call queued or running for an order; `started` once it has left the queue. */
interface StatusCall {
  answer: Promise<Settled | undefined>;
  started: boolean;
  /** A return's call that may yet ask nothing (the shared cool-down): shared only by other returns until it asks. */
  guarded: boolean;
}

/** One order's queue: its tasks run one at a time, in the order they came. */
interface Lane {
  tail: Promise<unknown>;
  /** Tasks queued or running; the lane is forgotten at 0. */
  tasks: number;
  /** The latest status call queued or running, which another trigger may share. */
  status: StatusCall | undefined;
}

/**
 * The per-order gate: whatever asks the gateway about one order (a return, a callback, the reconciler, the back
 * office) or acts on it (capture, void, refund) goes through it, one call at a time per order in this process, and
 * triggers that arrive together share one status call. The other instances are kept apart by the ledger (leases,
 * intents, compare-and-set) and, for returns, by the shared cool-down.
 */
export function createOrderGate(deps: GateDeps) {
  const { settle, load, cooldown, now } = deps;
  const lanes = new Map<number, Lane>();
  const askedAt = new Map<number, number>();

  function laneOf(orderId: number): Lane {
    let lane = lanes.get(orderId);
    if (!lane) {
      lane = { tail: Promise.resolve(), tasks: 0, status: undefined };
      lanes.set(orderId, lane);
    }
    return lane;
  }

  /** Runs `task` after everything queued for this order; `waited` tells whether anything was. */
  function enqueue<T>(orderId: number, task: (waited: boolean) => Promise<T>): Promise<T> {
    const lane = laneOf(orderId);
    const waited = lane.tasks > 0;
    lane.tasks += 1;
    const run = lane.tail.then(() => task(waited));
    const done = () => {
      lane.tasks -= 1;
      if (lane.tasks === 0 && lanes.get(orderId) === lane) lanes.delete(orderId);
    };
    lane.tail = run.then(done, done);
    return run;
  }

  /**
   * Queues a new status call. It starts from the ledger's order when it had to wait (or `reread`), and asks nothing
   * when `ours` says another instance just asked.
   */
  function statusCall(
    order: Order,
    cause: StatusCause,
    opts: { language?: string | undefined; reread?: boolean; ours?: () => Promise<boolean> } = {},
  ): Promise<Settled | undefined> {
    const lane = laneOf(order.id);
    const call: StatusCall = { answer: Promise.resolve(undefined), started: false, guarded: opts.ours !== undefined };
    call.answer = enqueue(order.id, async (waited) => {
      call.started = true;
      if (opts.ours) {
        if (!(await opts.ours())) return undefined;
        call.guarded = false;
      }
      const current = waited || opts.reread ? ((await load(order.id)) ?? order) : order;
      return settle(current, cause, opts.language);
    }).finally(() => {
      if (lane.status === call) lane.status = undefined;
    });
    lane.status = call;
    return call.answer;
  }

  /** The status call another trigger may share; `byReturn`: a return's own cool-down guard is no obstacle. */
  function pending(orderId: number, byReturn = false): StatusCall | undefined {
    const call = lanes.get(orderId)?.status;
    return call && (byReturn || !call.guarded) ? call : undefined;
  }

  /** Shares a status call queued or running for the order, or makes one. */
  function share(order: Order, cause: StatusCause, language?: string): Promise<Settled | undefined> {
    return pending(order.id)?.answer ?? statusCall(order, cause, { language });
  }

  /**
   * A status call that starts after whatever runs for the order now: shares one only if it has not started yet.
   * `reread`: a new one starts from the ledger's order even when nothing ran before it.
   */
  function fresh(order: Order, cause: StatusCause, reread = false): Promise<Settled | undefined> {
    const queued = pending(order.id);
    return queued && !queued.started ? queued.answer : statusCall(order, cause, { reread });
  }

  /**
   * A return: shares a status call in flight; otherwise an order asked about on a return less than
   * RECHECK_COOLDOWN_MS ago (here, or on another instance with a shared cool-down) is not asked again: undefined,
   * and its page says "confirming" and refreshes.
   */
  function onReturn(order: Order, language: string): Promise<Settled | undefined> {
    const shared = pending(order.id, true);
    if (shared) return shared.answer;
    const last = askedAt.get(order.id);
    if (last !== undefined && now() - last < RECHECK_COOLDOWN_MS) return Promise.resolve(undefined);
    askedAt.delete(order.id); // re-inserted last: the Map's order is the age order
    askedAt.set(order.id, now());
    if (askedAt.size > COOLDOWN_ENTRIES) {
      const oldest = askedAt.keys().next().value;
      if (oldest !== undefined) askedAt.delete(oldest);
    }
    // Another instance asked about this order a moment ago: show what the ledger has, like the local cool-down.
    const ours = cooldown && (() => cooldown(`return:${order.id}`, RECHECK_COOLDOWN_MS).catch(() => true));
    return statusCall(order, { source: 'return' }, { language, ...(ours && { ours }) });
  }

  /**
   * A callback: something happened to the order. A status call already running may have been sent before it
   * happened, so its answer is taken only if it settled the order (the news the callback brings); otherwise, and
   * when it only found the payment still open (e.g. 'processing' during 3-D Secure), one more call follows it. Calls
   * queued and not yet sent are shared; each starts from the ledger's order.
   */
  async function onCallback(order: Order): Promise<Settled | undefined> {
    const cause: StatusCause = { source: 'callback' };
    // A return's call still claiming the cool-down counts: if it then asks nothing, its answer is none, and one more
    // call follows.
    const running = pending(order.id, true);
    if (running?.started) {
      const seen = await running.answer.catch(() => undefined);
      if (seen && seen.order.status !== order.status && !isOpen(seen.order.status)) return seen;
    }
    return fresh(order, cause, true);
  }

  /** Runs `task` (a capture, void or refund, a read) alone for this order: no status call runs beside it. */
  function exclusive<T>(orderId: number, task: () => Promise<T>): Promise<T> {
    return enqueue(orderId, task);
  }

  return { share, fresh, onReturn, onCallback, exclusive };
}

export type OrderGate = ReturnType<typeof createOrderGate>;
