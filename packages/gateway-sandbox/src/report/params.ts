import { message } from '../messages.js';
import type { ApiAnswer, ApiEntry, TrafficEntry } from '../traffic.js';
import { MAX_EVIDENCE, type CheckOutcome, type Evidence, type Text } from './types.js';

/**
 * Reading helpers of the report card's checks on REST parameters (order numbers, amounts, URLs, register fields,
 * refunds): what a call asked and what it was answered, as the journal (traffic.ts) keeps them.
 */

export const REGISTER_METHODS: readonly string[] = ['register', 'registerPreAuth'];

/** The REST calls among the entries, oldest first; only the given methods when `methods` is set. */
export function apiCalls(entries: readonly TrafficEntry[], methods?: readonly string[]): ApiEntry[] {
  return entries.filter(
    (e): e is ApiEntry => e.kind === 'api' && (methods === undefined || methods.includes(e.method)),
  );
}

/** A successful answer: HTTP 200 with the API's JSON and errorCode absent or 0 (docs/gateway-reference.md §1.3). */
export function succeeded(answer: ApiAnswer): boolean {
  return answer.httpStatus === 200 && !answer.noJson && (answer.errorCode === undefined || answer.errorCode === '0');
}

/** The gateway answered the business question (success or an errorCode) with its JSON, HTTP 200. */
export function answeredClearly(answer: ApiAnswer): boolean {
  return answer.httpStatus === 200 && !answer.noJson;
}

/** No answer the shop could read: a dropped connection, a timeout, a 5xx or a non-JSON page. */
export function noClearAnswer(answer: ApiAnswer): boolean {
  return answer.noJson === true || answer.httpStatus === 0 || answer.httpStatus >= 500;
}

/** The answer in a few words, for evidence texts. */
export function answerText(answer: ApiAnswer): Text {
  if (succeeded(answer)) return { en: 'success', ru: 'успех' };
  if (noClearAnswer(answer)) return { en: 'no answer', ru: 'нет ответа' };
  if (answer.errorCode !== undefined)
    return { en: `errorCode ${answer.errorCode}`, ru: `errorCode ${answer.errorCode}` };
  return { en: `HTTP ${answer.httpStatus}`, ru: `HTTP ${answer.httpStatus}` };
}

/** A parameter as the call gave it; an empty one counts as absent, as the gateway treats it. */
export function given(call: ApiEntry, name: string): string | undefined {
  const value = call.params[name];
  return value === undefined || value === '' ? undefined : value;
}

/** The journal keeps at most this many characters of a value and marks a cut one with '…' (redactParams, traffic.ts). */
export const JOURNAL_VALUE_MAX = 200;

/** Whether the journal cut this value: the original was longer than JOURNAL_VALUE_MAX characters. */
export function wasCut(value: string): boolean {
  return value.length === JOURNAL_VALUE_MAX + 1 && value.endsWith('…');
}

/** The part of a value the journal kept (without the cut mark). */
export function keptPart(value: string): string {
  return wasCut(value) ? value.slice(0, JOURNAL_VALUE_MAX) : value;
}

/** A value for a text: quoted, at most `max` characters. */
export function quote(value: string, max = 40): string {
  const shown = value.length > max ? `${value.slice(0, max)}…` : value;
  return JSON.stringify(shown);
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
  for (const call of apiCalls(entries)) {
    const money = call.orderId === undefined ? undefined : orders.get(call.orderId);
    visit(call, money);
    if (!succeeded(call.answer)) continue;
    if (REGISTER_METHODS.includes(call.method)) {
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

export function evidenceOf(entry: TrafficEntry, what: Text): Evidence {
  return { seq: entry.seq, at: entry.at, ...(entry.orderId !== undefined && { orderId: entry.orderId }), what };
}

/**
 * The outcome by the common verdict rule (fail if any judged case failed, pass if at least one was judged,
 * not-observed otherwise): failing evidence first, then the rest, at most MAX_EVIDENCE.
 */
export function outcomeOf(judged: {
  observed: number;
  failed: number;
  failing: readonly Evidence[];
  passing?: readonly Evidence[];
  summary: Text;
}): CheckOutcome {
  const { observed, failed, summary } = judged;
  return {
    verdict: failed > 0 ? 'fail' : observed > 0 ? 'pass' : 'not-observed',
    observed,
    failed,
    summary,
    evidence: [...judged.failing, ...(judged.passing ?? [])].slice(0, MAX_EVIDENCE),
  };
}

/** "Label: 2 of 5." in both languages (no plural forms to get wrong). */
export function countSummary(failed: number, observed: number, label: Text, none: Text): Text {
  if (observed === 0) return none;
  return { en: `${label.en}: ${failed} of ${observed}.`, ru: `${label.ru}: ${failed} из ${observed}.` };
}
