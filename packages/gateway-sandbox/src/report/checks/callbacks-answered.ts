import type { ApiEntry, CallbackEntry, TrafficEntry } from '../../traffic.js';
import {
  type Case,
  type Delivery,
  count,
  deliveries,
  duration,
  evidenceOf,
  isStatusCall,
  outcomeOfCases,
  registeredOrders,
  seqs,
  someOf,
  statusCallsByOrder,
  statusFollowUp,
  wasSent,
} from '../facts.js';
import type { Check, CheckContext, Text } from '../types.js';

/**
 * Genuine callbacks (no probe): each notification (its attempts) got a 2xx in the end, and a status request for the
 * order came within statusWaitMs. A handler often asks the status before it answers, and the journal records a
 * callback once answered, so a status call counts from the step that caused the callback (at most statusWaitMs
 * before the first attempt was recorded).
 */
export const callbacksAnsweredCheck: Check = {
  id: 'callbacks-answered',
  title: {
    en: 'Callbacks answered 2xx and followed by a status request',
    ru: 'На уведомления (callback) магазин отвечает 2xx и запрашивает статус',
  },
  fix: {
    en: "Set up a callback URL (the merchant's callback URL in the gateway's settings, or dynamicCallbackUrl at register.do). Answer every genuine callback with 200 once its checksum checks out (duplicates too: handle them idempotently), then call getOrderStatusExtended.do for the order and act on orderStatus, not on the callback's parameters.",
    ru: 'Настройте URL для уведомлений (адрес callback в настройках магазина на шлюзе или dynamicCallbackUrl в register.do). На каждое подлинное уведомление с верной контрольной суммой отвечайте 200 (на повторы тоже: обрабатывайте их идемпотентно), затем вызовите getOrderStatusExtended.do для заказа и действуйте по orderStatus, а не по параметрам уведомления.',
  },
  run(ctx) {
    const wait = ctx.settings.statusWaitMs;
    const waitText = duration(wait);
    const calls = statusCallsByOrder(ctx);
    const sent = deliveries(ctx.entries, (e) => e.probe === undefined);
    const causeOf = causeFinder(ctx);
    const cases = sent.map((d) => judge(ctx, d, calls.get(d.orderId), causeOf));
    return outcomeOfCases(cases, ({ judged, failed, undecided }) => {
      if (judged === 0 && undecided === 0) return nothingSent(ctx);
      if (judged === 0)
        return {
          en: `${count(undecided, 'callback is', 'callbacks are')} still being delivered or within the ${waitText.en} the shop has to ask for the status.`,
          ru: `Уведомлений, которые ещё доставляются или после которых у магазина ещё есть время запросить статус (${waitText.ru}): ${undecided}.`,
        };
      if (failed > 0)
        return {
          en: `${someOf(failed, judged, 'callback', 'callbacks')} not answered 2xx, or not followed by a status request within ${waitText.en}.`,
          ru: `Уведомлений без ответа 2xx или без запроса статуса в течение ${waitText.ru}: ${failed} из ${judged}.`,
        };
      return {
        en: `Every callback (${judged}) was answered 2xx and followed by a status request within ${waitText.en}.`,
        ru: `На каждое уведомление (${judged}) магазин ответил 2xx и запросил статус в течение ${waitText.ru}.`,
      };
    });
  },
};

/**
 * The step that caused a callback: the order's last entry before it that is neither a callback nor a status call
 * (binary search over the order's entries, which are in seq order: a journal may hold thousands of callbacks).
 */
function causeFinder(ctx: CheckContext): (orderId: string, beforeSeq: number) => TrafficEntry | undefined {
  const causes = new Map<string, TrafficEntry[]>();
  for (const [orderId, list] of ctx.byOrder)
    causes.set(
      orderId,
      list.filter((e) => e.kind !== 'callback' && !isStatusCall(e)),
    );
  return (orderId, beforeSeq) => {
    const list = causes.get(orderId) ?? [];
    let [lo, hi] = [0, list.length];
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((list[mid] as TrafficEntry).seq < beforeSeq) lo = mid + 1;
      else hi = mid;
    }
    return list[lo - 1];
  };
}

