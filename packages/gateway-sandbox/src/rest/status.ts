import { orderBundleOf } from '../cart.js';
import { actionCodeDescription, message } from '../messages.js';
import type { SandboxOrder } from '../types.js';
import { reportedPaymentWay } from '../wallets.js';
import { errorCodeValue } from './envelope.js';

const PAYMENT_STATE: Record<SandboxOrder['status'], string> = {
  0: 'CREATED',
  5: 'CREATED',
  1: 'APPROVED',
  2: 'DEPOSITED',
  3: 'REVERSED',
  4: 'REFUNDED',
  6: 'DECLINED',
};

/** terminalId is stable per merchant, like a real processing terminal. */
export function terminalIdFor(login: string): string {
  let h = 7;
  for (const ch of login) h = (h * 31 + ch.charCodeAt(0)) % 100_000_000;
  return String(h).padStart(8, '0');
}

/** getOrderStatusExtended.do answer (docs/gateway-reference.md §3.2), roughly the field set of version 12+ without bindings or cart. */
export function extendedStatus(order: SandboxOrder, language: string): Record<string, unknown> {
  const body: Record<string, unknown> = {
    errorCode: errorCodeValue('status', 0),
    errorMessage: message('success', language),
    orderNumber: order.orderNumber,
    orderStatus: order.status,
    actionCode: order.actionCode,
    actionCodeDescription: actionCodeDescription(order.actionCode, language),
    amount: order.amount,
    currency: order.currency,
    date: order.createdAt,
    orderDescription: order.description,
    ip: order.ip,
    merchantOrderParams: Object.entries(order.jsonParams).map(([name, value]) => ({ name, value })),
    transactionAttributes: [],
    attributes: [{ name: 'mdOrder', value: order.id }],
  };
  if (order.card) {
    body.cardAuthInfo = {
      maskedPan: order.card.maskedPan,
      expiration: order.card.expiration,
      cardholderName: order.card.cardholderName,
      approvalCode: order.approvalCode,
      paymentSystem: order.card.paymentSystem,
      pan: order.card.maskedPan,
    };
  }
  // How the buyer paid (docs/gateway-reference.md §10): from the first payment attempt on; a typed card is CARD.
  const paymentWay = reportedPaymentWay(order);
  if (paymentWay !== undefined) body.paymentWay = paymentWay;
  if (order.authDateTime !== undefined) body.authDateTime = order.authDateTime;
  if (order.card) {
    body.terminalId = terminalIdFor(order.merchantLogin);
    if (order.authRefNum !== undefined) body.authRefNum = order.authRefNum;
  }
  if (order.depositedDate !== undefined) body.depositedDate = order.depositedDate;
  if (order.reversedDate !== undefined) body.reversedDate = order.reversedDate;
  if (order.refundedDate !== undefined) body.refundedDate = order.refundedDate;
  body.paymentAmountInfo = {
    paymentState: PAYMENT_STATE[order.status],
    approvedAmount: order.approvedAmount,
    depositedAmount: order.depositedAmount,
    refundedAmount: order.refundedAmount,
    feeAmount: 0,
    totalAmount: order.amount,
  };
  body.bankInfo = { bankCountryCode: 'UNKNOWN', bankCountryName: 'Unknown' };
  if (order.refunds.length > 0) {
    body.refunds = order.refunds.map((r) => ({
      date: r.date,
      externalRefundId: r.externalRefundId,
      actionCode: r.actionCode,
      referenceNumber: r.referenceNumber,
      amount: r.amount,
    }));
  }
  // The registered cart with what was captured of each line (docs/gateway-reference.md §8).
  const orderBundle = orderBundleOf(order);
  if (orderBundle) body.orderBundle = orderBundle;
  return body;
}

/** Legacy getOrderStatus.do answer with its capitalised keys (docs/gateway-reference.md §3.3); kept for old clients only. */
export function legacyStatus(order: SandboxOrder, language: string): Record<string, unknown> {
  const declined = order.status === 6;
  return {
    // docs/gateway-reference.md §3.3: ErrorCode 2 means "order declined due to payment credential error".
    ErrorCode: declined ? '2' : '0',
    ErrorMessage: declined ? message('orderDeclined', language) : message('success', language),
    OrderStatus: order.status,
    OrderNumber: order.orderNumber,
    Pan: order.card?.maskedPan,
    expiration: order.card?.expiration,
    cardholderName: order.card?.cardholderName,
    Amount: order.amount,
    currency: order.currency,
    approvalCode: order.approvalCode,
    authCode: 2,
    Ip: order.ip,
    depositAmount: order.depositedAmount,
  };
}
