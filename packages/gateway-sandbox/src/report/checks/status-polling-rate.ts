import type { ApiEntry } from '../../traffic.js';
import {
  type Case,
  count,
  duration,
  evidenceOf,
  groupBy,
  isStatusCall,
  orderResolver,
  outcomeOfCases,
  seqs,
  someOf,
} from '../facts.js';
import type { Check, CheckContext } from '../types.js';

/**
 * At most pollMaxPerWindow status requests for one order in any pollWindowMs (a sliding window [t, t + window)); a
 * burst is a run of calls where that is exceeded, overlapping windows merged.
 */
export const statusPollingRateCheck: Check = {
  id: 'status-polling-rate',
  title: {
    en: 'Status polling within a sane rate',
    ru: 'Статус запрашивается с разумной частотой',
  },
  fix: {
    en: 'Ask the status once after the return and once per callback. Poll only while the order is still in progress (orderStatus 0 or 5), with a growing delay (2 s, 4 s, 8 s …), and stop once the status is final; never loop on getOrderStatusExtended.do.',
    ru: 'Запрашивайте статус один раз после возврата покупателя и один раз на каждое уведомление. Повторяйте запрос, только пока заказ в обработке (orderStatus 0 или 5), с растущей паузой (2 с, 4 с, 8 с …) и прекращайте, когда статус окончательный; не вызывайте getOrderStatusExtended.do в цикле.',
  },
  run(ctx) {
    const { pollWindowMs: window, pollMaxPerWindow: max } = ctx.settings;
    const windowText = duration(window);
    const cases: Case[] = [];
    for (const calls of callsPerOrder(ctx).values()) {
      const bursts = burstsOf(calls, window, max);
      if (bursts.length === 0) {
        const first = calls[0] as ApiEntry;
        cases.push({
          verdict: 'pass',
          evidence: [
            evidenceOf(first, {
              en: `${count(calls.length, 'status request', 'status requests')} for the order, never more than ${max} in ${windowText.en}`,
              ru: `Запросов статуса по заказу: ${calls.length}, не больше ${max} за ${windowText.ru}`,
            }),
          ],
        });
        continue;
      }
      cases.push({
        verdict: 'fail',
        evidence: bursts.map((b) =>
          evidenceOf(b.first, {
            en: `${b.count} status requests for the order in ${duration(b.last.at - b.first.at).en} (${seqs(b.first.seq, b.last.seq).en}), up to ${b.peak} in ${windowText.en}; at most ${max} expected`,
            ru: `Запросов статуса по заказу: ${b.count} за ${duration(b.last.at - b.first.at).ru} (${seqs(b.first.seq, b.last.seq).ru}), до ${b.peak} за ${windowText.ru}; допустимо не больше ${max}`,
          }),
        ),
      });
    }
    return outcomeOfCases(cases, ({ judged, failed }) => {
      if (judged === 0) return { en: 'No status request yet.', ru: 'Статус ещё не запрашивался.' };
      if (failed > 0)
        return {
          en: `${someOf(failed, judged, 'order', 'orders')} polled more than ${max} times in ${windowText.en}.`,
          ru: `Заказов, статус которых запрашивался чаще ${max} раз за ${windowText.ru}: ${failed} из ${judged}.`,
        };
      return {
        en: `No order (${judged}) was polled more than ${max} times in ${windowText.en}.`,
        ru: `Ни по одному заказу (${judged}) статус не запрашивался чаще ${max} раз за ${windowText.ru}.`,
      };
    });
  },
};

/** Status calls per order (by orderId, or by orderNumber when it names no registered order), in time order. */
function callsPerOrder(ctx: CheckContext): Map<string, ApiEntry[]> {
  const orderOf = orderResolver(ctx);
  // A status request the gateway answered "no such order" (an errorCode without orderStatus, e.g. a shop's health
  // check asking for a made-up id) is about no order: not counted as one.
  const aboutAnOrder = (e: ApiEntry) =>
    e.answer.noJson === true || e.answer.orderStatus !== undefined || (e.answer.errorCode ?? '0') === '0';
  const out = groupBy(ctx.entries.filter(isStatusCall).filter(aboutAnOrder), (e) => {
    const orderId = orderOf(e);
    if (orderId !== undefined) return `id:${orderId}`;
    return e.params.orderNumber !== undefined ? `number:${e.params.orderNumber}` : undefined;
  });
  for (const list of out.values()) list.sort((a, b) => a.at - b.at || a.seq - b.seq);
  return out;
}

interface Burst {
  first: ApiEntry;
  last: ApiEntry;
  /** Calls from first to last. */
  count: number;
  /** The most calls in one window within the burst. */
  peak: number;
}

/** Runs of calls where some window [t, t + window) holds more than `max`; overlapping runs merged. */
function burstsOf(calls: readonly ApiEntry[], window: number, max: number): Burst[] {
  const runs: { from: number; to: number; peak: number }[] = [];
  let end = 0;
  for (let i = 0; i < calls.length; i++) {
    const start = (calls[i] as ApiEntry).at;
    end = Math.max(end, i);
    while (end < calls.length && (calls[end] as ApiEntry).at < start + window) end++;
    const inWindow = end - i;
    if (inWindow <= max) continue;
    const last = runs.at(-1);
    if (last && i <= last.to) {
      last.to = Math.max(last.to, end - 1);
      last.peak = Math.max(last.peak, inWindow);
    } else runs.push({ from: i, to: end - 1, peak: inWindow });
  }
  return runs.map((r) => ({
    first: calls[r.from] as ApiEntry,
    last: calls[r.to] as ApiEntry,
    count: r.to - r.from + 1,
    peak: r.peak,
  }));
}
