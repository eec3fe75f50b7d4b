/** Shared data shapes of the sandbox. Nothing here is imported from src/gateway or the shop on purpose. */
import type { PaymentWay, WalletId } from './wallets.js';

export interface SandboxMerchant {
  /** Merchant name, used in the page URL /payment/merchants/<login>/payment_<lang>.html. */
  login: string;
  userName: string;
  password: string;
  token?: string;
  callbackUrl?: string;
  /**
   * Further origins (`http(s)://host[:port]`) this merchant's callbacks may go to, besides its callbackUrl's: where a
   * dynamicCallbackUrl may point (callbacks/allow-list.ts).
   */
  callbackOrigins?: readonly string[];
  callbackKey?: string;
  allowTwoPhase: boolean;
  /** The wallets its hosted page and direct wallet endpoints offer (wallets.ts); unset: all of them, `[]`: none. */
  wallets?: readonly WalletId[];
}

export const DEFAULT_MERCHANTS: readonly SandboxMerchant[] = Object.freeze([
  Object.freeze({
    login: 'demo-shop',
    userName: 'demo-shop-api',
    password: 'demo-shop-password',
    token: 'demo-shop-token',
    // A shop on its default port (npm start) may name itself as dynamicCallbackUrl; no other local service.
    callbackOrigins: Object.freeze(['http://localhost:3000', 'http://127.0.0.1:3000']),
    allowTwoPhase: true,
  }),
]);

/** orderStatus values of docs/gateway-reference.md §4.1 that the sandbox produces. */
export type OrderStatus = 0 | 1 | 2 | 3 | 4 | 5 | 6;

export type PageLang = 'en' | 'ru';

export interface CardData {
  maskedPan: string;
  /** YYYYMM, as the gateway reports it. */
  expiration: string;
  cardholderName: string;
  paymentSystem: string;
}

export interface Refund {
  date: number;
  amount: number;
  externalRefundId?: string;
  referenceNumber: string;
  actionCode: number;
  /** Of a cart order: what this refund gave back of each position (cart.ts). */
  items?: PositionShare[];
}

export interface SandboxOrder {
  id: string;
  merchantLogin: string;
  orderNumber: string;
  twoPhase: boolean;
  amount: number;
  currency: string;
  description: string;
  /** Language given at registration (2 letters) and the page language derived from it. */
  language: string;
  pageLang: PageLang;
  returnUrl: string;
  failUrl?: string;
  /** dynamicCallbackUrl given at registration; wins over the merchant's static callback URL. */
  callbackUrl?: string;
  jsonParams: Record<string, string>;
  ip?: string;
  createdAt: number;
  expiresAt: number;
  updatedAt: number;
  status: OrderStatus;
  actionCode: number;
  attempts: number;
  card?: CardData;
  /** How the order was paid: set by every payment attempt, a typed card (CARD) or a wallet (wallets.ts). */
  paymentWay?: PaymentWay;
  approvalCode?: string;
  authRefNum?: string;
  authDateTime?: number;
  approvedAmount: number;
  depositedAmount: number;
  refundedAmount: number;
  refunds: Refund[];
  depositedDate?: number;
  reversedDate?: number;
  refundedDate?: number;
  /** docs/gateway-reference.md §3.5 allows one reversal attempt: set by the first reverse.do that reaches a held order, even a refused one. */
  reverseAttempted: boolean;
  /** Set while orderStatus is 5: what the order waits for. */
  pending?: { kind: 'challenge' } | { kind: 'processor'; until: number };
  /** The cart given as orderBundle at registration (cart.ts), with its positions' captures and refunds. */
  cart?: OrderCart;
  /** taxSystem given at registration (0..5). */
  taxSystem?: number;

  // Fiscal receipts (receipts.ts): issued for an order registered with a cart (isFiscalOrder).
  /** The order's fiscal receipts, oldest first: one per payment or capture, one per refund. */
  receipts?: SandboxReceipt[];
}

/** One fiscal receipt the sandbox's simulated fiscaliser issued (docs/gateway-reference.md §9). */
export interface SandboxReceipt {
  /** The receipt's id in the fiscaliser (getReceiptStatus.do `uuid`). */
  uuid: string;
  /** A sale (the payment or the hold's capture) or a refund of a sale. */
  kind: 'payment' | 'refund';
  /** Minor units of the order's currency. */
  amount: number;
  issuedAt: number;
  /** When the fiscaliser answers: the receipt is "sent" until then, then delivered or failed. */
  settlesAt: number;
  /** A fault switch or magic value chose a failure (status 2 or 5 once settled). */
  fails: boolean;
  shiftNumber: number;
  fiscalReceiptNumber: number;
  fiscalDocumentNumber: number;
  fiscalDocumentAttribute: string;
}

export type SandboxOperation = 'approved' | 'deposited' | 'reversed' | 'refunded' | 'declinedByTimeout' | 'declined';

/** Fired on every state-changing operation; the hook for callbacks (docs/gateway-reference.md §6). */
export interface SandboxEvent {
  merchant: SandboxMerchant;
  order: Readonly<SandboxOrder>;
  operation: SandboxOperation;
  /** 1 = the named operation succeeded, 0 = it failed (e.g. a card decline reports its payment operation with 0). */
  status: 1 | 0;
  /** Amount of this operation in minor units (the refunded part for a partial refund). */
  amount: number;
}

export interface SandboxLogger {
  info: (...args: unknown[]) => void;
  warn: (...args: unknown[]) => void;
  error: (...args: unknown[]) => void;
}

/*
 * The cart (orderBundle) of an order registered with one (cart.ts; docs/gateway-reference.md §8). Quantities are
 * kept as given; what was captured and refunded of each position is counted in thousandths of its measure
 * (quantity.value has at most 3 decimals) and in minor units.
 */

/** An attribute's value: text, or for item attributes a number or a nested object (agent_info, supplier_info…). */
export type CartAttributeValue = string | number | Record<string, unknown>;

/** One `{name, value}` entry of an item's attributes or details. */
export interface CartAttribute {
  name: string;
  value: CartAttributeValue;
}

/** One line of a cart as the gateway's JSON spells it (the fields the sandbox checks and echoes). */
export interface CartItem {
  positionId: number;
  name: string;
  quantity: { value: number; measure: string };
  itemAmount: number;
  itemPrice?: number;
  itemCurrency?: string;
  itemCode: string;
  tax?: { taxType: number; taxSum?: number };
  itemAttributes?: { attributes: CartAttribute[] };
  itemDetails?: { itemDetailsParams: CartAttribute[] };
}

/** A registered cart position with what was captured and refunded of it. */
export interface CartPosition extends CartItem {
  /** Set by a capture (deposit.do); absent while nothing was captured, or after a one-phase payment (all of it). */
  deposited?: { quantity: number; amount: number };
  /** What refunds gave back of this position: quantity in thousandths, amount in minor units. */
  refunded: { quantity: number; amount: number };
}

export interface CustomerDetails {
  email?: string;
  phone?: string;
  contact?: string;
  fullName?: string;
  passport?: string;
  inn?: string;
}

/** A part of one cart position: quantity in thousandths of its measure, amount in minor units. */
export interface PositionShare {
  positionId: number;
  quantity: number;
  amount: number;
}

export interface OrderCart {
  orderCreationDate?: string | number;
  customerDetails?: CustomerDetails;
  positions: CartPosition[];
  /** Once one refund named its lines, every later refund of the order must name them too. */
  refundsByItems: boolean;
}
