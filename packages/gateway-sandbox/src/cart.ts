/**
 * The cart (orderBundle) of register.do / registerPreAuth.do, and the lines of a capture (depositItems) or a refund
 * (refundItems): parsed, checked as the gateway checks them, and counted per position (docs/gateway-reference.md §8).
 * Every rule about a cart is here; the REST routes parse with it, the operations and the status answer ask it.
 */
import { parseMoscowDateTime } from './datetime.js';
import { refuse, type Refusal } from './ledger.js';
import type {
  CartAttribute,
  CartAttributeValue,
  CartItem,
  CartPosition,
  CustomerDetails,
  OrderCart,
  PositionShare,
  SandboxOrder,
} from './types.js';

/** taxSystem values: general, simplified (income), simplified (income minus expense), UTII, agricultural, patent. */
export const TAX_SYSTEMS: readonly number[] = [0, 1, 2, 3, 4, 5];
/** tax.taxType values (VAT rates), the two legacy 18 % ones (3, 5) included. */
export const TAX_TYPES: readonly number[] = [0, 1, 2, 3, 4, 5, 6, 7, 10, 11, 12, 13, 14, 15];
/** itemAttributes: the documented paymentMethod values, and paymentObject values (FFD 1.05 and 1.2). */
const PAYMENT_METHODS = new Set(['1', '2', '3', '4', '5', '6', '7']);
const PAYMENT_OBJECTS = new Set([...Array.from({ length: 18 }, (_, i) => String(i + 1)), '30', '31', '32', '33']);

/** Field limits of a cart; maxItems and maxAttributes are the sandbox's own bounds (the gateway documents none). */
export const CART_LIMITS = Object.freeze({
  maxItems: 100,
  maxAttributes: 20,
  nameLength: 255,
  itemCodeLength: 100,
  measureLength: 20,
  attributeNameLength: 255,
  attributeValueLength: 2000,
  /** quantity.value: above 0, at most 3 decimals, at most this. */
  maxQuantity: 99_999_999_999.999,
  /** itemAmount: Integer[1..12]. */
  maxItemAmount: 999_999_999_999,
});

type Parsed<T> = { ok: true; value: T } | Refusal;
const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
/** A cart that does not follow the documented structure: errorCode 8, naming the field. */
const badFormat = (path: string): Refusal => refuse(8, 'cartFormatInvalid', path);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isText = (v: unknown, min: number, max: number): v is string =>
  typeof v === 'string' && v.length >= min && v.length <= max;
const isWhole = (v: unknown, min: number, max: number): v is number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max;

/** A quantity in thousandths of its measure (quantity.value has at most 3 decimals): the unit all counting uses. */
export function thousandths(value: number): number {
  return Math.round(value * 1000);
}

/** itemPrice × quantity.value, rounded to a whole number of minor units (half up), as the gateway rounds each line. */
export function lineAmount(itemPrice: number, quantity: number): number {
  return Number((BigInt(itemPrice) * BigInt(thousandths(quantity)) + 500n) / 1000n);
}

/** Whether a line names a currency other than the order's (itemCurrency defaults to it): on register and after. */
const otherCurrency = (items: readonly CartItem[], currency: string): boolean =>
  items.some((item) => item.itemCurrency !== undefined && item.itemCurrency !== currency);

/** The total of line amounts, which must be the register's or the operation's amount. */
const sumOf = (amounts: readonly number[]): number => amounts.reduce((sum, amount) => sum + amount, 0);

/** JSON of a form field, or undefined when it is not JSON. */
function parseJson(raw: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(raw) as unknown };
  } catch {
    return undefined;
  }
}

/**
 * register.do's `orderBundle` (a JSON string) checked against the order it comes with: not JSON is errorCode 4 (a
 * wrong request format); a wrong structure or field, 8 "wrong cart format"; an itemCurrency other than the order's,
 * 8; line totals not adding up to `amount`, 8. Absent: no cart.
 */
