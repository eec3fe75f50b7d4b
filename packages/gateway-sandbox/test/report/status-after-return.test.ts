import { describe, expect, it } from '@jest/globals';
import { statusAfterReturnCheck } from '../../src/report/checks/status-after-return.js';
import { brief, runCheck } from './check-run.js';
import { api, journal, page } from './entries.js';

const registered = api(0, 'register', { orderNumber: 'N1' }, { orderId: 'o1' });
const back = (s: number, extra: Parameters<typeof page>[3] = {}) =>
  page(s, 'o1', 'card-submitted', {
    outcome: 'approved',
    orderStatus: 2,
    sentTo: 'https://shop/ok?orderId=o1',
    ...extra,
  });
const status = (s: number, params: Record<string, string> = { orderId: 'o1' }) =>
  api(s, 'getOrderStatusExtended', params, { orderStatus: 2 });

describe('status-after-return', () => {
  it.each([
    ['no return yet', [registered], 100, { verdict: 'not-observed', observed: 0, failed: 0, seqs: [] }],
    [
      'status asked after the return',
      [registered, back(10), status(12)],
      100,
      { verdict: 'pass', observed: 1, failed: 0, seqs: [3] },
    ],
    [
      'the legacy getOrderStatus counts',
      [registered, back(10), api(11, 'getOrderStatus', { orderId: 'o1' })],
      100,
      { verdict: 'pass', observed: 1, failed: 0, seqs: [3] },
    ],
    [
      'by orderNumber counts too',
      [registered, back(10), status(11, { orderNumber: 'N1' })],
      100,
      { verdict: 'pass', observed: 1, failed: 0, seqs: [3] },
    ],
    [
      'asked exactly at the end of the wait',
      [registered, back(10), status(70)],
      100,
      { verdict: 'pass', observed: 1, failed: 0, seqs: [3] },
    ],
    [
      'asked 1 s too late',
      [registered, back(10), status(71)],
      100,
      { verdict: 'fail', observed: 1, failed: 1, seqs: [2] },
    ],
    ['never asked, wait over', [registered, back(10)], 71, { verdict: 'fail', observed: 1, failed: 1, seqs: [2] }],
    [
      'never asked, wait ends right now: undecided',
      [registered, back(10)],
      70,
      { verdict: 'not-observed', observed: 0, failed: 0, seqs: [2] },
    ],
    [
      'a status call before the return does not count',
      [registered, status(5), back(10)],
      100,
      { verdict: 'fail', observed: 1, failed: 1, seqs: [3] },
    ],
    [
      'a call for another order does not count',
      [registered, back(10), api(11, 'getOrderStatusExtended', { orderId: 'o2' })],
      100,
      { verdict: 'fail', observed: 1, failed: 1, seqs: [2] },
    ],
    [
      'a step without sentTo is no return',
      [registered, page(10, 'o1', 'shown')],
      100,
      { verdict: 'not-observed', observed: 0, failed: 0, seqs: [] },
    ],
    [
      'failing first, undecided next, then passing',
      [registered, back(10), status(11), back(20), back(95)],
      100,
      { verdict: 'fail', observed: 2, failed: 1, seqs: [4, 5, 3] },
    ],
  ] as const)('%s', (_name, drafts, now, expected) => {
    expect(brief(runCheck(statusAfterReturnCheck, journal(...drafts), now))).toEqual(expected);
  });

  it('follows settings.statusWaitMs', () => {
    const entries = journal(registered, back(10), status(15));
    expect(runCheck(statusAfterReturnCheck, entries, 100, { statusWaitMs: 4_000 }).verdict).toBe('fail');
    expect(runCheck(statusAfterReturnCheck, entries, 100, { statusWaitMs: 5_000 }).verdict).toBe('pass');
  });

  it('says what failed in both languages, and how to follow a test helper’s return', () => {
    const result = runCheck(
      statusAfterReturnCheck,
      journal(registered, back(10, { via: 'test-helper' }), back(100), status(101)),
      200,
    );
    expect(result.summary).toEqual({
      en: '1 of 2 returns was not followed by a status request within 1 min.',
      ru: 'Возвратов без запроса статуса в течение 1 мин: 1 из 2.',
    });
    expect(result.evidence[0]?.what.en).toBe(
      'Status asked only 91 s after the return (entry #4), later than 1 min (a test helper sent the buyer back: open its sentTo URL as the browser would)',
    );
    expect(result.evidence[0]?.orderId).toBe('o1');
    expect(result.evidence[1]?.what.ru).toBe('Статус запрошен через 1 с после возврата (запись №3)');
  });
});
