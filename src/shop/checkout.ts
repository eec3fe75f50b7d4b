import { createHash } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { AppDeps } from '../app.js';
import {
  GatewayError,
  GatewayForeignFormUrlError,
  GatewayRejectedError,
  type RegisterParams,
} from '../gateway/index.js';
import type { Csrf } from '../http/csrf.js';
import { HttpError } from '../http/errors.js';
import type { Lang } from '../http/i18n.js';
import { regenerateSession, saveSession } from '../http/session.js';
import { DuplicatePurchaseError } from '../orders/ledger.js';
import type { Order } from '../orders/types.js';
import { MAX_QUANTITY } from './catalog.js';

const POLL_MS = 50;
/** A stored formUrl is reused only while the gateway will still accept payment on it for a while. */
const FORM_URL_MARGIN_MS = 60_000;
/** Share of a short order lifetime kept as margin, so a double click still finds the first order fresh. */
const FORM_URL_MARGIN_SHARE = 0.25;
/** How many orders a browser can come back to. */
const SESSION_ORDER_LIMIT = 20;

function parseQuantity(raw: unknown): number {
  if (typeof raw !== 'string' || !/^\d{1,3}$/.test(raw.trim())) throw new HttpError(400, 'errors.badQuantity');
  const q = Number(raw.trim());
  if (q < 1 || q > MAX_QUANTITY) throw new HttpError(400, 'errors.badQuantity');
  return q;
}

/**
 * POST /buy: validate, write the order row, register it with the gateway, bind it to a fresh session, 303 to formUrl.
 * The amount comes from the catalog only; any price or currency field in the form is ignored.
 */
