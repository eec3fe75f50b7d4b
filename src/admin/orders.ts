import type { RequestHandler } from 'express';
import { GatewayError, type OrderStatusExtended } from '../gateway/index.js';
import { HttpError } from '../http/errors.js';
import { LOCAL_STATUSES, type LocalStatus, type Order, type OrderEvent } from '../orders/types.js';
import { explainActionCode } from '../http/messages/action-codes.js';
import { paidWith } from '../http/messages/payment-ways.js';
import type { MessageKey, Translate } from '../http/i18n.js';
import { receiptsOf, type KeptReceipt } from '../payments/index.js';
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

/** A receipt's status in words: the documented 0..8, else its number. */
export function receiptWords(r: Pick<KeptReceipt, 'receiptStatus'>, t: Translate): string {
  const n = r.receiptStatus;
  return Number.isInteger(n) && n >= 0 && n <= 8
    ? t(`admin.receipt.status.${n}` as MessageKey)
    : t('admin.receipt.statusOther', { code: n });
}

/** What happened to an order's money, each shown with its time on the order's page. */
export type MoneyStep = 'authorized' | 'paid' | 'captured' | 'voided' | 'refunded';

/**
 * When the money moved, from the ledger: `paidAt` is the first arrow into `authorized` or `paid` (the fulfilment,
 * whose event says which), later steps are the status events that moved the order (the last refund for refunds).
 * A voided order was authorized, never paid: its page says so.
 */
export function moneySteps(order: Order, events: readonly OrderEvent[]): { step: MoneyStep; at: number }[] {
  const steps = new Map<MoneyStep, number>();
  if (order.paidAt !== null) {
    const fulfilled = events.find((e) => e.kind === 'fulfilled');
    const held = fulfilled ? fulfilled.outcome === 'authorized' : order.flow === 'two-phase';
    steps.set(held ? 'authorized' : 'paid', order.paidAt);
  }
  for (const e of events) {
    if (e.kind !== 'status' || (e.outcome !== 'changed' && e.outcome !== 'amounts')) continue;
    const { from, to } = e.detail ?? {};
    const step: MoneyStep | undefined =
      to === 'reversed'
        ? 'voided'
        : to === 'refunded' || to === 'partially_refunded'
          ? 'refunded'
          : to === 'paid' && from === 'authorized'
            ? 'captured'
            : undefined;
    if (step) steps.set(step, e.at);
  }
  return [...steps].map(([step, at]) => ({ step, at })).sort((a, b) => a.at - b.at);
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
    const { gatewayOrderId } = order;
    if (gatewayOrderId !== null) {
      // A read only: what the gateway says now is shown; the ledger moves only through Refresh (settle).
      try {
        live = await deps.payments.liveStatus({ ...order, gatewayOrderId });
      } catch (err) {
        if (!(err instanceof GatewayError)) throw err;
        liveError = err.code;
      }
    }
    const actionCode = live?.actionCode ?? order.actionCode;
    const events = await deps.ledger.events(order.id);
    res.render('admin/order', {
      title: res.locals.t('admin.order.title', { orderNumber: order.orderNumber }),
      order,
      live,
      liveError,
      explained: actionCode === null ? undefined : { code: actionCode, ...explainActionCode(actionCode) },
      events,
      times: moneySteps(order, events),
      paidWith: paidWith(order.card.paymentWay, res.locals.lang),
      receipts: receiptsOf(events).map((r) => ({ ...r, words: receiptWords(r, res.locals.t) })),
      actions: availableActions(order),
      done: doneNote(req.query.done),
    });
  };

  return { list, view };
}
