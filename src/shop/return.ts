import type { Request, RequestHandler, Response } from 'express';
import { renderError } from '../http/errors.js';
import { isOpen } from '../orders/state-machine.js';
import type { Order } from '../orders/types.js';
import { isBuyerCancel } from '../gateway/action-codes.js';
import { explainActionCode } from '../http/messages/action-codes.js';
import { cartOf, storeCart, withoutBought } from './cart.js';
import type { CartPages } from './cart-pages.js';
import { paidWith } from '../http/messages/payment-ways.js';
import type { Lang } from '../http/i18n.js';
import type { ShopRouteDeps } from './deps.js';

const MAX_REFRESH_SECONDS = 30;
/** Automatic re-checks of the confirming page, 3, 6, 12, 24, 30 and 30 s apart: about two minutes in all. */
export const AUTO_CHECKS = 6;

/**
 * The order as its pages show it; `withCard`: the card line kept with the order and how it was paid, in the buyer's
 * language (the success page only).
 */
function orderView(order: Order, withCard = false, lang: Lang = 'en') {
  return {
    orderNumber: order.orderNumber,
    items: order.items.map((i) => ({ ...i, lineAmount: i.unitAmount * i.quantity })),
    amount: order.amount,
    currency: order.currency,
    maskedPan: withCard ? (order.card.maskedPan ?? undefined) : undefined,
    paidWith: withCard ? paidWith(order.card.paymentWay, lang) : undefined,
  };
}

/**
 * GET returnUrl / failUrl?orderId=…: the query string is only a hint that something happened. The outcome comes
 * from getOrderStatusExtended, checked against our own order, and is shown only to the browser that placed it.
 */
