import {
  GatewayError,
  GatewayForeignFormUrlError,
  GatewayRejectedError,
  ORDER_NOT_FOUND,
  type GatewayClient,
  type RegisterParams,
} from '../gateway/index.js';
import type { Logger } from '../log.js';
import type { ClaimOwner, Ledger, Order, PurchasePolicy } from '../orders/types.js';
import { orderBundle, type FiscalLookup } from './bundle.js';
import type { PaymentsMetrics } from './types.js';

/** orderStatus of a registered, still unpaid order: the only one whose payment page takes a payment. */
const REGISTERED = 0;
/** A stored formUrl is reused only while the gateway will still accept payment on it for a while. */
const FORM_URL_MARGIN_MS = 60_000;
/** Share of a short order lifetime kept as margin, so a double click still finds the first order fresh. */
const FORM_URL_MARGIN_SHARE = 0.25;

/** What registering needs besides the ledger and the gateway: where the buyer comes back, and for how long. */
export interface RegisterSettings {
  /** The shop's public URL: the gateway sends the buyer back to its /checkout/return and /checkout/fail. */
  publicBaseUrl: string;
  /** How long the payment page takes a payment (ORDER_LIFETIME_SECS). */
  orderLifetimeSecs: number;
  /** GATEWAY_DYNAMIC_CALLBACK=on: each order's callbacks come to this URL, whatever the merchant's static URL says. */
  dynamicCallbackUrl?: string | undefined;
  /** TAX_SYSTEM: sent as taxSystem with every register; undefined: not sent (the merchant's setting applies). */
  taxSystem?: number | undefined;
}

export interface RegisterDeps {
  ledger: Ledger;
  gateway: GatewayClient;
  logger: Logger;
  metrics?: PaymentsMetrics | undefined;
  /** The catalog's fiscal settings of a product, for the order's cart (orderBundle); absent: the defaults. */
  fiscal?: FiscalLookup | undefined;
}

/** The buyer's side of a register call: the payment page's language and the heading of the order's description. */
export interface RegisterRequest {
  language: string;
  /** "Order 261201-7", in the buyer's language: the description's heading (the items follow it). */
  heading: string;
  /** The request's reference, for the log lines and events. */
  referenceId: string;
  /**
   * The buyer's address for the fiscal receipt (the cart page asks for it), already validated; personal data: sent
   * to the gateway only, never logged or stored in the ledger.
   */
  email?: string;
}

/**
 * How long a stored payment page is reused for a repeat Buy, and when a row still 'new' belongs to a request that
 * died (its register call has timed out by then, plus a little): the ledger's purchase claim and the reconciler.
 */
export function purchasePolicy(lifetimeMs: number, registerTimeoutMs: number, owner?: ClaimOwner): PurchasePolicy {
  const marginMs = Math.min(FORM_URL_MARGIN_MS, lifetimeMs * FORM_URL_MARGIN_SHARE);
  // A register call has timed out (plus a little) by then, so a row still 'new' belongs to a request that died.
  const policy = { abandonAfterMs: registerTimeoutMs + 2_000, reuseForMs: lifetimeMs - marginMs };
  return owner === undefined ? policy : { ...policy, owner };
}

/**
 * Before a Buy sends the buyer back to the payment page it stored for the same purchase, asks the gateway whether
 * that page still takes a payment: the gateway may have lost the order (an in-memory sandbox restarted, a test
 * gateway was reset) or it may be paid, declined or expired meanwhile. Returns false after freeing the purchase for
 * a new order; true (reuse the page) when the order is still registered, or when the gateway cannot say now — then
 * the buyer gets today's behaviour rather than a second order for one purchase.
 */
export function createPageCheck({ ledger, gateway, logger }: RegisterDeps) {
  return async function stillPayable(order: Order, referenceId: string): Promise<boolean> {
    const { gatewayOrderId } = order;
    if (gatewayOrderId === null) return true;
    let orderStatus: number;
    try {
      ({ orderStatus } = await gateway.getOrderStatusExtended({ orderId: gatewayOrderId }));
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      if (!(err instanceof GatewayRejectedError && err.errorCode === ORDER_NOT_FOUND)) {
        logger.warn(
          { orderId: order.id, code: err.code, referenceId },
          'could not ask the gateway about the stored payment page; sending the buyer to it',
        );
        return true;
      }
      const detail = { reason: 'the gateway does not know the order', errorCode: err.errorCode, referenceId };
      await ledger.releasePurchase(order.id, detail);
      logger.warn({ orderId: order.id, ...detail }, 'stored payment page retired; registering a new order');
      return false;
    }
    if (orderStatus === REGISTERED) return true;
    const detail = { reason: 'the payment page no longer takes a payment', orderStatus, referenceId };
    // The order itself stays: whatever happened on it (a payment in another tab) is applied by the callback or reconciler.
    await ledger.releasePurchase(order.id, detail);
    logger.info({ orderId: order.id, ...detail }, 'stored payment page retired; registering a new order');
    return false;
  };
}

/** What became of one register call: a payment page to send the buyer to, or the "not charged" page to show. */
export type Registration =
  { ok: true; order: Order; formUrl: string } | { ok: false; order: Order; status: 502 | 503; unknownOutcome: boolean };

