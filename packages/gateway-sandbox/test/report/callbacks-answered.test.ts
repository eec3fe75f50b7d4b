import { describe, expect, it } from '@jest/globals';
import { callbacksAnsweredCheck } from '../../src/report/checks/callbacks-answered.js';
import type { CallbackEntry } from '../../src/traffic.js';
import { brief, runCheck } from './check-run.js';
import { api, callback, journal, page } from './entries.js';

const registered = api(0, 'register', { orderNumber: 'N1' }, { orderId: 'o1' });
const paid = page(10, 'o1', 'card-submitted', { outcome: 'approved', orderStatus: 2 });
const status = (s: number) => api(s, 'getOrderStatusExtended', { orderId: 'o1' }, { orderStatus: 2 });
const deposited = (s: number, http: number | undefined, extra: Parameters<typeof callback>[4] = {}) =>
  callback(s, 'o1', 'deposited', http, extra);

describe('callbacks-answered', () => {
  it.each([
    ['no order at all', [], 100, { verdict: 'not-observed', observed: 0, failed: 0, seqs: [] }],
    [
      'orders but no callback ever sent',
      [registered, paid],
      100,
      { verdict: 'not-observed', observed: 0, failed: 0, seqs: [] },
    ],
    [
      'answered 200, status asked after',
      [registered, paid, deposited(11, 200), status(12)],
      100,
      { verdict: 'pass', observed: 1, failed: 0, seqs: [3] },
    ],
    [
      'status asked inside the handler (recorded before the callback)',
      [registered, paid, status(11), deposited(11, 200)],
      100,
      { verdict: 'pass', observed: 1, failed: 0, seqs: [4] },
    ],
    [
      'a status call before the payment does not count',
      [registered, status(5), paid, deposited(11, 200)],
      100,
      { verdict: 'fail', observed: 1, failed: 1, seqs: [4] },
    ],
    [
      'any 2xx is an answer',
      [registered, paid, deposited(11, 204), status(12)],
      100,
      { verdict: 'pass', observed: 1, failed: 0, seqs: [3] },
    ],
    [
      'retried, then 200: fine',
      [registered, paid, deposited(11, 500), deposited(12, 200, { attempt: 2 }), status(13)],
      100,
      { verdict: 'pass', observed: 1, failed: 0, seqs: [4] },
    ],
    [
      'retries gave up',
      [registered, paid, deposited(11, 500), deposited(12, 500, { attempt: 2, gaveUp: true }), status(13)],
      100,
      { verdict: 'fail', observed: 1, failed: 1, seqs: [4] },
    ],
    [
      'network errors until the sandbox gave up',
      [registered, paid, deposited(11, undefined, { gaveUp: true })],
      100,
      { verdict: 'fail', observed: 1, failed: 1, seqs: [3] },
    ],
    [
      'no 2xx, still retrying within the wait',
      [registered, paid, deposited(11, 500)],
      71,
      { verdict: 'not-observed', observed: 0, failed: 0, seqs: [3] },
    ],
    [
      'no 2xx, no retry since the wait',
      [registered, paid, deposited(11, 500)],
      72,
      { verdict: 'fail', observed: 1, failed: 1, seqs: [3] },
    ],
    [
      'answered, status asked at the end of the wait',
      [registered, paid, deposited(11, 200), status(71)],
      100,
      { verdict: 'pass', observed: 1, failed: 0, seqs: [3] },
    ],
    [
      'answered, status asked too late',
      [registered, paid, deposited(11, 200), status(72)],
      100,
      { verdict: 'fail', observed: 1, failed: 1, seqs: [3] },
    ],
    [
      'answered, no status yet within the wait',
      [registered, paid, deposited(11, 200)],
      71,
      { verdict: 'not-observed', observed: 0, failed: 0, seqs: [3] },
    ],
    [
      'probe callbacks are not judged here',
      [registered, paid, deposited(11, 200, { probe: 'forged' })],
      100,
      { verdict: 'not-observed', observed: 0, failed: 0, seqs: [] },
    ],
    [
      'a duplicated copy is judged on its own',
      [registered, paid, deposited(11, 200), deposited(11, 500, { copy: 2, gaveUp: true }), status(12)],
      100,
      { verdict: 'fail', observed: 2, failed: 1, seqs: [4, 3] },
    ],
  ] as const)('%s', (_name, drafts, now, expected) => {
    expect(brief(runCheck(callbacksAnsweredCheck, journal(...drafts), now))).toEqual(expected);
  });

  it('tells a merchant without callbacks to set up a callback URL', () => {
    const result = runCheck(callbacksAnsweredCheck, journal(registered, paid), 100);
    expect(result.summary.en).toContain('set up a callback URL');
    expect(result.summary.ru).toContain('настройте URL для уведомлений');
    expect(result.fix.en).toMatch(/^Set up a callback URL/);
  });

  it('says when callbacks were not sent at all (a lost fault)', () => {
    const [, , sent] = journal(registered, paid, deposited(11, undefined));
    const lost: CallbackEntry = { ...(sent as CallbackEntry), attempt: 0, outcome: { kind: 'lost' } };
    const result = runCheck(callbacksAnsweredCheck, [...journal(registered, paid), lost], 100);
    expect(result.verdict).toBe('not-observed');
    expect(result.summary.en).toMatch(/^1 callback was not sent/);
  });

  it('explains a failed delivery in both languages', () => {
    const result = runCheck(
      callbacksAnsweredCheck,
      journal(registered, paid, deposited(11, 500), deposited(12, 503, { attempt: 2, gaveUp: true })),
      100,
    );
    expect(result.evidence[0]?.what).toEqual({
      en: 'Callback "deposited" never answered 2xx (2 attempts, last answer HTTP 503); the sandbox gave up',
      ru: 'На уведомление «deposited» так и не было ответа 2xx (попыток: 2, последний ответ — HTTP 503); песочница прекратила попытки',
    });
    expect(result.summary.en).toBe(
      '1 of 1 callback was not answered 2xx, or not followed by a status request within 1 min.',
    );
  });
});
