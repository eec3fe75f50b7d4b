import { describe, expect, it } from '@jest/globals';
import { statusPollingRateCheck } from '../../src/report/checks/status-polling-rate.js';
import { brief, runCheck } from './check-run.js';
import { api, journal } from './entries.js';

const registered = api(0, 'register', { orderNumber: 'N1' }, { orderId: 'o1' });
const status = (s: number, params: Record<string, string> = { orderId: 'o1' }) =>
  api(s, 'getOrderStatusExtended', params, { orderStatus: 0 });
/** Status calls for o1 at the given seconds. */
const polls = (...at: number[]) => at.map((s) => status(s));

describe('status-polling-rate', () => {
  it.each([
    ['no status call', [registered], { verdict: 'not-observed', observed: 0, failed: 0, seqs: [] }],
    ['one call', [registered, ...polls(1)], { verdict: 'pass', observed: 1, failed: 0, seqs: [2] }],
    [
      '5 in 10 s is the limit',
      [registered, ...polls(1, 2, 3, 4, 5)],
      { verdict: 'pass', observed: 1, failed: 0, seqs: [2] },
    ],
    [
      '6 spread over exactly 10 s: the window is [t, t + 10 s)',
      [registered, ...polls(0, 2, 4, 6, 8, 10)],
      { verdict: 'pass', observed: 1, failed: 0, seqs: [2] },
    ],
    [
      '6 within 9.9 s',
      [registered, ...polls(0, 2, 4, 6, 8, 9.9)],
      { verdict: 'fail', observed: 1, failed: 1, seqs: [2] },
    ],
    [
      'by orderNumber counts for the same order',
      [
        registered,
        ...polls(1, 2, 3),
        status(4, { orderNumber: 'N1' }),
        status(5, { orderNumber: 'N1' }),
        status(6, { orderNumber: 'N1' }),
      ],
      { verdict: 'fail', observed: 1, failed: 1, seqs: [2] },
    ],
    [
      'an unknown orderNumber is its own order',
      [registered, status(1, { orderNumber: 'X' }), status(2, { orderNumber: 'X' })],
      { verdict: 'pass', observed: 1, failed: 0, seqs: [2] },
    ],
    [
      'a request the gateway answers "no such order" (a health check with a made-up id) is about no order',
      [
        registered,
        ...polls(1),
        api(2, 'getOrderStatusExtended', { orderId: '00000000-0000-0000-0000-000000000000' }, { errorCode: '6' }),
      ],
      { verdict: 'pass', observed: 1, failed: 0, seqs: [2] },
    ],
    [
      'a tight loop on a gateway answering 500 still counts',
      [
        registered,
        ...[1, 2, 3, 4, 5, 6].map((s) =>
          api(s, 'getOrderStatusExtended', { orderId: 'o1' }, { httpStatus: 500, noJson: true }),
        ),
      ],
      { verdict: 'fail', observed: 1, failed: 1, seqs: [2] },
    ],
    [
      'two orders, each within the limit',
      [
        registered,
        ...polls(1, 2, 3),
        status(1, { orderId: 'o2' }),
        status(2, { orderId: 'o2' }),
        status(3, { orderId: 'o2' }),
      ],
      { verdict: 'pass', observed: 2, failed: 0, seqs: [2, 5] },
    ],
    [
      'two bursts of one order, apart',
      [registered, ...polls(0, 1, 2, 3, 4, 5), ...polls(100, 101, 102, 103, 104, 105)],
      { verdict: 'fail', observed: 1, failed: 1, seqs: [2, 8] },
    ],
  ] as const)('%s', (_name, drafts, expected) => {
    expect(brief(runCheck(statusPollingRateCheck, journal(...drafts), 1000))).toEqual(expected);
  });

  it('names the burst’s first and last seq and its count', () => {
    const loop = Array.from({ length: 40 }, (_, i) => i / 2); // every 0.5 s for 20 s
    const result = runCheck(statusPollingRateCheck, journal(registered, ...polls(...loop), ...polls(60)), 1000);
    expect(result.evidence).toHaveLength(1);
    expect(result.evidence[0]).toEqual({
      seq: 2,
      at: 0,
      orderId: 'o1',
      what: {
        en: '40 status requests for the order in 19.5 s (entries #2–41), up to 20 in 10 s; at most 5 expected',
        ru: 'Запросов статуса по заказу: 40 за 19,5 с (записи №2–41), до 20 за 10 с; допустимо не больше 5',
      },
    });
    expect(result.summary.en).toBe('1 of 1 order was polled more than 5 times in 10 s.');
  });

  it('follows the settings', () => {
    const entries = journal(registered, ...polls(0, 1, 2));
    expect(runCheck(statusPollingRateCheck, entries, 100, { pollMaxPerWindow: 2 }).verdict).toBe('fail');
    expect(runCheck(statusPollingRateCheck, entries, 100, { pollMaxPerWindow: 2, pollWindowMs: 1000 }).verdict).toBe(
      'pass',
    );
  });
});
