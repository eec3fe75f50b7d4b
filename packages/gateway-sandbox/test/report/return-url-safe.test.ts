import { describe, expect, it } from '@jest/globals';
import { returnUrlSafeCheck, secretName, urlProblems } from '../../src/report/checks/return-url-safe.js';
import type { TrafficEntry } from '../../src/traffic.js';
import { runCheck } from './check-run.js';
import { api, journal } from './entries.js';

const reg = (s: number, returnUrl: string | undefined, failUrl?: string) =>
  api(
    s,
    'register',
    {
      orderNumber: `N${s}`,
      amount: '100',
      ...(returnUrl !== undefined && { returnUrl }),
      ...(failUrl !== undefined && { failUrl }),
    },
    { orderId: `o${s}` },
  );

function run(entries: TrafficEntry[]) {
  return runCheck(returnUrlSafeCheck, entries, 1000);
}

/** A URL of exactly `length` characters. */
const ofLength = (length: number) => {
  const base = 'https://shop.example/r?o=';
  return base + 'x'.repeat(length - base.length);
};
/** As the journal keeps a value longer than 200 characters (redactParams). */
const cut = (value: string) => `${value.slice(0, 200)}…`;

describe('return-url-safe', () => {
  it.each([
    ['no register', journal(api(1, 'getOrderStatusExtended', { orderId: 'o1' })), 'not-observed', 0, 0],
    ['a register without returnUrl', journal(reg(1, undefined)), 'not-observed', 0, 0],
    ['https', journal(reg(1, 'https://shop.example/payment/return?order=42')), 'pass', 1, 0],
    ['http on localhost', journal(reg(1, 'http://localhost:3000/return')), 'pass', 1, 0],
    ['http on 127.0.0.2', journal(reg(1, 'http://127.0.0.2:3000/return')), 'pass', 1, 0],
    ['http on [::1]', journal(reg(1, 'http://[::1]:3000/return')), 'pass', 1, 0],
    ['http on a public host', journal(reg(1, 'http://shop.example/return')), 'fail', 1, 1],
    ['http on an intranet host name', journal(reg(1, 'http://shop.lan/return')), 'fail', 1, 1],
    ['http on a host named like localhost', journal(reg(1, 'http://localhost.evil.example/return')), 'fail', 1, 1],
    [
      'a safe returnUrl but an http failUrl',
      journal(reg(1, 'https://shop.example/ok', 'http://shop.example/fail')),
      'fail',
      1,
      1,
    ],
    ['userinfo', journal(reg(1, 'https://user:pw@shop.example/return')), 'fail', 1, 1],
    ['a session id in the query', journal(reg(1, 'https://shop.example/return?PHPSESSID=abc')), 'fail', 1, 1],
    ['a token in the query', journal(reg(1, 'https://shop.example/return?access_token=abc')), 'fail', 1, 1],
    ['an api key in camelCase', journal(reg(1, 'https://shop.example/return?apiKey=abc')), 'fail', 1, 1],
    ['a redacted marker as a value', journal(reg(1, 'https://shop.example/return?p=[redacted]')), 'fail', 1, 1],
    ['a nested token in a value', journal(reg(1, 'https://shop.example/return?next=%2Fx%3Ftoken%3Dabc')), 'fail', 1, 1],
    [
      'a JWT as a value',
      journal(reg(1, 'https://shop.example/return?t=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc')),
      'fail',
      1,
      1,
    ],
    ['a relative URL', journal(reg(1, '/return')), 'fail', 1, 1],
    ['a custom scheme', journal(reg(1, 'myapp://payment/return')), 'fail', 1, 1],
    ['512 characters', journal(reg(1, ofLength(512))), 'pass', 1, 0],
    ['513 characters', journal(reg(1, ofLength(513))), 'fail', 1, 1],
    ['cut by the journal: judged on its kept part', journal(reg(1, cut(ofLength(600)))), 'pass', 1, 0],
    ['cut by the journal, http', journal(reg(1, cut(`http://shop.example/r?o=${'x'.repeat(600)}`))), 'fail', 1, 1],
    [
      'counts registrations',
      journal(reg(1, 'https://shop.example/r'), reg(2, 'http://shop.example/r'), reg(3, 'https://shop.example/r')),
      'fail',
      3,
      1,
    ],
  ] as const)('%s', (_name, entries, verdict, observed, failed) => {
    const outcome = run([...entries]);
    expect([outcome.verdict, outcome.observed, outcome.failed]).toEqual([verdict, observed, failed]);
  });

  it.each([
    ['password', true],
    ['pwd', true],
    ['authToken', true],
    ['x-auth', true],
    ['sid', true],
    ['sessionId', true],
    ['client_secret', true],
    ['orderId', false],
    ['monkey', false],
    ['author', false],
    ['passenger', false],
    ['lang', false],
  ])('secret-looking name %s: %s', (name, secret) => {
    expect(secretName(name)).toBe(secret);
  });

  it('names every problem, never shows the query or the userinfo, in both languages', () => {
    const outcome = run(journal(reg(7, 'http://admin:hunter2@shop.example/back?token=s3cr3t&o=1')));
    expect(outcome.evidence).toHaveLength(1);
    const { what, seq } = outcome.evidence[0]!;
    expect(seq).toBe(1);
    expect(what.en).toBe(
      'register #1: returnUrl "http://shop.example/back" uses http on shop.example, not a loopback host (often built ' +
        'from the Host header behind a TLS proxy), carries a user name or password (user:pass@host), has query ' +
        'parameters that look secret: "token".',
    );
    expect(JSON.stringify(outcome)).not.toMatch(/hunter2|s3cr3t|admin/);
    expect(what.ru).toContain('похожие на секреты');
    expect(outcome.summary.ru).toBe('Регистраций с небезопасным URL возврата: 1 из 1.');
  });

  it('finds nothing wrong with a plain https URL', () => {
    expect(urlProblems('https://shop.example/return?orderRef=A-1&lang=ru')).toEqual([]);
  });
});
