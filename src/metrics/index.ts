// The shop's Prometheus metrics: one Registry per app (never prom-client's global one), so several shops in one
// process (the tests) keep their own counts. Every label takes values from a small fixed set.
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { DOCUMENTED_ACTION_CODES } from '../gateway/action-codes.js';

/** What a failed register.do (or registerPreAuth.do) came to; the label of shop_register_failures_total. */
export type RegisterFailureKind = 'timeout' | 'network' | 'http' | 'rejected' | 'invalid_answer' | 'not_recorded';

/** Why a callback changed nothing; the label of shop_callbacks_refused_total. */
export type CallbackRefusal = 'malformed' | 'missing_checksum' | 'bad_checksum' | 'bad_order_id' | 'unknown_order';

/** The gateway methods the client knows; anything else is counted as "other". */
const METHODS = new Set([
  'register',
  'registerPreAuth',
  'getOrderStatusExtended',
  'deposit',
  'reverse',
  'refund',
  'decline',
]);
const ACTION_CODES = new Set(DOCUMENTED_ACTION_CODES.map(String));
const ERROR_KINDS: Readonly<Record<string, RegisterFailureKind>> = {
  GATEWAY_TIMEOUT: 'timeout',
  GATEWAY_NETWORK: 'network',
  GATEWAY_HTTP: 'http',
  GATEWAY_REJECTED: 'rejected',
  GATEWAY_BAD_RESPONSE: 'invalid_answer',
  GATEWAY_FOREIGN_FORM_URL: 'invalid_answer',
};

/** The hooks the shop calls where an outcome is decided (one place each); see docs/decisions/0010-metrics.md. */
export interface ShopMetrics {
  readonly registry: Registry;
  orderRegistered(): void;
  /** The order's first move into paid (one-phase) or authorized (two-phase): its fulfilment. */
  orderPaid(status: 'paid' | 'authorized'): void;
  orderDeclined(actionCode: number | null | undefined): void;
  /** `code` is the GatewayError's code; undefined when the answer came but could not be recorded. */
  registerFailed(code: string | undefined): void;
  /** One HTTP attempt to the gateway. */
  gatewayCall(e: { method: string; durationMs: number; ok: boolean }): void;
  callbackReceived(): void;
  callbackRefused(reason: CallbackRefusal): void;
  reconcilerRun(summary: { checked: number; changed: number; unanswered: number }): void;
}

export interface MetricsOptions {
  /** prom-client's process metrics (CPU, memory, event loop lag, GC…); default true. */
  processMetrics?: boolean;
}

export function createMetrics(opts: MetricsOptions = {}): ShopMetrics {
  const registry = new Registry();
  if (opts.processMetrics !== false) collectDefaultMetrics({ register: registry });
  const registered = new Counter({
    name: 'shop_orders_registered_total',
    help: 'Orders the gateway registered (register.do or registerPreAuth.do answered with a payment page)',
    registers: [registry],
  });
  const paid = new Counter({
    name: 'shop_orders_paid_total',
    help: 'Orders that became paid (one-phase) or authorized (two-phase hold): each fulfilled once',
    labelNames: ['status'] as const,
    registers: [registry],
  });
  const declined = new Counter({
    name: 'shop_orders_declined_total',
    help: 'Orders the gateway declined, by actionCode (codes outside the documented set count as "other")',
    labelNames: ['action_code'] as const,
    registers: [registry],
  });
  const registerFailures = new Counter({
    name: 'shop_register_failures_total',
    help: 'Failed register calls by kind: timeout, network, http, rejected, invalid_answer, not_recorded',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const calls = new Histogram({
    name: 'shop_gateway_call_duration_seconds',
    help: 'Duration of each HTTP attempt to the gateway, by method and outcome (ok or error)',
    labelNames: ['method', 'outcome'] as const,
    buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30],
    registers: [registry],
  });
  const callbacks = new Counter({
    name: 'shop_callbacks_received_total',
    help: 'Requests to /payment/callback, accepted or not',
    registers: [registry],
  });
  const refused = new Counter({
    name: 'shop_callbacks_refused_total',
    help: 'Callbacks that changed nothing, by reason: malformed, missing_checksum, bad_checksum, bad_order_id, unknown_order',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const runs = new Counter({
    name: 'shop_reconciler_runs_total',
    help: 'Reconciler runs that finished',
    registers: [registry],
  });
  const reconciled = new Counter({
    name: 'shop_reconciler_orders_total',
    help: 'Orders the reconciler asked about (checked), of which changed status (changed) or got no answer (unanswered)',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  // Known series start at 0, so a rate() has a baseline before the first event.
  registered.inc(0);
  for (const status of ['paid', 'authorized']) paid.inc({ status }, 0);
  for (const kind of new Set(Object.values(ERROR_KINDS)).add('not_recorded')) registerFailures.inc({ kind }, 0);
  callbacks.inc(0);
  runs.inc(0);
  for (const result of ['checked', 'changed', 'unanswered']) reconciled.inc({ result }, 0);

  return {
    registry,
    orderRegistered: () => registered.inc(),
    orderPaid: (status) => paid.inc({ status }),
    orderDeclined: (code) => declined.inc({ action_code: actionCodeLabel(code) }),
    registerFailed: (code) =>
      registerFailures.inc({ kind: code === undefined ? 'not_recorded' : (ERROR_KINDS[code] ?? 'invalid_answer') }),
    gatewayCall: (e) =>
      calls.observe(
        { method: METHODS.has(e.method) ? e.method : 'other', outcome: e.ok ? 'ok' : 'error' },
        e.durationMs / 1000,
      ),
    callbackReceived: () => callbacks.inc(),
    callbackRefused: (reason) => refused.inc({ reason }),
    reconcilerRun: (s) => {
      runs.inc();
      reconciled.inc({ result: 'checked' }, s.checked);
      reconciled.inc({ result: 'changed' }, s.changed);
      reconciled.inc({ result: 'unanswered' }, s.unanswered);
    },
  };
}

/** The documented actionCodes keep their number; anything else (a gateway's private code, a missing one) is "other". */
export function actionCodeLabel(code: number | null | undefined): string {
  return code !== null && code !== undefined && ACTION_CODES.has(String(code)) ? String(code) : 'other';
}
