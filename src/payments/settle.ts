import {
  GatewayError,
  GatewayRejectedError,
  ORDER_NOT_FOUND,
  type GatewayClient,
  type OrderRef,
} from '../gateway/index.js';
import type { Logger } from '../log.js';
import type { Ledger, Order, StatusCause } from '../orders/types.js';
import { explainActionCode } from '../http/messages/action-codes.js';
import type { PaymentsMetrics } from './types.js';

/** What settling needs: the ledger, the gateway, a logger, and the hooks told about outcomes. */
export interface SettleDeps {
  ledger: Ledger;
  gateway: GatewayClient;
  logger: Logger;
  /** Called exactly once per order, when it first becomes paid (or authorized in two-phase): ship the goods here. */
  onFulfilled?: ((orderId: number) => void) | undefined;
  /** Called after every attempt to bring an order up to date from the gateway, whatever its outcome. */
  onSettled?: ((order: Order, cause: StatusCause) => void) | undefined;
  metrics?: PaymentsMetrics | undefined;
}

/** One status call and what follows from it; undefined when the gateway can't say now. */
export type Settle = (order: Order, cause: StatusCause, language?: string) => Promise<Settled | undefined>;

export interface Settled {
  /** The order as the ledger has it now, its card line included (what the status answers said about the card). */
  order: Order;
}

/**
 * Brings one order up to date from getOrderStatusExtended: the only way an order's payment state changes. Returns
 * and callbacks are triggers that call this; what they claim is never trusted. A reply that doesn't match our own
 * order (number, amount, currency) marks it mismatch, never paid. Returns undefined when the gateway can't say now.
 */
export function createSettle(deps: SettleDeps): Settle {
  const { ledger, gateway, logger, onFulfilled, metrics } = deps;

  async function settle(order: Order, cause: StatusCause, language?: string): Promise<Settled | undefined> {
    // Without the gateway's id (its register answer was lost) the order can still be found by our own number.
    const { gatewayOrderId, orderNumber } = order;
    const lostAnswer = gatewayOrderId === null;
    const ref: OrderRef = gatewayOrderId === null ? { orderNumber } : { orderId: gatewayOrderId };
    let st;
    try {
      st = await gateway.getOrderStatusExtended(ref, { language });
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      if (lostAnswer && err instanceof GatewayRejectedError && err.errorCode === ORDER_NOT_FOUND) {
        // The register call never reached the gateway: nobody can pay this order, so it is closed, not charged.
        logger.info({ orderId: order.id, cause }, 'the gateway never registered this order; closed');
        return { order: await ledger.markNeverRegistered(order.id, { errorCode: err.errorCode, cause }) };
      }
      await ledger.recordEvent(order.id, 'status', 'error', { code: err.code, cause });
      // The gateway's origin (scheme, host, port: never credentials) names the address a network error is about.
      const where = { gateway: gateway.origin, error: err.message };
      logger.warn({ orderId: order.id, code: err.code, cause, ...where }, 'status check failed; outcome unknown');
      return undefined;
    }
    if (lostAnswer && st.orderId !== undefined && st.orderNumber === orderNumber) {
      order = await ledger.adoptGatewayOrderId(order.id, st.orderId);
    }
    const mismatch: string[] = [];
    if (st.orderNumber !== order.orderNumber) mismatch.push('orderNumber');
    if (st.amount !== order.amount) mismatch.push('amount');
    if (st.currency !== order.currency) mismatch.push('currency');
    if (mismatch.length > 0) {
      const detail = {
        fields: mismatch,
        gateway: { orderNumber: st.orderNumber, amount: st.amount, currency: st.currency },
      };
      logger.warn({ orderId: order.id, ...detail }, 'status reply does not match the order; not treated as paid');
      return { order: await ledger.markMismatch(order.id, detail, cause) };
    }
    const { orderStatus, actionCode, paymentAmountInfo: info } = st;
    const amounts = { deposited: info?.depositedAmount, refunded: info?.refundedAmount };
    const card = { maskedPan: st.cardAuthInfo?.maskedPan, paymentWay: st.paymentWay };
    const applied = await ledger.applyGatewayStatus(order.id, { orderStatus, actionCode, amounts, card, cause });
    // One info line per outcome, written by the call that made the change (the ledger's compare-and-set decides).
    const { amount, currency } = order;
    const { status } = applied.order;
    if (applied.fulfilled) {
      const outcome = status === 'authorized' ? 'order authorized (amount held, to be captured)' : 'order paid';
      logger.info({ orderId: order.id, orderNumber, amount, currency, status, cause }, outcome);
      metrics?.orderPaid(status === 'authorized' ? 'authorized' : 'paid');
      onFulfilled?.(order.id);
    } else if (applied.changed && status === 'declined') {
      const meaning = explainActionCode(actionCode).en;
      logger.info({ orderId: order.id, orderNumber, actionCode, meaning, cause }, 'order declined');
      metrics?.orderDeclined(actionCode);
    }
    return { order: applied.order };
  }

  return async (order: Order, cause: StatusCause, language?: string): Promise<Settled | undefined> => {
    const settled = await settle(order, cause, language);
    deps.onSettled?.(settled?.order ?? order, cause);
    return settled;
  };
}
