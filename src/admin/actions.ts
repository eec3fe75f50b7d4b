import type { Request, RequestHandler, Response } from 'express';
import { GatewayError, GatewayRejectedError } from '../gateway/index.js';
import { HttpError } from '../http/errors.js';
import type { MessageKey } from '../http/i18n.js';
import { currencyInfo } from '../money.js';
import type { Order } from '../orders/types.js';
import { createSettle } from '../shop/settle.js';
import { allowed, capturable, isAction, refundable, type AdminAction } from './actions-policy.js';
import { parseMajorAmount, toMajorString } from './amount.js';
import type { AdminDeps } from './deps.js';
import { loadOrder } from './orders.js';

const TITLES: Record<AdminAction, MessageKey> = {
  refresh: 'admin.confirm.title.refresh',
  capture: 'admin.confirm.title.capture',
  void: 'admin.confirm.title.void',
  refund: 'admin.confirm.title.refund',
};

/** Largest amount the action may move, minor units; undefined for actions without an amount. */
function ceiling(order: Order, action: AdminAction): number | undefined {
  if (action === 'capture') return capturable(order);
  if (action === 'refund') return refundable(order);
  return undefined;
}

/**
 * Confirm pages (GET) and the actions themselves (POST). Each action asks the gateway, then settles the order from
 * getOrderStatusExtended like any return or callback: the ledger moves only by what the gateway then reports.
 */
export function createActions(deps: AdminDeps) {
  const { ledger, gateway, logger } = deps;
  const settle = createSettle(deps);

  async function target(req: Request): Promise<{ order: Order; action: AdminAction }> {
    const { action } = req.params;
    if (!isAction(action)) throw new HttpError(404, 'errors.notFound');
    return { order: await loadOrder(deps, req.params.id), action };
  }

  function page(res: Response, status: number, order: Order, action: AdminAction, extra: Record<string, unknown>) {
    const max = ceiling(order, action);
    res.status(status).render('admin/confirm', {
      title: res.locals.t(TITLES[action]),
      order,
      action,
      allowed: allowed(order, action),
      max,
      currencyCode: currencyInfo(order.currency)?.code ?? order.currency,
      amountText: max === undefined ? undefined : toMajorString(max, order.currency),
      error: undefined,
      refusal: undefined,
      unknown: false,
      ...extra,
    });
  }

  const confirm: RequestHandler = async (req, res) => {
    const { order, action } = await target(req);
    page(res, allowed(order, action) ? 200 : 409, order, action, {});
  };

  const act: RequestHandler = async (req, res) => {
    const { order, action } = await target(req);
    const actor = String(res.locals.adminUser);
    if (!allowed(order, action)) {
      page(res, 409, order, action, {});
      return;
    }
    const typed = (req.body as Record<string, unknown>).amount;
    let amount: number | undefined;
    const max = ceiling(order, action);
    if (max !== undefined) {
      const parsed = parseMajorAmount(typeof typed === 'string' ? typed : '', order.currency);
      const { t } = res.locals;
      const error = !parsed.ok
        ? t(parsed.error, parsed.params)
        : parsed.minor > max
          ? t(action === 'refund' ? 'admin.amount.overRefund' : 'admin.amount.overCapture', {
              amount: toMajorString(max, order.currency),
            })
          : undefined;
      if (!parsed.ok || error !== undefined) {
        page(res, 422, order, action, { error, amountText: typeof typed === 'string' ? typed : '' });
        return;
      }
      amount = parsed.minor;
    }
    const orderId = order.gatewayOrderId ?? '';
    if (action !== 'refresh') {
      await ledger.recordEvent(order.id, 'admin', action, { actor, amount, step: 'requested' });
      try {
        if (action === 'capture') await gateway.deposit({ orderId, amount: amount ?? 0 });
        else if (action === 'refund') await gateway.refund({ orderId, amount: amount ?? 0 });
        else await gateway.reverse({ orderId });
      } catch (err) {
        if (!(err instanceof GatewayError)) throw err;
        const rejected = err instanceof GatewayRejectedError;
        const errorCode = rejected ? err.errorCode : undefined;
        const answer = rejected ? 'rejected' : 'unknown';
        await ledger.recordEvent(order.id, 'admin', action, {
          actor,
          amount,
          step: 'answered',
          answer,
          code: err.code,
          errorCode,
        });
        logger.warn({ orderId: order.id, action, actor, code: err.code, errorCode }, 'back-office action not done');
        if (rejected) {
          page(res, 409, order, action, { refusal: { errorCode, text: err.errorMessage }, amountText: typed });
        } else {
          page(res, 503, order, action, { unknown: true, amountText: typed });
        }
        return;
      }
      await ledger.recordEvent(order.id, 'admin', action, { actor, amount, step: 'answered', answer: 'ok' });
    }
    // A refresh asks nothing of the gateway but its status; the status event settle writes is its answer.
    if (action === 'refresh') await ledger.recordEvent(order.id, 'admin', action, { actor, step: 'requested' });
    const settled = await settle(order, { source: 'admin', actor });
    logger.info({ orderId: order.id, action, actor, amount, status: settled?.order.status }, 'back-office action');
    res.redirect(303, `/admin/orders/${order.id}?done=${action}${settled ? '' : '-unconfirmed'}`);
  };

  return { confirm, act };
}
