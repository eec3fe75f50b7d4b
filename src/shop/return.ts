import type { Request, RequestHandler, Response } from 'express';
import { renderError } from '../http/errors.js';
import { isOpen } from '../orders/state-machine.js';
import type { Order } from '../orders/types.js';
import { explainActionCode } from './action-codes.js';
import type { ShopRouteDeps } from './deps.js';
import { createSettle } from './settle.js';

const MAX_REFRESH_SECONDS = 30;

function orderView(order: Order, maskedPan?: string) {
  return {
    orderNumber: order.orderNumber,
    items: order.items.map((i) => ({ ...i, lineAmount: i.unitAmount * i.quantity })),
    amount: order.amount,
    currency: order.currency,
    maskedPan,
  };
}

/**
 * GET returnUrl / failUrl?orderId=…: the query string is only a hint that something happened. The outcome comes
 * from getOrderStatusExtended, checked against our own order, and is shown only to the browser that placed it.
 */
export function createReturn(deps: ShopRouteDeps): RequestHandler {
  const { ledger } = deps;
  const settle = createSettle(deps);

  function neutral(res: Response): void {
    // The language links must not echo the orderId: the page reveals nothing, not even what was asked.
    res.locals.langUrl = (l: string) => `/?lang=${encodeURIComponent(l)}`;
    res.status(404).render('shop/neutral');
  }

  function pending(req: Request, res: Response, order: Order, orderId: string): void {
    const n = Math.max(0, Math.min(Math.trunc(Number(req.query.n)) || 0, 10));
    const refreshSeconds = Math.min(3 * 2 ** n, MAX_REFRESH_SECONDS);
    const params = new URLSearchParams({ orderId, n: String(n + 1) });
    res.render('shop/pending', {
      order: orderView(order),
      refreshSeconds,
      statusUrl: `${req.path}?${params.toString()}`,
    });
  }

  return async (req, res) => {
    const orderId = req.query.orderId;
    if (typeof orderId !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(orderId)) return neutral(res);
    const found = ledger.findByGatewayOrderId(orderId);
    if (!found) return neutral(res);
    const { lang } = res.locals;
    // A settled order is shown as the ledger has it (callbacks and the reconciler keep it current), without asking.
    const synced = isOpen(found.status) ? await settle(found, { source: 'return' }, lang) : { order: found };
    // The order is brought up to date for anyone (the return is a trigger), but shown only to its own browser.
    if (!(req.session.orders ?? []).includes(found.id)) return neutral(res);
    if (!synced) return pending(req, res, found, orderId);

    const { order } = synced;
    switch (order.status) {
      case 'paid':
      case 'authorized':
      case 'partially_refunded':
        return res.render('shop/success', {
          order: orderView(order, synced.maskedPan),
          authorizedOnly: order.status === 'authorized',
          refundedAmount: order.status === 'partially_refunded' ? order.refundedAmount : 0,
        });
      case 'declined':
      case 'reversed':
      case 'refunded': {
        const first = order.items[0];
        return res.render('shop/failure', {
          order: orderView(order),
          reason: explainActionCode(order.actionCode)[lang],
          actionCode: order.actionCode,
          retry: first ? { productId: first.productId, quantity: first.quantity } : null,
          csrfToken: deps.csrf.token(req, res),
          cancelled: order.status !== 'declined',
          refunded: order.status === 'refunded',
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
