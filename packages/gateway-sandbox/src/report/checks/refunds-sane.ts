import type { ApiEntry } from '../../traffic.js';
import { answeredClearly, answerText, countedOutcome, evidenceOf, noClearAnswer, succeeded } from '../facts.js';
import { followMoney, given, leftToRefund, minorUnits, saysRefundExceeds } from '../params.js';
import type { Check, Evidence } from '../types.js';

/** The amount a refund call asked for; a missing amount is 0, the whole rest (docs/gateway-reference.md §3.6). */
const asked = (call: ApiEntry): number | undefined => minorUnits(given(call, 'amount') ?? '0');

/**
 * docs/gateway-reference.md §3.6: refunds stay within the deposited amount; one above what is left is refused with
 * errorCode 7 (the sandbox's operations.ts answers it with its refundExceedsDeposit text; errorCode 7 also means a
 * wrong state, so the amount the journal tracked or that text decides). A refund retried without externalRefundId
 * refunds twice: two refunds of one order with the same amount within settings.refundRetryWindowMs, the later one
 * successful and the earlier one successful or unanswered, fail unless both carry an externalRefundId (§1.4; two
 * distinct ids are two intended refunds, a repeated id is answered like the first refund and refunds nothing) and,
 * after an unanswered call, the retry repeats its id (a fresh id per attempt refunds twice).
 */
export const refundsSaneCheck: Check = {
  id: 'refunds-sane',
  title: {
    en: 'Refunds never exceed what is left and are never repeated by a retry',
    ru: 'Возвраты не превышают остаток и не повторяются при повторной отправке',
  },
  fix: {
    en:
      'Before refund.do, compute what is left (deposited minus refunded, from getOrderStatusExtended’s ' +
      'paymentAmountInfo) and never ask for more. Send an externalRefundId (1–36 characters) generated once per ' +
      'refund and stored before the call, and retry after a timeout with the same id: the gateway then answers like ' +
      'the first refund instead of refunding twice.',
    ru:
      'Перед refund.do вычисляйте остаток (списано минус возвращено, из paymentAmountInfo ответа ' +
      'getOrderStatusExtended) и не запрашивайте больше. Передавайте externalRefundId (1–36 символов), созданный ' +
      'один раз на возврат и сохранённый до вызова, и повторяйте после тайм-аута с тем же идентификатором: шлюз ' +
      'ответит как на первый возврат, а не вернёт деньги дважды.',
  },
  run(ctx) {
    const window = ctx.settings.refundRetryWindowMs;
    const earlier = new Map<string, ApiEntry[]>();
    let observed = 0;
    const failing: Evidence[] = [];
    const passing: Evidence[] = [];
    followMoney(ctx.entries, (call, money) => {
      if (call.method !== 'refund') return;
      observed += 1;
      const where = `refund #${call.seq}`;
      const amount = asked(call);
      /** The order's refunds so far, this one last (pushed, not copied: a journal may hold thousands). */
      const refunds = (call.orderId !== undefined && earlier.get(call.orderId)) || [];
      refunds.push(call);
      if (call.orderId !== undefined) earlier.set(call.orderId, refunds);

      if (answeredClearly(call) && call.answer.errorCode === '7') {
        const left = leftToRefund(money);
        if (saysRefundExceeds(call.answer) || (amount !== undefined && left !== undefined && amount > left)) {
          const what =
            left === undefined
              ? { en: 'what is left', ru: 'остатка' }
              : { en: `what is left (${left})`, ru: `остатка (${left})` };
          failing.push(
            evidenceOf(call, {
              en: `${where}: refund of ${amount ?? '?'} refused with errorCode 7: above ${what.en}.`,
              ru: `${where}: возврат ${amount ?? '?'} отклонён с errorCode 7: больше ${what.ru}.`,
            }),
          );
          return;
        }
      }

      if (succeeded(call) && amount !== undefined && amount > 0) {
        const id = given(call, 'externalRefundId');
        const twin = refunds.find(
          (p) =>
            p !== call &&
            call.at - p.at <= window &&
            asked(p) === amount &&
            (succeeded(p) || noClearAnswer(p)) &&
            (id === undefined ||
              given(p, 'externalRefundId') === undefined ||
              // After a call without an answer, a new id is a retry that defeats the id (it was made per attempt).
              (noClearAnswer(p) && given(p, 'externalRefundId') !== id)),
        );
        if (twin) {
          const unanswered = !succeeded(twin);
          const seconds = Math.round((call.at - twin.at) / 1000);
          const freshId = id !== undefined && given(twin, 'externalRefundId') !== undefined;
          failing.push(
            evidenceOf(call, {
              en:
                `${where}: the same ${amount} as refund #${twin.seq} ${seconds} s earlier` +
                (unanswered ? ', which got no answer,' : '') +
                (freshId
                  ? ' and a new externalRefundId instead of its own: a retry that refunds twice.'
                  : ' and the two calls do not both carry an externalRefundId: a retry that refunds twice.'),
              ru:
                `${where}: та же сумма ${amount}, что и у refund #${twin.seq} ${seconds} с назад` +
                (unanswered ? ' (оставшегося без ответа),' : ',') +
                (freshId
                  ? ' но с новым externalRefundId вместо прежнего: повтор, возвращающий деньги дважды.'
                  : ' а externalRefundId передан не в обоих вызовах: повтор, возвращающий деньги дважды.'),
            }),
          );
          return;
        }
      }
      const answer = answerText(call);
      passing.push(
        evidenceOf(call, {
          en: `${where}: ${amount ?? '?'} (${answer.en}): neither above what is left nor a repeat.`,
          ru: `${where}: ${amount ?? '?'} (${answer.ru}): не сверх остатка и не повтор.`,
        }),
      );
    });
    return countedOutcome({
      observed,
      failing,
      passing,
      label: { en: 'Refunds above what is left or repeated by a retry', ru: 'Возвратов сверх остатка или повторённых' },
      none: { en: 'No refund yet.', ru: 'Возвратов ещё не было.' },
    });
  },
};
