import { describe, expect, it } from '@jest/globals';
import { holdsSettledCheck } from '../../src/report/checks/holds-settled.js';
import { brief, runCheck } from './check-run.js';
import { api, callback, journal, page } from './entries.js';

const HOUR = 3600;
const LIFE = { holdLifetimeMs: HOUR * 1000 };
const preAuth = api(0, 'registerPreAuth', { orderNumber: 'N1' }, { orderId: 'o1' });
const held = page(10, 'o1', 'card-submitted', { outcome: 'approved', orderStatus: 1, sentTo: 'https://shop/ok' });
const deposit = (s: number, answer: Parameters<typeof api>[3] = {}) =>
  api(s, 'deposit', { orderId: 'o1', amount: '0' }, answer);
const reverse = (s: number) => api(s, 'reverse', { orderId: 'o1' });

describe('holds-settled', () => {
  it.each([
    ['nothing paid', [preAuth], 10 * HOUR, { verdict: 'not-observed', observed: 0, failed: 0, seqs: [] }],
    [
      'a declined two-phase order is not judged',
      [preAuth, page(10, 'o1', 'card-submitted', { outcome: 'declined', orderStatus: 6 })],
      10 * HOUR,
      { verdict: 'not-observed', observed: 0, failed: 0, seqs: [] },
    ],
    [
      'a one-phase order is not judged',
      [api(0, 'register', { orderNumber: 'N1' }, { orderId: 'o1' }), held],
      10 * HOUR,
      { verdict: 'not-observed', observed: 0, failed: 0, seqs: [] },
    ],
    [
      'deposited in time',
      [preAuth, held, deposit(100)],
      10 * HOUR,
      { verdict: 'pass', observed: 1, failed: 0, seqs: [3] },
    ],
    [
      'reversed in time',
      [preAuth, held, reverse(100)],
      10 * HOUR,
      { verdict: 'pass', observed: 1, failed: 0, seqs: [3] },
    ],
    [
      'deposited exactly at expiry',
      [preAuth, held, deposit(10 + HOUR)],
      10 * HOUR,
      { verdict: 'pass', observed: 1, failed: 0, seqs: [3] },
    ],
    [
      'deposited after expiry',
      [preAuth, held, deposit(11 + HOUR)],
      10 * HOUR,
      { verdict: 'fail', observed: 1, failed: 1, seqs: [3] },
    ],
    [
      'a refused deposit does not settle',
      [preAuth, held, deposit(100, { errorCode: '7' })],
      10 * HOUR,
      { verdict: 'fail', observed: 1, failed: 1, seqs: [2] },
    ],
    [
      'unsettled, expiring right now: undecided',
      [preAuth, held],
      10 + HOUR,
      { verdict: 'not-observed', observed: 0, failed: 0, seqs: [2] },
    ],
    ['unsettled and expired', [preAuth, held], 11 + HOUR, { verdict: 'fail', observed: 1, failed: 1, seqs: [2] }],
    [
      'approved known from the callback',
      [preAuth, callback(12, 'o1', 'approved', 200)],
      10 * HOUR,
      { verdict: 'fail', observed: 1, failed: 1, seqs: [2] },
    ],
    [
      'a declining approved callback (status 0) is no hold',
      [
        preAuth,
        {
          ...callback(12, 'o1', 'approved', 200),
          url: 'http://127.0.0.1:3000/callback?mdOrder=o1&operation=approved&status=0',
        },
      ],
      10 * HOUR,
      { verdict: 'not-observed', observed: 0, failed: 0, seqs: [] },
    ],
    [
      'a forged approved callback is no hold',
      [preAuth, callback(12, 'o1', 'approved', 200, { probe: 'forged' })],
      10 * HOUR,
      { verdict: 'not-observed', observed: 0, failed: 0, seqs: [] },
    ],
    [
      'approved known from a status answer',
      [preAuth, api(20, 'getOrderStatusExtended', { orderNumber: 'N1' }, { orderStatus: 1 })],
      10 * HOUR,
      { verdict: 'fail', observed: 1, failed: 1, seqs: [2] },
    ],
    [
      'a test helper’s payment counts',
      [
        preAuth,
        page(10, 'o1', 'card-submitted', { outcome: 'approved', orderStatus: 1, via: 'test-helper' }),
        deposit(20),
      ],
      10 * HOUR,
      { verdict: 'pass', observed: 1, failed: 0, seqs: [3] },
    ],
  ] as const)('%s', (_name, drafts, now, expected) => {
    expect(brief(runCheck(holdsSettledCheck, journal(...drafts), now, LIFE))).toEqual(expected);
  });

  it('uses the default lifetime of 7 days and says so', () => {
    const week = 7 * 24 * HOUR;
    const result = runCheck(holdsSettledCheck, journal(preAuth, held), 11 + week);
    expect(result.verdict).toBe('fail');
    expect(result.summary).toEqual({
      en: '1 of 1 hold was not deposited or reversed within 7 days.',
      ru: 'Холдов, не списанных и не отменённых за 7 дн.: 1 из 1.',
    });
    expect(runCheck(holdsSettledCheck, journal(preAuth, held), 10 + week).verdict).toBe('not-observed');
  });
});
