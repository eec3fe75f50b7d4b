import { describe, expect, it } from '@jest/globals';
import { amountProblem, amountsMinorUnitsCheck } from '../../src/report/checks/amounts-minor-units.js';
import type { TrafficEntry } from '../../src/traffic.js';
import { runCheck } from './check-run.js';
import { api, journal } from './entries.js';

const URL = 'https://shop.example/back';
const reg = (s: number, amount: string, orderId?: string, method = 'register') =>
  api(s, method, { orderNumber: `N${s}`, amount, returnUrl: URL }, orderId ? { orderId } : { errorCode: '5' });
const op = (s: number, method: string, orderId: string, params: Record<string, string>, answer = {}) =>
  api(s, method, { orderId, ...params }, answer);
const refused7 = { errorCode: '7', errorMessage: 'Refund amount exceeds the deposited amount' };

function run(entries: TrafficEntry[]) {
  return runCheck(amountsMinorUnitsCheck, entries, 1000);
}

describe('amounts-minor-units', () => {
  it.each([
    ['no call with an amount', journal(api(1, 'getOrderStatusExtended', { orderId: 'o1' })), 'not-observed', 0, 0],
    [
      'a register without amount is not judged',
      journal(api(1, 'register', { orderNumber: 'N' })),
      'not-observed',
      0,
      0,
    ],
    ['whole minor units', journal(reg(1, '1999', 'o1')), 'pass', 1, 0],
    ['a decimal amount, refused by the gateway', journal(reg(1, '19.99')), 'fail', 1, 1],
    ['the float bug', journal(reg(1, '1998.9999999999998', 'o1')), 'fail', 1, 1],
    ['exponent notation', journal(reg(1, '1e3')), 'fail', 1, 1],
    ['negative', journal(reg(1, '-100')), 'fail', 1, 1],
    ['spaces', journal(reg(1, ' 100')), 'fail', 1, 1],
    [
      'two-phase: deposit of the whole hold (0)',
      journal(reg(1, '5000', 'o1', 'registerPreAuth'), op(2, 'deposit', 'o1', { amount: '0' })),
      'pass',
      2,
      0,
    ],
    [
      'deposit equal to the registered amount',
      journal(reg(1, '5000', 'o1', 'registerPreAuth'), op(2, 'deposit', 'o1', { amount: '5000' })),
      'pass',
      2,
      0,
    ],
    [
      'deposit one unit above the registered amount',
      journal(reg(1, '5000', 'o1', 'registerPreAuth'), op(2, 'deposit', 'o1', { amount: '5001' }, { errorCode: '5' })),
      'fail',
      2,
      1,
    ],
    [
      'a decimal deposit',
      journal(reg(1, '5000', 'o1', 'registerPreAuth'), op(2, 'deposit', 'o1', { amount: '50.00' })),
      'fail',
      2,
      1,
    ],
    [
      'refunds summing exactly to the deposit (partial capture)',
      journal(
        reg(1, '5000', 'o1', 'registerPreAuth'),
        op(2, 'deposit', 'o1', { amount: '3000' }),
        op(3, 'refund', 'o1', { amount: '1000' }),
        op(4, 'refund', 'o1', { amount: '2000' }),
      ),
      'pass',
      4,
      0,
    ],
    [
      'refunds summing above the partial deposit',
      journal(
        reg(1, '5000', 'o1', 'registerPreAuth'),
        op(2, 'deposit', 'o1', { amount: '3000' }),
        op(3, 'refund', 'o1', { amount: '1000' }),
        op(4, 'refund', 'o1', { amount: '2001' }, refused7),
      ),
      'fail',
      4,
      1,
    ],
    [
      'one phase: a refund above the registered amount',
      journal(reg(1, '5000', 'o1'), op(2, 'refund', 'o1', { amount: '5001' }, refused7)),
      'fail',
      2,
      1,
    ],
    [
      'a refused refund does not count towards the sum',
      journal(
        reg(1, '5000', 'o1'),
        op(2, 'refund', 'o1', { amount: '5000' }, { errorCode: '7' }),
        op(3, 'refund', 'o1', { amount: '5000' }),
      ),
      'pass',
      3,
      0,
    ],
    [
      'a repeated externalRefundId refunds once, so its repeat is within the deposit',
      journal(
        reg(1, '5000', 'o1'),
        op(2, 'refund', 'o1', { amount: '5000', externalRefundId: 'r1' }),
        op(3, 'refund', 'o1', { amount: '5000', externalRefundId: 'r1' }),
      ),
      'pass',
      3,
      0,
    ],
    [
      'a refund of an order registered before the journal: format only',
      journal(op(1, 'refund', 'o9', { amount: '999999' })),
      'pass',
      1,
      0,
    ],
    [
      'a reverse amount with a decimal point',
      journal(reg(1, '5000', 'o1', 'registerPreAuth'), op(2, 'reverse', 'o1', { amount: '50.0' })),
      'fail',
      2,
      1,
    ],
  ] as const)('%s', (_name, entries, verdict, observed, failed) => {
    const outcome = run([...entries]);
    expect([outcome.verdict, outcome.observed, outcome.failed]).toEqual([verdict, observed, failed]);
  });

  it.each([
    ['1999', undefined],
    ['19.99', /major units; .*"1999"/],
    ['19.9', /"1990"/],
    ['0.05', /"5"/],
    ['1998.9999999999998', /classic float bug/],
    ['1999.0000000000002', /classic float bug/],
    ['1999.0', /whole number written with a decimal part/],
    ['1,999', /thousands separator/],
    ['19,99', /major units/],
    ['1.999e3', /exponent/],
    ['-5', /negative/],
    ['1 999', /spaces/],
    ['NaN', /not a whole number/],
  ])('amount %s', (raw, problem) => {
    const text = amountProblem(raw);
    if (problem === undefined) expect(text).toBeUndefined();
    else expect(text?.en).toMatch(problem);
    if (text) expect(text.ru).toMatch(/[а-я]/);
  });

  it('names the calls in its evidence, failing first', () => {
    const outcome = run(
      journal(
        reg(1, '5000', 'o1', 'registerPreAuth'),
        op(2, 'deposit', 'o1', { amount: '3000' }),
        op(3, 'refund', 'o1', { amount: '2000' }),
        op(4, 'refund', 'o1', { amount: '1500' }, refused7),
      ),
    );
    expect(outcome.evidence[0]).toEqual({
      seq: 4,
      at: 4000,
      orderId: 'o1',
      what: {
        en: 'refund #4: refund of 1500 is above what is left (1000): 3000 captured by deposit #2, 2000 already refunded.',
        ru: 'refund #4: возврат 1500 больше остатка (1000): списано 3000 по deposit #2, уже возвращено 2000.',
      },
    });
    expect(outcome.evidence.map((e) => e.seq)).toEqual([4, 1, 2, 3]);
    expect(outcome.summary.en).toBe('Amounts not in whole minor units or above the order: 1 of 4.');
  });
});
