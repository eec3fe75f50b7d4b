import type { CallbackEntry } from '../../traffic.js';
import {
  type Case,
  count,
  deliveries,
  duration,
  evidenceOf,
  isApi,
  orderResolver,
  outcomeOfCases,
  seqs,
  someOf,
} from '../facts.js';
import type { Check, Text } from '../types.js';

/** Calls that change an order's state: what a shop fooled by a forged callback would do next. */
const STATE_CHANGING = ['deposit', 'refund', 'reverse'];

/** How evidence names a probe callback, and the same after "after the accepted …" (genitive in Russian). */
const KIND: Record<NonNullable<CallbackEntry['probe']>, { name: Text; after: Text }> = {
  forged: {
    name: { en: 'Forged callback (wrong checksum)', ru: 'Поддельное уведомление (неверная контрольная сумма)' },
    after: { en: 'forged callback', ru: 'поддельного уведомления' },
  },
  unsigned: {
    name: { en: 'Unsigned callback (no checksum)', ru: 'Неподписанное уведомление (без контрольной суммы)' },
    after: { en: 'unsigned callback', ru: 'неподписанного уведомления' },
  },
};

/**
 * The forged-callbacks probe (DESIGN17 "Probes"): a forged and an unsigned copy of a genuine callback must be answered
 * with anything but 2xx (4xx is the right answer). A copy that got no answer at all (network error) is not judged.
 */