/**
 * Registers a freshly created order with the gateway (register.do, or registerPreAuth.do for two-phase) and
 * records the answer. Gateway failures are answers, not exceptions: the order leaves 'new' either way, so the
 * purchase is never blocked by a failed attempt.
 */
export function createRegister(
  { ledger, gateway, logger, metrics, fiscal = () => undefined }: RegisterDeps,
  settings: RegisterSettings,
) {
  async function recordFailure(order: Order, err: GatewayError, referenceId: string): Promise<Registration> {
    const detail: Record<string, unknown> = { code: err.code, referenceId, message: err.message };
    if (err instanceof GatewayRejectedError) detail.errorCode = err.errorCode;
    // The gateway did create this order: keep its id so it can be declined or reconciled.
    if (err instanceof GatewayForeignFormUrlError) detail.gatewayOrderId = err.orderId;
    let status: 'register_failed' | 'register_unknown' = err.outcomeUnknown ? 'register_unknown' : 'register_failed';
    if (err instanceof GatewayRejectedError && err.errorCode === 1) {
      // "Order number already processed": we never reuse numbers, so the gateway may hold this very order from a lost
      // answer. Ask for it by number instead of blindly registering again.
      status = 'register_unknown';
      try {
        const st = await gateway.getOrderStatusExtended({ orderNumber: order.orderNumber });
        detail.duplicateStatus = { orderStatus: st.orderStatus, amount: st.amount };
      } catch (statusErr) {
        detail.duplicateStatus = { error: statusErr instanceof GatewayError ? statusErr.code : 'unexpected' };
      }
    }
    const failed = await ledger.markRegisterFailed(order.id, status, detail);
    metrics?.registerFailed(err.code);
    logger.warn(
      { orderId: order.id, orderNumber: order.orderNumber, gateway: gateway.origin, ...detail },
      'register failed',
    );
    const unavailable = err.code === 'GATEWAY_TIMEOUT' || err.code === 'GATEWAY_NETWORK' || err.code === 'GATEWAY_HTTP';
    return { ok: false, order: failed, status: unavailable ? 503 : 502, unknownOutcome: err.outcomeUnknown };
  }

  return async function register(order: Order, req: RegisterRequest): Promise<Registration> {
    const { referenceId } = req;
    const params: RegisterParams = {
      orderNumber: order.orderNumber,
      amount: order.amount,
      currency: order.currency,
      returnUrl: `${settings.publicBaseUrl}/checkout/return`,
      failUrl: `${settings.publicBaseUrl}/checkout/fail`,
      description: describe(order, req.heading),
      language: req.language,
      sessionTimeoutSecs: settings.orderLifetimeSecs,
      // The cart for the fiscal receipt: every line of the order, adding up to its amount (bundle.ts).
      orderBundle: orderBundle(order, fiscal, req.email),
      ...(settings.taxSystem !== undefined && { taxSystem: settings.taxSystem }),
      // GATEWAY_DYNAMIC_CALLBACK=on: this order's callbacks come here, whatever the merchant's static URL says.
      ...(settings.dynamicCallbackUrl !== undefined && { dynamicCallbackUrl: settings.dynamicCallbackUrl }),
    };
    let registered;
    try {
      registered = await gateway[order.flow === 'two-phase' ? 'registerPreAuth' : 'register'](params);
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      return recordFailure(order, err, referenceId);
    }
    try {
      const { orderId: gatewayOrderId, formUrl } = registered;
      const recorded = await ledger.markRegistered(order.id, { gatewayOrderId, formUrl });
      const { orderNumber, amount, currency } = order;
      logger.info(
        { orderId: order.id, orderNumber, amount, currency, flow: order.flow, referenceId },
        'order registered',
      );
      metrics?.orderRegistered();
      return { ok: true, order: recorded, formUrl };
    } catch (err) {
      // The gateway holds an order we could not record (e.g. an orderId already used here): never leave the row
      // 'new', which would block this purchase, and don't send the buyer to pay for an order we can't track.
      const detail = { reason: 'answer not recordable', gatewayOrderId: registered.orderId, referenceId };
      const failed = await ledger.markRegisterFailed(order.id, 'register_unknown', detail);
      logger.error({ err, orderId: order.id, ...detail }, 'register answer could not be recorded');
      metrics?.registerFailed(undefined);
      return { ok: false, order: failed, status: 502, unknownOutcome: true };
    }
  };
}

/** The gateway's limit on `description`, in characters. */
const DESCRIPTION_MAX = 598;

/**
 * "Order 261201-7: 2 × Notebook, 1 × T-shirt": what the buyer sees on the payment page, within the gateway's limit.
 * The gateway refuses `%`, `+` and line breaks in it; brackets are dropped too (sandbox fault tags use them).
 */
export function describe(order: Pick<Order, 'items'>, heading: string): string {
  const items = order.items.map((i) => `${i.quantity} × ${i.name.replace(/[%+\r\n[\]]/g, ' ')}`).join(', ');
  const text = items ? `${heading}: ${items}` : heading;
  return text.length <= DESCRIPTION_MAX ? text : `${text.slice(0, DESCRIPTION_MAX - 1)}…`;
}
