import { describe, expect, it } from '@jest/globals';
import { CHECKS } from '../../src/report/checks/index.js';
import { gradeIntegration } from '../../src/report/grade.js';
import { CHECK_IDS } from '../../src/report/types.js';
import type { Check, CheckContext } from '../../src/report/types.js';
import type { TrafficEntry } from '../../src/traffic.js';

const api = (seq: number, merchant: string | null, orderId?: string): TrafficEntry => ({
  kind: 'api',
  seq,
  at: 1_000 * seq,
  merchant,
  ...(orderId !== undefined && { orderId }),
  method: 'register',
  params: {},
  answer: { httpStatus: 200 },
  durationMs: 1,
  source: '127.0.0.1',
  browser: { origin: false, referer: false },
});

const text = { en: 'x', ru: 'х' };
const fixed = (id: Check['id'], verdict: 'pass' | 'fail' | 'not-observed', seen: CheckContext[] = []): Check => ({
  id,
  title: text,
  fix: text,
  run(ctx) {
    seen.push(ctx);
    return {
      verdict,
      observed: 1,
      failed: verdict === 'fail' ? 1 : 0,
      summary: text,
      evidence: Array.from({ length: 15 }, (_, i) => ({ seq: i, at: i, what: text })),
    };
  },
});

describe('gradeIntegration', () => {
  it('gives each check the merchant’s entries only, oldest first, and per order', () => {
    const seen: CheckContext[] = [];
    gradeIntegration({
      merchant: 'a',
      entries: [api(3, 'a', 'o1'), api(1, 'a', 'o1'), api(2, 'b', 'o1'), api(4, null), api(5, 'a')],
      now: 10_000,
      checks: [fixed('status-after-return', 'pass', seen)],
    });
    const [ctx] = seen;
    expect(ctx?.entries.map((e) => e.seq)).toEqual([1, 3, 5]);
    expect(ctx?.byOrder.get('o1')?.map((e) => e.seq)).toEqual([1, 3]);
    expect(ctx?.settings.statusWaitMs).toBe(60_000);
  });

  it('lists checks in CHECK_IDS order, scores passed over total, keeps at most 10 evidence each', () => {
    const report = gradeIntegration({
      merchant: 'a',
      entries: [api(7, 'a'), api(9, 'a')],
      now: Date.UTC(2026, 0, 2),
      settings: { statusWaitMs: 5 },
      checks: [
        fixed('register-fields-valid', 'not-observed'),
        fixed('order-number-unique', 'fail'),
        fixed('status-after-return', 'pass'),
      ],
    });
    expect(report.checks.map((c) => [c.id, c.verdict])).toEqual([
      ['status-after-return', 'pass'],
      ['order-number-unique', 'fail'],
      ['register-fields-valid', 'not-observed'],
    ]);
    expect(report.score).toEqual({ passed: 1, failed: 1, notObserved: 1, total: 3, percent: 33 });
    expect(report.checks[0]?.evidence).toHaveLength(10);
    expect(report.journal).toEqual({ entries: 2, oldestSeq: 7, newestSeq: 9 });
    expect(report.generatedAt).toBe('2026-01-02T00:00:00.000Z');
  });
});

describe('CHECKS', () => {
  it('has exactly one check per id, in CHECK_IDS order', () => {
    expect(CHECKS.map((c) => c.id)).toEqual([...CHECK_IDS]);
  });

  it('gives every check a title and a fix in English and Russian', () => {
    for (const check of CHECKS) {
      for (const text of [check.title, check.fix]) {
        expect(text.en.trim()).not.toBe('');
        expect(text.ru).toMatch(/[а-яё]/i);
      }
    }
  });
});
