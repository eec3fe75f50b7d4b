/**
 * Watches the timers this process creates (setTimeout and node:timers/promises alike) so a test can prove
 * "the answer waited for a 300 ms timer" or "stop() cancelled the pending retry" by observing the timer itself,
 * instead of reading the wall clock or sleeping to see that nothing happens.
 *
 * The sandbox waits on Node's real timers (its injectable clock has none), and ESM modules cannot be given
 * fake ones, so this uses async_hooks: the only public hook on Node's timers. Each Timeout is recorded with
 * the delay Node will actually use, after its own clamping (a delay above 2^31-1 ms becomes 1 ms).
 */
import { createHook, executionAsyncId } from 'node:async_hooks';

export interface TraceOptions {
  /**
   * 'caller' (the default): only timers that the caller's own work creates, i.e. the async descendants of the
   * context that started the trace, so a timer left running by another test file in the same worker cannot
   * interfere. 'process': every timer, e.g. for a wait inside a server that was started before the trace.
   */
  scope?: 'caller' | 'process';
}

export interface TracedTimer {
  /** The effective delay. */
  readonly delayMs: number;
  /** Its callback ran. */
  readonly fired: boolean;
  /** Cleared (e.g. by an AbortSignal) before it fired. */
  readonly cleared: boolean;
}

export interface TimerTrace {
  /** Every timer created since tracing started, oldest first. */
  readonly timers: readonly TracedTimer[];
  /** Resolves with the first timer of this delay created since tracing started, at once if there is one. */
  created(delayMs: number): Promise<TracedTimer>;
  /** Adds an event of the test's own (e.g. "answered") to the timeline. */
  mark(label: string): void;
  /** Marks, and the creation and firing of timers of the given delays, in the order they happened. */
  timeline(...delays: number[]): string[];
  stop(): void;
}

/** The fields of Node's Timeout object read here; `_destroyed` is set when it is cleared or has fired. */
interface NodeTimeout {
  _idleTimeout: number;
  _destroyed?: boolean;
}

type Event = { mark: string } | { timer: 'created' | 'fired'; delayMs: number };

export function traceTimers(options: TraceOptions = {}): TimerTrace {
  const everywhere = options.scope === 'process';
  const descendants = new Set([executionAsyncId()]);
  const timers: TracedTimer[] = [];
  const byId = new Map<number, { delayMs: number; fired: boolean; resource: NodeTimeout }>();
  const events: Event[] = [];
  const waiters = new Set<(timer: TracedTimer) => void>();

  const hook = createHook({
    init(asyncId, type, triggerAsyncId, resource) {
      if (!everywhere) {
        if (!descendants.has(triggerAsyncId)) return;
        descendants.add(asyncId);
      }
      if (type !== 'Timeout') return;
      const node = resource as NodeTimeout;
      const entry = { delayMs: node._idleTimeout, fired: false, resource: node };
      const timer: TracedTimer = {
        delayMs: entry.delayMs,
        get fired() {
          return entry.fired;
        },
        get cleared() {
          return !entry.fired && entry.resource._destroyed === true;
        },
      };
      byId.set(asyncId, entry);
      timers.push(timer);
      events.push({ timer: 'created', delayMs: entry.delayMs });
      for (const waiter of waiters) waiter(timer);
    },
    before(asyncId) {
      const entry = byId.get(asyncId);
      if (!entry || entry.fired) return;
      entry.fired = true;
      events.push({ timer: 'fired', delayMs: entry.delayMs });
    },
  }).enable();

  return {
    timers,
    created(delayMs) {
      const found = timers.find((t) => t.delayMs === delayMs);
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => {
        const waiter = (timer: TracedTimer) => {
          if (timer.delayMs !== delayMs) return;
          waiters.delete(waiter);
          resolve(timer);
        };
        waiters.add(waiter);
      });
    },
    mark: (label) => {
      events.push({ mark: label });
    },
    timeline: (...delays) =>
      events.flatMap((e) => {
        if ('mark' in e) return [e.mark];
        return delays.includes(e.delayMs) ? [`${e.timer} ${e.delayMs}`] : [];
      }),
    stop: () => {
      hook.disable();
      waiters.clear();
    },
  };
}
