import { hasControlChars, REGISTER_LIMITS } from '../../rest/register.js';
import type { ApiEntry } from '../../traffic.js';
import {
  answeredClearly,
  answerText,
  countSummary,
  evidenceOf,
  isApi,
  outcomeOf,
  quote,
  REGISTER_METHODS,
  succeeded,
} from '../facts.js';
import { given } from '../params.js';
import type { Check, Evidence } from '../types.js';

/**
 * A number the gateway could have refused as invalid (errorCode 1 also means that), not as a duplicate: too long or
 * with control characters, as src/rest/register.ts refuses it.
 */
function invalidNumber(number: string): boolean {
  return number.length > REGISTER_LIMITS.orderNumberLength || hasControlChars(number);
}

/**
 * docs/gateway-reference.md §1.4: orderNumber is unique per merchant; registering it again is refused with errorCode 1.
 * A duplicate refusal is a fail when an earlier register of that number had a clear answer (the shop knew the number
 * was used); after an earlier call without an answer (timeout, dropped connection, 5xx) it is the documented way to
 * recover, and the shop then asks for the order by orderNumber. A number registered successfully twice (the sandbox
 * forgets an order some time after it ends; a real gateway never does) is a reuse too.
 */
export const orderNumberUniqueCheck: Check = {
  id: 'order-number-unique',
  title: {
    en: 'Every order gets its own orderNumber',
    ru: 'У каждого заказа свой orderNumber',
  },
  fix: {
    en:
      'Generate a new orderNumber for every registration (e.g. your order id plus an attempt counter) and store it ' +
      'before calling register. Register a number again only after a call that got no answer (timeout, dropped ' +
      'connection, 5xx); on errorCode 1 then, read the order by orderNumber with getOrderStatusExtended instead of ' +
      'registering once more.',
    ru:
      'Создавайте новый orderNumber для каждой регистрации (например, номер заказа и счётчик попыток) и сохраняйте ' +
      'его до вызова register. Повторяйте регистрацию с тем же номером только после вызова, оставшегося без ответа ' +
      '(тайм-аут, обрыв соединения, 5xx); получив после этого errorCode 1, запросите заказ по orderNumber через ' +
      'getOrderStatusExtended, а не регистрируйте его снова.',
  },
  run(ctx) {
    /** Per number: its last register call, the last one answered clearly, the first successful one. */
    const earlier = new Map<string, { last: ApiEntry; clear?: ApiEntry; registered?: ApiEntry }>();
    const failedNumbers = new Set<string>();
    const failing: Evidence[] = [];
    const passing: Evidence[] = [];
    const fail = (call: ApiEntry, number: string, en: string, ru: string) => {
      const again = failedNumbers.has(number);
      failedNumbers.add(number);
      failing.push(
        evidenceOf(call, {
          en: `register #${call.seq}: orderNumber ${quote(number)} ${en}${again ? ' Again: the number looks constant.' : ''}`,
          ru: `register #${call.seq}: orderNumber ${quote(number)} ${ru}${again ? ' Снова: номер, похоже, постоянный.' : ''}`,
        }),
      );
    };

    for (const call of ctx.entries.filter((e) => isApi(e, ...REGISTER_METHODS))) {
      const number = given(call, 'orderNumber');
      if (number === undefined) continue;
      const before = earlier.get(number);
      const clear = before?.clear;
      const registered = before?.registered ?? (succeeded(call) ? call : undefined);
      earlier.set(number, { last: call, clear: answeredClearly(call) ? call : clear, registered });
      const duplicate = answeredClearly(call) && call.answer.errorCode === '1';

      if (duplicate && clear) {
        const answer = answerText(clear);
        fail(
          call,
          number,
          `was refused as a duplicate: register #${clear.seq} had already used it and was answered (${answer.en}).`,
          `отклонён как повторный: его уже использовал register #${clear.seq}, получивший ответ (${answer.ru}).`,
        );
      } else if (duplicate && before) {
        const { last } = before;
        passing.push(
          evidenceOf(call, {
            en: `register #${call.seq}: orderNumber ${quote(number)} retried after register #${last.seq} got no answer: the documented recovery.`,
            ru: `register #${call.seq}: orderNumber ${quote(number)} повторён после register #${last.seq}, оставшегося без ответа: так и следует восстанавливаться.`,
          }),
        );
      } else if (duplicate && !invalidNumber(number)) {
        fail(
          call,
          number,
          'was refused as a duplicate: a number of an older order (before the kept journal) was used again.',
          'отклонён как повторный: снова использован номер более старого заказа (раньше сохранённого журнала).',
        );
      } else if (succeeded(call)) {
        if (registered && registered !== call) {
          fail(
            call,
            number,
            `was registered again after register #${registered.seq}: the sandbox had already forgotten the old order, a real gateway refuses the number.`,
            `зарегистрирован повторно после register #${registered.seq}: песочница уже забыла старый заказ, настоящий шлюз такой номер отклонит.`,
          );
        } else if (passing.length < 3) {
          passing.push(
            evidenceOf(call, {
              en: `register #${call.seq}: new orderNumber ${quote(number)}.`,
              ru: `register #${call.seq}: новый orderNumber ${quote(number)}.`,
            }),
          );
        }
      }
    }

    const observed = earlier.size;
    const failed = failedNumbers.size;
    return outcomeOf({
      observed,
      failed,
      failing,
      passing,
      summary: countSummary(
        failed,
        observed,
        {
          en: 'Order numbers registered again after a clear answer',
          ru: 'Номеров заказа, повторно зарегистрированных после ясного ответа',
        },
        { en: 'No order was registered yet.', ru: 'Ни один заказ ещё не зарегистрирован.' },
      ),
    });
  },
};
