import type { ApiEntry, CallbackEntry, PageEntry, TrafficEntry } from '../traffic.js';
import { MAX_EVIDENCE, type CheckContext, type CheckOutcome, type Evidence, type Text } from './types.js';

/**
 * Reading helpers shared by the report card's checks: what a journal entry means (a status call, a successful answer,
 * a return, a callback's delivery) and how a check turns its cases into a verdict. Pure functions of the entries.
 */

/** The status calls (docs/gateway-reference.md §3.2, §3.3). */
export const STATUS_METHODS: ReadonlySet<string> = new Set(['getOrderStatusExtended', 'getOrderStatus']);
export const REGISTER_METHODS: ReadonlySet<string> = new Set(['register', 'registerPreAuth']);

/** The items per key, in their order; items whose key is undefined are left out. */
export function groupBy<K, V>(items: Iterable<V>, keyOf: (item: V) => K | undefined): Map<K, V[]> {
  const out = new Map<K, V[]>();
  for (const item of items) {
    const key = keyOf(item);
    if (key === undefined) continue;
    let list = out.get(key);
    if (!list) out.set(key, (list = []));
    list.push(item);
  }
  return out;
}

export function isApi(entry: TrafficEntry, ...methods: string[]): entry is ApiEntry {
  return entry.kind === 'api' && (methods.length === 0 || methods.includes(entry.method));
}

export function isStatusCall(entry: TrafficEntry): entry is ApiEntry {
  return entry.kind === 'api' && STATUS_METHODS.has(entry.method);
}

/** The gateway answered the business question (success or an errorCode) with its JSON, HTTP 200. */
export function answeredClearly(call: ApiEntry): boolean {
  return call.answer.httpStatus === 200 && call.answer.noJson !== true;
}

/** A successful REST answer: HTTP 200 with the API's JSON and errorCode absent or '0' (docs/gateway-reference.md §1.3). */
export function succeeded(call: ApiEntry): boolean {
  const { errorCode } = call.answer;
  return answeredClearly(call) && (errorCode === undefined || errorCode === '0');
}

/** No answer the shop could read: a dropped connection, a timeout, a 5xx or a non-JSON page. */
export function noClearAnswer(call: ApiEntry): boolean {
  const { httpStatus, noJson } = call.answer;
  return noJson === true || httpStatus === 0 || httpStatus >= 500;
}

/** The answer in a few words, for evidence texts. */
export function answerText(call: ApiEntry): Text {
  if (succeeded(call)) return { en: 'success', ru: 'успех' };
  if (noClearAnswer(call)) return { en: 'no answer', ru: 'нет ответа' };
  const { errorCode, httpStatus } = call.answer;
  if (errorCode !== undefined) return { en: `errorCode ${errorCode}`, ru: `errorCode ${errorCode}` };
  return { en: `HTTP ${httpStatus}`, ru: `HTTP ${httpStatus}` };
}

/** A return: the step after which the buyer was sent back to the shop. */
export type ReturnEntry = PageEntry & { sentTo: string; orderId: string };
export function isReturn(entry: TrafficEntry): entry is ReturnEntry {
  return entry.kind === 'page' && entry.sentTo !== undefined && entry.orderId !== undefined;
}

export function is2xx(status: number | undefined): boolean {
  return status !== undefined && status >= 200 && status < 300;
}

/** The `status` parameter of a callback's URL ('1' the operation succeeded, '0' it failed), when there is one. */
export function callbackStatus(entry: CallbackEntry): string | undefined {
  try {
    return new URL(entry.url).searchParams.get('status') ?? undefined;
  } catch {
    return undefined;
  }
}

/**
 * The order a call is about: its orderId, or the order last registered (before the call) under the orderNumber it
 * gave. A status call by orderNumber carries no orderId in the journal.
 */
export function orderResolver(ctx: CheckContext): (entry: ApiEntry) => string | undefined {
  const byNumber = groupBy(ctx.entries.filter(isRegistration), (e) => e.params.orderNumber);
  return (entry) => {
    if (entry.orderId !== undefined) return entry.orderId;
    const number = entry.params.orderNumber;
    const list = number === undefined ? undefined : byNumber.get(number);
    return list?.filter((r) => r.seq < entry.seq).at(-1)?.orderId;
  };
}

