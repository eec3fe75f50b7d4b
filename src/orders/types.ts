/** Types of the order ledger. Money is integer minor units plus an ISO 4217 numeric currency code. */
import type { CardInput, CardLine } from './card.js';

export type Flow = 'one-phase' | 'two-phase';

export type LocalStatus =
  | 'new' // row written, gateway not yet called
  | 'registered' // gateway orderId + formUrl stored; buyer sent to the payment page
  | 'register_failed' // gateway definitely refused / errored; buyer not charged
  | 'register_unknown' // timeout/reset during register: outcome unknown
  | 'processing' // gateway says 5 (3-D Secure / processing)
  | 'authorized' // gateway orderStatus 1 (two-phase hold)
  | 'paid' // gateway orderStatus 2
  | 'declined' // 6
  | 'reversed' // 3
  | 'partially_refunded' // 4 with refundedAmount below depositedAmount
  | 'refunded' // 4
  | 'mismatch'; // the status reply's orderNumber/amount/currency didn't match: never paid, needs review

export const LOCAL_STATUSES: readonly LocalStatus[] = [
  'new',
  'registered',
  'register_failed',
  'register_unknown',
  'processing',
  'authorized',
  'paid',
  'declined',
  'reversed',
  'partially_refunded',
  'refunded',
  'mismatch',
];

export interface OrderItem {
  productId: string;
  name: string;
  quantity: number;
  unitAmount: number;
}

export interface Order {
  id: number;
  orderNumber: string;
  gatewayOrderId: string | null;
  formUrl: string | null;
  items: OrderItem[];
  amount: number;
  currency: string;
  flow: Flow;
  language: string;
  status: LocalStatus;
  actionCode: number | null;
  gatewayStatus: number | null;
  purchaseKey: string | null;
  createdAt: number;
  updatedAt: number;
  paidAt: number | null;
  /** When the reconciler last asked the gateway about it. */
  checkedAt: number | null;
  /** When the reconciler asks about it next (its backoff, see ReconcileQuery); null: due at once; NO_MORE_CHECKS: never. */
  nextCheckAt: number | null;
  /** Captured so far, minor units, as the gateway last said (never decreases). */
  depositedAmount: number;
  /** Refunded so far, minor units, as the gateway last said (never decreases). */
  refundedAmount: number;
  /** The card line the status answers gave (masked number, payment way), kept with the status they applied. */
  card: CardLine;
}

export interface OrderEvent {
  id: number;
  orderId: number;
  at: number;
  /** e.g. 'created', 'register', 'register_error', 'status', 'mismatch', 'fulfilled' */
  kind: string;
  outcome: string;
  detail: Record<string, unknown> | null;
}

export interface CreateOrderInput {
  items: OrderItem[];
  amount: number;
  currency: string;
  flow: Flow;
  language: string;
  purchaseKey?: string;
}

/** Why the ledger heard about the gateway's state: kept with every status event. */
export interface StatusCause {
  source: 'return' | 'callback' | 'reconciler' | 'admin' | 'buy';
  /** Who acted, for the back office (e.g. the operator's login). */
  actor?: string;
}

export interface GatewayStatusInput {
  orderStatus: number;
  actionCode: number;
  /** paymentAmountInfo's depositedAmount and refundedAmount, when the reply has them. */
  amounts?: { deposited?: number | undefined; refunded?: number | undefined } | undefined;
  /** cardAuthInfo.maskedPan and paymentWay, when the reply has them; kept by the same transaction (cardToKeep). */
  card?: CardInput | undefined;
  cause?: StatusCause;
}

export interface ApplyStatusResult {
  order: Order;
  /** the local status changed */
  changed: boolean;
  /** true exactly once per order: the first transition into paid or authorized */
  fulfilled: boolean;
}

/** Who holds a purchase claim: the shop instance and this process's life in it (src/orders/claims.ts). */
export interface ClaimOwner {
  instance: string;
  life: string;
}

