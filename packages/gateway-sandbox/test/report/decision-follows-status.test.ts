import { describe, expect, it } from '@jest/globals';
import { decisionFollowsStatusCheck } from '../../src/report/checks/decision-follows-status.js';
import { brief, runCheck } from './check-run.js';
import { api, journal, page } from './entries.js';

const registered = api(0, 'register', { orderNumber: 'N1' }, { orderId: 'o1' });
const probe = (s: number) =>
  page(s, 'o1', 'card-submitted', {
    outcome: 'declined',
    orderStatus: 6,
    sentTo: 'https://shop/ok?orderId=o1&lang=en&paid=true',
    probe: 'success-looking-return',
  });
const status = (s: number, params: Record<string, string> = { orderId: 'o1' }) =>
  api(s, 'getOrderStatusExtended', params, { orderStatus: 6 });
const deposit = (s: number) => api(s, 'deposit', { orderId: 'o1', amount: '0' }, { errorCode: '7' });

describe('decision-follows-status', () => {
  it.each([
    [
      'no probe yet',
      [registered, page(10, 'o1', 'card-submitted', { sentTo: 'https://shop/ok' })],
      100,
      { verdict: 'not-observed', observed: 0, failed: 0, seqs: [] },
    ],
    [
      'status asked, nothing treated as paid',
      [registered, probe(10), status(12)],
      100,
      { verdict: 'pass', observed: 1, failed: 0, seqs: [3] },
    ],
    [
      'status asked by orderNumber',
      [registered, probe(10), status(12, { orderNumber: 'N1' })],
      100,
      { verdict: 'pass', observed: 1, failed: 0, seqs: [3] },
    ],
    [
      'asked exactly at the end of the wait',
      [registered, probe(10), status(70)],
      100,
      { verdict: 'pass', observed: 1, failed: 0, seqs: [3] },
    ],
    [
      'asked, then deposited anyway',
      [registered, probe(10), status(12), deposit(13)],
      100,
      { verdict: 'fail', observed: 1, failed: 1, seqs: [4] },
    ],
    [
      'deposited without asking',
      [registered, probe(10), deposit(11)],
      20,
      { verdict: 'fail', observed: 1, failed: 1, seqs: [3] },
    ],
    [
      'refunded',
      [registered, probe(10), status(11), api(12, 'refund', { orderId: 'o1', amount: '100' })],
      100,
      { verdict: 'fail', observed: 1, failed: 1, seqs: [4] },
    ],
    [
      'a deposit before the probe does not count',
      [registered, deposit(5), probe(10), status(12)],
      100,
      { verdict: 'pass', observed: 1, failed: 0, seqs: [4] },
    ],
    ['no status call, wait over', [registered, probe(10)], 71, { verdict: 'fail', observed: 1, failed: 1, seqs: [2] }],
    [
      'no status call yet, wait not over',
      [registered, probe(10)],
      70,
      { verdict: 'not-observed', observed: 0, failed: 0, seqs: [2] },
    ],
    [
      'asked too late',
      [registered, probe(10), status(71)],
      100,
      { verdict: 'fail', observed: 1, failed: 1, seqs: [2] },
    ],
  ] as const)('%s', (_name, drafts, now, expected) => {
    expect(brief(runCheck(decisionFollowsStatusCheck, journal(...drafts), now))).toEqual(expected);
  });

  it('says how to arm the probe when it has not run', () => {
    const result = runCheck(decisionFollowsStatusCheck, journal(registered), 100);
    expect(result.summary.en).toContain('POST /sandbox/test/merchants/shop/probes');
    expect(result.summary.ru).toContain('POST /sandbox/test/merchants/shop/probes');
    expect(result.fix.en).toContain('/probes');
  });

  it('names the call that treated the declined order as paid', () => {
    const result = runCheck(decisionFollowsStatusCheck, journal(registered, probe(10), deposit(11)), 100);
    expect(result.evidence[0]?.what.en).toMatch(/^deposit\.do on the declined order .*\(entry #2\)/);
    expect(result.summary.ru).toContain('1 из 1');
  });
});
