import { message } from '../messages.js';
import { JOURNAL_VALUE_MAX, type ApiAnswer, type ApiEntry, type TrafficEntry } from '../traffic.js';
import { isApi, REGISTER_METHODS, succeeded } from './facts.js';

/**
 * Reading helpers of the report card's checks on REST parameters (order numbers, amounts, URLs, register fields,
 * refunds): what a call asked, as the journal (traffic.ts) keeps it. What an entry means (a successful answer, a
 * register call) and the verdict rule are in facts.ts.
 */

/** A parameter as the call gave it; an empty one counts as absent, as the gateway treats it. */
export function given(call: ApiEntry, name: string): string | undefined {
  const value = call.params[name];
  return value === undefined || value === '' ? undefined : value;
}

/** Whether the journal cut this value: the original was longer than JOURNAL_VALUE_MAX characters. */
export function wasCut(value: string): boolean {
  return value.length === JOURNAL_VALUE_MAX + 1 && value.endsWith('…');
}

/** The part of a value the journal kept (without the cut mark). */
export function keptPart(value: string): string {
  return wasCut(value) ? value.slice(0, JOURNAL_VALUE_MAX) : value;
}

/** Whole minor units as the API takes them (docs/gateway-reference.md §3): digits only. */
export function minorUnits(value: string | undefined): number | undefined {
  return value !== undefined && /^\d{1,15}$/.test(value) ? Number(value) : undefined;
}

/** What the journal tells about one order's money, from its register, deposit and refund calls. */
export interface OrderMoney {
  /** The register call and the amount it registered. */
  registerSeq: number;
  registered: number;
  twoPhase: boolean;
  /** What was captured: the registered amount of a one-phase order, a successful deposit's amount of a two-phase one. */
  deposited?: number;
  depositSeq?: number;
  /** The sum of successful refunds (a repeated externalRefundId refunds nothing, docs/gateway-reference.md §3.6). */
  refunded: number;
  refundIds: Set<string>;
}

/**
 * Follows the money of every order through the REST calls, oldest first. `visit` sees each REST call with its
 * order's money as it was before the call (undefined when the journal holds no successful register of the order).
 */
export function followMoney(
  entries: readonly TrafficEntry[],
  visit: (call: ApiEntry, before: Readonly<OrderMoney> | undefined) => void,
): void {
  const orders = new Map<string, OrderMoney>();
  for (const call of entries.filter((e) => isApi(e))) {
    const money = call.orderId === undefined ? undefined : orders.get(call.orderId);
    visit(call, money);
    if (!succeeded(call)) continue;
    if (REGISTER_METHODS.has(call.method)) {
      const registered = minorUnits(given(call, 'amount'));
      if (call.orderId === undefined || registered === undefined) continue;
      const twoPhase = call.method === 'registerPreAuth';
      orders.set(call.orderId, {
        registerSeq: call.seq,
        registered,
        twoPhase,
        ...(!twoPhase && { deposited: registered }),
        refunded: 0,
        refundIds: new Set(),
      });
    } else if (money && call.method === 'deposit') {
      const amount = minorUnits(given(call, 'amount'));
      if (amount === undefined) continue;
      money.deposited = amount === 0 ? money.registered : amount;
      money.depositSeq = call.seq;
    } else if (money && call.method === 'refund') {
      const id = given(call, 'externalRefundId');
      if (id !== undefined && money.refundIds.has(id)) continue;
      if (id !== undefined) money.refundIds.add(id);
      const amount = minorUnits(given(call, 'amount') ?? '0');
      if (amount === undefined) continue;
      money.refunded += amount === 0 ? Math.max(0, (money.deposited ?? 0) - money.refunded) : amount;
    }
  }
}

/** What is left to refund of an order, when the journal knows what was deposited. */
export function leftToRefund(money: Readonly<OrderMoney> | undefined): number | undefined {
  return money?.deposited === undefined ? undefined : Math.max(0, money.deposited - money.refunded);
}

/** The sandbox's own answer text to a refund above what is left (errorCode 7 also means a wrong state). */
export function saysRefundExceeds(answer: ApiAnswer): boolean {
  const text = answer.errorMessage;
  return (
    text !== undefined &&
    (text === message('refundExceedsDeposit', 'en') || text === message('refundExceedsDeposit', 'ru'))
  );
}
