import { cardToKeep, type CardLine } from './card.js';
import { ownerText, pendingFate, RETIRED_BECAUSE } from './claims.js';
import { DuplicatePurchaseError, InvalidOrderError, InvalidTransitionError } from './errors.js';
import {
  FULFIL_ON,
  PREDECESSORS,
  RECHECK_AFTER_PAYMENT,
  STALE_CANDIDATES,
  canTransition,
  statusFromGateway,
} from './state-machine.js';
import { LOCAL_STATUSES } from './types.js';
import type {
  CreateOrderInput,
  GatewayStatusInput,
  LocalStatus,
  Order,
  OrderListQuery,
  PurchaseClaim,
  PurchasePolicy,
  ReconcileQuery,
  StatusCause,
} from './types.js';
import { checkLabel, checkText } from './validate.js';

/**
 * The ledger's decisions, written once for both stores (src/orders/sqlite/, src/orders/postgres/). Each takes the
 * order as the store read it under its lock (plus the input and the time) and answers a Plan: what to write. A
 * refusal is thrown as the typed error, before anything is written. The stores only lock, read, call a decision and
 * write its plan; no decision does I/O. (The purchase claim's fate is decided in claims.ts, an admin intent's in
 * intents.ts, the status mapping and transition table are state-machine.ts, and field checks validate.ts.)
 */

/** An event the plan appends to the order's log, at the plan's time. */
export interface PlannedEvent {
  kind: string;
  outcome: string;
  detail?: Record<string, unknown>;
}

/** What a status write sets besides the status (null: keep the row's). */
export interface GatewayFields {
  orderStatus: number | null;
  actionCode: number | null;
  /** The amounts the row gets: never less than it has (decided here, see moneyMoved). */
  deposited: number;
  refunded: number;
}

/**
 * The row write of a plan, on the order's locked row. register, fail and move are compare-and-sets on the status
 * (from casFrom's statuses); a store that finds the row moved throws.
 */
export type RowWrite =
  | { kind: 'register'; gatewayOrderId: string; formUrl: string }
  | { kind: 'fail'; status: 'register_failed' | 'register_unknown' }
  | { kind: 'move'; to: LocalStatus; fields: GatewayFields & { paidAt: number | null } }
  | { kind: 'refresh'; fields: GatewayFields & { orderStatus: number; actionCode: number } }
  | { kind: 'release' }
  | { kind: 'adopt'; gatewayOrderId: string };

/** Units per product, sorted by product: two fulfilments never lock product rows crosswise. */
export type Units = [productId: string, quantity: number][];

/** What to write, in this order: the row, its card line, the fulfilment, the events. Nothing at all: answer the row. */
export interface Plan {
  write?: RowWrite;
  /** The card line to store (only when it differs from the row's). */
  card?: CardLine;
  /** Fulfil now, in the same transaction as the compare-and-set that decided it. */
  fulfil?: { status: LocalStatus; units: Units };
  events: readonly PlannedEvent[];
}

/** A status reply's plan, and what applyGatewayStatus answers besides the order. */
export interface StatusPlan extends Plan {
  changed: boolean;
  fulfilled: boolean;
}

/** The plan of a write that is not needed (a retried call, a status already reached): the row as it is. */
export const NOTHING: Plan = Object.freeze({ events: Object.freeze([]) });

/** A move that keeps the row's gateway fields and amounts. */
const keepFields = (o: Order): GatewayFields & { paidAt: null } => {
  return {
    orderStatus: null,
    actionCode: null,
    deposited: o.depositedAmount,
    refunded: o.refundedAmount,
    paidAt: null,
  };
};

/** The money moved, as the row keeps it after a reply: amounts only grow (a stale reply can't take a refund back). */
function moneyMoved(o: Order, amounts: GatewayStatusInput['amounts']): { deposited: number; refunded: number } {
  return {
    deposited: Math.max(o.depositedAmount, amounts?.deposited ?? 0),
    refunded: Math.max(o.refundedAmount, amounts?.refunded ?? 0),
  };
}

