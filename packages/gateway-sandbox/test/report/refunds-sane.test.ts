import { describe, expect, it } from '@jest/globals';
import { refundsSaneCheck } from '../../src/report/checks/refunds-sane.js';
import type { TrafficEntry } from '../../src/traffic.js';
import { runCheck } from './check-run.js';
import { api, journal } from './entries.js';

const paid = (s: number, amount = '5000') =>
  api(s, 'register', { orderNumber: `N${s}`, amount, returnUrl: 'https://shop.example/r' }, { orderId: 'o1' });
const refund = (s: number, amount: string | undefined, answer = {}, externalRefundId?: string) =>
  api(
    s,
    'refund',
    {
      orderId: 'o1',
      ...(amount !== undefined && { amount }),
      ...(externalRefundId !== undefined && { externalRefundId }),
    },
    answer,
  );
const exceeds = { errorCode: '7', errorMessage: 'Refund amount exceeds the deposited amount' };
const exceedsRu = { errorCode: '7', errorMessage: 'Сумма возврата превышает сумму списания' };
const wrongState = { errorCode: '7', errorMessage: 'Operation is not possible in the current order state' };
const MIN = 60;

function run(entries: TrafficEntry[], refundRetryWindowMs?: number) {
  return runCheck(refundsSaneCheck, entries, 10_000, refundRetryWindowMs === undefined ? {} : { refundRetryWindowMs });
}

describe('refunds-sane', () => {
  it.each([
    ['no refund', journal(paid(1)), 'not-observed', 0, 0],
    ['one refund', journal(paid(1), refund(2, '5000')), 'pass', 1, 0],
    ['two partial refunds of different amounts', journal(paid(1), refund(2, '1000'), refund(3, '2000')), 'pass', 2, 0],
    ['refused above what is left (the sandbox’s text)', journal(paid(1), refund(2, '5001', exceeds)), 'fail', 1, 1],
    ['refused above what is left (Russian text)', journal(refund(2, '100', exceedsRu)), 'fail', 1, 1],
    [
      'refused above what is left, judged by the tracked amounts',
      journal(paid(1), refund(2, '3000'), refund(3, '2001', { errorCode: '7' })),
      'fail',
      2,
      1,
    ],
    ['errorCode 7 for a wrong state within the amount', journal(paid(1), refund(2, '100', wrongState)), 'pass', 1, 0],
    ['errorCode 5 is not this check’s concern', journal(paid(1), refund(2, '10.5', { errorCode: '5' })), 'pass', 1, 0],
    [
      'the same amount twice without externalRefundId',
      journal(paid(1), refund(2, '1000'), refund(4, '1000')),
      'fail',
      2,
      1,
    ],
    [
      'the same amount after a timeout without externalRefundId',
      journal(paid(1), refund(2, '1000', { httpStatus: 0, noJson: true }), refund(40, '1000')),
      'fail',
      2,
      1,
    ],
    [
      'the same amount after a clear refusal is not a double refund',
      journal(paid(1), refund(2, '1000', { errorCode: '5' }), refund(4, '1000')),
      'pass',
      2,
      0,
    ],
    [
      'the same amount with two distinct externalRefundIds',
      journal(paid(1), refund(2, '1000', {}, 'r1'), refund(4, '1000', {}, 'r2')),
      'pass',
      2,
      0,
    ],
    [
      'a retry with the same externalRefundId (answered like the first, refunds once)',
      journal(paid(1), refund(2, '1000', { httpStatus: 504 }, 'r1'), refund(4, '1000', {}, 'r1')),
      'pass',
      2,
      0,
    ],
    [
      'a retry after a timeout with a fresh externalRefundId (generated per attempt: refunds twice)',
      journal(paid(1), refund(2, '1000', { httpStatus: 0, noJson: true }, 'r1'), refund(4, '1000', {}, 'r2')),
      'fail',
      2,
      1,
    ],
    [
      'only one of the two carries an externalRefundId',
      journal(paid(1), refund(2, '1000', {}, 'r1'), refund(4, '1000')),
      'fail',
      2,
      1,
    ],
    [
      'the same amount exactly at the window’s end',
      journal(paid(1), refund(2, '1000'), refund(2 + 10 * MIN, '1000')),
      'fail',
      2,
      1,
    ],
    [
      'the same amount one second after the window',
      journal(paid(1), refund(2, '1000'), refund(3 + 10 * MIN, '1000')),
      'pass',
      2,
      0,
    ],
    [
      'the same amount on two different orders',
      journal(paid(1), refund(2, '1000'), api(3, 'refund', { orderId: 'o2', amount: '1000' })),
      'pass',
      2,
      0,
    ],
  ] as const)('%s', (_name, entries, verdict, observed, failed) => {
    const outcome = run([...entries]);
    expect([outcome.verdict, outcome.observed, outcome.failed]).toEqual([verdict, observed, failed]);
  });

  it('takes the retry window from the settings', () => {
    const entries = journal(paid(1), refund(2, '1000'), refund(32, '1000'));
    expect(run(entries, 30_000).verdict).toBe('fail');
    expect(run(entries, 29_999).verdict).toBe('pass');
  });

  it('explains each failure with the calls that decided it', () => {
    const outcome = run(
      journal(
        paid(1),
        refund(2, '1000', { httpStatus: 0, noJson: true }),
        refund(12, '1000'),
        refund(13, '4500', exceeds),
      ),
    );
    expect(outcome.evidence.map((e) => [e.seq, e.what.en])).toEqual([
      [
        3,
        'refund #3: the same 1000 as refund #2 10 s earlier, which got no answer, and the two calls do not both carry ' +
          'an externalRefundId: a retry that refunds twice.',
      ],
      [4, 'refund #4: refund of 4500 refused with errorCode 7: above what is left (4000).'],
      [2, 'refund #2: 1000 (no answer): neither above what is left nor a repeat.'],
    ]);
    expect(outcome.evidence[1]?.what.ru).toBe('refund #4: возврат 4500 отклонён с errorCode 7: больше остатка (4000).');
    expect(outcome.summary).toEqual({
      en: 'Refunds above what is left or repeated by a retry: 2 of 3.',
      ru: 'Возвратов сверх остатка или повторённых: 2 из 3.',
    });
  });

  it('names a fresh externalRefundId on a retry after a timeout', () => {
    const result = run(
      journal(paid(1), refund(2, '1000', { httpStatus: 0, noJson: true }, 'r1'), refund(4, '1000', {}, 'r2')),
    );
    expect(result.evidence[0]?.what.en).toBe(
      'refund #3: the same 1000 as refund #2 2 s earlier, which got no answer, and a new externalRefundId instead of its own: a retry that refunds twice.',
    );
  });
});