/** Every status call per order (by orderId or by a registered orderNumber), oldest first. */
export function statusCallsByOrder(ctx: CheckContext): Map<string, ApiEntry[]> {
  return groupBy(ctx.entries.filter(isStatusCall), orderResolver(ctx));
}

/** What followed an entry that calls for a status request (a return, an answered callback). */
export type StatusFollowUp =
  { verdict: 'pass'; call: ApiEntry } | { verdict: 'undecided' } | { verdict: 'fail'; late?: ApiEntry };

/**
 * The status-wait rule: a status call after entry `afterSeq`, made from `from` until statusWaitMs after `at`, passes;
 * none yet while that time lasts is undecided; otherwise a fail (with the late call, if one came at all).
 */
export function statusFollowUp(
  ctx: CheckContext,
  calls: readonly ApiEntry[] | undefined,
  since: { afterSeq: number; from: number; at: number },
): StatusFollowUp {
  const until = since.at + ctx.settings.statusWaitMs;
  const call = calls?.find((c) => c.seq > since.afterSeq && c.at >= since.from && c.at <= until);
  if (call) return { verdict: 'pass', call };
  if (ctx.now <= until) return { verdict: 'undecided' };
  const late = calls?.find((c) => c.seq > since.afterSeq);
  return late ? { verdict: 'fail', late } : { verdict: 'fail' };
}

/** A successful register / registerPreAuth call: the answer's orderId is the entry's orderId. */
export function isRegistration(entry: TrafficEntry): entry is ApiEntry & { orderId: string } {
  return isApi(entry, ...REGISTER_METHODS) && entry.orderId !== undefined && succeeded(entry);
}

/** The orders the merchant registered successfully: orderId → the register / registerPreAuth entry. */
export function registeredOrders(ctx: CheckContext): Map<string, ApiEntry> {
  const out = new Map<string, ApiEntry>();
  for (const e of ctx.entries) if (isRegistration(e)) out.set(e.orderId, e);
  return out;
}

/**
 * One notification as the sandbox delivered it: its attempts (1, 2 … retried until a 200 or given up). Entries that
 * were never sent (a `lost` fault, a skipped delivery) are not in any delivery.
 */
export interface Delivery {
  orderId: string;
  attempts: CallbackEntry[];
  /** The first attempt answered 2xx. */
  answered?: CallbackEntry;
  gaveUp: boolean;
}

/** Whether the sandbox actually sent this callback (an HTTP answer or a network error). */
export function wasSent(entry: CallbackEntry): boolean {
  return entry.outcome.kind === 'http' || entry.outcome.kind === 'error';
}

/** Groups the sent callbacks that `pick` keeps into deliveries: attempt 1 opens one, later attempts join it. */
export function deliveries(entries: readonly TrafficEntry[], pick: (e: CallbackEntry) => boolean): Delivery[] {
  const out: Delivery[] = [];
  const open = new Map<string, Delivery>();
  for (const e of entries) {
    if (e.kind !== 'callback' || e.orderId === undefined || !wasSent(e) || !pick(e)) continue;
    const key = [e.orderId, e.operation, e.copy, e.probe ?? '', e.url].join('\n');
    let d = e.attempt > 1 ? open.get(key) : undefined;
    if (!d) {
      d = { orderId: e.orderId, attempts: [], gaveUp: false };
      open.set(key, d);
      out.push(d);
    }
    d.attempts.push(e);
    if (d.answered === undefined && is2xx(e.httpStatus)) d.answered = e;
    if (e.gaveUp) d.gaveUp = true;
  }
  return out;
}

/** How one case a check looked at came out; `undecided` while the shop still has time. */
export type CaseVerdict = 'pass' | 'fail' | 'undecided';
export interface Case {
  verdict: CaseVerdict;
  /** The entries that decided it (the first one names the case). */
  evidence: Evidence[];
}

export interface CaseCounts {
  judged: number;
  failed: number;
  undecided: number;
}

