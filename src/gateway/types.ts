// Public shapes of the gateway client. The shop codes against these names.

/** API user + password, or a merchant token; the gateway rejects both at once (docs/gateway-reference.md §1.2). */
export type GatewayAuth = { userName: string; password: string } | { token: string };

export interface GatewayTimeouts {
  /** TCP connect budget. Default 5000 (these defaults: DEFAULT_TIMEOUTS in options.ts). */
  connectMs?: number;
  /** Whole-request budget for register/registerPreAuth/deposit/reverse/refund/decline. Default 15000. */
  operationMs?: number;
  /** Whole-request budget for ONE getOrderStatusExtended attempt (retries get their own). Default 5000. */
  statusMs?: number;
}

export interface GatewayClientOptions {
  /** Must be http(s), end with /payment/rest/ and carry no query, fragment or URL credentials. */
  baseUrl: string;
  auth: GatewayAuth;
  timeouts?: GatewayTimeouts;
  /** Extra attempts for getOrderStatusExtended only (network error, timeout, 5xx, 429). Default 2. */
  statusRetries?: number;
  /** Delay before the first status retry; doubles each time. Default 250. Tests set it near 0. */
  statusRetryDelayMs?: number;
  /**
   * Origin of the hosted payment page: formUrl must be on it (docs/security.md #7). Default: the origin of baseUrl.
   * Differs only when the shop reaches the gateway's API at another address than browsers do (the embedded sandbox,
   * called on its listening address while buyers use SANDBOX_PUBLIC_URL).
   */
  paymentPageOrigin?: string | undefined;
  /**
   * The setting an operator changes when formUrl is on another origin than expected (e.g. GATEWAY_PAYMENT_PAGE_ORIGIN),
   * named in that error's message. Default: none named.
   */
  paymentPageOriginSetting?: string | undefined;
  /** Called once per HTTP attempt, for the order event log and metrics. Never contains credentials. */
  onCall?: (e: GatewayCallEvent) => void;
}

/**
 * One HTTP attempt with what went over the wire, for development tools (the shop's developer panel): the form the
 * shop sent and the JSON it got back. Credentials never appear: userName, password and token are left out of the
 * form and of the answer at any depth, and the secrets' values are replaced in every string.
 */
export interface GatewayExchange extends GatewayCallEvent {
  /** When the attempt started, epoch milliseconds. */
  at: number;
  /** The method's own parameters (orderNumber, amount, returnUrl…), without the credentials. */
  request: Record<string, string>;
  /** The parsed JSON answer, redacted; absent when there was none (network error, timeout, not JSON). */
  response?: unknown;
}

export type GatewayMethod =
  | 'register'
  | 'registerPreAuth'
  | 'getOrderStatusExtended'
  | 'deposit'
  | 'reverse'
  | 'refund'
  | 'decline'
  | 'getReceiptStatus';

export interface GatewayCallEvent {
  method: string;
  durationMs: number;
  ok: boolean;
  /** The gateway's errorCode when it answered with a parseable envelope. */
  errorCode?: number;
  /** The GatewayError `code` when the attempt failed. */
  errorClass?: string;
  httpStatus?: number;
  /** 1-based attempt number (only status reads go beyond 1). */
  attempt: number;
}

export interface RegisterParams {
  orderNumber: string;
  /** Integer minor units. */
  amount: number;
  /** ISO 4217 numeric, e.g. "643". */
  currency: string;
  returnUrl: string;
  failUrl?: string;
  description?: string;
  language?: string;
  jsonParams?: Record<string, string>;
  sessionTimeoutSecs?: number;
  dynamicCallbackUrl?: string;
  clientId?: string;
  email?: string;
  /** The cart for the fiscal receipt, sent as one JSON string field (docs/gateway-reference.md, the cart section). */
  orderBundle?: OrderBundle;
  /** The merchant's tax system, 0..5; absent: the gateway's merchant setting applies. */
  taxSystem?: number;
}

export interface RegisterResult {
  orderId: string;
  /** Guaranteed to be on the configured gateway origin. */
  formUrl: string;
}

export interface CardAuthInfo {
  maskedPan?: string;
  expiration?: string;
  cardholderName?: string;
  approvalCode?: string;
  paymentSystem?: string;
}

export interface PaymentAmountInfo {
  paymentState?: string;
  approvedAmount?: number;
  depositedAmount?: number;
  refundedAmount?: number;
}