export function createReturn(
  deps: Pick<ShopRouteDeps, 'ledger' | 'logger' | 'payments' | 'session' | 'browserKey' | 'csrf'>,
  cartPages?: Pick<CartPages, 'count'>,
): RequestHandler {
  const { ledger, payments } = deps;

  function neutral(res: Response): void {
    // The language links must not echo the orderId: the page reveals nothing, not even what was asked.
    res.locals.langUrl = (l: string) => `/?lang=${encodeURIComponent(l)}`;
    res.status(404).render('shop/neutral');
  }

  /**
   * The "confirming" page. It re-checks by itself a bounded number of times (an HTTP Refresh header, never a meta
   * refresh: the buyer can stop it with a link, and the page needs no script), then gives up with what to do.
   * `n` counts the automatic checks so far; `auto=off` (the "Stop refreshing" link) turns them off.
   * `unavailable`: the session store failed, so whose order it is can't be told: the page says so and shows no order
   * (`order`, if the id names one, is only logged).
   */
  function pending(req: Request, res: Response, order: Order | undefined, orderId: string, unavailable = false): void {
    const n = Math.max(0, Math.min(Math.trunc(Number(req.query.n)) || 0, AUTO_CHECKS));
    const stopped = req.query.auto === 'off';
    const gaveUp = !stopped && n >= AUTO_CHECKS;
    const url = (count: number, off: boolean) => {
      const params = new URLSearchParams({ orderId, n: String(Math.min(count, AUTO_CHECKS)) });
      if (off) params.set('auto', 'off');
      return `${req.path}?${params.toString()}`;
    };
    // A manual check while stopped keeps the count: only automatic checks use up the bound.
    const statusUrl = url(stopped ? n : n + 1, stopped);
    const refreshSeconds = Math.min(3 * 2 ** n, MAX_REFRESH_SECONDS);
    if (!stopped && !gaveUp) res.set('Refresh', `${refreshSeconds}; url=${statusUrl}`);
    if (gaveUp)
      deps.logger.info(
        { orderId: order?.id, orderNumber: order?.orderNumber, unavailable, referenceId: res.locals.referenceId },
        'confirming page stopped re-checking; the buyer was told to keep the reference',
      );
    if (unavailable) res.status(503);
    res.render('shop/pending', {
      order: order && !unavailable ? orderView(order) : undefined,
      unavailable,
      mode: stopped ? 'stopped' : gaveUp ? 'gaveUp' : 'auto',
      refreshSeconds,
      statusUrl,
      stopUrl: url(n, true),
    });
  }

  /**
   * Loads the session like the session middleware, but a store that fails (Redis away) is an answer rather than the
   * error page: 'failed', and no session. A failure after the answer (saving the session) is only logged.
   */
  function readSession(req: Request, res: Response): Promise<'read' | 'failed'> {
    return new Promise((resolve) => {
      let answered = false;
      deps.session(req, res, (err?: unknown) => {
        if (err) {
          deps.logger.warn(
            { referenceId: res.locals.referenceId, error: err instanceof Error ? err.message : typeof err },
            answered
              ? 'session store failed after a return page was answered'
              : 'session store failed on a return; the order is settled and the buyer is asked to check again',
          );
        }
        if (answered) return;
        answered = true;
        resolve(err ? 'failed' : 'read');
      });
    });
  }

  /**
   * The buyer is back with a paid order bought from the cart: what it bought leaves the cart (all of it, unless
   * the cart was changed since: then what was added stays). A declined payment leaves it for another try.
   */
  function emptyBoughtCart(req: Request, res: Response, order: Order): void {
    const bought = req.session.cartOrder;
    if (bought?.orderId !== order.id) return;
    delete req.session.cartOrder;
    const browser = req.session.browser;
    if (browser === undefined) return;
    const left = withoutBought(cartOf(req.session, browser), bought.lines);
    storeCart(req.session, left);
    cartPages?.count.set(res, left);
  }

  return async (req, res) => {
    const session = await readSession(req, res);
    const orderId = req.query.orderId;
    if (typeof orderId !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(orderId)) return neutral(res);
    const found = await ledger.findByGatewayOrderId(orderId);
    const { lang } = res.locals;
    // A settled order is shown as the ledger has it (callbacks and the reconciler keep it current), without asking.
    // An open one is asked about at most once per cool-down, sharing a call in flight (src/payments/gate.ts).
    const synced =
      found && isOpen(found.status) ? await payments.settleOnReturn(found, lang) : found && { order: found };
    // The store failed: the order is brought up to date all the same, but whose it is can't be told. The page says
    // so and checks again by itself, whether or not the order exists (it reveals nothing about it).
    if (session === 'failed') return pending(req, res, found, orderId, true);
    if (!found) return neutral(res);
    // The order is brought up to date for anyone (the return is a trigger), but shown only to its own browser.
    if (!(req.session.orders ?? []).includes(found.id)) return neutral(res);
    if (!synced) return pending(req, res, found, orderId);

    const { order } = synced;
    switch (order.status) {
      case 'paid':
      case 'authorized':
      case 'partially_refunded':
        emptyBoughtCart(req, res, synced.order);
        return res.render('shop/success', {
          // From the ledger, however the order was settled (this return, a callback, the reconciler) and on reload.
          order: orderView(order, true, lang),
          authorizedOnly: order.status === 'authorized',
          refundedAmount: order.status === 'partially_refunded' ? order.refundedAmount : 0,
        });
      case 'declined':
      case 'reversed':
      case 'refunded': {
        // A "Buy now" order is tried again with a Buy form; a cart's order (any of several lines, or the one this
        // session bought from its cart) from the cart, which a failed payment leaves as it was: a Buy form there
        // would make an order whose success page leaves the paid lines in the cart.
        const fromCart = order.items.length > 1 || req.session.cartOrder?.orderId === order.id;
        const first = fromCart ? undefined : order.items[0];
        // The page offers "try again": a Buy form, so the browser needs its key like on a product page.
        deps.browserKey.ensure(req, res);
        return res.render('shop/failure', {
          order: orderView(order),
          reason: explainActionCode(order.actionCode)[lang],
          actionCode: order.actionCode,
          retry: first ? { productId: first.productId, quantity: first.quantity } : null,
          csrfToken: deps.csrf.token(req, res),
          cancelled: order.status !== 'declined',
          refunded: order.status === 'refunded',
          // The buyer pressed Cancel on the payment page: no "failed", no bank code, a way back to the product.
          buyerCancelled: order.status === 'declined' && isBuyerCancel(order.actionCode),
          productUrl: first ? `/products/${encodeURIComponent(first.productId)}` : '/',
          backToCart: fromCart,
        });
      }
      case 'mismatch':
        return renderError(res, 502, 'errors.verification');
      case 'new':
      case 'registered':
      case 'processing':
      case 'register_failed':
      case 'register_unknown':
        return pending(req, res, order, orderId);
    }
  };
}
