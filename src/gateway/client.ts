// createGatewayClient: the shop's typed door to the gateway's /payment/rest/*.do methods.
import { GatewayBadResponseError, GatewayForeignFormUrlError } from './errors.js';
import { isTaxSystem } from './fiscal.js';
import { resolveOptions, type ResolvedOptions } from './options.js';
import { createRedactor, type Redactor } from './redact.js';
import { parseReceiptStatus, parseRegister, parseStatus } from './schemas.js';
import { createTransport, type CallFn } from './transport.js';
import type {
  CartItem,
  GatewayClient,
  MovedItem,
  GatewayClientOptions,
  GatewayExchange,
  GatewayMethod,
  OrderRef,
  OrderStatusExtended,
  ReceiptStatus,
  RegisterParams,
  RegisterResult,
} from './types.js';

export function createGatewayClient(options: GatewayClientOptions): GatewayClient {
  const o = resolveOptions(options);
  const redact = createRedactor(o.secrets);
  const exchangeListeners = new Set<(e: GatewayExchange) => void>();
  const call = createTransport({
    baseUrl: o.baseUrl,
    connectMs: o.connectMs,
    credentials: o.credentials,
    redact,
    onCall: options.onCall,
    exchangeWanted: () => exchangeListeners.size > 0,
    onExchange: (e) => {
      for (const listener of exchangeListeners) {
        try {
          listener(e);
        } catch {
          // One broken listener must not keep the others from hearing about the call.
        }
      }
    },
  });

  // Writes are attempted exactly once: a blind retry could register or charge twice (docs/security.md rule 5).
  const write = async (method: GatewayMethod, form: () => Record<string, string>): Promise<void> =>
    call({
      method,
      form: form(),
      timeoutMs: o.operationMs,
      read: false,
      retries: 0,
      retryDelayMs: 0,
      interpret: () => undefined,
    });

  const registerVia = (method: 'register' | 'registerPreAuth') => async (p: RegisterParams) =>
    call({
      method,
      form: registerForm(p),
      timeoutMs: o.operationMs,
      read: false,
      retries: 0,
      retryDelayMs: 0,
      interpret: (json) => interpretRegister(json, method, o, redact),
    });

  return {
    origin: o.origin,
    paymentPageOrigin: o.paymentPageOrigin,
    register: registerVia('register'),
    registerPreAuth: registerVia('registerPreAuth'),
    getOrderStatusExtended: async (q, opts) => getStatus(call, o, q, opts?.language),
    // Forms are built inside the async call so bad arguments reject (TypeError) instead of throwing.
    deposit: (p) =>
      write('deposit', () => ({
        orderId: text('orderId', p.orderId),
        amount: minor('amount', p.amount),
        ...(p.items === undefined ? {} : { depositItems: itemsField('depositItems', p.items, p.amount) }),
      })),
    reverse: (p) =>
      write('reverse', () => ({
        orderId: text('orderId', p.orderId),
        ...(p.amount === undefined ? {} : { amount: minor('amount', p.amount) }),
      })),
    // externalRefundId (docs/gateway-reference.md §1.4, §3.6) names this refund, so the gateway can tell a repeat.
    refund: (p) =>
      write('refund', () => ({
        orderId: text('orderId', p.orderId),
        amount: minor('amount', p.amount),
        ...(p.externalRefundId === undefined
          ? {}
          : { externalRefundId: text('externalRefundId', p.externalRefundId, 36) }),
        ...(p.items === undefined ? {} : { refundItems: itemsField('refundItems', p.items, p.amount) }),
      })),
    decline: (q) => write('decline', () => refForm(q)),
    getReceiptStatus: async (q) => getReceipts(call, o, q),
    onExchange(listener) {
      exchangeListeners.add(listener);
      return () => void exchangeListeners.delete(listener);
    },
  };
}

