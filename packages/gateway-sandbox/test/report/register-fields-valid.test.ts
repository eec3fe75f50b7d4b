import { describe, expect, it } from '@jest/globals';
import { registerFieldsValidCheck } from '../../src/report/checks/register-fields-valid.js';
import type { TrafficEntry } from '../../src/traffic.js';
import { runCheck } from './check-run.js';
import { api, journal } from './entries.js';

const reg = (s: number, fields: Record<string, string> = {}) =>
  api(
    s,
    'register',
    { orderNumber: `N${s}`, amount: '100', returnUrl: 'https://shop.example/r', ...fields },
    { orderId: `o${s}` },
  );
/** As the journal keeps a value longer than 200 characters (redactParams). */
const cut = (value: string) => `${value.slice(0, 200)}…`;

function run(entries: TrafficEntry[]) {
  return runCheck(registerFieldsValidCheck, entries, 1000);
}

const one = (fields: Record<string, string>) => journal(reg(1, fields));

describe('register-fields-valid', () => {
  it.each([
    ['no register call', journal(api(1, 'getOrderStatusExtended', { orderId: 'o1' })), 'not-observed', 0, 0],
    ['a register without the fields', journal(reg(1)), 'pass', 1, 0],
    ['registerPreAuth counts', journal(api(1, 'registerPreAuth', { language: 'RU' })), 'fail', 1, 1],
    ['language ru', one({ language: 'ru' }), 'pass', 1, 0],
    ['language RU (upper case)', one({ language: 'RU' }), 'fail', 1, 1],
    ['language rus (three letters)', one({ language: 'rus' }), 'fail', 1, 1],
    ['language ru-RU (a locale)', one({ language: 'ru-RU' }), 'fail', 1, 1],
    ['an empty language counts as absent', one({ language: '' }), 'pass', 1, 0],
    ['description of 1 character', one({ description: 'x' }), 'pass', 1, 0],
    ['description of 598 characters', one({ description: 'x'.repeat(598) }), 'pass', 1, 0],
    ['description of 599 characters', one({ description: 'x'.repeat(599) }), 'fail', 1, 1],
    [
      'description cut by the journal (length unknown above 200)',
      one({ description: cut('x'.repeat(700)) }),
      'pass',
      1,
      0,
    ],
    ['description with CR/LF, % and + (advice only)', one({ description: 'Order 42\r\n50% off + gift' }), 'pass', 1, 0],
    ['description with a tab', one({ description: 'Order\t42' }), 'fail', 1, 1],
    ['description with NUL', one({ description: 'Order\u000042' }), 'fail', 1, 1],
    ['description with a card number', one({ description: 'Paid with 4111111111111111' }), 'fail', 1, 1],
    ['description with a spaced card number', one({ description: 'card 4111 1111 1111 1111' }), 'fail', 1, 1],
    ['description with 13 digits', one({ description: 'ref 1234567890123' }), 'fail', 1, 1],
    ['description with 12 digits', one({ description: 'ref 123456789012' }), 'pass', 1, 0],
    ['description with 20 digits', one({ description: 'ref 12345678901234567890' }), 'pass', 1, 0],
    [
      'card data in the kept part of a cut description',
      one({ description: cut(`4111111111111111 ${'x'.repeat(300)}`) }),
      'fail',
      1,
      1,
    ],
    ['sessionTimeoutSecs 1', one({ sessionTimeoutSecs: '1' }), 'pass', 1, 0],
    ['sessionTimeoutSecs 999999999', one({ sessionTimeoutSecs: '999999999' }), 'pass', 1, 0],
    ['sessionTimeoutSecs 0', one({ sessionTimeoutSecs: '0' }), 'fail', 1, 1],
    ['sessionTimeoutSecs of 10 digits', one({ sessionTimeoutSecs: '1000000000' }), 'fail', 1, 1],
    ['sessionTimeoutSecs 1200.5', one({ sessionTimeoutSecs: '1200.5' }), 'fail', 1, 1],
    ['sessionTimeoutSecs -1', one({ sessionTimeoutSecs: '-1' }), 'fail', 1, 1],
    ['counts registrations', journal(reg(1), reg(2, { language: 'EN' }), reg(3, { language: 'en' })), 'fail', 3, 1],
  ] as const)('%s', (_name, entries, verdict, observed, failed) => {
    const outcome = run([...entries]);
    expect([outcome.verdict, outcome.observed, outcome.failed]).toEqual([verdict, observed, failed]);
  });

  it('lists every problem of a call, failing calls first, then the advice', () => {
    const outcome = run(
      journal(
        reg(1, { description: 'x'.repeat(120) }),
        reg(2, { language: 'RU', sessionTimeoutSecs: '0', description: 'card 4111111111111111' }),
      ),
    );
    expect(outcome.evidence.map((e) => e.seq)).toEqual([2, 1]);
    expect(outcome.evidence[0]?.what.en).toBe(
      'register #2: language "RU" is not two lowercase letters (ISO 639-1, e.g. "ru", "en"); description contains ' +
        '13–19 digits in a row: it looks like a card number; sessionTimeoutSecs "0" is not a whole number of seconds ' +
        'from 1 to 999999999.',
    );
    expect(outcome.evidence[1]?.what).toEqual({
      en: 'register #1: description has 120 characters: the strictest banks take at most 99 characters without CR/LF, % or +.',
      ru: 'register #1: в description 120 символов: самые строгие банки принимают не больше 99 символов без CR/LF, % и +.',
    });
    expect(outcome.summary).toEqual({
      en: 'Registrations with an invalid field: 1 of 2.',
      ru: 'Регистраций с некорректным полем: 1 из 2.',
    });
  });

  it('says a cut description is longer than 200', () => {
    const outcome = run(one({ description: cut('x'.repeat(700)) }));
    expect(outcome.evidence[0]?.what.en).toContain('description has more than 200 characters');
  });
});