export function parseOrderBundle(
  raw: string | undefined,
  order: { amount: number; currency: string },
  additionalOfdParams?: string,
): Parsed<OrderCart | undefined> {
  if (raw === undefined) return ok(undefined);
  const json = parseJson(raw);
  if (!json) return refuse(4, 'cartNotJson', 'orderBundle');
  const bundle = json.value;
  if (!isObject(bundle)) return badFormat('orderBundle');

  const cart: OrderCart = { positions: [], refundsByItems: false };
  const created = bundle.orderCreationDate;
  if (created !== undefined) {
    const valid =
      (typeof created === 'string' && parseMoscowDateTime(created) !== undefined) ||
      isWhole(created, 0, Number.MAX_SAFE_INTEGER);
    if (!valid) return badFormat('orderCreationDate');
    cart.orderCreationDate = created;
  }
  if (bundle.customerDetails !== undefined) {
    const customer = parseCustomer(bundle.customerDetails);
    if (!customer.ok) return customer;
    cart.customerDetails = customer.value;
  }
  if (!payerDataComplete(cart.customerDetails ?? {}, ofdEntries(additionalOfdParams)))
    return refuse(8, 'cartPayerDataIncomplete', 'customerDetails');
  const cartItems = bundle.cartItems;
  if (!isObject(cartItems)) return badFormat('cartItems');
  const items = parseItems(cartItems.items, 'cartItems.items');
  if (!items.ok) return items;

  if (otherCurrency(items.value, order.currency)) return refuse(8, 'cartCurrencyMismatch');
  if (sumOf(items.value.map((item) => item.itemAmount)) !== order.amount) return refuse(8, 'cartSumMismatch');
  cart.positions = items.value.map((item) => ({ ...item, refunded: { quantity: 0, amount: 0 } }));
  return ok(cart);
}

/** register.do's `taxSystem`: an integer 0..5, or absent. A bad value is errorCode 5, like any bad register value. */
export function parseTaxSystem(raw: string | undefined): Parsed<number | undefined> {
  if (raw === undefined) return ok(undefined);
  if (!/^\d$/.test(raw) || !TAX_SYSTEMS.includes(Number(raw))) return refuse(5, 'taxSystemInvalid');
  return ok(Number(raw));
}

/**
 * deposit.do's `depositItems` / refund.do's `refundItems`: `{"items":[…]}` with the registered cart's item structure.
 * Not JSON is errorCode 5 (a bad value: these methods document no 4); a wrong structure, 8. Absent: no lines.
 */
export function parseOperationItems(raw: string | undefined, field: string): Parsed<CartItem[] | undefined> {
  if (raw === undefined) return ok(undefined);
  const json = parseJson(raw);
  if (!json) return refuse(5, 'cartNotJson', field);
  if (!isObject(json.value)) return badFormat(field);
  return parseItems(json.value.items, `${field}.items`);
}

function parseItems(value: unknown, path: string): Parsed<CartItem[]> {
  if (!Array.isArray(value) || value.length === 0) return badFormat(path);
  if (value.length > CART_LIMITS.maxItems) return refuse(8, 'cartTooManyItems', path);
  const items: CartItem[] = [];
  const ids = new Set<number>();
  for (const [i, raw] of value.entries()) {
    const item = parseItem(raw, `${path}[${i}]`);
    if (!item.ok) return item;
    if (ids.has(item.value.positionId)) return badFormat(`${path}[${i}].positionId`);
    ids.add(item.value.positionId);
    items.push(item.value);
  }
  return ok(items);
}

