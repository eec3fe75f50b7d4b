import { countedOutcome, evidenceOf, quote, REGISTER_METHODS } from '../facts.js';
import { followMoney, given, leftToRefund, minorUnits } from '../params.js';
import type { Check, Evidence, Text } from '../types.js';

const AMOUNT_METHODS: readonly string[] = [...REGISTER_METHODS, 'deposit', 'refund', 'reverse'];

/** Why an amount is not whole minor units, or undefined when it is (digits only, docs/gateway-reference.md §3). */
export function amountProblem(raw: string): Text | undefined {
  if (/^\d+$/.test(raw)) return undefined;
  const v = quote(raw);
  if (/^\d{1,3}(,\d{3})+$/.test(raw))
    return {
      en: `${v} has a thousands separator; send digits only.`,
      ru: `${v} содержит разделитель разрядов; передавайте только цифры.`,
    };
  const decimal = /^(\d+)[.,](\d+)$/.exec(raw);
  if (decimal) {
    const [, whole = '', fraction = ''] = decimal;
    if (/^0+$/.test(fraction))
      return {
        en: `${v} is a whole number written with a decimal part (a float printed as text); send digits only.`,
        ru: `${v} — целое число с дробной частью (число с плавающей точкой, выведенное как текст); передавайте только цифры.`,
      };
    if (fraction.length <= 2) {
      const minor = String(Number(whole + fraction.padEnd(2, '0')));
      return {
        en: `${v} is a decimal in major units; the API takes whole minor units ("${minor}" for this value).`,
        ru: `${v} — дробная сумма в основных единицах; API принимает целые минорные единицы («${minor}» для этой суммы).`,
      };
    }
    return {
      en: `${v} is the classic float bug: a price kept as a float multiplied by 100 (amount * 100).`,
      ru: `${v} — классическая ошибка float: цена хранится числом с плавающей точкой и умножается на 100 (amount * 100).`,
    };
  }
  if (/^[-+]?\d*\.?\d+e[-+]?\d+$/i.test(raw))
    return {
      en: `${v} is a float in exponent notation; send whole minor units as digits.`,
      ru: `${v} — число с плавающей точкой в экспоненциальной записи; передавайте целые минорные единицы цифрами.`,
    };
  if (raw.startsWith('-'))
    return {
      en: `${v} is negative; amounts are positive whole minor units.`,
      ru: `${v} — отрицательная сумма; суммы — целые положительные минорные единицы.`,
    };
  if (/\s/.test(raw))
    return { en: `${v} contains spaces; send digits only.`, ru: `${v} содержит пробелы; передавайте только цифры.` };
  return {
    en: `${v} is not a whole number of minor units (digits only).`,
    ru: `${v} — не целое число минорных единиц (только цифры).`,
  };
}

/**
 * docs/gateway-reference.md §3: amounts are integers in minor units. §3.4: a deposit never captures more than the
 * hold (the registered amount). §3.6: refunds together stay within the deposited amount. Every REST call that gives
 * an `amount` is one case, refused ones included (a register refused for a decimal amount shows the bug as well).
 */
export const amountsMinorUnitsCheck: Check = {
  id: 'amounts-minor-units',
  title: {
    en: 'Amounts are whole minor units and stay within the order',
    ru: 'Суммы — целые минорные единицы и не выходят за сумму заказа',
  },
  fix: {
    en:
      'Compute amounts in integer minor units (cents, kopecks) and send them as digits: 19.99 is "1999". ' +
      'Math.round is not a fix for prices kept as floats: keep prices in minor units from the catalogue on. ' +
      'Deposit at most the registered amount (0 captures the whole hold) and refund at most what was deposited ' +
      'minus earlier refunds.',
    ru:
      'Считайте суммы в целых минорных единицах (копейках, центах) и передавайте их цифрами: 19,99 — это «1999». ' +
      'Math.round не исправляет цены, хранящиеся как float: храните цены в минорных единицах с самого каталога. ' +
      'Списывайте не больше зарегистрированной суммы (0 списывает весь холд) и возвращайте не больше списанного ' +
      'за вычетом прежних возвратов.',
  },
  run(ctx) {
    let observed = 0;
    const failing: Evidence[] = [];
    const passing: Evidence[] = [];
    followMoney(ctx.entries, (call, money) => {
      if (!AMOUNT_METHODS.includes(call.method)) return;
      const raw = given(call, 'amount');
      if (raw === undefined) return;
      observed += 1;
      const where = `${call.method} #${call.seq}`;
      const problem = amountProblem(raw);
      if (problem) {
        failing.push(evidenceOf(call, { en: `${where}: amount ${problem.en}`, ru: `${where}: сумма ${problem.ru}` }));
        return;
      }
      const amount = minorUnits(raw) ?? 0;
      if (call.method === 'deposit' && money && amount > money.registered) {
        failing.push(
          evidenceOf(call, {
            en: `${where}: deposit of ${amount} is above the ${money.registered} registered by register #${money.registerSeq}.`,
            ru: `${where}: списание ${amount} больше суммы ${money.registered}, зарегистрированной register #${money.registerSeq}.`,
          }),
        );
        return;
      }
      const left = leftToRefund(money);
      const id = given(call, 'externalRefundId');
      const repeatedId = id !== undefined && money?.refundIds.has(id) === true;
      if (call.method === 'refund' && money && left !== undefined && amount > left && !repeatedId) {
        const captured =
          money.depositSeq !== undefined
            ? { en: `deposit #${money.depositSeq}`, ru: `deposit #${money.depositSeq}` }
            : {
                en: `register #${money.registerSeq} (one phase)`,
                ru: `register #${money.registerSeq} (одностадийный)`,
              };
        failing.push(
          evidenceOf(call, {
            en: `${where}: refund of ${amount} is above what is left (${left}): ${money.deposited ?? 0} captured by ${captured.en}, ${money.refunded} already refunded.`,
            ru: `${where}: возврат ${amount} больше остатка (${left}): списано ${money.deposited ?? 0} по ${captured.ru}, уже возвращено ${money.refunded}.`,
          }),
        );
        return;
      }
      passing.push(
        evidenceOf(call, {
          en: `${where}: amount ${amount}: whole minor units.`,
          ru: `${where}: сумма ${amount}: целые минорные единицы.`,
        }),
      );
    });
    return countedOutcome({
      observed,
      failing,
      passing,
      label: {
        en: 'Amounts not in whole minor units or above the order',
        ru: 'Сумм не в целых минорных единицах или сверх заказа',
      },
      none: { en: 'No call with an amount yet.', ru: 'Вызовов с суммой ещё не было.' },
    });
  },
};