function getStatus(call: CallFn, o: ResolvedOptions, q: OrderRef, language?: string): Promise<OrderStatusExtended> {
  const form: Record<string, string> = { ...refForm(q), ...(language === undefined ? {} : { language }) };
  return call({
    method: 'getOrderStatusExtended',
    form,
    timeoutMs: o.statusMs,
    read: true,
    retries: o.statusRetries,
    retryDelayMs: o.statusRetryDelayMs,
    interpret: (json): OrderStatusExtended => {
      const r = parseStatus(json);
      if (!r.ok)
        throw bad(`getOrderStatusExtended: unexpected response (${r.problem})`, 'getOrderStatusExtended', true);
      // An answer about another order must never be taken for ours.
      const mismatch =
        form.orderId !== undefined
          ? r.value.orderId !== undefined && r.value.orderId !== form.orderId
          : r.value.orderNumber !== form.orderNumber;
      if (mismatch)
        throw bad('getOrderStatusExtended: response is about another order', 'getOrderStatusExtended', true);
      return r.value;
    },
  });
}

function getReceipts(call: CallFn, o: ResolvedOptions, q: OrderRef | { uuid: string }): Promise<ReceiptStatus> {
  const form = 'uuid' in q ? { uuid: text('uuid', q.uuid, 64) } : refForm(q);
  return call({
    method: 'getReceiptStatus',
    form,
    timeoutMs: o.statusMs,
    read: true,
    retries: o.statusRetries,
    retryDelayMs: o.statusRetryDelayMs,
    interpret: (json): ReceiptStatus => {
      const r = parseReceiptStatus(json);
      if (!r.ok) throw bad(`getReceiptStatus: unexpected response (${r.problem})`, 'getReceiptStatus', true);
      const other =
        (form.orderId !== undefined && r.value.orderId !== undefined && r.value.orderId !== form.orderId) ||
        (form.orderNumber !== undefined &&
          r.value.orderNumber !== undefined &&
          r.value.orderNumber !== form.orderNumber);
      if (other) throw bad('getReceiptStatus: response is about another order', 'getReceiptStatus', true);
      return r.value;
    },
  });
}

function interpretRegister(
  json: unknown,
  method: GatewayMethod,
  o: Pick<ResolvedOptions, 'paymentPageOrigin' | 'paymentPageOriginSetting'>,
  redact: Redactor,
): RegisterResult {
  const origin = o.paymentPageOrigin;
  const r = parseRegister(json);
  // errorCode was 0 but no usable orderId/formUrl: we cannot tell whether an order now exists.
  if (!r.ok) throw bad(`${method}: unexpected response (${r.problem})`, method, false);
  const { orderId, formUrl } = r.value;
  let url: URL | undefined;
  try {
    url = new URL(formUrl);
  } catch {
    url = undefined;
  }
  // Open-redirect guard: the browser is only ever sent to the gateway's payment page (docs/security.md #7).
  if (url === undefined || url.origin !== origin) {
    const setting = o.paymentPageOriginSetting;
    const where =
      url === undefined
        ? 'is not an absolute URL'
        : `is on ${redact(url.origin)}, expected ${origin}${setting === undefined ? '' : ` (${setting}): if the gateway's payment page really is there, set ${setting} to that origin`}`;
    throw new GatewayForeignFormUrlError(`${method}: formUrl ${where}`, { method, orderId });
  }
  return { orderId, formUrl };
}

function bad(message: string, method: GatewayMethod, read: boolean): GatewayBadResponseError {
  return new GatewayBadResponseError(message, { method, outcomeUnknown: !read });
}

