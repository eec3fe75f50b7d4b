/** Merchant-side operations on an existing order (docs/gateway-reference.md §3.4-§3.7). Callers refresh the order first. */
import { captureCart, refundCart } from './cart.js';
import { type OpResult, type OrderLedger, randomDigits, refuse } from './ledger.js';
import type { CartItem, SandboxOrder } from './types.js';

/** Refunds kept per order, so a looping client cannot grow one order without bound (the message names it too). */
export const MAX_REFUNDS_PER_ORDER = 50;

export function deposit(
  ledger: OrderLedger,
  order: SandboxOrder,
  amount: number,
  items?: readonly CartItem[],
): OpResult {
  if (order.status !== 1) return refuse(7, 'wrongState');
  // amount 0 captures the whole hold; a smaller amount captures part and releases the rest.
  const captured = amount === 0 ? order.approvedAmount : amount;
  if (captured > order.approvedAmount) return refuse(5, 'depositExceedsHold');
  const lines = captureCart(order, captured, items);
  if (!lines.ok) return lines;
  lines.apply();
  order.depositedAmount = captured;
  order.depositedDate = ledger.clock.now();
  ledger.finish(order, 2, 0);
  ledger.emit(order, 'deposited', 1, captured);
  return { ok: true };
}

export function reverse(ledger: OrderLedger, order: SandboxOrder, amount: number | undefined): OpResult {
  // docs/gateway-reference.md §3.5: only one reversal attempt per order.
  if (order.reverseAttempted) return refuse(7, 'reverseAlreadyAttempted');
  if (order.status !== 1) return refuse(7, 'wrongState');
  // Any reversal that reaches a held order is the one attempt, a refused one included.
  order.reverseAttempted = true;
  if (amount !== undefined && amount !== 0 && amount !== order.approvedAmount)
    return refuse(5, 'partialReverseForbidden');
  releaseHold(ledger, order, ledger.clock.now());
  return { ok: true };
}

/**
 * A hold released, by reverse.do or by the gateway when it expired (engine.ts, the hold lifetime): orderStatus 3 and
 * the `reversed` operation (with its callback) for the whole hold, dated `at`.
 */
export function releaseHold(ledger: OrderLedger, order: SandboxOrder, at: number): void {
  order.reversedDate = at;
  ledger.finish(order, 3, 0, at);
  ledger.emit(order, 'reversed', 1, order.approvedAmount);
}

export function refund(
  ledger: OrderLedger,
  order: SandboxOrder,
  amount: number,
  externalRefundId?: string,
  items?: readonly CartItem[],
): OpResult {
  // A repeated externalRefundId answers like the original refund instead of refunding twice.
  if (externalRefundId && order.refunds.some((r) => r.externalRefundId === externalRefundId)) return { ok: true };
  if (order.status !== 2 && order.status !== 4) return refuse(7, 'wrongState');
  if (order.refunds.length >= MAX_REFUNDS_PER_ORDER) return refuse(7, 'refundLimitReached');
  const remaining = order.depositedAmount - order.refundedAmount;
  const refunded = amount === 0 ? remaining : amount;
  if (refunded <= 0 || refunded > remaining) return refuse(7, 'refundExceedsDeposit');
  const lines = refundCart(order, refunded, items);
  if (!lines.ok) return lines;
  lines.apply();
  const now = ledger.clock.now();
  order.refunds.push({
    date: now,
    amount: refunded,
    referenceNumber: randomDigits(12),
    actionCode: 0,
    // An empty id is no id, as in the duplicate check above.
    externalRefundId: externalRefundId || undefined,
    ...(lines.items && { items: lines.items }),
  });
  order.refundedAmount += refunded;
  order.refundedDate = now;
  ledger.finish(order, 4, 0);
  ledger.emit(order, 'refunded', 1, refunded);
  return { ok: true };
}

export function decline(ledger: OrderLedger, order: SandboxOrder): OpResult {
  const unpaid = order.status === 0 || (order.status === 5 && order.pending?.kind === 'challenge');
  if (!unpaid) return refuse(7, 'wrongState');
  delete order.pending;
  // 4005: declined by the merchant.
  ledger.finish(order, 6, 4005);
  ledger.emit(order, 'declined', 1, order.amount);
  return { ok: true };
}
