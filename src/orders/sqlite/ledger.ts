import { ownerText, pendingFate, RETIRED_BECAUSE } from '../claims.js';
import { cardToKeep } from '../card.js';
import type { Database } from '../db.js';
import { Sqlite } from '../driver.js';
import { DuplicatePurchaseError, InvalidOrderError, InvalidTransitionError, OrderNotFoundError } from '../errors.js';
import { createEventLog } from '../events.js';
import { createSqliteIntents } from './intents.js';
import { formatOrderNumber, randomBase32 } from '../order-number.js';
import { itemsJson, toOrder, type OrderRow } from '../rows.js';
import { prepareOrderStatements } from './statements.js';
import {
  FULFIL_ON,
  PREDECESSORS,
  RECHECK_AFTER_PAYMENT,
  STALE_CANDIDATES,
  canTransition,
  statusFromGateway,
} from '../state-machine.js';
import { LOCAL_STATUSES } from '../types.js';
import type {
  ApplyStatusResult,
  CreateOrderInput,
  GatewayStatusInput,
  Ledger,
  LocalStatus,
  Order,
  PurchaseClaim,
  PurchasePolicy,
  ReconcileQuery,
  Synchronous,
} from '../types.js';
import { checkLabel, checkText, validateCreateOrder, validateRegistration } from '../validate.js';

export type { Ledger, PurchaseClaim, PurchasePolicy } from '../types.js';
/** The SQLite ledger answers synchronously (better-sqlite3); it is a Ledger, whose callers await every answer. */
export type SqliteLedger = Synchronous<Ledger>;
// The shop imports the typed errors next to the ledger.
export {
  DuplicatePurchaseError,
  InvalidOrderError,
  InvalidTransitionError,
  LedgerError,
  OrderNotFoundError,
} from '../errors.js';

