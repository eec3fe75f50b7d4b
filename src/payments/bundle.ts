// The order's cart as the gateway takes it (orderBundle), built in one place: the register's cart, and the lines a
// refund of chosen lines sends (refundItems), come from the same positions.
import { TAX_TYPES, type CartItem, type MovedItem, type OrderBundle } from '../gateway/index.js';
import type { Order, OrderItem } from '../orders/types.js';

/** What the fiscal receipt needs to know about a product besides its name and price (the catalog sets it). */
export interface FiscalSettings {
  /** The shop's article code, 1..100 characters; by default the product's id. */
  itemCode: string;
  /** The VAT rate's code (TAX_TYPES). */
  taxType: number;
  /** What is sold: 1 goods, 3 work, 4 service… (the documented 1..18, 30..33). */
  paymentObject: number;
  /** How it is paid: 1 full prepayment (goods shipped after the payment), … 7 (the documented 1..7). */
  paymentMethod: number;
  /** The unit of the quantity, 1..20 characters: '0' (a piece, in the FFD 1.2 codes) by default. */
  measure: string;
}

const PAYMENT_OBJECTS = new Set([...Array.from({ length: 18 }, (_, i) => i + 1), 30, 31, 32, 33]);

/**
 * A product's fiscal settings with the defaults filled in: the one place they are decided (the catalog checks them at
 * start, the cart is built from them). Goods paid in full before they ship, counted in pieces, without VAT unless the
 * product says otherwise.
 */
export function fiscalSettings(productId: string, given: Partial<FiscalSettings> = {}): FiscalSettings {
  return {
    itemCode: given.itemCode ?? productId,
    taxType: given.taxType ?? 0,
    paymentObject: given.paymentObject ?? 1,
    paymentMethod: given.paymentMethod ?? 1,
    measure: given.measure ?? '0',
  };
}

/** What is wrong with a product's fiscal settings, in words; undefined when the gateway would take them. */
export function fiscalProblem(f: FiscalSettings): string | undefined {
  if (typeof f.itemCode !== 'string' || f.itemCode.length < 1 || f.itemCode.length > 100)
    return 'itemCode must be 1..100 characters';
  if (!TAX_TYPES.includes(f.taxType)) return `taxType must be one of ${TAX_TYPES.join(', ')}`;
  if (!PAYMENT_OBJECTS.has(f.paymentObject)) return 'paymentObject must be 1..18 or 30..33';
  if (!Number.isInteger(f.paymentMethod) || f.paymentMethod < 1 || f.paymentMethod > 7)
    return 'paymentMethod must be 1..7';
  if (typeof f.measure !== 'string' || f.measure.length < 1 || f.measure.length > 20)
    return 'measure must be 1..20 characters';
  return undefined;
}

/** A product's fiscal settings as the catalog holds them (absent for a product no longer sold: the defaults). */
export type FiscalLookup = (productId: string) => Partial<FiscalSettings> | undefined;

/** The gateway's limit on a line's name. */
const NAME_MAX = 255;

/**
 * An order line's position in the gateway's cart: its index + 1, the same in the register's cart and in every
 * capture or refund of lines. lineAt is the way back.
 */
export const positionOf = (index: number): number => index + 1;
/** The entry of a per-line list (the order's items, its positions) at a position; undefined when there is none. */
export const lineAt = <T>(lines: readonly T[], positionId: number): T | undefined => lines[positionId - 1];

/** The cart line of one order item: its position (positionOf); itemAmount = price × quantity. */
function position(item: OrderItem, index: number, fiscal: FiscalLookup): CartItem {
  const f = fiscalSettings(item.productId, fiscal(item.productId));
  return {
    positionId: positionOf(index),
    name: item.name.slice(0, NAME_MAX),
    quantity: { value: item.quantity, measure: f.measure },
    itemPrice: item.unitAmount,
    itemAmount: item.unitAmount * item.quantity,
    itemCode: f.itemCode,
    tax: { taxType: f.taxType },
    itemAttributes: {
      attributes: [
        { name: 'paymentMethod', value: String(f.paymentMethod) },
        { name: 'paymentObject', value: String(f.paymentObject) },
      ],
    },
  };
}

/** The order's positions, in the order of its items. Their amounts add up to the order's amount, or this throws. */
export function cartPositions(order: Pick<Order, 'items' | 'amount'>, fiscal: FiscalLookup): CartItem[] {
  const items = order.items.map((item, i) => position(item, i, fiscal));
  const total = items.reduce((sum, i) => sum + i.itemAmount, 0);
  // The ledger refuses an order whose amount is not its items' total, so this is a bug, never a buyer's mistake.
  if (total !== order.amount) throw new Error(`the cart adds up to ${total}, not the order's amount ${order.amount}`);
  return items;
}