function parseItem(raw: unknown, path: string): Parsed<CartItem> {
  if (!isObject(raw)) return badFormat(path);
  const at = (field: string) => badFormat(`${path}.${field}`);

  // Integer[1..12]; the ecom flavour sends a string of digits.
  const id =
    typeof raw.positionId === 'string' && /^\d{1,12}$/.test(raw.positionId) ? Number(raw.positionId) : raw.positionId;
  if (!isWhole(id, 1, 999_999_999_999)) return at('positionId');
  if (!isText(raw.name, 1, CART_LIMITS.nameLength)) return at('name');
  if (!isText(raw.itemCode, 1, CART_LIMITS.itemCodeLength)) return at('itemCode');

  const quantity = raw.quantity;
  if (!isObject(quantity)) return at('quantity');
  const value = quantityValue(quantity.value);
  if (value === undefined) return at('quantity.value');
  if (!isText(quantity.measure, 1, CART_LIMITS.measureLength)) return at('quantity.measure');

  const { itemPrice, itemAmount: givenAmount } = raw;
  if (itemPrice !== undefined && !isWhole(itemPrice, 0, Number.MAX_SAFE_INTEGER)) return at('itemPrice');
  if (givenAmount !== undefined && !isWhole(givenAmount, 0, CART_LIMITS.maxItemAmount)) return at('itemAmount');
  // itemAmount is required without itemPrice; with both, it must be price × quantity (rounded).
  if (givenAmount === undefined && itemPrice === undefined) return at('itemAmount');
  const itemAmount = givenAmount ?? lineAmount(itemPrice as number, value);
  if (itemPrice !== undefined && itemAmount !== lineAmount(itemPrice, value))
    return refuse(8, 'cartItemAmountNotPriceTimesQuantity', `${path}.itemAmount`);
  if (itemAmount > CART_LIMITS.maxItemAmount) return at('itemAmount');

  const item: CartItem = {
    positionId: id,
    name: raw.name,
    quantity: { value, measure: quantity.measure },
    itemAmount,
    itemCode: raw.itemCode,
  };
  if (itemPrice !== undefined) item.itemPrice = itemPrice;

  if (raw.itemCurrency !== undefined) {
    // Integer[3]: a JSON number loses the code's leading zeros (AUD 036 arrives as 36).
    const currency = isWhole(raw.itemCurrency, 1, 999) ? String(raw.itemCurrency).padStart(3, '0') : raw.itemCurrency;
    if (typeof currency !== 'string' || !/^\d{3}$/.test(currency)) return at('itemCurrency');
    item.itemCurrency = currency;
  }
  if (raw.tax !== undefined) {
    const tax = raw.tax;
    if (!isObject(tax) || typeof tax.taxType !== 'number' || !TAX_TYPES.includes(tax.taxType)) return at('tax.taxType');
    item.tax = { taxType: tax.taxType };
    if (tax.taxSum !== undefined) {
      if (!isWhole(tax.taxSum, 0, Number.MAX_SAFE_INTEGER)) return at('tax.taxSum');
      item.tax.taxSum = tax.taxSum;
    }
  }
  if (raw.itemAttributes !== undefined) {
    if (isObject(raw.itemAttributes) && overBound(raw.itemAttributes.attributes))
      return refuse(8, 'cartTooManyAttributes', `${path}.itemAttributes.attributes`);
    const list = isObject(raw.itemAttributes) ? attributeList(raw.itemAttributes.attributes, true) : undefined;
    if (!list) return at('itemAttributes.attributes');
    item.itemAttributes = { attributes: list };
  }
  if (raw.itemDetails !== undefined) {
    if (isObject(raw.itemDetails) && overBound(raw.itemDetails.itemDetailsParams))
      return refuse(8, 'cartTooManyAttributes', `${path}.itemDetails.itemDetailsParams`);
    const list = isObject(raw.itemDetails) ? attributeList(raw.itemDetails.itemDetailsParams, false) : undefined;
    if (!list) return at('itemDetails.itemDetailsParams');
    item.itemDetails = { itemDetailsParams: list };
  }
  return ok(item);
}

/** quantity.value: a number (or a string of one) above 0 with at most 3 decimals, up to CART_LIMITS.maxQuantity. */
function quantityValue(raw: unknown): number | undefined {
  const value = typeof raw === 'string' && /^\d{1,11}(\.\d{1,3})?$/.test(raw) ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > CART_LIMITS.maxQuantity)
    return undefined;
  // Decimals counted in the number's shortest decimal form: value × 1000 is not exact in floating point for large
  // values (1089922318.413 × 1000 = 1089922318413.0002), and a tolerance would refuse valid quantities.
  return /^\d+(?:\.\d{1,3})?$/.test(String(value)) ? value : undefined;
}

/**
 * A `{name, value}` list (never a flat object). Item attributes may carry objects (agent_info, supplier_info,
 * markQuantity) and check paymentMethod / paymentObject against their documented values; details are strings only.
 */
/** A list longer than the sandbox's own bound on attributes (the gateway documents none): a refusal of its own. */
const overBound = (raw: unknown): boolean => Array.isArray(raw) && raw.length > CART_LIMITS.maxAttributes;

function attributeList(raw: unknown, attributes: boolean): CartAttribute[] | undefined {
  if (!Array.isArray(raw) || overBound(raw)) return undefined;
  const list: CartAttribute[] = [];
  for (const entry of raw) {
    if (!isObject(entry) || !isText(entry.name, 1, CART_LIMITS.attributeNameLength)) return undefined;
    const value = attributeValue(entry.value, attributes);
    if (value === undefined) return undefined;
    const code = typeof value === 'object' ? undefined : String(value);
    if (entry.name === 'paymentMethod' && attributes && !(code && PAYMENT_METHODS.has(code))) return undefined;
    if (entry.name === 'paymentObject' && attributes && !(code && PAYMENT_OBJECTS.has(code))) return undefined;
    list.push({ name: entry.name, value });
  }
  return list;
}

