import { setTimeout as sleep } from 'node:timers/promises';
import type { SandboxClock } from '../clock.js';
import type { DeliveryOutcome, OrderJournal } from '../journal.js';
import type { SandboxEvent, SandboxLogger, SandboxMerchant, SandboxOperation, SandboxOrder } from '../types.js';
import { CallbackAllowList } from './allow-list.js';
import { signCallback } from './checksum.js';

export type CallbackMode = 'normal' | 'lost' | 'duplicated';

/** Upper bounds of the tuning: more attempts only keep dead notifications pending; longer waits overflow timers. */
export const MAX_CALLBACK_ATTEMPTS = 20;
export const MAX_RETRY_DELAY_MS = 60 * 60 * 1000;

export interface CallbackOptions {
  /** Attempts per notification, the first included. Default 5, at most MAX_CALLBACK_ATTEMPTS. */
  maxAttempts?: number;
  /** Delay before the 2nd attempt; it doubles after every further failure, up to MAX_RETRY_DELAY_MS. Default 1000 ms. */
  retryBaseMs?: number;
  /** Per-attempt timeout (connect + answer). Default 5000 ms. */
  timeoutMs?: number;
  /** Notifications in flight or waiting for a retry, over all orders; beyond it new ones are skipped. Default 1000. */
  maxPending?: number;
}

/** A callback attempt's timeout when none is configured. */
export const DEFAULT_CALLBACK_TIMEOUT_MS = 5000;

/** The per-attempt timeout in force for these options: every callback request (deliveries, copies) waits this long. */
export function callbackTimeoutMs(o: CallbackOptions | false | undefined): number {
  return Math.max(1, (o === false ? undefined : o?.timeoutMs) ?? DEFAULT_CALLBACK_TIMEOUT_MS);
}

export interface DispatcherDeps {
  clock: SandboxClock;
  journal: OrderJournal;
  logger?: SandboxLogger;
  /** Fault switch for one notification (lost / duplicated); consulted once per event. */
  modeFor?: (order: Readonly<SandboxOrder>) => CallbackMode;
  /**
   * Whether a request to this URL may be sent for this merchant (the SSRF allow-list, callbacks/allow-list.ts). Asked
   * before every attempt, whatever set the URL. Default: the merchant's callbackUrl origin and callbackOrigins only.
   */
  allows?: (url: string, merchantLogin: string) => boolean;
  options?: CallbackOptions;
  /**
   * Awaited once per notification, after its first attempt the merchant answered (any HTTP status), before any retry:
   * where the forged-callbacks probe follows a genuine delivery (app.ts). Must not throw.
   */
  afterAnswered?: (event: SandboxEvent) => Promise<void>;
}

/** What the journal says about a notification whose URL the allow-list refuses. */
export const HOST_NOT_ALLOWED = "not allowed (the merchant's callback origins, SANDBOX_CALLBACK_HOSTS)";

/** Operations that are notified (docs/gateway-reference.md §6.2); `declined` (decline.do) has no documented callback. */
export const NOTIFIED: ReadonlySet<SandboxOperation> = new Set([
  'approved',
  'deposited',
  'reversed',
  'refunded',
  'declinedByTimeout',
]);

/**
 * Sends callbacks (docs/gateway-reference.md §6): a GET to the order's dynamicCallbackUrl or the merchant's static URL, retried with
 * exponential back-off until an HTTP 200. Everything runs after the API answer (the event listener only
 * schedules), every attempt has a timeout, and stop() aborts in-flight requests and pending retries.
 */
export class CallbackDispatcher {
  readonly #deps: DispatcherDeps;
  readonly #maxAttempts: number;
  readonly #retryBaseMs: number;
  readonly #timeoutMs: number;
  readonly #maxPending: number;
  readonly #stop = new AbortController();
  readonly #pending = new Set<Promise<void>>();
  readonly #allows: (url: string, merchant: SandboxMerchant) => boolean;

