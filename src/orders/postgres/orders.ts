import type pg from 'pg';
import { DuplicatePurchaseError, OrderNotFoundError } from '../errors.js';
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
import type { CreateOrderInput, Ledger, Order, PurchaseClaim, PurchasePolicy } from '../types.js';
import { checkGatewayOrderId, validateCreateOrder, validateRegistration } from '../validate.js';
import { isPendingKeyViolation, type Async, type Tx } from './client.js';
import { apply, insertOrder, isId, lockOrder, lockPurchase, pendingByKey, writeEvent } from './writes.js';

type OrderMethods = Async<
  Pick<
    Ledger,
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
  >
>;

/**
 * The orders on PostgreSQL. Every write is one transaction that locks the order's row, asks src/orders/rules.ts what
 * to do, and writes that plan; purchase claims and creates lock their purchase key first.
 */
export function createPostgresOrders(pool: pg.Pool, tx: Tx, now: () => number): OrderMethods {
  /** Locks the order's row, decides, writes the plan. */
  const planned = (id: number, decide: (o: Order, t: number) => Plan) =>
    tx(async (c) => {
      const o = await lockOrder(c, id);
      const t = now();
      return apply(c, o, decide(o, t), t);
    });

  const claim = (input: CreateOrderInput & { purchaseKey: string }, policy: PurchasePolicy) =>
    tx(async (c): Promise<PurchaseClaim> => {
      await lockPurchase(c, input.purchaseKey);
      const { pending, claimOwner } = await pendingByKey(c, input.purchaseKey, true);
      const t = now();
      const plan = decideClaim(pending, claimOwner, policy, t);
      if ('answer' in plan) return plan.answer;
      const retired = plan.retire && (await apply(c, plan.retire.order, plan.retire.plan, t));
      return createdClaim(await insertOrder(c, input, t, plan.create.owner), retired);
    });

  return {
    async createOrder(input) {
      validateCreateOrder(input);
      const key = input.purchaseKey;
      try {
        return await tx(async (c) => {
          if (key !== undefined) {
            await lockPurchase(c, key);
            refuseDuplicate((await pendingByKey(c, key)).pending);
          }
          return insertOrder(c, input, now());
        });
      } catch (err) {
        // Backstop: the partial unique index caught a concurrent duplicate (a writer that skipped the lock).
        const existing =
          key !== undefined && isPendingKeyViolation(err) ? (await pendingByKey(pool, key)).pending : undefined;
        if (existing) throw new DuplicatePurchaseError(existing, { cause: err });
        throw err;
      }
    },

    async claimPurchase(input, policy) {
      validateCreateOrder(input);
      try {
        return await claim(input, policy);
      } catch (err) {
        if (isPendingKeyViolation(err)) return claim(input, policy);
        throw err;
      }
    },

    releasePurchase: (id, detail) => planned(id, (o) => decideRelease(o, detail)),

    async markRegistered(id, r) {
      validateRegistration(r);
      return planned(id, (o) => decideRegistered(o, r));
    },

    markRegisterFailed: (id, status, detail) => planned(id, (o) => decideRegisterFailed(o, status, detail)),

    async applyGatewayStatus(id, s) {
      checkGatewayStatus(s);
      return tx(async (c) => {
        const o = await lockOrder(c, id);
        const t = now();
        const plan = decideStatus(o, s, t);
        return { order: await apply(c, o, plan, t), changed: plan.changed, fulfilled: plan.fulfilled };
      });
    },

    markMismatch: (id, detail, cause) => planned(id, (o) => decideMismatch(o, detail, cause)),

    async recordEvent(orderId, kind, outcome, detail) {
      checkEventLabels(kind, outcome);
      await tx(async (c) => {
        const { rowCount } = isId(orderId)
          ? await c.query('SELECT 1 FROM orders WHERE id = $1', [orderId])
          : { rowCount: 0 };
        if (!rowCount) throw new OrderNotFoundError(orderId);
        await writeEvent(c, orderId, now(), kind, outcome, detail);
      });
    },

    async adoptGatewayOrderId(id, gatewayOrderId) {
      checkGatewayOrderId(gatewayOrderId);
      return planned(id, (o) => decideAdopt(o, gatewayOrderId));
    },

    markNeverRegistered: (id, detail) => planned(id, (o) => decideNeverRegistered(o, detail)),
  };
}