function registerForm(p: RegisterParams): Record<string, string> {
  if (!/^\d{3}$/.test(p.currency)) throw new TypeError('currency must be an ISO 4217 numeric code like "643"');
  const form: Record<string, string> = {
    orderNumber: text('orderNumber', p.orderNumber, 36),
    amount: minor('amount', p.amount),
    currency: p.currency,
    returnUrl: absoluteUrl('returnUrl', p.returnUrl),
  };
  if (p.failUrl !== undefined) form.failUrl = absoluteUrl('failUrl', p.failUrl);
  if (p.dynamicCallbackUrl !== undefined)
    form.dynamicCallbackUrl = absoluteUrl('dynamicCallbackUrl', p.dynamicCallbackUrl);
  if (p.description !== undefined) form.description = p.description;
  if (p.language !== undefined) form.language = p.language;
  if (p.clientId !== undefined) form.clientId = p.clientId;
  if (p.email !== undefined) form.email = p.email;
  if (p.taxSystem !== undefined) {
    if (!isTaxSystem(p.taxSystem)) throw new TypeError('taxSystem must be an integer from 0 to 5');
    form.taxSystem = String(p.taxSystem);
  }
  // Object parameters travel as one JSON string field each in form mode, like jsonParams.
  if (p.orderBundle !== undefined) {
    const items = p.orderBundle.cartItems.items;
    checkItems('orderBundle', items);
    const total = items.reduce((sum, i) => sum + i.itemAmount, 0);
    if (total !== p.amount) throw new TypeError(`orderBundle lines add up to ${total}, not the amount ${p.amount}`);
    form.orderBundle = JSON.stringify(p.orderBundle);
  }
  // Form mode carries jsonParams as a JSON object string whose values are strings (docs/gateway-reference.md §3.1).
  if (p.jsonParams !== undefined) form.jsonParams = JSON.stringify(p.jsonParams);
  if (p.sessionTimeoutSecs !== undefined) {
    if (!Number.isInteger(p.sessionTimeoutSecs) || p.sessionTimeoutSecs <= 0)
      throw new TypeError('sessionTimeoutSecs must be a positive integer');
    form.sessionTimeoutSecs = String(p.sessionTimeoutSecs);
  }
  return form;
}

/** A deposit's or refund's lines: `{"items":[…]}` as one JSON string field, adding up to the amount sent. */
function itemsField(name: string, items: readonly MovedItem[], amount: number): string {
  checkItems(name, items);
  const total = items.reduce((sum, i) => sum + i.itemAmount, 0);
  if (total !== amount) throw new TypeError(`${name} add up to ${total}, not the amount ${amount}`);
  return JSON.stringify({ items });
}

/** Cart lines the gateway would refuse or misread (a float amount, a duplicate position) are a bug of the caller. */
function checkItems(name: string, items: readonly (CartItem | MovedItem)[]): void {
  const list: unknown = items;
  if (!Array.isArray(list) || items.length === 0) throw new TypeError(`${name} must hold at least one line`);
  const seen = new Set<number>();
  for (const i of items) {
    if (!Number.isSafeInteger(i.positionId) || i.positionId < 1 || seen.has(i.positionId))
      throw new TypeError(`${name}: positionId must be a unique integer from 1`);
    seen.add(i.positionId);
    minor(`${name} itemAmount`, i.itemAmount);
    const q = i.quantity.value;
    // Above 0, with at most 3 decimals (a part of a unit when an amount is spread over the lines).
    if (!(q > 0) || Math.abs(Math.round(q * 1000) - q * 1000) > 1e-6)
      throw new TypeError(`${name}: quantity must be above 0 with at most 3 decimals`);
    if (i.itemPrice === undefined) continue;
    minor(`${name} itemPrice`, i.itemPrice);
    if (i.itemAmount !== Math.round(i.itemPrice * q))
      throw new TypeError(`${name}: itemAmount must be itemPrice × quantity`);
  }
}

function refForm(q: OrderRef): Record<string, string> {
  // Like the gateway, orderId wins when a caller passes both.
  if ('orderId' in q && q.orderId !== undefined) return { orderId: text('orderId', q.orderId) };
  return { orderNumber: text('orderNumber', (q as { orderNumber: string }).orderNumber, 36) };
}

function text(name: string, v: string, max = 64): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > max)
    throw new TypeError(`${name} must be a string of 1..${max} characters`);
  return v;
}

/** Money is integer minor units, never a float (docs/gateway-reference.md §3). */
function minor(name: string, v: number): string {
  if (!Number.isSafeInteger(v) || v < 0 || v > 999_999_999_999)
    throw new TypeError(`${name} must be a non-negative integer of minor units`);
  return String(v);
}

function absoluteUrl(name: string, v: string): string {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new TypeError(`${name} must be an absolute URL`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new TypeError(`${name} must be http(s)`);
  return v;
}