function attributeValue(value: unknown, objects: boolean): CartAttributeValue | undefined {
  if (isText(value, 1, CART_LIMITS.attributeValueLength)) return value;
  if (!objects) return undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  // A nested object is kept as given, within the size a whole cart may have anyway (the form's body limit).
  return isObject(value) ? value : undefined;
}

const EMAIL = /^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/;

/** customerDetails: email (up to 40 characters, a comma-separated list, no spaces) and/or phone, and the rest. */
function parseCustomer(raw: unknown): Parsed<CustomerDetails> {
  const path = 'customerDetails';
  if (!isObject(raw)) return badFormat(path);
  const customer: CustomerDetails = {};
  const { email, phone, contact, fullName, passport, inn } = raw;
  if (email !== undefined) {
    if (!isText(email, 1, 40) || !email.split(',').every((a) => EMAIL.test(a))) return badFormat(`${path}.email`);
    customer.email = email;
  }
  if (phone !== undefined) {
    if (!isText(phone, 7, 15) || !/^(?:\+|00)?\d+$/.test(phone)) return badFormat(`${path}.phone`);
    customer.phone = phone;
  }
  // One of email and phone: the receipt goes to one of them.
  if (customer.email === undefined && customer.phone === undefined) return badFormat(`${path}.email`);
  if (contact !== undefined) {
    if (!isText(contact, 0, 40)) return badFormat(`${path}.contact`);
    customer.contact = contact;
  }
  if (fullName !== undefined) {
    if (!isText(fullName, 1, 100)) return badFormat(`${path}.fullName`);
    customer.fullName = fullName;
  }
  if (passport !== undefined) {
    if (!isText(passport, 1, 100)) return badFormat(`${path}.passport`);
    customer.passport = passport;
  }
  if (inn !== undefined) {
    const digits = typeof inn === 'number' ? String(inn) : inn;
    if (typeof digits !== 'string' || !/^\d{10,12}$/.test(digits)) return badFormat(`${path}.inn`);
    customer.inn = digits;
  }
  return ok(customer);
}

/** additionalOfdParams' flat `{"client.inn": …}` object; anything else (absent, not JSON) as no entries. */
function ofdEntries(raw: string | undefined): Record<string, unknown> {
  const json = raw === undefined ? undefined : parseJson(raw);
  return json && isObject(json.value) ? json.value : {};
}

/** additionalOfdParams entries that name the payer. */
const PAYER_OFD_KEYS = [
  'client.name',
  'client.inn',
  'client.passport_number',
  'client.document_code',
  'client.birth_date',
  'client.citizenship',
];

const given = (v: unknown): boolean => v !== undefined && v !== null && v !== '';

/**
 * The payer-data rule: once the payer is named (customerDetails fullName, passport or inn, or a `client.*` payer entry
 * of additionalOfdParams), the request carries the inn, or the birth date, the document's code and its number.
 */
function payerDataComplete(customer: CustomerDetails, ofd: Record<string, unknown>): boolean {
  const named =
    given(customer.fullName) ||
    given(customer.passport) ||
    given(customer.inn) ||
    PAYER_OFD_KEYS.some((key) => given(ofd[key]));
  if (!named || given(customer.inn) || given(ofd['client.inn'])) return true;
  const document = given(customer.passport) || given(ofd['client.passport_number']);
  return given(ofd['client.birth_date']) && given(ofd['client.document_code']) && document;
}

/** Quantity (thousandths) and amount of a position, or of what is left of it. */
interface Share {
  quantity: number;
  amount: number;
}

const whole = (p: CartPosition): Share => ({ quantity: thousandths(p.quantity.value), amount: p.itemAmount });

/** What was captured of a position: its capture's lines, or all of it once a payment or a full capture took all. */
export function depositedOf(order: Readonly<SandboxOrder>, p: CartPosition): Share {
  if (p.deposited) return p.deposited;
  return order.depositedAmount > 0 ? whole(p) : { quantity: 0, amount: 0 };
}