/** How long a pending purchase is worth waiting for or going back to (see Ledger.claimPurchase). */
export interface PurchasePolicy {
  /** A 'new' order older than this lost its register call (crash, restart): it is retired as register_unknown. */
  abandonAfterMs: number;
  /** A 'registered' order older than this no longer has a payment page worth sending the buyer to: its key is released. */
  reuseForMs: number;
  /**
   * Who claims (src/orders/claims.ts): stored with a created order, and a 'new' order claimed by the same instance in
   * an earlier life is retired at once instead of after abandonAfterMs. Without it, only abandonAfterMs retires.
   */
  owner?: ClaimOwner;
}

/**
 * The answer to "may this purchase start an order?":
 * - created: a new order was written and this caller must register it with the gateway;
 * - in_flight: another request is registering this very purchase right now (double click, second tab);
 * - reusable: the purchase is registered and its payment page is still fresh: send the buyer there.
 * A stale or abandoned pending order never blocks: it is retired (and named in `retired`) and a new one created.
 */
export type PurchaseClaim =
  | { outcome: 'created'; order: Order; retired?: Order }
  | { outcome: 'in_flight'; order: Order }
  | { outcome: 'reusable'; order: Order; formUrl: string };

export interface ReconcileQuery {
  holder: string;
  leaseMs: number;
  openBefore: number;
  paidSince: number;
  checkedBefore: number;
  /** Only orders whose next check (see Ledger.checked) is due by then; default: the ledger's clock. */
  dueBy?: number;
  limit: number;
}

/** An order the reconciler will never ask about again (it gave up on it): its `nextCheckAt`. */
export const NO_MORE_CHECKS = Number.MAX_SAFE_INTEGER;

/** Orders that were due for a run but were not leased to it, by reason (see Ledger.countUnleased). */
export interface UnleasedDue {
  /** Held by another reconciler whose lease has not ended. */
  leased: number;
  /** When the latest of those leases ends, if any. */
  leasedUntil: number | null;
  /** Free, but past the run's batch: the next run takes them. */
  overBatch: number;
}

/** A page of the back office's order list: newest first, filtered by status and by part of a number. */
export interface OrderListQuery {
  status?: LocalStatus | undefined;
  /** Part of the orderNumber or the gateway's order id (matched literally, case-insensitively). */
  text?: string | undefined;
  /** 1..100 */
  limit: number;
  offset: number;
}

export interface OrderListPage {
  orders: Order[];
  /** Orders matching the filters, all pages together. */
  total: number;
}

/**
 * A result that is there now (the SQLite ledger: better-sqlite3 is synchronous) or later (the PostgreSQL ledger).
 * Callers always await it, so both implementations satisfy one interface; see docs/decisions/0011-shared-state.md.
 */
export type Awaitable<T> = T | Promise<T>;

/** The same methods, answering at once: the SQLite ledger's own type, which tests and tools may use without await. */
export type Synchronous<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Awaited<R> : T[K];
};

// The back office's money actions as intents (decided in src/orders/intents.ts).
export const MONEY_ACTIONS = ['capture', 'void', 'refund'] as const;
export type MoneyAction = (typeof MONEY_ACTIONS)[number];

/**
 * issued: the form was shown; pending: claimed, the gateway call is running (or its process died); done, refused:
 * the gateway's answer; unknown: the call's outcome is unknown (timeout, reset), the status is asked before a repeat.
 */
export const INTENT_STATES = ['issued', 'pending', 'done', 'refused', 'unknown'] as const;
export type IntentState = (typeof INTENT_STATES)[number];

/** What the gateway answered (or why nothing was sent), kept to answer a repeat with the first outcome. */
export interface IntentAnswer {
  /** The transport's error code (GATEWAY_TIMEOUT, GATEWAY_REJECTED…), when the call failed. */
  code?: string | undefined;
  errorCode?: number | undefined;
  /** The gateway's errorMessage, or the shop's reason when the status showed the action was moot. */
  message?: string | undefined;
  /** 'status': decided by asking the order's status after an unknown outcome. */
  by?: 'call' | 'status' | undefined;
}