/**
 * The verdict rule of every check (DESIGN17): fail if any judged case failed, pass if ≥ 1 case was judged and none
 * failed, not-observed otherwise. Evidence: the failing first, then the rest, at most MAX_EVIDENCE.
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

/**
 * outcomeOf for a check where each failing evidence is one failed case, summed up as "Label: 2 of 5." (countSummary;
 * `none` when nothing was observed).
 */
export function countedOutcome(judged: {
  observed: number;
  failing: readonly Evidence[];
  passing: readonly Evidence[];
  label: Text;
  none: Text;
}): CheckOutcome {
  const { observed, failing, passing } = judged;
  const failed = failing.length;
  return outcomeOf({
    observed,
    failed,
    failing,
    passing,
    summary: countSummary(failed, observed, judged.label, judged.none),
  });
}

/**
 * outcomeOf for a check that judges case by case: undecided cases are not counted as judged; evidence of failing
 * cases first, then undecided, then passing, each group by seq.
 */
export function outcomeOfCases(cases: readonly Case[], summary: (counts: CaseCounts) => Text): CheckOutcome {
  const of = (v: CaseVerdict) =>
    cases.filter((c) => c.verdict === v).sort((a, b) => (a.evidence[0]?.seq ?? 0) - (b.evidence[0]?.seq ?? 0));
  const [failing, undecided, passing] = [of('fail'), of('undecided'), of('pass')];
  const counts = { judged: failing.length + passing.length, failed: failing.length, undecided: undecided.length };
  return outcomeOf({
    observed: counts.judged,
    failed: counts.failed,
    failing: failing.flatMap((c) => c.evidence),
    passing: [...undecided, ...passing].flatMap((c) => c.evidence),
    summary: summary(counts),
  });
}

export function evidenceOf(entry: TrafficEntry, what: Text): Evidence {
  return { seq: entry.seq, at: entry.at, ...(entry.orderId !== undefined && { orderId: entry.orderId }), what };
}

const DAY = 86_400_000;
const HOUR = 3_600_000;
const MINUTE = 60_000;

/** A duration as people read it: "7 days" / "7 дн.", "2 h" / "2 ч", "10 min" / "10 мин", "1.5 s" / "1,5 с". */
export function duration(ms: number): Text {
  const whole = (unit: number) => ms >= unit && ms % unit === 0;
  if (whole(DAY)) return { en: `${ms / DAY} ${ms === DAY ? 'day' : 'days'}`, ru: `${ms / DAY} дн.` };
  if (whole(HOUR)) return { en: `${ms / HOUR} h`, ru: `${ms / HOUR} ч` };
  if (whole(MINUTE)) return { en: `${ms / MINUTE} min`, ru: `${ms / MINUTE} мин` };
  const s = String(Math.round(ms / 100) / 10);
  return { en: `${s} s`, ru: `${s.replace('.', ',')} с` };
}

/** "1 return" / "3 returns". */
export function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "2 of 5 returns were" / "1 of 5 returns was": the subject of an English summary. */
export function someOf(part: number, whole: number, one: string, many: string): string {
  return `${part} of ${whole} ${whole === 1 ? one : many} ${part === 1 ? 'was' : 'were'}`;
}

/** "entry #12" or "entries #12–31" (and in Russian) for evidence texts. */
export function seqs(first: number, last = first): Text {
  return first === last
    ? { en: `entry #${first}`, ru: `запись №${first}` }
    : { en: `entries #${first}–${last}`, ru: `записи №${first}–${last}` };
}

/** A value for a text: quoted, at most `max` characters. */
export function quote(value: string, max = 40): string {
  const shown = value.length > max ? `${value.slice(0, max)}…` : value;
  return JSON.stringify(shown);
}

/** "Label: 2 of 5." in both languages (no plural forms to get wrong). */
export function countSummary(failed: number, observed: number, label: Text, none: Text): Text {
  if (observed === 0) return none;
  return { en: `${label.en}: ${failed} of ${observed}.`, ru: `${label.ru}: ${failed} из ${observed}.` };
}