/** Refuses a malformed status reply before any row is locked. */
export function checkGatewayStatus(s: GatewayStatusInput): void {
  if (!Number.isSafeInteger(s.orderStatus) || !Number.isSafeInteger(s.actionCode)) {
    throw new InvalidOrderError('orderStatus and actionCode must be integers');
  }
  for (const amount of [s.amounts?.deposited, s.amounts?.refunded]) {
    if (amount !== undefined && (!Number.isSafeInteger(amount) || amount < 0)) {
      throw new InvalidOrderError('amounts must be non-negative integers of minor units');
    }
  }
}

export function unitsByProduct(o: Order): Units {
  const units = new Map<string, number>();
  for (const item of o.items) units.set(item.productId, (units.get(item.productId) ?? 0) + item.quantity);
  return [...units].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The card line this reply adds, when it changes what the order keeps (cardToKeep decides). */
function cardChange(o: Order, said: GatewayStatusInput['card']): { card?: CardLine } {
  const kept = cardToKeep(o.card, said);
  return kept.maskedPan !== o.card.maskedPan || kept.paymentWay !== o.card.paymentWay ? { card: kept } : {};
}

/** The gateway's answer about an order: what the order becomes, and whether it is fulfilled now (exactly once). */
export function decideStatus(o: Order, s: GatewayStatusInput, t: number): StatusPlan {
  const { orderStatus, actionCode, amounts, card, cause } = s;
  const to = statusFromGateway(orderStatus, amounts);
  const { deposited, refunded } = moneyMoved(o, amounts);
  const detail = { orderStatus, actionCode, from: o.status, to: to ?? null, cause, ...(amounts && { amounts }) };
  const event = (outcome: string): PlannedEvent => ({ kind: 'status', outcome, detail });
  if (to === undefined) return { events: [event('unknown_status')], changed: false, fulfilled: false };
  if (to === o.status) {
    // Same status, more money moved (a second partial refund, say): recorded as such. A reply that changes nothing
    // is no event (a re-check every so often would flood the log).
    const grew = deposited > o.depositedAmount || refunded > o.refundedAmount;
    return {
      write: { kind: 'refresh', fields: { orderStatus, actionCode, deposited, refunded } },
      ...cardChange(o, card),
      events: grew ? [event('amounts')] : [],
      changed: grew,
      fulfilled: false,
    };
  }
  // Stale, replayed or out-of-order reply: keep the state, keep the evidence.
  if (!canTransition(o.status, to)) return { events: [event('ignored')], changed: false, fulfilled: false };
  const fulfilled = FULFIL_ON.includes(to) && o.paidAt === null;
  const move: RowWrite = { kind: 'move', to, fields: { orderStatus, actionCode, deposited, refunded, paidAt: null } };
  if (!fulfilled) return { write: move, ...cardChange(o, card), events: [event('changed')], changed: true, fulfilled };
  return {
    write: { ...move, fields: { ...move.fields, paidAt: t } },
    ...cardChange(o, card),
    fulfil: { status: to, units: unitsByProduct(o) },
    events: [event('changed'), { kind: 'fulfilled', outcome: to, detail: { amount: o.amount, currency: o.currency } }],
    changed: true,
    fulfilled,
  };
}

/** The status reply did not match the order: never paid, needs review; never a downgrade of a fulfilled order. */
export function decideMismatch(o: Order, detail: Record<string, unknown>, cause: StatusCause | undefined): Plan {
  const evidence = { ...detail, cause };
  if (!canTransition(o.status, 'mismatch')) {
    // Never downgrade a fulfilled or final order; the evidence is still recorded.
    const outcome = o.status === 'mismatch' ? 'unchanged' : 'ignored';
    return { events: [{ kind: 'mismatch', outcome, detail: { ...evidence, status: o.status } }] };
  }
  return {
    write: { kind: 'move', to: 'mismatch', fields: keepFields(o) },
    events: [{ kind: 'mismatch', outcome: 'marked', detail: evidence }],
  };
}

/** A registration's answer (registered, or failed) applies only while its register call runs: to a 'new' order. */
const REGISTERING: readonly LocalStatus[] = ['new'];

export function decideRegistered(o: Order, r: { gatewayOrderId: string; formUrl: string }): Plan {
  // A retried call with the same reply is harmless.
  if (o.status === 'registered' && o.gatewayOrderId === r.gatewayOrderId && o.formUrl === r.formUrl) return NOTHING;
  if (!REGISTERING.includes(o.status)) throw new InvalidTransitionError(o.id, o.status, 'registered');
  return {
    write: { kind: 'register', gatewayOrderId: r.gatewayOrderId, formUrl: r.formUrl },
    events: [{ kind: 'register', outcome: 'registered', detail: { gatewayOrderId: r.gatewayOrderId } }],
  };
}

export function decideRegisterFailed(
  o: Order,
  status: 'register_failed' | 'register_unknown',
  detail: Record<string, unknown>,
): Plan {
  if (o.status === status) return NOTHING;
  if (!REGISTERING.includes(o.status)) throw new InvalidTransitionError(o.id, o.status, status);
  // Leaving 'new' frees the purchaseKey slot (the partial unique index covers new/registered only).
  return { write: { kind: 'fail', status }, events: [{ kind: 'register_error', outcome: status, detail }] };
}

/** Frees a registered order's purchase key; a 'new' order keeps it (its register call is running). */
export function decideRelease(o: Order, detail: Record<string, unknown> = {}): Plan {
  if (o.purchaseKey === null || o.status === 'new') return NOTHING;
  return {
    write: { kind: 'release' },
    events: [{ kind: 'purchase_key', outcome: 'released', detail: { status: o.status, ...detail } }],
  };
}

/** The register answer was lost but the gateway knows the order: keep its id, never replace another one. */
export function decideAdopt(o: Order, gatewayOrderId: string): Plan {
  if (o.gatewayOrderId === gatewayOrderId) return NOTHING;
  if (o.gatewayOrderId !== null) throw new InvalidOrderError(`order ${o.id} already has a gateway order id`);
  return {
    write: { kind: 'adopt', gatewayOrderId },
    events: [{ kind: 'register', outcome: 'adopted', detail: { gatewayOrderId } }],
  };
}

/** The gateway never heard of the order: final, nobody was charged. Only an order never registered may end so. */
export function decideNeverRegistered(o: Order, detail: Record<string, unknown>): Plan {
  if (o.status === 'register_failed') return NOTHING;
  if (o.status !== 'register_unknown' && o.status !== 'new') {
    throw new InvalidTransitionError(o.id, o.status, 'register_failed');
  }
  return {
    write: { kind: 'move', to: 'register_failed', fields: keepFields(o) },
    events: [{ kind: 'register_error', outcome: 'never_registered', detail }],
  };
}

/** createOrder refuses a second pending order of one purchase (claimPurchase decides instead). */
export function refuseDuplicate(pending: Order | undefined): void {
  if (pending) throw new DuplicatePurchaseError(pending);
}

/** The 'created' event of a new order. */
export const createdEvent = (input: CreateOrderInput): PlannedEvent => ({
  kind: 'created',
  outcome: 'ok',
  detail: { amount: input.amount, currency: input.currency, flow: input.flow },
});

/**
 * What a purchase claim does, given the purchase's pending order (if any) and its stored claim owner: answer with
 * the pending order, or create a new order (stored with `owner`), retiring the pending one first by `retire`.
 */
export type ClaimPlan =
  { answer: PurchaseClaim } | { create: { owner: string | null }; retire?: { order: Order; plan: Plan } };

export function decideClaim(
  pending: Order | undefined,
  claimOwner: string | null | undefined,
  policy: PurchasePolicy,
  t: number,
): ClaimPlan {
  const create = { owner: ownerText(policy.owner) };
  if (!pending) return { create };
  const fate = pendingFate(pending, claimOwner, t, policy);
  if (fate === 'in_flight') return { answer: { outcome: 'in_flight', order: pending } };
  if (fate === 'reusable') return { answer: { outcome: 'reusable', order: pending, formUrl: pending.formUrl! } };
  // Nobody is registering it any more, or its payment page went stale: free the slot. A late payment on it is still
  // applied (and fulfilled) once.
  const plan =
    fate === 'stale'
      ? decideRelease(pending)
      : decideRegisterFailed(pending, 'register_unknown', RETIRED_BECAUSE[fate]);
  return { create, retire: { order: pending, plan } };
}

/** The answer of a claim that created `order` (after retiring `retired`). */
export const createdClaim = (order: Order, retired: Order | undefined): PurchaseClaim =>
  retired ? { outcome: 'created', order, retired } : { outcome: 'created', order };

export function checkEventLabels(kind: string, outcome: string): void {
  checkLabel(kind, 'kind');
  checkLabel(outcome, 'outcome');
}

/** listRecent's bound: 1..1000. */
export const recentLimit = (limit: number): number => Math.min(Math.max(Math.trunc(limit) || 1, 1), 1000);

/**
 * The back office's list filter, refused when malformed. `like` is a LIKE pattern (escape character \): the text
 * matched literally (LIKE's own wildcards escaped) and ASCII-case-insensitively, its letters in lower case (SQLite's
 * LIKE folds ASCII letters itself; PostgreSQL folds the columns the same way).
 */
export function listFilter({ status, text, limit, offset }: OrderListQuery): {
  status: LocalStatus | null;
  like: string | null;
} {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > 100) throw new InvalidOrderError('limit must be 1..100');
  if (!Number.isSafeInteger(offset) || offset < 0) throw new InvalidOrderError('offset must be 0 or more');
  if (status !== undefined && !LOCAL_STATUSES.includes(status)) throw new InvalidOrderError('unknown status');
  if (text !== undefined) checkText(text, 'text', 64);
  const like =
    text === undefined
      ? null
      : `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`).replace(/[A-Z]/g, (ch) => ch.toLowerCase())}%`;
  return { status: status ?? null, like };
}

export function checkLeaseQuery(r: ReconcileQuery): void {
  if (!Number.isSafeInteger(r.limit) || r.limit < 1 || r.limit > 1000)
    throw new InvalidOrderError('limit must be 1..1000');
}

/**
 * Which orders are due for the reconciler at `t`: open ones created before openBefore and paid ones paid since
 * paidSince, not checked since checkedBefore, whose next check has come by dueBy.
 */
export const dueWindow = (r: ReconcileQuery, t: number) => ({
  open: STALE_CANDIDATES,
  paid: RECHECK_AFTER_PAYMENT,
  openBefore: r.openBefore,
  paidSince: r.paidSince,
  checkedBefore: r.checkedBefore,
  dueBy: r.dueBy ?? t,
  now: t,
});

/** Leased orders in the order they are worked on: least recently checked first. */
export const byLastChecked = (a: Order, b: Order): number => (a.checkedAt ?? 0) - (b.checkedAt ?? 0) || a.id - b.id;

/** The status a compare-and-set write moves the row into (none for the writes that keep the status). */
export function casTarget(w: RowWrite): LocalStatus | undefined {
  switch (w.kind) {
    case 'register':
      return 'registered';
    case 'fail':
      return w.status;
    case 'move':
      return w.to;
    case 'refresh':
    case 'release':
    case 'adopt':
      return undefined;
  }
}

/** The statuses a compare-and-set write moves the row from: the ones its decision writes from (none: no status). */
export function casFrom(w: RowWrite): readonly LocalStatus[] {
  switch (w.kind) {
    case 'register':
    case 'fail':
      return REGISTERING;
    case 'move':
      return PREDECESSORS[w.to];
    case 'refresh':
    case 'release':
    case 'adopt':
      return [];
  }
}
