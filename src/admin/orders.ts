import type { RequestHandler } from 'express';
import { GatewayError, type OrderStatusExtended } from '../gateway/index.js';
import { HttpError } from '../http/errors.js';
import { LOCAL_STATUSES, type LocalStatus, type Order } from '../orders/types.js';
import { explainActionCode } from '../shop/action-codes.js';
import { availableActions, isAction } from './actions-policy.js';
import type { AdminDeps } from './deps.js';

export const PAGE_SIZE = 25;

const isStatus = (s: unknown): s is LocalStatus => LOCAL_STATUSES.includes(s as LocalStatus);

/** `?done=capture` (or `capture-unconfirmed`) after an action's redirect; anything else is ignored. */
function doneNote(done: unknown): { action: string; unconfirmed: boolean } | undefined {
  if (typeof done !== 'string') return undefined;
  const action = done.replace(/-unconfirmed$/, '');
  return isAction(action) ? { action, unconfirmed: action !== done } : undefined;
}

/** The order named by :id, or 404. */
export async function loadOrder(deps: AdminDeps, id: unknown): Promise<Order> {
  const n = typeof id === 'string' && /^[1-9]\d{0,15}$/.test(id) ? Number(id) : NaN;
  const order = Number.isSafeInteger(n) ? await deps.ledger.get(n) : undefined;
  if (!order) throw new HttpError(404, 'errors.notFound');
  return order;
}

/** The order list and one order's page. */
export function createOrderPages(deps: AdminDeps) {
  const list: RequestHandler = async (req, res) => {
    const status = isStatus(req.query.status) ? req.query.status : undefined;
    const raw = typeof req.query.q === 'string' ? req.query.q.trim().slice(0, 64) : '';
    const text = raw === '' ? undefined : raw;
    const pageNo =
      typeof req.query.page === 'string' && /^[1-9]\d{0,5}$/.test(req.query.page) ? Number(req.query.page) : 1;
    const { orders, total } = await deps.ledger.listOrders({
      status,
      text,
      limit: PAGE_SIZE,
      offset: (pageNo - 1) * PAGE_SIZE,
    });
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const link = (page: number) => {
      const p = new URLSearchParams();
      if (status) p.set('status', status);
      if (text) p.set('q', text);
      if (page > 1) p.set('page', String(page));
      const qs = p.toString();
      return `/admin/orders${qs ? `?${qs}` : ''}`;
    };
    res.render('admin/list', {
      title: res.locals.t('admin.list.title'),
      orders,
      total,
      statuses: LOCAL_STATUSES,
      filter: { status: status ?? '', q: text ?? '' },
      page: pageNo,
      prev: pageNo > 1 ? link(pageNo - 1) : undefined,
      next: pageNo < pages ? link(pageNo + 1) : undefined,
      pages,
    });
  };

  const view: RequestHandler = async (req, res) => {
    const order = await loadOrder(deps, req.params.id);
    let live: OrderStatusExtended | undefined;
    let liveError: string | undefined;
    if (order.gatewayOrderId !== null) {
      // A read only: what the gateway says now is shown; the ledger moves only through Refresh (settle).
      try {
        live = await deps.gateway.getOrderStatusExtended({ orderId: order.gatewayOrderId });
      } catch (err) {
        if (!(err instanceof GatewayError)) throw err;
        liveError = err.code;
      }
    }
    const actionCode = live?.actionCode ?? order.actionCode;
    res.render('admin/order', {
      title: res.locals.t('admin.order.title', { orderNumber: order.orderNumber }),
      order,
      live,
      liveError,
      explained: actionCode === null ? undefined : { code: actionCode, ...explainActionCode(actionCode) },
      events: await deps.ledger.events(order.id),
      actions: availableActions(order),
      done: doneNote(req.query.done),
    });
  };

  return { list, view };
}
