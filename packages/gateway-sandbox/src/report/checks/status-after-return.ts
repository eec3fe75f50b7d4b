import {
  type Case,
  count,
  duration,
  evidenceOf,
  isReturn,
  outcomeOfCases,
  seqs,
  someOf,
  statusCallsByOrder,
  statusFollowUp,
} from '../facts.js';
import type { Check } from '../types.js';

/** Every return of a buyer is followed, within statusWaitMs, by a status request for that order. */
export const statusAfterReturnCheck: Check = {
  id: 'status-after-return',
  title: {
    en: 'Status asked after every return',
    ru: 'Статус запрашивается после каждого возврата покупателя',
  },
  fix: {
    en: "After the buyer comes back, call getOrderStatusExtended.do with the orderId and decide from orderStatus (2 paid, 1 held); the return URL's parameters prove nothing.",
    ru: 'Когда покупатель вернулся в магазин, вызовите getOrderStatusExtended.do с orderId и решайте по orderStatus (2 — оплачен, 1 — сумма захолдирована): параметры URL возврата ничего не доказывают.',
  },
  run(ctx) {
    const wait = ctx.settings.statusWaitMs;
    const waitText = duration(wait);
    const calls = statusCallsByOrder(ctx);
    const cases: Case[] = [];
    for (const back of ctx.entries.filter(isReturn)) {
      const next = statusFollowUp(ctx, calls.get(back.orderId), { afterSeq: back.seq, from: back.at, at: back.at });
      if (next.verdict === 'pass') {
        const { call } = next;
        cases.push({
          verdict: 'pass',
          evidence: [
            evidenceOf(call, {
              en: `Status asked ${duration(call.at - back.at).en} after the return (${seqs(back.seq).en})`,
              ru: `Статус запрошен через ${duration(call.at - back.at).ru} после возврата (${seqs(back.seq).ru})`,
            }),
          ],
        });
        continue;
      }
      if (next.verdict === 'undecided') {
        cases.push({
          verdict: 'undecided',
          evidence: [
            evidenceOf(back, {
              en: `Return without a status request yet; the shop has ${waitText.en} to ask`,
              ru: `После возврата статус ещё не запрошен; на запрос у магазина ${waitText.ru}`,
            }),
          ],
        });
        continue;
      }
      const { late } = next;
      const helper = back.via === 'test-helper';
      cases.push({
        verdict: 'fail',
        evidence: [
          evidenceOf(back, {
            en:
              (late
                ? `Status asked only ${duration(late.at - back.at).en} after the return (${seqs(late.seq).en}), later than ${waitText.en}`
                : `No status request within ${waitText.en} after the return`) +
              (helper ? ' (a test helper sent the buyer back: open its sentTo URL as the browser would)' : ''),
            ru:
              (late
                ? `Статус запрошен лишь через ${duration(late.at - back.at).ru} после возврата (${seqs(late.seq).ru}), позже ${waitText.ru}`
                : `В течение ${waitText.ru} после возврата статус не запрошен`) +
              (helper
                ? ' (покупателя вернул тестовый помощник: откройте его адрес sentTo, как это сделал бы браузер)'
                : ''),
          }),
        ],
      });
    }
    return outcomeOfCases(cases, ({ judged, failed, undecided }) => {
      if (judged === 0 && undecided === 0)
        return {
          en: 'No buyer has come back from the payment page yet.',
          ru: 'Покупатели ещё не возвращались со страницы оплаты.',
        };
      if (judged === 0)
        return {
          en: `${count(undecided, 'return is', 'returns are')} still within the ${waitText.en} the shop has to ask for the status.`,
          ru: `Возвратов, после которых у магазина ещё есть время запросить статус (${waitText.ru}): ${undecided}.`,
        };
      if (failed > 0)
        return {
          en: `${someOf(failed, judged, 'return', 'returns')} not followed by a status request within ${waitText.en}.`,
          ru: `Возвратов без запроса статуса в течение ${waitText.ru}: ${failed} из ${judged}.`,
        };
      return {
        en: `Every return (${judged}) was followed by a status request within ${waitText.en}.`,
        ru: `После каждого возврата (${judged}) статус запрошен в течение ${waitText.ru}.`,
      };
    });
  },
};
