import {
  type Case,
  duration,
  evidenceOf,
  isApi,
  isReturn,
  orderResolver,
  outcomeOfCases,
  seqs,
  someOf,
  statusCallsByOrder,
  statusFollowUp,
} from '../facts.js';
import type { Check } from '../types.js';

/** Calls that treat an order as paid: capturing or refunding it. */
const AS_PAID = ['deposit', 'refund'];

/**
 * The probe (DESIGN17 "Probes"): a declined order whose buyer was sent back with success-looking parameters. The
 * shop must ask the status within statusWaitMs and never deposit or refund that order.
 */
export const decisionFollowsStatusCheck: Check = {
  id: 'decision-follows-status',
  title: {
    en: 'The decision follows the status, not the return URL',
    ru: 'Решение принимается по статусу заказа, а не по параметрам возврата',
  },
  fix: {
    en: 'Never mark an order paid because of the return URL: its parameters can say anything. Call getOrderStatusExtended.do and treat the order as paid only with orderStatus 2 (or 1, held); deposit only then. To run the probe: “Arm the probes” on the report card, or POST /sandbox/test/merchants/<login>/probes, then make a purchase that is declined.',
    ru: 'Не считайте заказ оплаченным по URL возврата: в его параметрах может быть что угодно. Вызовите getOrderStatusExtended.do и считайте заказ оплаченным только при orderStatus 2 (или 1 — сумма захолдирована); списание — только после этого. Чтобы запустить проверку: «Включить зонды» на странице оценки или POST /sandbox/test/merchants/<login>/probes, затем покупка, которая будет отклонена.',
  },
  run(ctx) {
    const wait = ctx.settings.statusWaitMs;
    const waitText = duration(wait);
    const calls = statusCallsByOrder(ctx);
    const orderOf = orderResolver(ctx);
    const cases: Case[] = [];
    for (const probe of ctx.entries.filter(isReturn)) {
      if (probe.probe !== 'success-looking-return') continue;
      const asPaid = ctx.entries.find((e) => e.seq > probe.seq && isApi(e, ...AS_PAID) && orderOf(e) === probe.orderId);
      if (asPaid?.kind === 'api') {
        cases.push({
          verdict: 'fail',
          evidence: [
            evidenceOf(asPaid, {
              en: `${asPaid.method}.do on the declined order the probe sent back with success-looking parameters (${seqs(probe.seq).en}): the shop treated it as paid`,
              ru: `${asPaid.method}.do по отклонённому заказу, с которым проверка вернула покупателя с «успешными» параметрами (${seqs(probe.seq).ru}): магазин счёл его оплаченным`,
            }),
          ],
        });
        continue;
      }
      const next = statusFollowUp(ctx, calls.get(probe.orderId), { afterSeq: probe.seq, from: probe.at, at: probe.at });
      if (next.verdict === 'pass') {
        const { call } = next;
        cases.push({
          verdict: 'pass',
          evidence: [
            evidenceOf(call, {
              en: `Status asked ${duration(call.at - probe.at).en} after the probe's success-looking return (${seqs(probe.seq).en}), and the declined order was not treated as paid`,
              ru: `Статус запрошен через ${duration(call.at - probe.at).ru} после возврата с «успешными» параметрами (${seqs(probe.seq).ru}), отклонённый заказ не принят за оплаченный`,
            }),
          ],
        });
        continue;
      }
      if (next.verdict === 'undecided') {
        cases.push({
          verdict: 'undecided',
          evidence: [
            evidenceOf(probe, {
              en: `The probe sent the buyer of a declined order back with success-looking parameters; no status request yet (the shop has ${waitText.en})`,
              ru: `Проверка вернула покупателя отклонённого заказа с «успешными» параметрами; статус ещё не запрошен (у магазина ${waitText.ru})`,
            }),
          ],
        });
        continue;
      }
      const { late } = next;
      cases.push({
        verdict: 'fail',
        evidence: [
          evidenceOf(probe, {
            en: late
              ? `After the probe's success-looking return of a declined order, the status was asked only ${duration(late.at - probe.at).en} later (${seqs(late.seq).en})`
              : `After the probe's success-looking return of a declined order, no status request within ${waitText.en}: the shop decided from the return URL`,
            ru: late
              ? `После возврата отклонённого заказа с «успешными» параметрами статус запрошен лишь через ${duration(late.at - probe.at).ru} (${seqs(late.seq).ru})`
              : `После возврата отклонённого заказа с «успешными» параметрами статус не запрошен в течение ${waitText.ru}: магазин решил по URL возврата`,
          }),
        ],
      });
    }
    return outcomeOfCases(cases, ({ judged, failed, undecided }) => {
      if (judged === 0 && undecided === 0)
        return {
          en: `The probe has not run yet: press “Arm the probes” on the report card, or POST /sandbox/test/merchants/${ctx.merchant}/probes, then make a purchase that is declined.`,
          ru: `Проверка ещё не проводилась: нажмите «Включить зонды» на странице оценки или отправьте POST /sandbox/test/merchants/${ctx.merchant}/probes, затем сделайте покупку, которая будет отклонена.`,
        };
      if (judged === 0)
        return {
          en: `The probe's return is less than ${waitText.en} old and no status request has been made yet.`,
          ru: `С возврата проверки прошло меньше ${waitText.ru}, статус пока не запрошен.`,
        };
      if (failed > 0)
        return {
          en: `${someOf(failed, judged, 'probe return', 'probe returns')} not judged by the order's status (no status request in time, or the declined order treated as paid): the shop trusts the return URL.`,
          ru: `Возвратов проверки, после которых магазин не решал по статусу (не запросил его вовремя или принял отклонённый заказ за оплаченный): ${failed} из ${judged}. Магазин доверяет URL возврата.`,
        };
      return {
        en: `After ${judged === 1 ? 'the probe return' : `each of ${judged} probe returns`} the shop asked the status and did not treat the declined order as paid.`,
        ru: `После ${judged === 1 ? 'возврата проверки' : `каждого из возвратов проверки (${judged})`} магазин запросил статус и не принял отклонённый заказ за оплаченный.`,
      };
    });
  },
};
