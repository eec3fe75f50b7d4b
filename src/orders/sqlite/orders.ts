import { Sqlite } from '../driver.js';
import { DuplicatePurchaseError } from '../errors.js';
import {
  checkEventLabels,
  checkGatewayStatus,
  createdClaim,
  decideAdopt,
  decideClaim,
  decideMismatch,
  decideNeverRegistered,
  decideRegistered,
  decideRegisterFailed,
  decideRelease,
  decideStatus,
  refuseDuplicate,
  type Plan,
} from '../rules.js';
import type {
  ApplyStatusResult,
  CreateOrderInput,
  GatewayStatusInput,
  Ledger,
  Order,
  PurchaseClaim,
  PurchasePolicy,
  Synchronous,
} from '../types.js';
import { checkGatewayOrderId, validateCreateOrder, validateRegistration } from '../validate.js';
import type { SqliteKit } from './writes.js';

type OrderMethods = Pick<
  Synchronous<Ledger>,
  | 'createOrder'
  | 'claimPurchase'
  | 'releasePurchase'
  | 'markRegistered'
  | 'markRegisterFailed'
  | 'applyGatewayStatus'
  | 'markMismatch'
  | 'recordEvent'
  | 'adoptGatewayOrderId'
  | 'markNeverRegistered'
>;

function isUniqueViolation(err: unknown): boolean {
  return err instanceof Sqlite.SqliteError && err.code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/**
 * The orders on SQLite. Every write is an IMMEDIATE transaction (the write lock is taken before the row is read)
 * that reads the order, asks src/orders/rules.ts what to do, and writes that plan.
 */
export function createSqliteOrders({ db, q, log, now, find, mustGet, apply, insertOrder }: SqliteKit): OrderMethods {
  /** Locks, reads the order, decides, writes the plan. */
  const planned = db.transaction((id: number, decide: (o: Order, t: number) => Plan): Order => {
    const o = mustGet(id);
    const t = now();
    return apply(o, decide(o, t), t);
  });

  const createTx = db.transaction((input: CreateOrderInput): Order => {
    if (input.purchaseKey !== undefined) refuseDuplicate(find(q.pendingByKey.get(input.purchaseKey)));
    return insertOrder(input, now());
  });

  const statusTx = db.transaction((id: number, s: GatewayStatusInput): ApplyStatusResult => {
    const o = mustGet(id);
    const t = now();
    const plan = decideStatus(o, s, t);
    return { order: apply(o, plan, t), changed: plan.changed, fulfilled: plan.fulfilled };
  });

  const claimTx = db.transaction((input: CreateOrderInput & { purchaseKey: string }, policy: PurchasePolicy) => {
    const row = q.pendingByKey.get(input.purchaseKey);
    const t = now();
    const plan = decideClaim(find(row), row?.claim_owner, policy, t);
    if ('answer' in plan) return plan.answer;
    const retired = plan.retire && apply(plan.retire.order, plan.retire.plan, t);
    return createdClaim(insertOrder(input, t, plan.create.owner), retired);
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
    claimPurchase(input, policy): PurchaseClaim {
      validateCreateOrder(input);
      try {
        return claimTx.immediate(input, policy);
      } catch (err) {
        // Backstop: a writer that skipped the write lock inserted the same key first; its order is pending now.
        if (isUniqueViolation(err)) return claimTx.immediate(input, policy);
        throw err;
      }
    },
    releasePurchase: (id, detail) => planned.immediate(id, (o) => decideRelease(o, detail)),
    markRegistered(id, r) {
      validateRegistration(r);
      return planned.immediate(id, (o) => decideRegistered(o, r));
    },
    markRegisterFailed: (id, status, detail) => planned.immediate(id, (o) => decideRegisterFailed(o, status, detail)),
    applyGatewayStatus(id, s) {
      checkGatewayStatus(s);
      return statusTx.immediate(id, s);
    },
    markMismatch: (id, detail, cause) => planned.immediate(id, (o) => decideMismatch(o, detail, cause)),
    recordEvent(orderId, kind, outcome, detail) {
      checkEventLabels(kind, outcome);
      eventTx.immediate(orderId, kind, outcome, detail);
    },
    adoptGatewayOrderId(id, gatewayOrderId) {
      checkGatewayOrderId(gatewayOrderId);
      return planned.immediate(id, (o) => decideAdopt(o, gatewayOrderId));
    },
    markNeverRegistered: (id, detail) => planned.immediate(id, (o) => decideNeverRegistered(o, detail)),
  };
}