export interface Intent {
  /** SHA-256 (hex) of the form's token: the row's key. */
  tokenHash: string;
  /** Public name of the intent (a UUID): the refund's externalRefundId, and the events' `intent`. */
  ref: string;
  orderId: number;
  action: MoneyAction;
  actor: string;
  issuedAt: number;
  state: IntentState;
  /** Minor units, bound at the first claim (null for a void, and until claimed). */
  amount: number | null;
  claimedAt: number | null;
  /** Gateway calls made for it (0 until claimed; a retry after an unknown outcome adds one). */
  attempts: number;
  answer: IntentAnswer | null;
  /** The order as the form showed it: a claim on a changed order is refused as stale. */
  seen: IntentBasis;
}

/** One claim of an intent: its token hash and the attempt the claim made (what an answer belongs to). */
export type IntentAttempt = Pick<Intent, 'tokenHash' | 'attempts'>;

export interface IntentBasis {
  status: string;
  deposited: number;
  refunded: number;
  /** Intents of this order claimed before the form was shown. */
  claims: number;
}

export interface IssueIntentInput {
  /** SHA-256 (hex) of the form's token: the token itself is never stored. */
  tokenHash: string;
  ref: string;
  orderId: number;
  action: MoneyAction;
  actor: string;
  /** Issued intents never claimed and older than this are forgotten in the same transaction. */
  forgetIssuedBefore: number;
}

export interface ClaimIntentInput {
  tokenHash: string;
  orderId: number;
  action: MoneyAction;
  /** Minor units the operator confirmed; null for a void. */
  amount: number | null;
  actor: string;
}

export interface IntentPolicy {
  /** A form older than this is refused as expired (nothing done; a new form is shown). */
  issuedForMs: number;
  /** A claim older than this whose call never answered (the process died) counts as an unknown outcome. */
  pendingForMs: number;
}

/**
 * - go: this caller calls the gateway (`recheck`: an earlier call's outcome is unknown, so it asks the status first);
 * - repeat: the intent was answered; this is a repeat and gets that answer;
 * - busy: the first call is still running;
 * - refused: nothing is done (an unknown or expired token, one for another order or action or amount, or a form
 *   shown before the order changed, or while another form of the order is at the gateway or has an unknown outcome).
 */
export type IntentDecision =
  | { outcome: 'go'; recheck: boolean }
  | { outcome: 'repeat' }
  | { outcome: 'busy' }
  | { outcome: 'refused'; reason: IntentRefusal };

export type IntentRefusal = 'unknown' | 'expired' | 'other_order' | 'other_amount' | 'stale' | 'unresolved';

export type IntentClaim = IntentDecision & { intent?: Intent | undefined };

