import { InvalidOrderError } from './errors.js';
import type { CreateOrderInput, OrderItem } from './types.js';

const MAX_ITEMS = 100;
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

function isPositiveSafeInt(n: unknown): n is number {
  return Number.isSafeInteger(n) && (n as number) > 0;
}

export function checkText(value: unknown, field: string, max: number): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > max) {
    throw new InvalidOrderError(`${field} must be a non-empty string of at most ${max} characters`);
  }
}

function checkItem(item: OrderItem, i: number): void {
  checkText(item.productId, `items[${i}].productId`, 64);
  checkText(item.name, `items[${i}].name`, 200);
  if (!isPositiveSafeInt(item.quantity)) throw new InvalidOrderError(`items[${i}].quantity must be a positive integer`);
  if (!Number.isSafeInteger(item.unitAmount) || item.unitAmount < 0) {
    throw new InvalidOrderError(`items[${i}].unitAmount must be a non-negative integer of minor units`);
  }
}

/**
 * Rejects anything the gateway would misread: money is a positive safe integer of minor units,
 * currency an ISO 4217 numeric code, and the total must equal the items (catches a float or a
 * client-supplied price slipping through the shop).
 */
export function validateCreateOrder(input: CreateOrderInput): void {
  if (!Array.isArray(input.items) || input.items.length === 0 || input.items.length > MAX_ITEMS) {
    throw new InvalidOrderError(`items must hold 1..${MAX_ITEMS} entries`);
  }
  input.items.forEach(checkItem);
  if (!isPositiveSafeInt(input.amount))
    throw new InvalidOrderError('amount must be a positive safe integer of minor units');
  const total = input.items.reduce((sum, it) => sum + it.quantity * it.unitAmount, 0);
  if (total !== input.amount) {
    throw new InvalidOrderError(`amount ${input.amount} does not equal the items total ${total}`);
  }
  if (typeof input.currency !== 'string' || !/^\d{3}$/.test(input.currency)) {
    throw new InvalidOrderError('currency must be an ISO 4217 numeric code (3 digits)');
  }
  if (input.flow !== 'one-phase' && input.flow !== 'two-phase') {
    throw new InvalidOrderError("flow must be 'one-phase' or 'two-phase'");
  }
  if (typeof input.language !== 'string' || !/^[a-z]{2}$/.test(input.language)) {
    throw new InvalidOrderError('language must be an ISO 639-1 code (two lowercase letters)');
  }
  if (input.purchaseKey !== undefined) {
    checkText(input.purchaseKey, 'purchaseKey', 200);
    if (!PRINTABLE_ASCII.test(input.purchaseKey)) throw new InvalidOrderError('purchaseKey must be printable ASCII');
  }
}

/** The gateway's id of an order, as registered or adopted. */
export function checkGatewayOrderId(gatewayOrderId: string): void {
  checkText(gatewayOrderId, 'gatewayOrderId', 128);
}

export function validateRegistration(r: { gatewayOrderId: string; formUrl: string }): void {
  checkGatewayOrderId(r.gatewayOrderId);
  checkText(r.formUrl, 'formUrl', 2048);
  let url: URL;
  try {
    url = new URL(r.formUrl);
  } catch {
    throw new InvalidOrderError('formUrl must be an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new InvalidOrderError('formUrl must be http(s)');
}

export function checkLabel(value: unknown, field: string): void {
  checkText(value, field, 64);
}
