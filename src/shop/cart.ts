import { createHash } from 'node:crypto';
import type { Session, SessionData } from 'express-session';
import type { OrderItem } from '../orders/types.js';
import { MAX_QUANTITY, type Catalog, type Product } from './catalog.js';

declare module 'express-session' {
  interface SessionData {
    /** The buyer's cart: product ids and quantities only; names and prices come from the catalog each time. */
    cart: StoredCart;
    /** The order last placed from the cart and the lines it bought: that order's success page empties the cart. */
    cartOrder: { orderId: number; lines: string };
  }
}

/** At most this many different products in one cart (each line 1..MAX_QUANTITY). */
export const MAX_CART_LINES = 10;
/** The gateway's limit on the buyer's email for the receipt, in characters. */
export const MAX_EMAIL_LENGTH = 40;

export interface CartLine {
  productId: string;
  quantity: number;
}

/** What the session keeps. `email`: the buyer's address for the receipt, personal data: never logged or stored. */
export interface StoredCart {
  lines: CartLine[];
  email?: string;
}

export interface PricedLine {
  product: Product;
  quantity: number;
  lineAmount: number;
}

/** The cart as the catalog prices it now. `gone`: ids of lines whose product is no longer in the catalog. */
export interface PricedCart {
  lines: PricedLine[];
  amount: number;
  /** Printed in the checkout form: a Buy of the cart goes ahead only while its lines and prices are unchanged. */
  version: string;
  gone: string[];
}

/** Why a change to the cart was refused (message keys). */
export type CartRefusal = 'cart.tooManyLines' | 'cart.lineFull';

const EMPTY: StoredCart = { lines: [] };

/** An order's amount: the sum of each line's unit price × quantity. The one place it is computed. */
export function orderAmount(items: readonly Pick<OrderItem, 'unitAmount' | 'quantity'>[]): number {
  return items.reduce((sum, i) => sum + i.unitAmount * i.quantity, 0);
}

/** A quantity as a form sends it: 1..MAX_QUANTITY digits only; anything else is undefined. */
export function parseQuantity(raw: unknown): number | undefined {
  if (typeof raw !== 'string' || !/^\d{1,3}$/.test(raw.trim())) return undefined;
  const quantity = Number(raw.trim());
  return quantity >= 1 && quantity <= MAX_QUANTITY ? quantity : undefined;
}

/**
 * The receipt email as typed: blank is none; otherwise one address, no spaces, within the gateway's length limit.
 * `undefined` when it is not acceptable.
 */
