import type { CallbackMode } from '../callbacks/dispatcher.js';
import type { SandboxOrder } from '../types.js';
import { MAX_LATENCY_MS, restFaultsOf, type CallFaults, type FaultProfile } from './profile.js';

/**
 * Per-order fault switches written into the order's `description` at register, e.g.
 * "Order 42 [sandbox:http=500] [sandbox:times=2]". They apply to later calls about that order
 * (status, deposit, reverse, refund, decline) and to its callbacks; register itself is never affected.
 * Unknown or malformed tags are ignored, so an ordinary description can never trigger a fault.
 */
const TAG = /\[sandbox:([a-z]+)(?:=([A-Za-z0-9]+))?\]/gi;

export interface OrderMagic extends FaultProfile {
  /** times=N: only the next N calls about the order are affected. */
  times?: number;
}

export function parseMagic(description: string): OrderMagic | undefined {
  if (!description.includes('[sandbox:')) return undefined;
  const magic: OrderMagic = {};
  for (const [, rawKey, value] of description.matchAll(TAG)) {
    const key = (rawKey ?? '').toLowerCase();
    const n = value !== undefined && /^\d{1,9}$/.test(value) ? Number(value) : undefined;
    switch (key) {
      case 'latency':
        if (n !== undefined && n <= MAX_LATENCY_MS) magic.latencyMs = n;
        break;
      case 'http':
        if (n === 500 || n === 502 || n === 429) magic.httpStatus = n;
        break;
      case 'reset':
        magic.reset = true;
        break;
      case 'malformed':
        magic.malformedJson = true;
        break;
      case 'errorcode':
        if (value?.toLowerCase() === 'number') magic.errorCodeAsNumber = true;
        break;
      case 'callbacks':
        if (value === 'lost' || value === 'duplicated' || value === 'normal') magic.callbacks = value;
        break;
      case 'receipt':
        if (value?.toLowerCase() === 'fail') magic.failReceipts = true;
        break;
      case 'times':
        if (n !== undefined && n > 0) magic.times = n;
        break;
    }
  }
  return Object.keys(magic).length > 0 ? magic : undefined;
}

/** Counts the uses of each order's `times` budget; weakly keyed so purged orders take their counter along. */
export class OrderMagicState {
  readonly #used = new WeakMap<object, number>();

  takeForCall(order: Readonly<SandboxOrder>): CallFaults | undefined {
    const magic = parseMagic(order.description);
    const faults = magic && restFaultsOf(magic);
    if (!faults || !this.#take(order, magic.times)) return undefined;
    return faults;
  }

  takeForCallback(order: Readonly<SandboxOrder>): CallbackMode | undefined {
    const mode = parseMagic(order.description)?.callbacks;
    return mode;
  }

  /** Whether the order's receipts fail ([sandbox:receipt=fail]); every one of them, `times` does not count them. */
  failsReceipts(order: Readonly<SandboxOrder>): boolean {
    return parseMagic(order.description)?.failReceipts === true;
  }

  #take(order: Readonly<SandboxOrder>, times: number | undefined): boolean {
    if (times === undefined) return true;
    const used = this.#used.get(order) ?? 0;
    if (used >= times) return false;
    this.#used.set(order, used + 1);
    return true;
  }
}