/** What can still be refunded of a position: captured minus refunded. */
function refundableOf(order: Readonly<SandboxOrder>, p: CartPosition): Share {
  const deposited = depositedOf(order, p);
  return { quantity: deposited.quantity - p.refunded.quantity, amount: deposited.amount - p.refunded.amount };
}

/**
 * A checked change to an order's cart, applied only once the whole operation is allowed; `items` are the positions
 * it captures or refunds (none for an order without a cart).
 */
export type CartChange = { ok: true; apply: () => void; items?: PositionShare[] } | Refusal;
const noChange: CartChange = { ok: true, apply: () => {} };
const shareOf = (p: CartPosition, share: Share): PositionShare => ({ positionId: p.positionId, ...share });

/**
 * Matches operation lines to the registered positions (positionId, name and itemCode all equal), within `room` of
 * each; their sum must be the operation's `total`. A refusal names the line as `<field>.items[i]`, like a format error.
 */
function matchLines(
  field: 'depositItems' | 'refundItems',
  order: SandboxOrder,
  cart: OrderCart,
  items: readonly CartItem[],
  total: number,
  room: (p: CartPosition) => Share,
  exceedCode: number,
): { ok: true; lines: { position: CartPosition; share: Share }[] } | Refusal {
  if (otherCurrency(items, order.currency)) return refuse(8, 'cartCurrencyMismatch');
  const lines: { position: CartPosition; share: Share }[] = [];
  for (const [i, item] of items.entries()) {
    const position = cart.positions.find((p) => p.positionId === item.positionId);
    if (!position || position.name !== item.name || position.itemCode !== item.itemCode)
      return refuse(8, 'cartPositionUnknown', `${field}.items[${i}]`);
    const share = { quantity: thousandths(item.quantity.value), amount: item.itemAmount };
    const left = room(position);
    if (share.quantity > left.quantity || share.amount > left.amount)
      return refuse(exceedCode, 'cartItemExceeds', `${field}.items[${i}]`);
    lines.push({ position, share });
  }
  if (sumOf(lines.map((l) => l.share.amount)) !== total) return refuse(8, 'cartItemsSumMismatch');
  return { ok: true, lines };
}

/**
 * A capture of `total` from a held order: on a cart order, anything but the whole hold needs its lines (each at most
 * its registered quantity and amount, errorCode 5 above); lines on an order without a cart name unknown positions.
 */
export function captureCart(order: SandboxOrder, total: number, items: readonly CartItem[] | undefined): CartChange {
  const cart = order.cart;
  if (!cart) return items ? refuse(8, 'cartPositionUnknown', 'depositItems.items') : noChange;
  if (!items) {
    if (total !== order.approvedAmount) return refuse(5, 'cartRequired');
    return { ok: true, apply: () => cart.positions.forEach((p) => (p.deposited = whole(p))) };
  }
  const matched = matchLines('depositItems', order, cart, items, total, whole, 5);
  if (!matched.ok) return matched;
  return {
    ok: true,
    apply: () => {
      for (const p of cart.positions)
        p.deposited = matched.lines.find((l) => l.position === p)?.share ?? { quantity: 0, amount: 0 };
    },
  };
}

/**
 * A refund of `total`: on a cart order, anything but all that is left needs its lines (each at most what was captured
 * and not yet refunded of it, errorCode 7 above, like a refund above the deposit), and once a refund named its lines
 * every later one must.
 */
export function refundCart(order: SandboxOrder, total: number, items: readonly CartItem[] | undefined): CartChange {
  const cart = order.cart;
  if (!cart) return items ? refuse(8, 'cartPositionUnknown', 'refundItems.items') : noChange;
  if (!items) {
    if (cart.refundsByItems) return refuse(5, 'cartRequiredAfterItems');
    if (total !== order.depositedAmount - order.refundedAmount) return refuse(5, 'cartRequired');
    return {
      ok: true,
      items: cart.positions
        .map((p) => shareOf(p, refundableOf(order, p)))
        .filter((s) => s.amount > 0 || s.quantity > 0),
      apply: () => cart.positions.forEach((p) => (p.refunded = { ...depositedOf(order, p) })),
    };
  }
  const matched = matchLines('refundItems', order, cart, items, total, (p) => refundableOf(order, p), 7);
  if (!matched.ok) return matched;
  return {
    ok: true,
    items: matched.lines.map((l) => shareOf(l.position, l.share)),
    apply: () => {
      for (const { position, share } of matched.lines) {
        position.refunded = {
          quantity: position.refunded.quantity + share.quantity,
          amount: position.refunded.amount + share.amount,
        };
      }
      cart.refundsByItems = true;
    },
  };
}

