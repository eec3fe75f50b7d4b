import { REGISTER_LIMITS } from '../../rest/register.js';
import { JOURNAL_VALUE_MAX, type ApiEntry } from '../../traffic.js';
import { countedOutcome, evidenceOf, isApi, quote, REGISTER_METHODS } from '../facts.js';
import { given, keptPart, wasCut } from '../params.js';
import type { Check, Evidence, Text } from '../types.js';

/** description is String[1..598] on modern installs (docs/gateway-reference.md §3.1; the sandbox refuses longer). */
export const MAX_DESCRIPTION = REGISTER_LIMITS.descriptionLength;
/** The strictest banks take at most 99 characters without CR, LF, % or + (advice only). */
export const SAFE_DESCRIPTION = 99;

/** Control characters other than CR and LF (those two are only advice: the strictest banks refuse them). */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
/** 13 to 19 digits in a row, or in groups of four split by spaces or dashes: a card number. */
const CARD_NUMBER = /(?<!\d)(?:\d{13,19}|\d{4}(?:[ -]\d{4}){2}[ -]\d{1,7})(?!\d)/;

/** The problems (fails) and the advice (not fails) for one register call's fields. */
export function fieldFindings(call: ApiEntry): { problems: Text[]; advice: Text[] } {
  const problems: Text[] = [];
  const advice: Text[] = [];

  const language = given(call, 'language');
  if (language !== undefined && !/^[a-z]{2}$/.test(language))
    problems.push({
      en: `language ${quote(language)} is not two lowercase letters (ISO 639-1, e.g. "ru", "en")`,
      ru: `language ${quote(language)} — не две строчные буквы (ISO 639-1, например «ru», «en»)`,
    });

  const description = given(call, 'description');
  if (description !== undefined) {
    const cut = wasCut(description);
    const text = keptPart(description);
    const length = cut ? `more than ${JOURNAL_VALUE_MAX}` : String(text.length);
    const lengthRu = cut ? `больше ${JOURNAL_VALUE_MAX}` : String(text.length);
    if (!cut && text.length > MAX_DESCRIPTION)
      problems.push({
        en: `description is ${text.length} characters long, more than ${MAX_DESCRIPTION}`,
        ru: `description длиной ${text.length} символов, больше ${MAX_DESCRIPTION}`,
      });
    if (CONTROL.test(text))
      problems.push({ en: 'description contains control characters', ru: 'description содержит управляющие символы' });
    if (CARD_NUMBER.test(text))
      problems.push({
        en: 'description contains 13–19 digits in a row: it looks like a card number',
        ru: 'description содержит от 13 до 19 цифр подряд: похоже на номер карты',
      });
    const strict = [
      (cut || text.length > SAFE_DESCRIPTION) && { en: `${length} characters`, ru: `${lengthRu} символов` },
      /[\r\n]/.test(text) && { en: 'CR/LF', ru: 'CR/LF' },
      /[%+]/.test(text) && { en: '% or +', ru: '% или +' },
    ].filter((t): t is Text => typeof t === 'object');
    if (strict.length > 0)
      advice.push({
        en: `description has ${strict.map((t) => t.en).join(', ')}: the strictest banks take at most ${SAFE_DESCRIPTION} characters without CR/LF, % or +`,
        ru: `в description ${strict.map((t) => t.ru).join(', ')}: самые строгие банки принимают не больше ${SAFE_DESCRIPTION} символов без CR/LF, % и +`,
      });
  }

  const timeout = given(call, 'sessionTimeoutSecs');
  if (timeout !== undefined && (!/^\d{1,9}$/.test(timeout) || Number(timeout) < 1))
    problems.push({
      en: `sessionTimeoutSecs ${quote(timeout)} is not a whole number of seconds from 1 to 999999999`,
      ru: `sessionTimeoutSecs ${quote(timeout)} — не целое число секунд от 1 до 999999999`,
    });
  return { problems, advice };
}

/**
 * The optional register fields the gateway validates (docs/gateway-reference.md §3, §3.1): `language` is a two-letter
 * ISO 639-1 code, `description` 1..598 characters without control characters or card data, `sessionTimeoutSecs` an
 * integer of at most 9 digits, at least 1. Every register call is one case. The journal cuts values after 200
 * characters (redactParams, traffic.ts): a cut description is judged on its kept part, its length only as "> 200".
 */
export const registerFieldsValidCheck: Check = {
  id: 'register-fields-valid',
  title: {
    en: 'language, description and sessionTimeoutSecs are valid',
    ru: 'language, description и sessionTimeoutSecs заданы корректно',
  },
  fix: {
    en:
      'Send language as a two-letter lowercase ISO 639-1 code ("ru", "en"); description as 1–598 characters of plain ' +
      'text without control characters and never card data (at most 99 characters without CR/LF, % or + passes the ' +
      'strictest banks); sessionTimeoutSecs as a whole number of seconds, at least 1, at most 9 digits.',
    ru:
      'Передавайте language двухбуквенным кодом ISO 639-1 строчными буквами («ru», «en»); description — обычным ' +
      'текстом от 1 до 598 символов без управляющих символов и без данных карты (не больше 99 символов без CR/LF, % и + ' +
      'пройдут и у самых строгих банков); sessionTimeoutSecs — целым числом секунд, не меньше 1, не больше 9 цифр.',
  },
  run(ctx) {
    const calls = ctx.entries.filter((e) => isApi(e, ...REGISTER_METHODS));
    const failing: Evidence[] = [];
    const advised: Evidence[] = [];
    const passing: Evidence[] = [];
    for (const call of calls) {
      const { problems, advice } = fieldFindings(call);
      const where = `${call.method} #${call.seq}`;
      const all = [...problems, ...advice];
      const what = {
        en: `${where}: ${all.map((t) => t.en).join('; ')}.`,
        ru: `${where}: ${all.map((t) => t.ru).join('; ')}.`,
      };
      if (problems.length > 0) failing.push(evidenceOf(call, what));
      else if (advice.length > 0) advised.push(evidenceOf(call, what));
      else if (passing.length < 3)
        passing.push(evidenceOf(call, { en: `${where}: fields valid.`, ru: `${where}: поля корректны.` }));
    }
    return countedOutcome({
      observed: calls.length,
      failing,
      passing: [...advised, ...passing],
      label: { en: 'Registrations with an invalid field', ru: 'Регистраций с некорректным полем' },
      none: { en: 'No order was registered yet.', ru: 'Ни один заказ ещё не зарегистрирован.' },
    });
  },
};
