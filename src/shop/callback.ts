import type { Request, RequestHandler } from 'express';
import { verifyCallbackChecksum } from '../gateway/index.js';
import type { CallbackRefusal } from '../metrics/index.js';
import type { Order } from '../orders/types.js';
import type { ShopDeps } from './deps.js';

/** Bounds of one notification: the documented set has under ten short parameters. */
const MAX_PARAMS = 30;
const MAX_VALUE_CHARS = 512;
const MAX_URL_CHARS = 4096;
const ORDER_ID = /^[A-Za-z0-9-]{1,64}$/;

export interface CallbackOptions {
  /** The shared HMAC key; when set, every callback must carry a valid checksum. */
  key: string | undefined;
}

/**
 * GET or POST /payment/callback: the gateway says something happened to an order. It is only a trigger: a verified
 * notification is recorded and answered 200 at once, then the order is settled by asking the gateway for its
 * status. Unknown orders are answered 200 too (the gateway would retry anything else) and logged.
 */
export function createCallbackReceiver(
  deps: Pick<ShopDeps, 'ledger' | 'logger' | 'metrics' | 'payments'>,
  opts: CallbackOptions,
): RequestHandler {
  const { ledger, logger, metrics, payments } = deps;

  /**
   * An order whose register answer never arrived has no gateway id yet, so a callback about it is found by its
   * orderNumber instead. Settling it asks the gateway by that number and adopts the gateway's id (settle.ts). Only an
   * order known to have lost that answer (register_unknown) is looked up so: one whose register.do is still running
   * ('new') is left to that request, since asking by number now could close it as never registered; and an order that
   * already has another gateway id is not this one.
   */
  async function lostAnswer(orderNumber: string | undefined): Promise<Order | undefined> {
    if (orderNumber === undefined) return undefined;
    const order = await ledger.findByOrderNumber(orderNumber);
    return order?.status === 'register_unknown' && order.gatewayOrderId === null ? order : undefined;
  }

  return async (req, res) => {
    metrics?.callbackReceived();
    const params = readParams(req);
    if (!params) return refuse(400, 'malformed callback', 'malformed');
    // With a key, only the gateway can notify: unsigned, forged or altered calls change nothing.
    if (opts.key !== undefined && !verifyCallbackChecksum(params, opts.key))
      return refuse(403, 'bad checksum', params.checksum === undefined ? 'missing_checksum' : 'bad_checksum');
    const { mdOrder, operation, status, orderNumber } = params;
    if (mdOrder === undefined || !ORDER_ID.test(mdOrder)) return refuse(400, 'no valid mdOrder', 'bad_order_id');

    const order = (await ledger.findByGatewayOrderId(mdOrder)) ?? (await lostAnswer(orderNumber));
    const notice = { mdOrder, orderNumber, operation, status };
    if (!order) {
      logger.warn({ callback: notice }, 'callback for an unknown order; answered 200 so it is not retried');
      metrics?.callbackRefused('unknown_order');
      res.status(200).type('text/plain').send('OK');
      return;
    }
    await ledger.recordEvent(order.id, 'callback', 'received', notice);
    res.status(200).type('text/plain').send('OK');
    // One status call at a time per order, shared with a return's or the reconciler's (src/payments/gate.ts).
    payments
      .settleOnCallback(order)
      .catch((err: unknown) => logger.error({ err, orderId: order.id }, 'settling after a callback failed'));

    function refuse(code: 400 | 403, reason: string, counted: CallbackRefusal): void {
      metrics?.callbackRefused(counted);
      logger.warn({ reason, method: req.method, ip: req.ip }, 'callback refused');
      res
        .status(code)
        .type('text/plain')
        .send(code === 403 ? 'Forbidden' : 'Bad Request');
    }
  };
}

/** The notification's parameters (query for GET, form body for POST), or undefined if any is not a short string. */
function readParams(req: Request): Record<string, string> | undefined {
  if (req.originalUrl.length > MAX_URL_CHARS) return undefined;
  const source: unknown = req.method === 'POST' ? req.body : req.query;
  if (typeof source !== 'object' || source === null) return undefined;
  const entries = Object.entries(source);
  if (entries.length === 0 || entries.length > MAX_PARAMS) return undefined;
  for (const [, value] of entries) {
    if (typeof value !== 'string' || value.length > MAX_VALUE_CHARS) return undefined;
  }
  // fromEntries defines own properties: a parameter named __proto__ stays a parameter (and breaks the checksum).
  return Object.fromEntries(entries);
}