function isUniqueViolation(err: unknown): boolean {
  return err instanceof Sqlite.SqliteError && err.code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/**
 * The order ledger. Every write runs in an IMMEDIATE transaction (the write lock is taken
 * before the row is read), and every status change is a compare-and-set on the current
 * status, so concurrent callers — on this connection or another process — can't both win.
 */
export function createLedger(db: Database, opts: { now?: () => number } = {}): SqliteLedger {
  const now = opts.now ?? Date.now;
  const log = createEventLog(db);
  const q = prepareOrderStatements(db);

  const find = (row: OrderRow | undefined) => (row ? toOrder(row) : undefined);
  const mustGet = (id: number): Order => {
    const o = find(q.byId.get(id));
    if (!o) throw new OrderNotFoundError(id);
    return o;
  };

  /** CAS into `to`; throws if the row moved meanwhile (cannot happen under the write lock). */
  const move = (
    o: Order,
    to: LocalStatus,
    t: number,
    extra: { paidAt?: number; orderStatus?: number; actionCode?: number; deposited?: number; refunded?: number } = {},
  ) => {
    const res = q.transition.run({
      id: o.id,
      to,
      now: t,
      from: JSON.stringify(PREDECESSORS[to]),
      paidAt: extra.paidAt ?? null,
      gatewayStatus: extra.orderStatus ?? null,
      actionCode: extra.actionCode ?? null,
      deposited: extra.deposited ?? 0,
      refunded: extra.refunded ?? 0,
    });
    if (res.changes !== 1) throw new InvalidTransitionError(o.id, mustGet(o.id).status, to);
  };

  /** Writes a new 'new' order and its 'created' event; runs inside the caller's transaction. */
  const insertOrder = (input: CreateOrderInput, t: number, owner: string | null = null): Order => {
    const { lastInsertRowid } = q.insert.run({
      // Placeholder satisfying UNIQUE until the id is known; replaced in the same transaction.
      orderNumber: `tmp-${randomBase32(20)}`,
      items: itemsJson(input.items),
      amount: input.amount,
      currency: input.currency,
      flow: input.flow,
      language: input.language,
      purchaseKey: input.purchaseKey ?? null,
      now: t,
      claimOwner: owner,
    });
    const id = Number(lastInsertRowid);
    q.setNumber.run(formatOrderNumber(id, t), id);
    log.write(id, t, 'created', 'ok', { amount: input.amount, currency: input.currency, flow: input.flow });
    return mustGet(id);
  };

  const createTx = db.transaction((input: CreateOrderInput): Order => {
    if (input.purchaseKey !== undefined) {
      const existing = find(q.pendingByKey.get(input.purchaseKey));
      if (existing) throw new DuplicatePurchaseError(existing);
    }
    return insertOrder(input, now());
  });

  const registerTx = db.transaction((id: number, r: { gatewayOrderId: string; formUrl: string }): Order => {
    const o = mustGet(id);
    // A retried call with the same reply is harmless.
    if (o.status === 'registered' && o.gatewayOrderId === r.gatewayOrderId && o.formUrl === r.formUrl) return o;
    if (o.status !== 'new') throw new InvalidTransitionError(id, o.status, 'registered');
    const t = now();
    q.register.run(r.gatewayOrderId, r.formUrl, t, id);
    log.write(id, t, 'register', 'registered', { gatewayOrderId: r.gatewayOrderId });
    return mustGet(id);
  });

  const failTx = db.transaction(
    (id: number, status: 'register_failed' | 'register_unknown', detail: Record<string, unknown>): Order => {
      const o = mustGet(id);
      if (o.status === status) return o;
      if (o.status !== 'new') throw new InvalidTransitionError(id, o.status, status);
      const t = now();
      // Leaving 'new' frees the purchaseKey slot (the partial unique index covers new/registered only).
      const res = q.fail.run(status, t, id);
      if (res.changes !== 1) throw new InvalidTransitionError(id, mustGet(id).status, status);
      log.write(id, t, 'register_error', status, detail);
      return mustGet(id);
    },
  );

  // The card line rides with the status it came with: written right after that status's compare-and-set, in its
  // transaction (cardToKeep decides what is kept).
  const storeCard = db.prepare('UPDATE orders SET card_masked_pan = ?, card_payment_way = ? WHERE id = ?');
  const keepCard = (o: Order, card: GatewayStatusInput['card']) => {
    const kept = cardToKeep(o.card, card);
    if (kept.maskedPan !== o.card.maskedPan || kept.paymentWay !== o.card.paymentWay)
      storeCard.run(kept.maskedPan, kept.paymentWay, o.id);
  };

  const statusTx = db.transaction(
    (id: number, { orderStatus, actionCode, amounts, card, cause }: GatewayStatusInput): ApplyStatusResult => {
      const o = mustGet(id);
      const t = now();
      const to = statusFromGateway(orderStatus, amounts);
      const deposited = amounts?.deposited ?? 0;
      const refunded = amounts?.refunded ?? 0;
      const detail = { orderStatus, actionCode, from: o.status, to: to ?? null, cause, ...(amounts && { amounts }) };
      if (to === undefined) {
        log.write(id, t, 'status', 'unknown_status', detail);
        return { order: o, changed: false, fulfilled: false };
      }
      if (to === o.status) {
        q.refresh.run({ id, gatewayStatus: orderStatus, actionCode, now: t, deposited, refunded });
        keepCard(o, card);
        const after = mustGet(id);
        // Same status, more money moved (a second partial refund, say): recorded as such. A reply that changes
        // nothing is no event (a re-check every so often would flood the log).
        const grew = after.depositedAmount > o.depositedAmount || after.refundedAmount > o.refundedAmount;
        if (grew) log.write(id, t, 'status', 'amounts', detail);
        return { order: after, changed: grew, fulfilled: false };
      }
      if (!canTransition(o.status, to)) {
        // Stale, replayed or out-of-order reply: keep the state, keep the evidence.
        log.write(id, t, 'status', 'ignored', detail);
        return { order: o, changed: false, fulfilled: false };
      }
      const fulfilled = FULFIL_ON.includes(to) && o.paidAt === null;
      move(o, to, t, { orderStatus, actionCode, paidAt: fulfilled ? t : undefined, deposited, refunded });
      keepCard(o, card);
      log.write(id, t, 'status', 'changed', detail);
      if (fulfilled) {
        // The fulfilment's visible effect, in the same transaction as the compare-and-set that decided it.
        q.fulfil.run(id, t, to);
        for (const item of o.items) q.sell.run(item.productId, item.quantity);
        log.write(id, t, 'fulfilled', to, { amount: o.amount, currency: o.currency });
      }
      return { order: mustGet(id), changed: true, fulfilled };
    },
  );

  const mismatchTx = db.transaction((id: number, detail: Record<string, unknown>): Order => {
    const o = mustGet(id);
    const t = now();
    if (!canTransition(o.status, 'mismatch')) {
      // Never downgrade a fulfilled or final order; the evidence is still recorded.
      log.write(id, t, 'mismatch', o.status === 'mismatch' ? 'unchanged' : 'ignored', { ...detail, status: o.status });
      return o;
    }
    move(o, 'mismatch', t);
    log.write(id, t, 'mismatch', 'marked', detail);
    return mustGet(id);
  });

  const releaseTx = db.transaction((id: number, detail: Record<string, unknown> = {}): Order => {
    const o = mustGet(id);
    if (o.purchaseKey === null || o.status === 'new') return o;
    const t = now();
    q.release.run(t, id);
    log.write(id, t, 'purchase_key', 'released', { status: o.status, ...detail });
    return mustGet(id);
  });

  const claimTx = db.transaction((input: CreateOrderInput, policy: PurchasePolicy): PurchaseClaim => {
    const row = input.purchaseKey === undefined ? undefined : q.pendingByKey.get(input.purchaseKey);
    const pending = find(row);
    const t = now();
    let retired: Order | undefined;
    if (pending) {
      const fate = pendingFate(pending, row?.claim_owner, t, policy);
      if (fate === 'in_flight') return { outcome: 'in_flight', order: pending };
      if (fate === 'reusable') return { outcome: 'reusable', order: pending, formUrl: pending.formUrl! };
      // Nobody is registering it any more, or its payment page went stale: free the slot. A late payment on it is
      // still applied (and fulfilled) once.
      retired =
        fate === 'stale' ? releaseTx(pending.id) : failTx(pending.id, 'register_unknown', RETIRED_BECAUSE[fate]);
    }
    const order = insertOrder(input, t, ownerText(policy.owner));
    return retired ? { outcome: 'created', order, retired } : { outcome: 'created', order };
  });

  const adoptTx = db.transaction((id: number, gatewayOrderId: string): Order => {
    const o = mustGet(id);
    if (o.gatewayOrderId === gatewayOrderId) return o;
    if (o.gatewayOrderId !== null) throw new InvalidOrderError(`order ${id} already has a gateway order id`);
    const t = now();
    q.adopt.run(gatewayOrderId, t, id);
    log.write(id, t, 'register', 'adopted', { gatewayOrderId });
    return mustGet(id);
  });

  const neverRegisteredTx = db.transaction((id: number, detail: Record<string, unknown>): Order => {
    const o = mustGet(id);
    if (o.status === 'register_failed') return o;
    if (o.status !== 'register_unknown' && o.status !== 'new') {
      throw new InvalidTransitionError(id, o.status, 'register_failed');
    }
    const t = now();
    move(o, 'register_failed', t);
    log.write(id, t, 'register_error', 'never_registered', detail);
    return mustGet(id);
  });

  const dueParams = (r: ReconcileQuery, t: number) => ({
    open: JSON.stringify(STALE_CANDIDATES),
    paid: JSON.stringify(RECHECK_AFTER_PAYMENT),
    openBefore: r.openBefore,
    paidSince: r.paidSince,
    checkedBefore: r.checkedBefore,
    dueBy: r.dueBy ?? t,
    now: t,
  });

  const leaseTx = db.transaction((r: ReconcileQuery): Order[] => {
    const t = now();
    return q.leaseDue
      .all({ ...dueParams(r, t), until: t + r.leaseMs, holder: r.holder, limit: r.limit })
      .map(toOrder)
      .sort((a, b) => (a.checkedAt ?? 0) - (b.checkedAt ?? 0) || a.id - b.id);
  });

  const eventTx = db.transaction((orderId: number, kind: string, outcome: string, detail?: Record<string, unknown>) => {
    mustGet(orderId);
    log.write(orderId, now(), kind, outcome, detail);
  });

  return {
    createOrder(input) {
      validateCreateOrder(input);
      try {
        return createTx.immediate(input);
      } catch (err) {
        // Backstop: the partial unique index caught a concurrent duplicate.
        const existing =
          input.purchaseKey !== undefined && isUniqueViolation(err)
            ? find(q.pendingByKey.get(input.purchaseKey))
            : undefined;
        if (existing) throw new DuplicatePurchaseError(existing, { cause: err });
        throw err;
      }
    },
    claimPurchase(input, policy) {
      validateCreateOrder(input);
      try {
        return claimTx.immediate(input, policy);
      } catch (err) {
        // Backstop: a writer that skipped the write lock inserted the same key first; its order is pending now.
        if (isUniqueViolation(err)) return claimTx.immediate(input, policy);
        throw err;
      }
    },
    releasePurchase: (id, detail) => releaseTx.immediate(id, detail),
    get: (id) => find(q.byId.get(id)),
    findByGatewayOrderId: (orderId) => find(q.byGatewayId.get(orderId)),
    findByOrderNumber: (n) => find(q.byNumber.get(n)),
    markRegistered(id, r) {
      validateRegistration(r);
      return registerTx.immediate(id, r);
    },
    markRegisterFailed: (id, status, detail) => failTx.immediate(id, status, detail),
    applyGatewayStatus(id, s) {
      if (!Number.isSafeInteger(s.orderStatus) || !Number.isSafeInteger(s.actionCode)) {
        throw new InvalidOrderError('orderStatus and actionCode must be integers');
      }
      for (const amount of [s.amounts?.deposited, s.amounts?.refunded]) {
        if (amount !== undefined && (!Number.isSafeInteger(amount) || amount < 0)) {
          throw new InvalidOrderError('amounts must be non-negative integers of minor units');
        }
      }
      return statusTx.immediate(id, s);
    },
    markMismatch: (id, detail, cause) => mismatchTx.immediate(id, { ...detail, cause }),
    recordEvent(orderId, kind, outcome, detail) {
      checkLabel(kind, 'kind');
      checkLabel(outcome, 'outcome');
      eventTx.immediate(orderId, kind, outcome, detail);
    },
    events: (orderId) => log.list(orderId),
    listRecent: (limit) => q.recent.all(Math.min(Math.max(Math.trunc(limit) || 1, 1), 1000)).map(toOrder),
    listOrders({ status, text, limit, offset }) {
      if (!Number.isSafeInteger(limit) || limit < 1 || limit > 100) throw new InvalidOrderError('limit must be 1..100');
      if (!Number.isSafeInteger(offset) || offset < 0) throw new InvalidOrderError('offset must be 0 or more');
      if (status !== undefined && !LOCAL_STATUSES.includes(status)) throw new InvalidOrderError('unknown status');
      if (text !== undefined) checkText(text, 'text', 64);
      // The text is matched literally: LIKE's own wildcards in it are escaped.
      const like = text === undefined ? null : `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const filter = { status: status ?? null, like };
      return { orders: q.listPage.all({ ...filter, limit, offset }).map(toOrder), total: q.listCount.get(filter) ?? 0 };
    },
    leaseDue(r) {
      if (!Number.isSafeInteger(r.limit) || r.limit < 1 || r.limit > 1000)
        throw new InvalidOrderError('limit must be 1..1000');
      return leaseTx.immediate(r);
    },
    countUnleased(r) {
      const row = q.unleased.get({ ...dueParams(r, now()), holder: r.holder });
      return { leased: row?.leased ?? 0, leasedUntil: row?.leasedUntil ?? null, overBatch: row?.free ?? 0 };
    },
    checked: (id, holder, nextCheckAt = null) => void q.checked.run(now(), nextCheckAt, id, holder),
    renewLeases: (holder, leaseMs) => q.renewLeases.run(now() + leaseMs, holder).changes,
    releaseLeases: (holder) => q.releaseLeases.run(holder).changes,
    adoptGatewayOrderId(id, gatewayOrderId) {
      checkText(gatewayOrderId, 'gatewayOrderId', 128);
      return adoptTx.immediate(id, gatewayOrderId);
    },
    markNeverRegistered: (id, detail) => neverRegisteredTx.immediate(id, detail),
    fulfilment: (orderId) => q.fulfilment.get(orderId),
    unitsSold: (productId) => q.unitsSold.get(productId) ?? 0,
    ...createSqliteIntents(db, log, now),
  };
}