export function parseEmail(raw: unknown): { email: string | undefined } | undefined {
  if (raw === undefined) return { email: undefined };
  if (typeof raw !== 'string') return undefined;
  const email = raw.trim();
  if (email === '') return { email: undefined };
  if (email.length > MAX_EMAIL_LENGTH) return undefined;
  return /^[^\s@,;:<>()[\]\\"]+@[^\s@,;:<>()[\]\\"]+\.[^\s@,;:<>()[\]\\".]+$/.test(email) ? { email } : undefined;
}

/**
 * This browser's cart: a session made for another browser (planted, or left from another key) has none here.
 * Whatever the store holds is checked again, so a damaged entry reads as a smaller or empty cart.
 */
export function cartOf(session: Partial<SessionData>, browserId: string): StoredCart {
  if (session.browser !== browserId) return EMPTY;
  return sanitize(session.cart);
}

function sanitize(raw: unknown): StoredCart {
  const c = raw as { lines?: unknown; email?: unknown } | undefined;
  if (!c || !Array.isArray(c.lines)) return EMPTY;
  const lines: CartLine[] = [];
  for (const l of c.lines.slice(0, MAX_CART_LINES) as { productId?: unknown; quantity?: unknown }[]) {
    const { productId, quantity } = l ?? {};
    if (typeof productId !== 'string' || lines.some((x) => x.productId === productId)) continue;
    if (!Number.isSafeInteger(quantity) || (quantity as number) < 1 || (quantity as number) > MAX_QUANTITY) continue;
    lines.push({ productId, quantity: quantity as number });
  }
  const email = parseEmail(c.email)?.email;
  return email === undefined ? { lines } : { lines, email };
}

/** Adds `quantity` of a product: to its line if it has one. Refused (cart unchanged) beyond the limits. */
export function addToCart(
  cart: StoredCart,
  productId: string,
  quantity: number,
): { cart: StoredCart } | { refused: CartRefusal } {
  const line = cart.lines.find((l) => l.productId === productId);
  if (!line) {
    if (cart.lines.length >= MAX_CART_LINES) return { refused: 'cart.tooManyLines' };
    return { cart: { ...cart, lines: [...cart.lines, { productId, quantity }] } };
  }
  if (line.quantity + quantity > MAX_QUANTITY) return { refused: 'cart.lineFull' };
  return { cart: withQuantity(cart, productId, line.quantity + quantity) };
}

/** Sets a line's quantity; `undefined` when the cart has no such line (removed in another tab). */
export function setQuantity(cart: StoredCart, productId: string, quantity: number): StoredCart | undefined {
  if (!cart.lines.some((l) => l.productId === productId)) return undefined;
  return withQuantity(cart, productId, quantity);
}

function withQuantity(cart: StoredCart, productId: string, quantity: number): StoredCart {
  return { ...cart, lines: cart.lines.map((l) => (l.productId === productId ? { productId, quantity } : l)) };
}

export function removeLines(cart: StoredCart, productIds: readonly string[]): StoredCart {
  return { ...cart, lines: cart.lines.filter((l) => !productIds.includes(l.productId)) };
}

/** The number of items in the cart (the header's count). */
export function itemCount(cart: StoredCart): number {
  return cart.lines.reduce((n, l) => n + l.quantity, 0);
}

/** The cart priced from the catalog; lines whose product is gone are left out and named in `gone`. */
export function priceCart(cart: StoredCart, catalog: Catalog): PricedCart {
  const lines: PricedLine[] = [];
  const gone: string[] = [];
  for (const { productId, quantity } of cart.lines) {
    const product = catalog.get(productId);
    if (!product) gone.push(productId);
    else lines.push({ product, quantity, lineAmount: orderAmount([{ unitAmount: product.price, quantity }]) });
  }
  const amount = orderAmount(lines.map((l) => ({ unitAmount: l.product.price, quantity: l.quantity })));
  const priced = lines.map((l) => `${l.product.id}:${l.quantity}:${l.product.price}`).join('\n');
  const version = createHash('sha256').update(`cart\n${priced}`).digest('base64url').slice(0, 22);
  return { lines, amount, version, gone };
}

/** The lines as the purchase key and the success page compare them: "id:quantity", one per line. */
export function linesKey(lines: readonly CartLine[]): string {
  return lines.map((l) => `${l.productId}:${l.quantity}`).join('\n');
}

/**
 * The cart once an order bought `bought` (its linesKey) from it: each bought line's quantity taken out, a line left
 * with none removed. What was added since (another tab, while the payment page was open) stays.
 */
export function withoutBought(cart: StoredCart, bought: string): StoredCart {
  const paid = new Map<string, number>();
  for (const entry of bought.split('\n')) {
    const at = entry.lastIndexOf(':');
    const quantity = Number(entry.slice(at + 1));
    if (at > 0 && Number.isSafeInteger(quantity)) paid.set(entry.slice(0, at), quantity);
  }
  const lines = cart.lines
    .map((l) => ({ productId: l.productId, quantity: l.quantity - (paid.get(l.productId) ?? 0) }))
    .filter((l) => l.quantity > 0);
  return { ...cart, lines };
}

/** Stores the cart in a session already made for this browser (an empty cart is no cart). */
export function storeCart(session: Session & Partial<SessionData>, cart: StoredCart): void {
  if (cart.lines.length === 0) delete session.cart;
  else session.cart = cart;
}
