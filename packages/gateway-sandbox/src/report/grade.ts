import type { TrafficEntry } from '../traffic.js';
import { CHECKS } from './checks/index.js';
import { groupBy } from './facts.js';
import {
  CHECK_IDS,
  DEFAULT_GRADE_SETTINGS,
  MAX_EVIDENCE,
  type Check,
  type CheckContext,
  type CheckResult,
  type GradeSettings,
  type IntegrationReport,
  type ReportScore,
} from './types.js';

export interface GradeInput {
  merchant: string;
  /** The merchant's journal entries in any order (entries of other merchants are ignored). */
  entries: readonly TrafficEntry[];
  now: number;
  settings?: Partial<GradeSettings>;
  /** The checks to run; default all of them (CHECKS), in CHECK_IDS order. */
  checks?: readonly Check[];
}

/** Grades one merchant's integration from its journal: a pure function of the entries and `now`. */
export function gradeIntegration(input: GradeInput): IntegrationReport {
  const entries = input.entries.filter((e) => e.merchant === input.merchant).sort((a, b) => a.seq - b.seq);
  const byOrder = groupBy(entries, (e) => e.orderId);
  const ctx: CheckContext = {
    merchant: input.merchant,
    entries,
    byOrder,
    now: input.now,
    settings: { ...DEFAULT_GRADE_SETTINGS, ...input.settings },
  };
  const checks = [...(input.checks ?? CHECKS)].sort((a, b) => CHECK_IDS.indexOf(a.id) - CHECK_IDS.indexOf(b.id));
  const results: CheckResult[] = checks.map((check) => {
    const outcome = check.run(ctx);
    return {
      id: check.id,
      title: check.title,
      fix: check.fix,
      ...outcome,
      evidence: outcome.evidence.slice(0, MAX_EVIDENCE),
    };
  });
  return {
    merchant: input.merchant,
    generatedAt: new Date(input.now).toISOString(),
    score: scoreOf(results),
    journal: { entries: entries.length, oldestSeq: entries[0]?.seq, newestSeq: entries.at(-1)?.seq },
    checks: results,
  };
}

function scoreOf(results: readonly CheckResult[]): ReportScore {
  const count = (v: CheckResult['verdict']) => results.filter((r) => r.verdict === v).length;
  const passed = count('pass');
  const total = results.length;
  return {
    passed,
    failed: count('fail'),
    notObserved: count('not-observed'),
    total,
    percent: total === 0 ? 0 : Math.floor((passed * 100) / total),
  };
}