export const forgedCallbacksRefusedCheck: Check = {
  id: 'forged-callbacks-refused',
  title: {
    en: 'Forged and unsigned callbacks refused',
    ru: 'Поддельные и неподписанные уведомления отклоняются',
  },
  fix: {
    en: 'Check every callback\'s checksum (HMAC-SHA256 of the sorted "name;value;" pairs with the callback key, compared in constant time) and answer a missing or wrong one with 403, changing nothing; act only on getOrderStatusExtended.do. To run the probe: “Arm the probes” on the report card, or POST /sandbox/test/merchants/<login>/probes with {"probes": ["forged-callbacks"]}, then pay an order so a genuine callback goes out.',
    ru: 'Проверяйте контрольную сумму каждого уведомления (HMAC-SHA256 от отсортированных пар «имя;значение;» с ключом уведомлений, сравнение за постоянное время); на отсутствующую или неверную отвечайте 403 и ничего не меняйте; действуйте только по getOrderStatusExtended.do. Чтобы запустить проверку: «Включить зонды» на странице оценки или POST /sandbox/test/merchants/<login>/probes с {"probes": ["forged-callbacks"]}, затем оплатите заказ, чтобы ушло подлинное уведомление.',
  },
  run(ctx) {
    const orderOf = orderResolver(ctx);
    const cases: Case[] = [];
    let unanswered = 0;
    // docs/gateway-reference.md §6.2: a merchant without a callback key gets unsigned genuine callbacks, so its shop
    // cannot tell a forged or unsigned one apart: such probe copies are not judged.
    let keyless = 0;
    const unsignedGenuine = new Set(
      ctx.entries.flatMap((e) => (e.kind === 'callback' && e.probe === undefined && !e.signed ? [e.orderId] : [])),
    );
    for (const d of deliveries(ctx.entries, (e) => e.probe !== undefined)) {
      const first = d.attempts[0] as CallbackEntry;
      if (unsignedGenuine.has(d.orderId)) {
        keyless += 1;
        continue;
      }
      const { name: kind, after } = KIND[first.probe ?? 'forged'];
      const accepted = d.answered;
      if (accepted) {
        const evidence = [
          evidenceOf(accepted, {
            en: `${kind.en}, operation ${accepted.operation}, answered ${accepted.httpStatus}: accepted`,
            ru: `${kind.ru}, операция ${accepted.operation}: ответ ${accepted.httpStatus}, уведомление принято`,
          }),
        ];
        const acted = ctx.entries.find(
          (e) =>
            e.seq > accepted.seq &&
            e.at <= accepted.at + ctx.settings.statusWaitMs &&
            isApi(e, ...STATE_CHANGING) &&
            orderOf(e) === d.orderId,
        );
        if (acted?.kind === 'api')
          evidence.push(
            evidenceOf(acted, {
              en: `${acted.method}.do on the order ${duration(acted.at - accepted.at).en} after the accepted ${after.en} (${seqs(accepted.seq).en})`,
              ru: `${acted.method}.do по заказу через ${duration(acted.at - accepted.at).ru} после принятого ${after.ru} (${seqs(accepted.seq).ru})`,
            }),
          );
        cases.push({ verdict: 'fail', evidence });
        continue;
      }
      const refused = d.attempts.find((e) => e.httpStatus !== undefined);
      if (!refused) {
        unanswered += 1;
        continue;
      }
      const status = refused.httpStatus ?? 0;
      const expected = status >= 400 && status < 500;
      cases.push({
        verdict: 'pass',
        evidence: [
          evidenceOf(refused, {
            en: `${kind.en}, operation ${refused.operation}, refused with ${status}${expected ? '' : ' (4xx, e.g. 403, is the expected answer)'}`,
            ru: `${kind.ru}, операция ${refused.operation}, отклонено с ответом ${status}${expected ? '' : ' (ожидается 4xx, например 403)'}`,
          }),
        ],
      });
    }
    const noAnswer: Text =
      unanswered > 0
        ? {
            en: ` ${count(unanswered, 'probe callback', 'probe callbacks')} got no answer (network error) and ${unanswered === 1 ? 'is' : 'are'} not judged.`,
            ru: ` Уведомлений проверки без ответа (сетевая ошибка), они не оцениваются: ${unanswered}.`,
          }
        : { en: '', ru: '' };
    return outcomeOfCases(cases, ({ judged, failed }) => {
      if (judged === 0 && keyless > 0)
        return {
          en: `The merchant has no callback key: its genuine callbacks are unsigned, so ${count(keyless, 'probe callback', 'probe callbacks')} could not be told apart from them and ${keyless === 1 ? 'is' : 'are'} not judged. Configure a callback key (the gateway then signs every callback with a checksum), check it in the shop, and run the probe again.${noAnswer.en}`,
          ru: `У магазина нет ключа для уведомлений: подлинные уведомления не подписаны, поэтому уведомления проверки от них не отличить, они не оцениваются: ${keyless}. Настройте ключ (тогда шлюз подписывает каждое уведомление контрольной суммой), проверяйте его в магазине и запустите проверку снова.${noAnswer.ru}`,
        };
      if (judged === 0)
        return {
          en: `The probe has not run yet: press “Arm the probes” on the report card, or POST /sandbox/test/merchants/${ctx.merchant}/probes (body {"probes": ["forged-callbacks"]}), then pay an order so a genuine callback goes out.${noAnswer.en}`,
          ru: `Проверка ещё не проводилась: нажмите «Включить зонды» на странице оценки или отправьте POST /sandbox/test/merchants/${ctx.merchant}/probes (тело {"probes": ["forged-callbacks"]}), затем оплатите заказ, чтобы ушло подлинное уведомление.${noAnswer.ru}`,
        };
      if (failed > 0)
        return {
          en: `${someOf(failed, judged, 'forged or unsigned callback', 'forged or unsigned callbacks')} answered 2xx: the shop does not check the checksum.${noAnswer.en}`,
          ru: `Поддельных или неподписанных уведомлений, на которые магазин ответил 2xx: ${failed} из ${judged}. Магазин не проверяет контрольную сумму.${noAnswer.ru}`,
        };
      return {
        en: `Every forged or unsigned callback (${judged}) was refused.${noAnswer.en}`,
        ru: `Все поддельные и неподписанные уведомления (${judged}) отклонены.${noAnswer.ru}`,
      };
    });
  },
};
