/** Runs one check over a journal through gradeIntegration, as the report does. */
import { gradeIntegration } from '../../src/report/grade.js';
import type { Check, CheckResult, GradeSettings } from '../../src/report/types.js';
import type { TrafficEntry } from '../../src/traffic.js';
import { MERCHANT } from './entries.js';

/** `now` in seconds, like the entry builders' clock. */
export function runCheck(
  check: Check,
  entries: readonly TrafficEntry[],
  now: number,
  settings: Partial<GradeSettings> = {},
): CheckResult {
  const [result] = gradeIntegration({ merchant: MERCHANT, entries, now: now * 1000, settings, checks: [check] }).checks;
  if (!result) throw new Error('the check gave no result');
  return result;
}

/** The verdict, counts and evidence seqs: what a table row asserts. */
export function brief(result: CheckResult) {
  return {
    verdict: result.verdict,
    observed: result.observed,
    failed: result.failed,
    seqs: result.evidence.map((e) => e.seq),
  };
}
