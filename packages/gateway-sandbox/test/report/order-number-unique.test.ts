import { describe, expect, it } from '@jest/globals';
import { orderNumberUniqueCheck } from '../../src/report/checks/order-number-unique.js';
import type { TrafficEntry } from '../../src/traffic.js';
import { runCheck } from './check-run.js';
import { api, journal } from './entries.js';

const reg = (s: number, orderNumber: string, answer: Parameters<typeof api>[3] = {}) =>
  api(s, 'register', { orderNumber, amount: '1000', returnUrl: 'https://shop.example/back' }, answer);
const ok = (id: string) => ({ orderId: id });
const duplicate = { errorCode: '1', errorMessage: 'Order number is duplicated' };

function run(entries: TrafficEntry[]) {
  return runCheck(orderNumberUniqueCheck, entries, 1000);
}

describe('order-number-unique', () => {
  it.each([
    ['no register call', journal(api(1, 'getOrderStatusExtended', { orderId: 'o1' })), 'not-observed', 0, 0],
    [
      'a register without orderNumber is not judged',
      journal(api(1, 'register', {}, { errorCode: '4' })),
      'not-observed',
      0,
      0,
    ],
    ['new numbers each time', journal(reg(1, 'A-1', ok('o1')), reg(2, 'A-2', ok('o2'))), 'pass', 2, 0],
    ['a duplicate after a success', journal(reg(1, 'A-1', ok('o1')), reg(5, 'A-1', duplicate)), 'fail', 1, 1],
    [
      'a duplicate after a clear error answer',
      journal(reg(1, 'A-1', { errorCode: '1' }), reg(5, 'A-1', duplicate)),
      'fail',
      1,
      1,
    ],
    [
      'a retry after a dropped connection (httpStatus 0)',
      journal(reg(1, 'A-1', { httpStatus: 0, noJson: true }), reg(5, 'A-1', duplicate)),
      'pass',
      1,
      0,
    ],
    ['a retry after a 502', journal(reg(1, 'A-1', { httpStatus: 502 }), reg(5, 'A-1', duplicate)), 'pass', 1, 0],
    ['a retry after a non-JSON 200', journal(reg(1, 'A-1', { noJson: true }), reg(5, 'A-1', duplicate)), 'pass', 1, 0],
    [
      'a second retry after the duplicate answer',
      journal(reg(1, 'A-1', { httpStatus: 0, noJson: true }), reg(5, 'A-1', duplicate), reg(6, 'A-1', duplicate)),
      'fail',
      1,
      1,
    ],
    [
      'a success, a timeout, then the duplicate: the success was clear',
      journal(reg(1, 'A-1', ok('o1')), reg(2, 'A-1', { httpStatus: 504 }), reg(3, 'A-1', duplicate)),
      'fail',
      1,
      1,
    ],
    ['a duplicate of a number older than the journal', journal(reg(1, 'A-1', duplicate)), 'fail', 1, 1],
    [
      'errorCode 1 for an invalid (too long) number is not a duplicate',
      journal(reg(1, 'N'.repeat(37), { errorCode: '1' })),
      'pass',
      1,
      0,
    ],
    [
      'a 36-character number refused with errorCode 1 is a duplicate',
      journal(reg(1, 'N'.repeat(36), duplicate)),
      'fail',
      1,
      1,
    ],
    [
      'the same number registered successfully twice',
      journal(reg(1, 'A-1', ok('o1')), reg(4000, 'A-1', ok('o2'))),
      'fail',
      1,
      1,
    ],
    [
      'a constant number: one failing number, three refusals',
      journal(reg(1, 'X', ok('o1')), reg(2, 'X', duplicate), reg(3, 'X', duplicate), reg(4, 'Y', ok('o4'))),
      'fail',
      2,
      1,
    ],
  ] as const)('%s', (_name, entries, verdict, observed, failed) => {
    const outcome = run([...entries]);
    expect([outcome.verdict, outcome.observed, outcome.failed]).toEqual([verdict, observed, failed]);
  });

  it('names the refused call and the earlier one in the evidence, failing first, in both languages', () => {
    const outcome = run(
      journal(reg(1, 'B-7', ok('o0')), reg(2, 'A-1', ok('o1')), reg(3, 'A-1', duplicate), reg(4, 'A-1', duplicate)),
    );
    expect(outcome.evidence.map((e) => e.seq)).toEqual([3, 4, 1, 2]);
    expect(outcome.evidence[0]?.what.en).toBe(
      'register #3: orderNumber "A-1" was refused as a duplicate: register #2 had already used it and was answered (success).',
    );
    expect(outcome.evidence[1]?.what.en).toMatch(/errorCode 1\)\. Again: the number looks constant\.$/);
    expect(outcome.evidence[0]?.what.ru).toContain('отклонён как повторный');
    expect(outcome.summary).toEqual({
      en: 'Order numbers registered again after a clear answer: 1 of 2.',
      ru: 'Номеров заказа, повторно зарегистрированных после ясного ответа: 1 из 2.',
    });
  });

  it('shows a legitimate retry as passing evidence', () => {
    const outcome = run(journal(reg(1, 'A-1', { httpStatus: 0, noJson: true }), reg(5, 'A-1', duplicate)));
    expect(outcome.evidence).toEqual([
      expect.objectContaining({
        seq: 2,
        what: expect.objectContaining({ en: expect.stringContaining('documented recovery') }),
      }),
    ]);
  });
});