export interface OrderStatusExtended {
  orderNumber: string;
  orderStatus: number;
  actionCode: number;
  actionCodeDescription: string;
  amount: number;
  currency: string;
  date?: number;
  orderDescription?: string;
  cardAuthInfo?: CardAuthInfo;
  paymentAmountInfo?: PaymentAmountInfo;
  authDateTime?: number;
  authRefNum?: string;
  /** How the buyer paid (e.g. CARD), when the gateway's version sends it. */
  paymentWay?: string;
  /** Gateway order id, taken from the `attributes` entry named mdOrder when the gateway sends it. */
  orderId?: string;
  /** The registered cart, echoed (its lines only: the buyer's details are never kept), when the order has one. */
  orderBundle?: { cartItems: { items: BundleItemEcho[] } };
}

export type OrderRef = { orderId: string } | { orderNumber: string };

export interface GatewayClient {
  /** Origin of baseUrl: where the API calls go. */
  readonly origin: string;
  /** Origin of the hosted payment page; formUrl must be on it (and so must the CSP form-action entry). */
  readonly paymentPageOrigin: string;
  register(p: RegisterParams): Promise<RegisterResult>;
  registerPreAuth(p: RegisterParams): Promise<RegisterResult>;
  getOrderStatusExtended(q: OrderRef, opts?: { language?: string }): Promise<OrderStatusExtended>;
  /** amount 0 = deposit the full held amount. `items`: the cart lines captured (depositItems), summing to amount. */
  deposit(p: { orderId: string; amount: number; items?: readonly MovedItem[] }): Promise<void>;
  reverse(p: { orderId: string; amount?: number }): Promise<void>;
  /** `externalRefundId` (1–36 characters) names the refund: a gateway that knows it answers a repeat without refunding. */
  refund(p: {
    orderId: string;
    amount: number;
    externalRefundId?: string;
    items?: readonly MovedItem[];
  }): Promise<void>;
  decline(p: OrderRef): Promise<void>;
  /** getReceiptStatus.do: the fiscal receipts of an order (by id or number), or one receipt (by uuid). A read. */
  getReceiptStatus(q: OrderRef | { uuid: string }): Promise<ReceiptStatus>;
  /** Subscribes to every attempt's exchange (request and answer, redacted); returns the unsubscribe function. */
  onExchange(listener: (e: GatewayExchange) => void): () => void;
}

// ---- The cart (orderBundle) and fiscal receipts (issue 18) ----

/** One line of the cart as the gateway takes it (cartItems.items[]); money in integer minor units. */
export interface CartItem {
  /** 1-based, unique in the cart; a deposit or refund names the same position. */
  positionId: number;
  name: string;
  quantity: { value: number; measure: string };
  itemPrice: number;
  /** itemPrice × quantity.value. */
  itemAmount: number;
  itemCode: string;
  tax: { taxType: number };
  /** paymentMethod and paymentObject, as a name/value list (a flat object is refused by the gateway). */
  itemAttributes: { attributes: { name: string; value: string }[] };
}

/**
 * A line of a deposit's or refund's cart (depositItems / refundItems): a registered position with the part of it
 * moved. Without itemPrice when the part is not a whole number of units (an amount spread over the lines).
 */
export type MovedItem = Omit<CartItem, 'itemPrice'> & { itemPrice?: number };

/** The register's `orderBundle`. */
export interface OrderBundle {
  /** YYYY-MM-DDTHH:MM:SS */
  orderCreationDate?: string;
  /** Where the receipt goes; personal data: kept out of every exchange dump. */
  customerDetails?: { email: string };
  cartItems: { items: CartItem[] };
}

/** A line of the cart as getOrderStatusExtended echoes it: what the shop reads back. */
export interface BundleItemEcho {
  positionId: number;
  name: string;
  quantity: { value: number; measure?: string };
  itemAmount?: number;
  itemPrice?: number;
  itemCode?: string;
  /** Captured for this line so far, minor units (newer gateway versions). */
  depositedItemAmount?: number;
}

/** One fiscal receipt as getReceiptStatus.do describes it. */
export interface Receipt {
  /** 0 sent, 1 delivered, 2 failed (payment); 3, 4, 5 the same for a refund; 6, 7, 8 a correction. */
  receiptStatus: number;
  uuid?: string;
  receiptType?: string;
  shiftNumber?: number;
  fiscalReceiptNumber?: number;
  /** Epoch milliseconds. */
  receiptDatetime?: number;
  fnNumber?: string;
  fiscalDocumentNumber?: number;
  fiscalDocumentAttribute?: string;
  /** In major units as the gateway writes it ("1500.00"). */
  amountTotal?: string;
  /** The receipt at the fiscal data operator: only an absolute http(s) URL is kept. */
  ofdReceiptUrl?: string;
  ofd?: { inn?: string; name?: string; website?: string };
}

export interface ReceiptStatus {
  orderId?: string;
  orderNumber?: string;
  receipts: Receipt[];
}