function judge(
  ctx: CheckContext,
  d: Delivery,
  calls: readonly ApiEntry[] | undefined,
  causeOf: ReturnType<typeof causeFinder>,
): Case {
  const wait = ctx.settings.statusWaitMs;
  const waitText = duration(wait);
  const first = d.attempts[0] as CallbackEntry;
  const last = d.attempts.at(-1) as CallbackEntry;
  const what = { en: `Callback "${first.operation}"`, ru: `уведомление «${first.operation}»` };
  const answered = d.answered;
  if (!answered) {
    const tried = d.attempts.length;
    const lastAnswer = callbackAnswerText(last);
    if (!d.gaveUp && ctx.now <= last.at + wait)
      return {
        verdict: 'undecided',
        evidence: [
          evidenceOf(last, {
            en: `${what.en}: attempt ${last.attempt} answered ${lastAnswer.en}; the sandbox is still retrying`,
            ru: `${cap(what.ru)}: попытка ${last.attempt}, ответ — ${lastAnswer.ru}; песочница ещё повторяет отправку`,
          }),
        ],
      };
    return {
      verdict: 'fail',
      evidence: [
        evidenceOf(last, {
          en: `${what.en} never answered 2xx (${count(tried, 'attempt', 'attempts')}, last answer ${lastAnswer.en})${d.gaveUp ? '; the sandbox gave up' : ''}`,
          ru: `На ${what.ru} так и не было ответа 2xx (попыток: ${tried}, последний ответ — ${lastAnswer.ru})${d.gaveUp ? '; песочница прекратила попытки' : ''}`,
        }),
      ],
    };
  }
  const cause = causeOf(d.orderId, first.seq);
  const from = Math.max(cause?.at ?? -Infinity, first.at - wait);
  const next = statusFollowUp(ctx, calls, { afterSeq: cause?.seq ?? 0, from, at: answered.at });
  const retried =
    answered.attempt > 1
      ? { en: ` on attempt ${answered.attempt}`, ru: ` с ${answered.attempt}-й попытки` }
      : { en: '', ru: '' };
  if (next.verdict === 'pass')
    return {
      verdict: 'pass',
      evidence: [
        evidenceOf(answered, {
          en: `${what.en} answered ${answered.httpStatus}${retried.en}; status asked (${seqs(next.call.seq).en})`,
          ru: `На ${what.ru} получен ответ ${answered.httpStatus}${retried.ru}; статус запрошен (${seqs(next.call.seq).ru})`,
        }),
      ],
    };
  if (next.verdict === 'undecided')
    return {
      verdict: 'undecided',
      evidence: [
        evidenceOf(answered, {
          en: `${what.en} answered ${answered.httpStatus}${retried.en}; no status request yet (the shop has ${waitText.en})`,
          ru: `На ${what.ru} получен ответ ${answered.httpStatus}${retried.ru}; статус пока не запрошен (у магазина ${waitText.ru})`,
        }),
      ],
    };
  return {
    verdict: 'fail',
    evidence: [
      evidenceOf(answered, {
        en: `${what.en} answered ${answered.httpStatus}${retried.en}, but no status request followed within ${waitText.en}`,
        ru: `На ${what.ru} получен ответ ${answered.httpStatus}${retried.ru}, но статус не запрошен в течение ${waitText.ru}`,
      }),
    ],
  };
}

/** What the shop answered a callback attempt, for evidence texts (answerText in facts.ts is for REST answers). */
function callbackAnswerText(entry: CallbackEntry): Text {
  if (entry.httpStatus !== undefined) return { en: `HTTP ${entry.httpStatus}`, ru: `HTTP ${entry.httpStatus}` };
  const message = entry.outcome.kind === 'error' ? entry.outcome.message : entry.outcome.kind;
  return { en: `none (${message})`, ru: `нет (${message})` };
}

/** Why no callback was judged: no orders, no callback URL, or callbacks not sent (a fault, the allow-list). */
function nothingSent(ctx: CheckContext): Text {
  const orders = registeredOrders(ctx).size;
  const unsent = ctx.entries.filter((e) => e.kind === 'callback' && e.probe === undefined && !wasSent(e)).length;
  if (unsent > 0)
    return {
      en: `${count(unsent, 'callback was', 'callbacks were')} not sent (lost by a fault, or the URL is outside the sandbox's allowed callback hosts); none was delivered yet.`,
      ru: `Уведомлений, которые не были отправлены (потеряны из-за сбоя или адрес вне разрешённых песочнице хостов): ${unsent}; доставленных пока нет.`,
    };
  if (orders > 0)
    return {
      en: `No callback has been sent for the ${count(orders, 'registered order', 'registered orders')}: set up a callback URL (the merchant's, or dynamicCallbackUrl at register.do). Callbacks go out once an order is paid, deposited, reversed or refunded.`,
      ru: `Для зарегистрированных заказов (${orders}) не отправлено ни одного уведомления: настройте URL для уведомлений (адрес магазина или dynamicCallbackUrl в register.do). Уведомления отправляются после оплаты, списания, отмены или возврата.`,
    };
  return { en: 'No order has been registered yet.', ru: 'Заказы ещё не регистрировались.' };
}

function cap(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
