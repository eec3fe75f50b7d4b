// The developer panel's memory: per order, the gateway calls this process made and the callbacks it received, in a
// bounded in-memory ring (docs/decisions/0009-developer-panel.md). Development only; nothing here is ever persisted.
import type { GatewayExchange } from '../gateway/index.js';
import type { Ledger } from '../orders/ledger.js';
import { redactDetail } from '../orders/redact.js';

/** Orders remembered; the oldest is forgotten first. */
export const MAX_ORDERS = 200;
/**
 * Entries per order; the oldest are dropped first (a flood of callbacks cannot grow one order without bound), except
 * an order's first entry of each kind (its register.do, its first status call, its first callback…), which stays:
 * a day of re-checks must not push out how the order began.
 */
export const MAX_ENTRIES_PER_ORDER = 100;

export interface WireCall {
  kind: 'call';
  at: number;
  method: string;
  attempt: number;
  durationMs: number;
  ok: boolean;
  httpStatus: number | undefined;
  errorCode: number | undefined;
  errorClass: string | undefined;
  /** The method's parameters, without credentials. */
  request: Record<string, unknown>;
  response: unknown;
}

export type CallbackVerdict = 'verified' | 'accepted unsigned' | 'refused: bad checksum' | 'refused: malformed';

export interface WireCallback {
  kind: 'callback';
  at: number;
  httpMethod: string;
  /** What the shop answered, and so what it made of the notification. */
  httpStatus: number;
  verdict: CallbackVerdict | `answered ${number}`;
  /** The notification's parameters; the checksum's value is never kept. */
  params: Record<string, unknown>;
}

export type WireEntry = WireCall | WireCallback;

export interface WireLog {
  recordCall(e: GatewayExchange): void;
  recordCallback(c: {
    at: number;
    httpMethod: string;
    httpStatus: number;
    signed: boolean;
    params: Record<string, string>;
  }): void;
  /** The order's entries, oldest first, and how many were dropped (never the first of a kind). */
  entries(orderId: number): { entries: readonly WireEntry[]; dropped: number };
  /** Local ids of the orders with entries, most recently touched first. */
  orderIds(): number[];
}

interface Slot {
  entries: WireEntry[];
  /** Entries that are the first of their kind in this order: never dropped. */
  kept: Set<WireEntry>;
  /** The kinds seen so far ('call register', 'callback'…). */
  kinds: Set<string>;
  dropped: number;
}

/** What makes an entry "the first of its kind": the method of a call, or being a callback. */
const kindOf = (e: WireEntry): string => (e.kind === 'call' ? `call ${e.method}` : 'callback');

/** `ledger` maps what a call or a callback names (orderNumber, gateway orderId) to the shop's own order. */
export function createWireLog(ledger: Pick<Ledger, 'findByOrderNumber' | 'findByGatewayOrderId'>): WireLog {
  const slots = new Map<number, Slot>();

  async function lookUp(ref: { orderNumber?: unknown; orderId?: unknown }): Promise<number | undefined> {
    const byId = typeof ref.orderId === 'string' ? await ledger.findByGatewayOrderId(ref.orderId) : undefined;
    if (byId) return byId.id;
    return typeof ref.orderNumber === 'string' ? (await ledger.findByOrderNumber(ref.orderNumber))?.id : undefined;
  }

  /**
   * Files `entry` under the order `ref` names, if this shop has it. A synchronous ledger (SQLite) answers at once, so
   * the entry is there when the call returns; an asynchronous one (PostgreSQL) files it when the lookup answers.
   * A failed lookup loses only this development-only entry.
   */
  function fileUnder(ref: { orderNumber?: unknown; orderId?: unknown }, entry: WireEntry): void {
    const sync = syncLookUp(ref);
    if (sync !== 'async') {
      if (sync !== undefined) push(sync, entry);
      return;
    }
    lookUp(ref).then(
      (orderId) => orderId !== undefined && push(orderId, entry),
      () => undefined,
    );
  }

  /**
   * The order id when the ledger answered synchronously; 'async' when it answered with a promise, which lookUp asks
   * again. The promise itself is dropped, so its failure (the database restarting) must not go unhandled: that would
   * end the process.
   */
  function syncLookUp(ref: { orderNumber?: unknown; orderId?: unknown }): number | undefined | 'async' {
    const byId = typeof ref.orderId === 'string' ? ledger.findByGatewayOrderId(ref.orderId) : undefined;
    if (byId instanceof Promise) return dropped(byId);
    if (byId) return byId.id;
    const byNumber = typeof ref.orderNumber === 'string' ? ledger.findByOrderNumber(ref.orderNumber) : undefined;
    if (byNumber instanceof Promise) return dropped(byNumber);
    return byNumber?.id;
  }

  function dropped(answer: Promise<unknown>): 'async' {
    answer.catch(() => undefined);
    return 'async';
  }

  function push(orderId: number, entry: WireEntry): void {
    const slot = slots.get(orderId) ?? { entries: [], kept: new Set(), kinds: new Set(), dropped: 0 };
    slots.delete(orderId); // re-inserted last: Map order is the recency order
    slots.set(orderId, slot);
    slot.entries.push(entry);
    if (!slot.kinds.has(kindOf(entry))) {
      slot.kinds.add(kindOf(entry));
      slot.kept.add(entry);
    }
    if (slot.entries.length > MAX_ENTRIES_PER_ORDER) {
      // The oldest entry that is not the first of its kind (there are far fewer kinds than entries).
      const oldest = slot.entries.findIndex((e) => !slot.kept.has(e));
      slot.entries.splice(oldest, 1);
      slot.dropped += 1;
    }
    if (slots.size > MAX_ORDERS) {
      const oldest = slots.keys().next().value;
      if (oldest !== undefined) slots.delete(oldest);
    }
  }

  return {
    recordCall(e) {
      fileUnder(e.request, {
        kind: 'call',
        at: e.at,
        method: e.method,
        attempt: e.attempt,
        durationMs: Math.round(e.durationMs),
        ok: e.ok,
        httpStatus: e.httpStatus,
        errorCode: e.errorCode,
        errorClass: e.errorClass,
        // The client left the credentials out already; the ledger's redaction is a second, independent pass.
        request: redactDetail(e.request),
        response: e.response === undefined ? undefined : redactDetail({ body: e.response }).body,
      });
    },
    recordCallback(c) {
      // Not recorded for an order the notification does not name, nor for one this shop does not have.
      const { checksum, ...rest } = c.params;
      fileUnder(
        { orderId: c.params.mdOrder, orderNumber: c.params.orderNumber },
        {
          kind: 'callback',
          at: c.at,
          httpMethod: c.httpMethod,
          httpStatus: c.httpStatus,
          verdict: verdict(c.httpStatus, c.signed),
          params: { ...redactDetail(rest), ...(checksum !== undefined && { checksum: '[redacted]' }) },
        },
      );
    },
    entries(orderId) {
      const slot = slots.get(orderId);
      return { entries: slot ? [...slot.entries] : [], dropped: slot?.dropped ?? 0 };
    },
    orderIds: () => [...slots.keys()].reverse(),
  };
}

/** The receiver's answer says what it decided (src/shop/callback.ts): 200 accepted, 403 bad checksum, 400 malformed. */
function verdict(httpStatus: number, signed: boolean): WireCallback['verdict'] {
  if (httpStatus === 200) return signed ? 'verified' : 'accepted unsigned';
  if (httpStatus === 403) return 'refused: bad checksum';
  if (httpStatus === 400) return 'refused: malformed';
  return `answered ${httpStatus}`;
}
