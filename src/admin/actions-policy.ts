import type { Intent } from '../orders/intents.js';
import type { Order } from '../orders/types.js';

export const ACTIONS = ['refresh', 'capture', 'void', 'refund', 'receipts'] as const;
export type AdminAction = (typeof ACTIONS)[number];

export const isAction = (a: unknown): a is AdminAction => ACTIONS.includes(a as AdminAction);

/** What the back office may ask the gateway to do with an order in its current (ledger) state. */
export function allowed(order: Order, action: AdminAction): boolean {
  if (order.gatewayOrderId === null) return false;
  switch (action) {
    case 'refresh':
      return true;
    case 'capture':
      return order.flow === 'two-phase' && order.status === 'authorized';
    case 'void':
      return order.status === 'authorized';
    case 'refund':
      return (order.status === 'paid' || order.status === 'partially_refunded') && refundable(order) > 0;
    case 'receipts':
      // A receipt is issued for a payment (and then for each refund): none before the order was first paid or held.
      return order.paidAt !== null;
  }
}

/** Minor units still refundable: what the gateway said was captured, less what it said was refunded. */
export const refundable = (order: Order): number => order.depositedAmount - order.refundedAmount;

/** Minor units a capture may take: the held amount (the order's) less what was already captured. */
export const capturable = (order: Order): number => order.amount - order.depositedAmount;

export const availableActions = (order: Order): AdminAction[] => ACTIONS.filter((a) => allowed(order, a));

/**
 * After a capture, void or refund whose outcome was unknown, what the order's fresh status says about it: made
 * ('done'), certainly not made and still possible ('retry', with the same intent: a refund keeps its
 * externalRefundId), or neither ('moot': the order moved otherwise; nothing is sent again, the operator looks).
 * `intent.seen` is the order as the form showed it, which its claim checked was still the ledger's.
 */
export function afterUnknown(intent: Intent, order: Order): 'done' | 'retry' | 'moot' {
  const { seen } = intent;
  const amount = intent.amount ?? 0;
  switch (intent.action) {
    case 'capture':
      if (order.depositedAmount >= seen.deposited + amount) return 'done';
      return order.status === 'authorized' && order.depositedAmount === seen.deposited ? 'retry' : 'moot';
    case 'void':
      if (order.status === 'reversed') return 'done';
      return order.status === 'authorized' ? 'retry' : 'moot';
    case 'refund':
      if (order.refundedAmount >= seen.refunded + amount) return 'done';
      return order.refundedAmount === seen.refunded &&
        (order.status === 'paid' || order.status === 'partially_refunded')
        ? 'retry'
        : 'moot';
  }
}