export function createBuy(deps: AppDeps & { csrf: Csrf }): RequestHandler {
  const { catalog, ledger, gateway, config, logger, csrf } = deps;
  const now = deps.now ?? Date.now;
  const waitLimitMs = config.gateway.timeoutMs + 2_000;

  const lifetimeMs = config.orderLifetimeSecs * 1000;
  const marginMs = Math.min(FORM_URL_MARGIN_MS, lifetimeMs * FORM_URL_MARGIN_SHARE);
  const isFresh = (o: Order) => now() < o.createdAt + lifetimeMs - marginMs;

  async function settled(order: Order): Promise<{ order: Order; abandoned: boolean }> {
    // Another request (double click, second tab) is registering this very purchase: wait for its answer.
    let current = order;
    while (current.status === 'new' && now() < current.createdAt + waitLimitMs) {
      await new Promise((r) => setTimeout(r, POLL_MS));
      current = ledger.get(order.id) ?? current;
    }
    if (current.status === 'new') {
      // Its register call has timed out by now, so the request that wrote it died (crash, restart): free the slot.
      const reason = 'abandoned before the gateway answered';
      return { order: ledger.markRegisterFailed(current.id, 'register_unknown', { reason }), abandoned: true };
    }
    return { order: current, abandoned: false };
  }

  async function bindToSession(req: Request, order: Order): Promise<void> {
    const orders = [...(req.session.orders ?? []).filter((id) => id !== order.id), order.id].slice(
      -SESSION_ORDER_LIMIT,
    );
    // A new session id whenever an order is bound: a session id planted before Buy is worthless (fixation).
    await regenerateSession(req);
    req.session.orders = orders;
    await saveSession(req);
  }

  /** The buyer never reached the payment page, so whatever happened, they were not charged. */
  function notChargedPage(res: Response, status: 502 | 503, unknownOutcome: boolean): void {
    res.status(status).render('shop/gateway-error', { referenceId: res.locals.referenceId, unknownOutcome });
  }

  function gatewayFailurePage(res: Response, err: GatewayError): void {
    const unavailable = err.code === 'GATEWAY_TIMEOUT' || err.code === 'GATEWAY_NETWORK' || err.code === 'GATEWAY_HTTP';
    notChargedPage(res, unavailable ? 503 : 502, err.outcomeUnknown);
  }

  async function register(req: Request, res: Response, order: Order): Promise<void> {
    const lang = res.locals.lang as Lang;
    const t = res.locals.t as (k: 'order.description', p: Record<string, string>) => string;
    const params: RegisterParams = {
      orderNumber: order.orderNumber,
      amount: order.amount,
      currency: order.currency,
      returnUrl: `${config.publicBaseUrl}/checkout/return`,
      failUrl: `${config.publicBaseUrl}/checkout/fail`,
      description: t('order.description', { orderNumber: order.orderNumber }),
      language: lang,
      sessionTimeoutSecs: config.orderLifetimeSecs,
    };
    const method = order.flow === 'two-phase' ? 'registerPreAuth' : 'register';
    let registered;
    try {
      registered = await gateway[method](params);
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      await recordRegisterFailure(order, err, res.locals.referenceId as string);
      gatewayFailurePage(res, err);
      return;
    }
    let bound: Order;
    try {
      bound = ledger.markRegistered(order.id, { gatewayOrderId: registered.orderId, formUrl: registered.formUrl });
    } catch (err) {
      // The gateway holds an order we could not record (e.g. an orderId already used here): never leave the row
      // 'new', which would block this purchase, and don't send the buyer to pay for an order we can't track.
      const detail = {
        reason: 'answer not recordable',
        gatewayOrderId: registered.orderId,
        referenceId: res.locals.referenceId,
      };
      ledger.markRegisterFailed(order.id, 'register_unknown', detail);
      logger.error({ err, orderId: order.id, ...detail }, 'register answer could not be recorded');
      notChargedPage(res, 502, true);
      return;
    }
    await bindToSession(req, bound);
    res.redirect(303, registered.formUrl);
  }

  async function recordRegisterFailure(order: Order, err: GatewayError, referenceId: string): Promise<void> {
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
    ledger.markRegisterFailed(order.id, status, detail);
    logger.warn({ orderId: order.id, orderNumber: order.orderNumber, ...detail }, 'register failed');
  }

  return async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const product = typeof body.productId === 'string' ? catalog.get(body.productId) : undefined;
    if (!product) throw new HttpError(404, 'errors.unknownProduct');
    const quantity = parseQuantity(body.quantity);
    const amount = product.price * quantity;
    const cartKey = `${product.id}:${quantity}`;
    const browserKey = csrf.browserKey(req);
    if (!browserKey) throw new HttpError(403, 'errors.csrf'); // csrf.protect already demands the cookie
    const purchaseKey = createHash('sha256').update(`${browserKey}\n${cartKey}`).digest('base64url');

    for (let attempt = 0; attempt < 2; attempt++) {
      let existing = ledger.findPendingByPurchaseKey(purchaseKey);
      if (!existing) {
        try {
          const lang = res.locals.lang as Lang;
          const order = ledger.createOrder({
            items: [{ productId: product.id, name: product.name[lang], quantity, unitAmount: product.price }],
            amount,
            currency: config.currency,
            flow: config.flow,
            language: lang,
            purchaseKey,
          });
          await register(req, res, order);
          return;
        } catch (err) {
          if (!(err instanceof DuplicatePurchaseError)) throw err;
          existing = err.order;
        }
      }
      const { order: current, abandoned } = await settled(existing);
      if (abandoned) continue;
      if (current.status === 'registered' && current.formUrl && isFresh(current)) {
        await bindToSession(req, current);
        res.redirect(303, current.formUrl);
        return;
      }
      if (current.status === 'register_failed' || current.status === 'register_unknown') {
        // The concurrent attempt for this purchase just failed: show its outcome rather than registering again.
        notChargedPage(res, 503, current.status === 'register_unknown');
        return;
      }
      // The pending order went stale on the payment page: free its slot and start a new order.
      ledger.releasePurchaseKey(current.id);
    }
    throw new HttpError(503, 'errors.busy');
  };
}
