import express, { type Router } from 'express';
import { positionsOf } from '../cart.js';
import { formatAmount } from '../currency.js';
import type { SandboxEngine } from '../engine.js';
import { parseMagic } from '../faults/magic.js';
import type { DeliveryOutcome, OrderJournal } from '../journal.js';
import { actionCodeDescription } from '../messages.js';
import type { SandboxMerchant, SandboxOrder } from '../types.js';
import type { OperatorGate } from './operator.js';
import { isFiscalOrder, receiptState, receiptStatusCode } from '../receipts.js';
import { reportedPaymentWay } from '../wallets.js';

export interface OrdersRouterOptions {
  engine: SandboxEngine;
  journal: OrderJournal;
  merchants: readonly SandboxMerchant[];
  /** The operator credential every page here requires (tools/operator.ts). */
  operator: OperatorGate;
  /** Orders per page. Default 50. */
  pageSize?: number;
}

const STATUS_NAME: Record<SandboxOrder['status'], string> = {
  0: 'registered',
  1: 'approved (hold)',
  2: 'deposited',
  3: 'reversed',
  4: 'refunded',
  5: 'authorizing (3-D Secure / processor)',
  6: 'declined',
};

/**
 * Operations view for the sandbox's operator: orders of every merchant, their history and callback deliveries.
 * Behind the operator token (a merchant's credentials never open it). Read-only and secret-free by construction:
 * it renders fields picked here (never a merchant object, so no password, token or callback key can reach a
 * template), a delivery's HTTP status but never the body its receiver answered, and EJS escapes every value.
 */
export function createOrdersRouter({
  engine,
  journal,
  merchants,
  operator,
  pageSize = 50,
}: OrdersRouterOptions): Router {
  const router = express.Router();
  const logins = merchants.map((m) => m.login);
  const when = (ms: number | undefined) => (ms === undefined ? '' : new Date(ms).toISOString());

  router.get('/sandbox/orders', operator.require, (req, res) => {
    const merchant =
      typeof req.query.merchant === 'string' && logins.includes(req.query.merchant) ? req.query.merchant : undefined;
    const page = Math.max(1, Math.min(10_000, Number.parseInt(firstString(req.query.page) ?? '1', 10) || 1));
    const all = engine.store.list(merchant ? { merchantLogin: merchant } : {});
    const pages = Math.max(1, Math.ceil(all.length / pageSize));
    const shown = all.slice((page - 1) * pageSize, page * pageSize);
    // Apply due expiries and settlements first, as a status call would, so no row shows a stale state.
    for (const o of shown) engine.refresh(o);
    const rows = shown.map((o) => ({
      id: o.id,
      merchant: o.merchantLogin,
      orderNumber: o.orderNumber,
      created: when(o.createdAt),
      amount: formatAmount(o.amount, o.currency, 'en'),
      status: `${o.status} ${STATUS_NAME[o.status]}`,
      actionCode: o.actionCode,
      deliveries: journal.of(o).deliveries.length,
    }));
    const link = (p: number) =>
      `/sandbox/orders?${new URLSearchParams({ ...(merchant && { merchant }), page: String(p) }).toString()}`;
    res.set('Cache-Control', 'no-store').render('tools/orders', {
      title: 'Sandbox orders',
      rows,
      total: all.length,
      // Where they are kept: on disk with a data folder (the SQLite store names its file), else in memory only.
      keptOnDisk: engine.store.file !== undefined,
      merchant,
      logins,
      page,
      pages,
      prev: page > 1 ? link(page - 1) : undefined,
      next: page < pages ? link(page + 1) : undefined,
    });
  });

  router.get('/sandbox/orders/:id', operator.require, (req, res) => {
    const order = engine.get(String(req.params.id));
    if (!order) {
      res.status(404).render('tools/order', { title: 'Order not found', order: undefined });
      return;
    }
    const history = journal.of(order);
    const money = (n: number) => formatAmount(n, order.currency, 'en');
    const tags = parseMagic(order.description);
    res.set('Cache-Control', 'no-store').render('tools/order', {
      title: `Order ${order.orderNumber}`,
      order: {
        id: order.id,
        merchant: order.merchantLogin,
        orderNumber: order.orderNumber,
        kind: order.twoPhase ? 'two-phase (registerPreAuth)' : 'one-phase (register)',
        status: `${order.status} ${STATUS_NAME[order.status]}`,
        actionCode: `${order.actionCode} ${actionCodeDescription(order.actionCode, 'en')}`.trim(),
        amount: money(order.amount),
        approved: money(order.approvedAmount),
        deposited: money(order.depositedAmount),
        refunded: money(order.refundedAmount),
        description: order.description,
        created: when(order.createdAt),
        expires: when(order.expiresAt),
        updated: when(order.updatedAt),
        attempts: order.attempts,
        maskedPan: order.card ? `${order.card.maskedPan} (${reportedPaymentWay(order) ?? ''})` : '',
        returnUrl: order.returnUrl,
        failUrl: order.failUrl ?? '',
        callbackUrl: order.callbackUrl ?? '',
        magic: tags ? JSON.stringify(tags) : 'none',
        refunds: order.refunds.map((r) => ({
          at: when(r.date),
          amount: money(r.amount),
          externalRefundId: r.externalRefundId ?? '',
        })),
      },
      // The cart (orderBundle) with what was captured and refunded of each line; never its customerDetails.
      cart: order.cart
        ? {
            taxSystem: order.taxSystem ?? 'not given',
            lines: positionsOf(order).map((p) => ({
              ...p,
              quantity: `${p.quantity} (measure ${p.measure})`,
              amount: money(p.amount),
              deposited: `${p.deposited.quantity} / ${money(p.deposited.amount)}`,
              refunded: `${p.refunded.quantity} / ${money(p.refunded.amount)}`,
            })),
          }
        : undefined,
      created: when(order.createdAt),
      operations: history.operations.map((op) => ({
        at: when(op.at),
        operation: op.operation,
        status: op.status,
        amount: money(op.amount),
      })),
      deliveries: history.deliveries.map((d) => ({
        at: when(d.at),
        operation: d.operation,
        copy: d.copy,
        attempt: d.attempt,
        url: d.url,
        signed: d.signed ? 'yes' : 'no',
        outcome: outcomeText(d.outcome) + (d.gaveUp ? ' — gave up' : ''),
      })),
      droppedOperations: history.droppedOperations,
      droppedDeliveries: history.droppedDeliveries,
      // Fiscal receipts (receipts.ts): undefined for an order registered without a cart.
      receipts: isFiscalOrder(order)
        ? (order.receipts ?? []).map((r) => ({
            uuid: r.uuid,
            kind: r.kind,
            at: when(r.issuedAt),
            amount: money(r.amount),
            status: `${receiptStatusCode(r, engine.clock.now())} ${receiptState(r, engine.clock.now())}`,
          }))
        : undefined,
    });
  });

  return router;
}

/** A query parameter's value; a repeated parameter counts by its first value, as the REST API reads them. */
function firstString(value: unknown): string | undefined {
  const first: unknown = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : undefined;
}

function outcomeText(outcome: DeliveryOutcome): string {
  switch (outcome.kind) {
    case 'http':
      return `HTTP ${outcome.status}`;
    case 'error':
      return `network error: ${outcome.message}`;
    case 'lost':
      return 'not sent (callbacks=lost fault)';
    case 'skipped':
      return `not sent (${outcome.reason})`;
  }
}
