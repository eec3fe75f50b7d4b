import { describe, expect, it } from '@jest/globals';
import { credentialsServerSideCheck } from '../../src/report/checks/credentials-server-side.js';
import type { TrafficEntry } from '../../src/traffic.js';
import { runCheck } from './check-run.js';
import { api, journal, page } from './entries.js';

const call = (s: number, origin: boolean, referer: boolean) =>
  api(s, 'getOrderStatusExtended', { orderId: 'o1' }, {}, { browser: { origin, referer }, source: '203.0.113.7' });

function run(entries: TrafficEntry[]) {
  return runCheck(credentialsServerSideCheck, entries, 1000);
}

describe('credentials-server-side', () => {
  it.each([
    ['nothing', journal(), 'not-observed', 0, 0],
    ['only hosted-page steps (a browser there is right)', journal(page(1, 'o1', 'shown')), 'not-observed', 0, 0],
    ['server-to-server calls', journal(call(1, false, false), call(2, false, false)), 'pass', 2, 0],
    ['an Origin header', journal(call(1, false, false), call(2, true, false)), 'fail', 2, 1],
    ['a Referer header', journal(call(1, false, true)), 'fail', 1, 1],
    ['both', journal(call(1, true, true), call(2, true, true)), 'fail', 2, 2],
    [
      'another merchant’s browser call does not count',
      journal(
        call(1, false, false),
        api(2, 'register', {}, {}, { merchant: 'other', browser: { origin: true, referer: true } }),
      ),
      'pass',
      1,
      0,
    ],
  ] as const)('%s', (_name, entries, verdict, observed, failed) => {
    const outcome = run([...entries]);
    expect([outcome.verdict, outcome.observed, outcome.failed]).toEqual([verdict, observed, failed]);
  });

  it('names the call, its source and the headers', () => {
    const outcome = run(journal(call(1, false, false), call(2, true, true)));
    expect(outcome.evidence.map((e) => e.seq)).toEqual([2, 1]);
    expect(outcome.evidence[0]?.what).toEqual({
      en: 'getOrderStatusExtended #2 from 203.0.113.7 came with a browser’s Origin and Referer headers: the API credentials are in a web page or an app.',
      ru: 'getOrderStatusExtended #2 с адреса 203.0.113.7 пришёл с браузерными заголовками Origin и Referer: учётные данные API находятся на веб-странице или в приложении.',
    });
    expect(run(journal(call(1, false, true))).evidence[0]?.what.en).toContain('a browser’s Referer header:');
    expect(outcome.summary).toEqual({
      en: 'API calls sent from a browser: 1 of 2.',
      ru: 'Вызовов API из браузера: 1 из 2.',
    });
  });
});