  constructor(deps: DispatcherDeps) {
    this.#deps = deps;
    const { allows } = deps;
    this.#allows = allows
      ? (url, merchant) => allows(url, merchant.login)
      : (url, merchant) => CallbackAllowList.of(undefined, [merchant]).allows(url, merchant.login);
    const o = deps.options ?? {};
    this.#maxAttempts = Math.min(MAX_CALLBACK_ATTEMPTS, Math.max(1, o.maxAttempts ?? 5));
    this.#retryBaseMs = Math.max(0, o.retryBaseMs ?? 1000);
    this.#timeoutMs = callbackTimeoutMs(o);
    this.#maxPending = Math.max(1, o.maxPending ?? 1000);
  }

  /** The events listener. */
  readonly handle = (event: SandboxEvent): void => {
    if (!NOTIFIED.has(event.operation) || this.#stop.signal.aborted) return;
    const target = event.order.callbackUrl ?? event.merchant.callbackUrl;
    if (!target) return;
    const params = callbackParams(event);
    // One rule for "has a key": an empty key would sign nothing, so it counts as no key (app start-up refuses it).
    const key = event.merchant.callbackKey || undefined;
    let plainUrl: string;
    let signedUrl: string;
    try {
      plainUrl = withQuery(target, params);
      signedUrl = key !== undefined ? withQuery(target, { ...params, checksum: signCallback(params, key) }) : plainUrl;
    } catch {
      // Only a merchant configured in code can get here; register and config validate URLs.
      this.#deps.logger?.warn({ orderId: event.order.id }, 'sandbox callback URL is not a valid URL');
      return;
    }
    const base = { operation: event.operation, url: plainUrl, signed: key !== undefined };
    if (!this.#allows(plainUrl, event.merchant)) {
      this.#refused(event.order, { ...base, copy: 1 });
      return;
    }
    const mode = this.#deps.modeFor?.(event.order) ?? 'normal';
    if (mode === 'lost') {
      this.#deps.journal.recordDelivery(event.order, {
        ...base,
        at: this.#deps.clock.now(),
        copy: 1,
        attempt: 0,
        outcome: { kind: 'lost' },
      });
      return;
    }
    const copies = mode === 'duplicated' ? 2 : 1;
    for (let copy = 1; copy <= copies; copy += 1) {
      if (this.#pending.size >= this.#maxPending) {
        const outcome: DeliveryOutcome = { kind: 'skipped', reason: 'too many pending callbacks' };
        this.#deps.journal.recordDelivery(event.order, {
          ...base,
          at: this.#deps.clock.now(),
          copy,
          attempt: 0,
          outcome,
        });
        continue;
      }
      const run = this.#deliver(event, signedUrl, { ...base, copy }).finally(() => this.#pending.delete(run));
      this.#pending.add(run);
    }
  };

  /** Notifications in flight or waiting for a retry. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Resolves once nothing is in flight or scheduled (tests, graceful shutdown). */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  /** Aborts every in-flight request and cancels every pending retry; later events send nothing. */
  stop(): void {
    this.#stop.abort();
  }

  async #deliver(
    event: SandboxEvent,
    url: string,
    base: { operation: SandboxOperation; url: string; signed: boolean; copy: number },
  ) {
    const { merchant, order } = event;
    // Never inside the API request: the first attempt starts on a later tick.
    await Promise.resolve();
    const { journal, clock, logger } = this.#deps;
    let answered = false;
    for (let attempt = 1; attempt <= this.#maxAttempts; attempt += 1) {
      if (this.#stop.signal.aborted) return;
      // Checked again right before every request, not only when the notification was scheduled.
      if (!this.#allows(url, merchant)) {
        this.#refused(order, base, attempt);
        return;
      }
      const outcome = await this.#send(url);
      if (this.#stop.signal.aborted) return;
      const ok = outcome.kind === 'http' && outcome.status === 200;
      const gaveUp = !ok && attempt === this.#maxAttempts;
      journal.recordDelivery(order, { ...base, at: clock.now(), attempt, outcome, ...(gaveUp && { gaveUp }) });
      if (outcome.kind === 'http' && !answered && base.copy === 1) {
        answered = true;
        await this.#deps.afterAnswered?.(event);
      }
      if (ok) return;
      logger?.warn(
        { orderId: order.id, operation: base.operation, attempt, outcome, url: base.url, gaveUp },
        'sandbox callback not accepted',
      );
      if (gaveUp) return;
      try {
        await sleep(retryDelayMs(this.#retryBaseMs, attempt), undefined, { signal: this.#stop.signal, ref: false });
      } catch {
        return; // stopped
      }
    }
  }

  #refused(
    order: Readonly<SandboxOrder>,
    base: { operation: SandboxOperation; url: string; signed: boolean; copy: number },
    attempt = 0,
  ): void {
    const outcome: DeliveryOutcome = { kind: 'skipped', reason: HOST_NOT_ALLOWED };
    this.#deps.journal.recordDelivery(order, { ...base, at: this.#deps.clock.now(), attempt, outcome });
    this.#deps.logger?.warn(
      { orderId: order.id, operation: base.operation, reason: HOST_NOT_ALLOWED },
      'sandbox callback not sent',
    );
  }

  #send(url: string): Promise<DeliveryOutcome> {
    return sendCallbackRequest(url, this.#stop.signal, this.#timeoutMs);
  }
}

/**
 * One GET of a callback URL, as every delivery attempt (and the test helpers' resend) makes it. Redirects are never
 * followed: a 3xx is a failed attempt, and its Location (wherever it points, allowed or not) is never requested.
 */
export async function sendCallbackRequest(url: string, stop: AbortSignal, timeoutMs: number): Promise<DeliveryOutcome> {
  const signal = AbortSignal.any([stop, AbortSignal.timeout(timeoutMs)]);
  try {
    const res = await fetch(url, { method: 'GET', redirect: 'manual', signal });
    // The body is irrelevant (docs/gateway-reference.md §6.1: only the status counts) and is neither kept nor shown;
    // drained so the socket is reused.
    await res.arrayBuffer().catch(() => undefined);
    return { kind: 'http', status: res.status };
  } catch (err) {
    return { kind: 'error', message: describeError(err, timeoutMs) };
  }
}

/**
 * The gateway's parameters of one notification (docs/gateway-reference.md §6.2). A refund reports the order amount in `amount` and this
 * refund's part in `operationRefundedAmount`; both are signed like every other parameter.
 */
export function callbackParams(event: SandboxEvent): Record<string, string> {
  const refunded = event.operation === 'refunded';
  return {
    mdOrder: event.order.id,
    orderNumber: event.order.orderNumber,
    operation: event.operation,
    status: String(event.status),
    amount: String(refunded ? event.order.amount : event.amount),
    ...(refunded && { operationRefundedAmount: String(event.amount) }),
  };
}

/** Wait after failed attempt n: base × 2^(n-1), capped, since Node fires a timer above 2^31-1 ms after 1 ms. */
export function retryDelayMs(baseMs: number, attempt: number): number {
  return Math.min(MAX_RETRY_DELAY_MS, baseMs * 2 ** (attempt - 1));
}

export function withQuery(target: string, params: Record<string, string>): string {
  const url = new URL(target);
  for (const [name, value] of Object.entries(params)) url.searchParams.append(name, value);
  return url.toString();
}

function describeError(err: unknown, timeoutMs: number): string {
  const e = errorLike(err);
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const cause = errorLike(e?.cause);
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message.slice(0, 200);
  return typeof e?.message === 'string' ? e.message.slice(0, 200) : 'network error';
}

/** By shape, not `instanceof Error`: fetch's errors come from Node's realm, which a test runner's vm does not share. */
function errorLike(value: unknown): { name?: unknown; message?: unknown; code?: unknown; cause?: unknown } | undefined {
  return typeof value === 'object' && value !== null ? value : undefined;
}
