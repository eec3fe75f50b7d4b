import { describe, expect, it } from '@jest/globals';
import { deliveries, duration, orderResolver, someOf, succeeded } from '../../src/report/facts.js';
import { DEFAULT_GRADE_SETTINGS } from '../../src/report/types.js';
import type { ApiEntry } from '../../src/traffic.js';
import { api, callback, journal, MERCHANT } from './entries.js';

describe('report facts', () => {
  it.each([
    [7 * 86_400_000, '7 days', '7 дн.'],
    [86_400_000, '1 day', '1 дн.'],
    [2 * 3_600_000, '2 h', '2 ч'],
    [600_000, '10 min', '10 мин'],
    [90_000, '90 s', '90 с'],
    [1_500, '1.5 s', '1,5 с'],
    [0, '0 s', '0 с'],
  ])('duration(%d) is "%s" / "%s"', (ms, en, ru) => {
    expect(duration(ms)).toEqual({ en, ru });
  });

  it('counts a part of a whole in English', () => {
    expect(someOf(1, 1, 'hold', 'holds')).toBe('1 of 1 hold was');
    expect(someOf(1, 5, 'hold', 'holds')).toBe('1 of 5 holds was');
    expect(someOf(2, 5, 'hold', 'holds')).toBe('2 of 5 holds were');
  });

  it.each([
    [{ httpStatus: 200 }, true],
    [{ httpStatus: 200, errorCode: '0' }, true],
    [{ httpStatus: 200, errorCode: '5' }, false],
    [{ httpStatus: 500 }, false],
    [{ httpStatus: 200, noJson: true as const }, false],
  ])('succeeded(%j) is %s', (answer, ok) => {
    const [entry] = journal(api(1, 'deposit', {}, answer));
    expect(succeeded(entry as ApiEntry)).toBe(ok);
  });

  it('resolves an orderNumber to the order last registered under it before the call', () => {
    const entries = journal(
      api(1, 'register', { orderNumber: 'N' }, { orderId: 'a' }),
      api(2, 'getOrderStatusExtended', { orderNumber: 'N' }),
      api(3, 'register', { orderNumber: 'N' }, { errorCode: '1' }),
      api(4, 'register', { orderNumber: 'N' }, { orderId: 'b' }),
      api(5, 'getOrderStatusExtended', { orderNumber: 'N' }),
      api(6, 'getOrderStatusExtended', { orderNumber: 'other' }),
    ) as ApiEntry[];
    const orderOf = orderResolver({
      merchant: MERCHANT,
      entries,
      byOrder: new Map(),
      now: 0,
      settings: DEFAULT_GRADE_SETTINGS,
    });
    expect([1, 4, 5].map((i) => orderOf(entries[i] as ApiEntry))).toEqual(['a', 'b', undefined]);
  });

  it('groups retried attempts into one delivery, a new attempt 1 into another', () => {
    const entries = journal(
      callback(1, 'o', 'approved', 500),
      callback(2, 'o', 'approved', 200, { attempt: 2 }),
      callback(3, 'o', 'approved', 200),
      callback(4, 'o', 'approved', undefined, { copy: 2, gaveUp: true }),
    );
    expect(
      deliveries(entries, () => true).map((d) => [d.attempts.map((a) => a.seq), d.answered?.seq, d.gaveUp]),
    ).toEqual([
      [[1, 2], 2, false],
      [[3], 3, false],
      [[4], undefined, true],
    ]);
  });
});