export interface Ledger {
  createOrder(input: CreateOrderInput): Awaitable<Order>;
  /** One atomic decision for a purchase key: create an order, or name the pending one (see PurchaseClaim). */
  claimPurchase(input: CreateOrderInput & { purchaseKey: string }, policy: PurchasePolicy): Awaitable<PurchaseClaim>;
  /**
   * Frees the purchase key of a registered order whose payment page the gateway no longer takes (it lost the order,
   * or it is no longer payable), so the next claimPurchase creates a new order. The order itself stays as it is: a late
   * payment on it is still applied. No-op for a 'new' order or one whose key is already released.
   */
  releasePurchase(id: number, detail: Record<string, unknown>): Awaitable<Order>;
  get(id: number): Awaitable<Order | undefined>;
  findByGatewayOrderId(orderId: string): Awaitable<Order | undefined>;
  findByOrderNumber(n: string): Awaitable<Order | undefined>;
  markRegistered(id: number, r: { gatewayOrderId: string; formUrl: string }): Awaitable<Order>;
  markRegisterFailed(
    id: number,
    status: 'register_failed' | 'register_unknown',
    detail: Record<string, unknown>,
  ): Awaitable<Order>;
  applyGatewayStatus(id: number, s: GatewayStatusInput): Awaitable<ApplyStatusResult>;
  markMismatch(id: number, detail: Record<string, unknown>, cause?: StatusCause): Awaitable<Order>;
  recordEvent(orderId: number, kind: string, outcome: string, detail?: Record<string, unknown>): Awaitable<void>;
  events(orderId: number): Awaitable<OrderEvent[]>;
  listRecent(limit: number): Awaitable<Order[]>;
  /** The back office's order list (see OrderListQuery). */
  listOrders(q: OrderListQuery): Awaitable<OrderListPage>;
  /** The order's fulfilment (written exactly once, when it first became paid or authorized), if any. */
  fulfilment(orderId: number): Awaitable<{ at: number; status: string } | undefined>;
  /** Units of a product shipped by fulfilments so far. */
  unitsSold(productId: string): Awaitable<number>;
  /**
   * Leases up to `limit` orders due for a look at the gateway to `holder` for `leaseMs`: open orders created before
   * `openBefore`, and orders paid since `paidSince`, in both cases not checked since `checkedBefore`. Another
   * instance gets none of them until the lease ends or checked() gives it back. An order is due only once its
   * `nextCheckAt` has come (`dueBy`).
   */
  leaseDue(q: ReconcileQuery): Awaitable<Order[]>;
  /** Of the orders due for `q`, those not leased to `q.holder`: held by another reconciler, or over the batch. */
  countUnleased(q: ReconcileQuery): Awaitable<UnleasedDue>;
  /**
   * The reconciler has asked the gateway about the order: record when, end `holder`'s lease, and schedule its next
   * check at `nextCheckAt` (null: due at once).
   */
  checked(id: number, holder: string, nextCheckAt?: number | null): Awaitable<void>;
  /** A reconciler run is alive: `holder`'s leases now end `leaseMs` from now. Returns how many it holds. */
  renewLeases(holder: string, leaseMs: number): Awaitable<number>;
  /** A run stopped early: end every lease `holder` still has, unchecked. Returns how many were ended. */
  releaseLeases(holder: string): Awaitable<number>;
  /** The register answer was lost but the gateway knows the order under `gatewayOrderId`: keep it. */
  adoptGatewayOrderId(id: number, gatewayOrderId: string): Awaitable<Order>;
  /** The gateway never heard of this order (the register call never arrived): final, nobody was charged. */
  markNeverRegistered(id: number, detail: Record<string, unknown>): Awaitable<Order>;
  /** A confirmation form of a money action was shown: records its intent with the order as the form shows it. */
  issueIntent(i: IssueIntentInput): Awaitable<Intent>;
  /** The intent named by a token hash, if any. */
  findIntent(tokenHash: string): Awaitable<Intent | undefined>;
  /**
   * A confirmation form was submitted: one transaction decides (decideIntent) and, when the caller is to call the
   * gateway, records the claim (amount, attempt, a 'requested' event) before the call is made.
   */
  claimIntent(c: ClaimIntentInput, policy: IntentPolicy): Awaitable<IntentClaim & { order: Order }>;
  /**
   * The gateway's answer to a claimed intent (pending, or unknown when a status read resolves it), with its
   * 'answered' event; a repeat is answered from it. Only the attempt named is answered: when the intent was claimed
   * again since (another attempt), nothing is written and the intent is returned as it stands.
   */
  finishIntent(claim: IntentAttempt, state: 'done' | 'refused' | 'unknown', answer: IntentAnswer): Awaitable<Intent>;
  /** The order's claimed intents whose outcome is not known (pending or unknown), oldest first. */
  unresolvedIntents(orderId: number): Awaitable<Intent[]>;
}
