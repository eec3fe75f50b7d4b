import { randomInt } from 'node:crypto';
import type { SandboxClock } from './clock.js';
import type { SandboxEvents } from './events.js';
import type { MessageId } from './messages.js';
import type { SandboxMerchant, SandboxOperation, SandboxOrder } from './types.js';

/** A refused operation: errorCode plus the message to show (docs/gateway-reference.md §1.3). */
export interface Refusal {
  ok: false;
  code: number;
  messageId: MessageId;
  /** What exactly was wrong, appended to the message in brackets (a cart's field path, cart.ts). */
  detail?: string;
}
export type OpResult = { ok: true } | Refusal;

export const refuse = (code: number, messageId: MessageId, detail?: string): Refusal =>
  detail === undefined ? { ok: false, code, messageId } : { ok: false, code, messageId, detail };

/**
 * The two primitives every state change uses: set the new state, then fire exactly one event.
 * Shared by the payment flow (engine.ts) and the merchant operations (operations.ts).
 */
export class OrderLedger {
  constructor(
    readonly clock: SandboxClock,
    private readonly events: SandboxEvents,
    private readonly merchants: ReadonlyMap<string, SandboxMerchant>,
  ) {}

  finish(order: SandboxOrder, status: SandboxOrder['status'], actionCode: number, at = this.clock.now()): void {
    order.status = status;
    order.actionCode = actionCode;
    order.updatedAt = at;
  }

  emit(order: SandboxOrder, operation: SandboxOperation, status: 1 | 0, amount: number): void {
    const merchant = this.merchants.get(order.merchantLogin);
    if (merchant) this.events.emit({ merchant, order, operation, status, amount });
  }

  /** Successful authorization: a hold for two-phase orders, a payment for one-phase ones. */
  approve(order: SandboxOrder): void {
    const now = this.clock.now();
    delete order.pending;
    order.approvalCode = randomDigits(6);
    order.authDateTime = now;
    order.approvedAmount = order.amount;
    if (!order.twoPhase) {
      order.depositedAmount = order.amount;
      order.depositedDate = now;
    }
    this.finish(order, order.twoPhase ? 1 : 2, 0);
    this.emit(order, order.twoPhase ? 'approved' : 'deposited', 1, order.amount);
  }

  /** A failed payment is reported as its payment operation with status 0, as the real callbacks do. */
  declinePayment(order: SandboxOrder, actionCode: number): void {
    delete order.pending;
    this.finish(order, 6, actionCode);
    this.emit(order, order.twoPhase ? 'approved' : 'deposited', 0, order.amount);
  }
}

export function randomDigits(n: number): string {
  let out = '';
  for (let i = 0; i < n; i += 1) out += String(randomInt(10));
  return out;
}
