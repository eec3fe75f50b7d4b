import type { Flow, LocalStatus, Order, OrderEvent, OrderItem } from './types.js';

/** Row shapes as stored (snake_case, JSON as TEXT) and their mapping to the public types. */
export interface OrderRow {
  id: number;
  order_number: string;
  gateway_order_id: string | null;
  form_url: string | null;
  items: string;
  amount: number;
  currency: string;
  flow: string;
  language: string;
  status: string;
  action_code: number | null;
  gateway_status: number | null;
  purchase_key: string | null;
  created_at: number;
  updated_at: number;
  paid_at: number | null;
  checked_at: number | null;
  next_check_at: number | null;
  deposited_amount: number;
  refunded_amount: number;
  /** Who holds the purchase claim of a 'new' order (src/orders/claims.ts); read by the claim only, not part of Order. */
  claim_owner?: string | null;
  card_masked_pan: string | null;
  card_payment_way: string | null;
}

export interface EventRow {
  id: number;
  order_id: number;
  at: number;
  kind: string;
  outcome: string;
  detail: string | null;
}

export function toOrder(r: OrderRow): Order {
  return {
    id: r.id,
    orderNumber: r.order_number,
    gatewayOrderId: r.gateway_order_id,
    formUrl: r.form_url,
    items: JSON.parse(r.items) as OrderItem[],
    amount: r.amount,
    currency: r.currency,
    // The CHECK constraints guarantee these casts.
    flow: r.flow as Flow,
    language: r.language,
    status: r.status as LocalStatus,
    actionCode: r.action_code,
    gatewayStatus: r.gateway_status,
    purchaseKey: r.purchase_key,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    paidAt: r.paid_at,
    checkedAt: r.checked_at,
    nextCheckAt: r.next_check_at,
    depositedAmount: r.deposited_amount,
    refundedAmount: r.refunded_amount,
    card: { maskedPan: r.card_masked_pan, paymentWay: r.card_payment_way },
  };
}

export function toEvent(r: EventRow): OrderEvent {
  return {
    id: r.id,
    orderId: r.order_id,
    at: r.at,
    kind: r.kind,
    outcome: r.outcome,
    detail: r.detail === null ? null : (JSON.parse(r.detail) as Record<string, unknown>),
  };
}

/** Copies only the declared item fields, so nothing extra a caller attached is persisted. */
export function itemsJson(items: readonly OrderItem[]): string {
  return JSON.stringify(
    items.map(({ productId, name, quantity, unitAmount }) => ({ productId, name, quantity, unitAmount })),
  );
}