/** register.do's orderBundle for an order: its positions, its creation time, and the receipt's address if given. */
export function orderBundle(
  order: Pick<Order, 'items' | 'amount' | 'createdAt'>,
  fiscal: FiscalLookup,
  email?: string,
): OrderBundle {
  return {
    orderCreationDate: gatewayDateTime(order.createdAt),
    ...(email === undefined ? {} : { customerDetails: { email } }),
    cartItems: { items: cartPositions(order, fiscal) },
  };
}

/** Some lines of an order by position, with a quantity each. */
export interface ChosenLine {
  positionId: number;
  quantity: number;
}

/** The part of a position a deposit or refund moves: units (a part of one when an amount is spread) and money. */
export interface LinePart {
  positionId: number;
  /** Above 0, at most 3 decimals, never above the position's quantity. */
  quantity: number;
  /** Minor units. */
  amount: number;
}

/**
 * Whole units of chosen lines as parts, priced from the order. Throws RangeError for a position the order lacks, a
 * quantity out of 1..the line's, or a position named twice; the caller checks what was already moved.
 */
export function partsOfLines(order: Pick<Order, 'items'>, lines: readonly ChosenLine[]): LinePart[] {
  const seen = new Set<number>();
  return lines.map(({ positionId, quantity }) => {
    const item = lineAt(order.items, positionId);
    if (item === undefined || seen.has(positionId)) throw new RangeError(`no such line: ${positionId}`);
    seen.add(positionId);
    if (!Number.isSafeInteger(quantity) || quantity < 1 || quantity > item.quantity)
      throw new RangeError(`line ${positionId}: quantity must be 1..${item.quantity}`);
    return { positionId, quantity, amount: item.unitAmount * quantity };
  });
}

/**
 * An amount spread over the order's lines, first line first, each taking at most what is `left` of it (minor units,
 * by position): what a deposit or refund of an amount that is not the whole order sends as its cart. The quantity of
 * a part is the share of units its money is (3 decimals, rounded down, at least 0.001). RangeError when the lines
 * have less left than the amount.
 */
export function spreadAmount(order: Pick<Order, 'items'>, amount: number, left: readonly number[]): LinePart[] {
  const parts: LinePart[] = [];
  let rest = amount;
  order.items.forEach((item, i) => {
    const take = Math.min(rest, Math.max(0, left[i] ?? 0));
    if (take <= 0) return;
    rest -= take;
    const units = Math.floor((take * 1000) / item.unitAmount) / 1000;
    parts.push({ positionId: positionOf(i), quantity: Math.min(item.quantity, Math.max(units, 0.001)), amount: take });
  });
  if (rest > 0) throw new RangeError(`the lines have ${amount - rest} left, not ${amount}`);
  return parts;
}

/**
 * The cart lines of parts of the order (depositItems / refundItems): the registered positions, with the part's
 * quantity and amount; itemPrice only when the part is whole units at the position's price.
 */
export function movedItems(
  order: Pick<Order, 'items' | 'amount'>,
  fiscal: FiscalLookup,
  parts: readonly LinePart[],
): MovedItem[] {
  const positions = cartPositions(order, fiscal);
  return parts.map(({ positionId, quantity, amount }) => {
    const p = lineAt(positions, positionId);
    if (p === undefined) throw new RangeError(`no such line: ${positionId}`);
    const { itemPrice, ...rest } = p;
    const whole = Number.isInteger(quantity) && amount === itemPrice * quantity;
    return { ...rest, ...(whole && { itemPrice }), quantity: { ...p.quantity, value: quantity }, itemAmount: amount };
  });
}

/** Whole units of chosen lines as cart lines (partsOfLines, then movedItems). */
export function chosenItems(
  order: Pick<Order, 'items' | 'amount'>,
  fiscal: FiscalLookup,
  lines: readonly ChosenLine[],
): MovedItem[] {
  return movedItems(order, fiscal, partsOfLines(order, lines));
}

/** The gateway's own clock is Moscow time (UTC+3, no daylight saving): YYYY-MM-DDTHH:MM:SS in it. */
const GATEWAY_UTC_OFFSET_MS = 3 * 3_600_000;

export function gatewayDateTime(epochMs: number): string {
  return new Date(epochMs + GATEWAY_UTC_OFFSET_MS).toISOString().slice(0, 19);
}