/**
 * getOrderStatusExtended's `orderBundle`: the registered cart echoed, each item with its `itemPrice` (given, or the
 * line's amount per unit) and `depositedItemAmount` (a string, as the gateway's reference types it).
 */
export function orderBundleOf(order: Readonly<SandboxOrder>): Record<string, unknown> | undefined {
  const cart = order.cart;
  if (!cart) return undefined;
  const items = cart.positions.map((p) => {
    const { deposited: _deposited, refunded: _refunded, ...item } = p;
    return {
      ...item,
      itemPrice: p.itemPrice ?? Math.round((p.itemAmount * 1000) / thousandths(p.quantity.value)),
      depositedItemAmount: String(depositedOf(order, p).amount),
    };
  });
  return {
    ...(cart.orderCreationDate !== undefined && { orderCreationDate: cart.orderCreationDate }),
    ...(cart.customerDetails !== undefined && { customerDetails: cart.customerDetails }),
    cartItems: { items },
  };
}

/**
 * Each position with what was captured and refunded of it, for the operations view (quantities in the measure's own
 * units again).
 */
export function positionsOf(order: Readonly<SandboxOrder>): {
  positionId: number;
  name: string;
  itemCode: string;
  quantity: number;
  measure: string;
  amount: number;
  deposited: { quantity: number; amount: number };
  refunded: { quantity: number; amount: number };
}[] {
  const units = (share: Share) => ({ quantity: share.quantity / 1000, amount: share.amount });
  return (order.cart?.positions ?? []).map((p) => ({
    positionId: p.positionId,
    name: p.name,
    itemCode: p.itemCode,
    quantity: p.quantity.value,
    measure: p.quantity.measure,
    amount: p.itemAmount,
    deposited: units(depositedOf(order, p)),
    refunded: units(p.refunded),
  }));
}

/** The lines the hosted page lists: name, quantity and its measure, and the line's amount in minor units. */
export function cartLines(
  order: Readonly<SandboxOrder>,
): { name: string; quantity: number; measure: string; amount: number }[] {
  return (order.cart?.positions ?? []).map((p) => ({
    name: p.name,
    quantity: p.quantity.value,
    measure: p.quantity.measure,
    amount: p.itemAmount,
  }));
}

/** register.do parameters that are the buyer's contact for the receipt, as a whole. */
const BUYER_PARAMS = new Set(['email', 'phone']);

/** Whether an entry of a JSON parameter names the buyer: a cart's customerDetails, OFD client.*, jsonParams email/phone. */
const BUYER_ENTRY = new Map<string, (key: string) => boolean>([
  ['orderBundle', (key) => key === 'customerDetails'],
  ['additionalOfdParams', (key) => key.startsWith('client.')],
  ['jsonParams', (key) => BUYER_PARAMS.has(key.toLowerCase())],
]);

/**
 * A register parameter as the journal keeps it, without the buyer's contact details: `email` and `phone` replaced by
 * `marker`; in `orderBundle` its customerDetails, in `additionalOfdParams` every `client.*` entry (the buyer's name,
 * email, phone, documents), in `jsonParams` an email or phone entry. A value that is not JSON loses the same parts as
 * far as they can be told (and anything that looks like an e-mail address). Other parameters as given.
 */
export function withoutBuyerData(name: string, raw: string, marker: string): string {
  if (BUYER_PARAMS.has(name)) return marker;
  const isBuyerEntry = BUYER_ENTRY.get(name);
  if (!isBuyerEntry) return raw;
  const json = parseJson(raw);
  if (!json || !isObject(json.value))
    return raw
      .replace(/"customerDetails"\s*:\s*\{[^}]*\}?/g, `"customerDetails":"${marker}"`)
      .replace(
        /"(?:client\.[^"]*|email|phone)"\s*:\s*"[^"]*"?/gi,
        (entry) => `${entry.slice(0, entry.indexOf(':'))}:"${marker}"`,
      )
      .replace(/[^\s"'@,{}:]+@[^\s"'@,{}:]+/g, marker);
  const buyerKeys = Object.keys(json.value).filter(isBuyerEntry);
  if (buyerKeys.length === 0) return raw;
  return JSON.stringify({ ...json.value, ...Object.fromEntries(buyerKeys.map((key) => [key, marker])) });
}
