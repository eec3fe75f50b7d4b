import type { LocalStatus, Order } from './types.js';

/** Base class: callers branch on the class or on the stable `code`, never on the message. */
export class LedgerError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A second pending order for the same purchase (double click, two tabs): reuse `existing`. */
export class DuplicatePurchaseError extends LedgerError {
  /** The pending order that holds the purchaseKey. */
  readonly existing: Order;
  /** Alias of `existing`. */
  readonly order: Order;
  constructor(existing: Order, options?: { cause?: unknown }) {
    super('DUPLICATE_PURCHASE', `a pending order already exists for this purchase (order ${existing.id})`, options);
    this.existing = existing;
    this.order = existing;
  }
}

/** The input to createOrder (or another write) is not acceptable; nothing was written. */
export class InvalidOrderError extends LedgerError {
  constructor(message: string) {
    super('INVALID_ORDER', message);
  }
}

export class OrderNotFoundError extends LedgerError {
  readonly orderId: number;
  constructor(orderId: number) {
    super('ORDER_NOT_FOUND', `order ${orderId} not found`);
    this.orderId = orderId;
  }
}

/** The order is not in a state that allows this write (lost a race, or a programming error). */
export class InvalidTransitionError extends LedgerError {
  readonly orderId: number;
  readonly from: LocalStatus;
  readonly to: LocalStatus;
  constructor(orderId: number, from: LocalStatus, to: LocalStatus) {
    super('INVALID_TRANSITION', `order ${orderId}: ${from} → ${to} is not allowed`);
    this.orderId = orderId;
    this.from = from;
    this.to = to;
  }
}
