import type { TrafficEntry } from '../traffic.js';

/**
 * The report card (issue 17): the sandbox grades one merchant's integration from its journal (traffic.ts). A stable,
 * typed shape: the page, the JSON answer, the `gateway-sandbox report` command and teams' CI read it.
 */

/** The named checks, in the order the report lists them. An id is never renamed or reused. */
export const CHECK_IDS = [
  /** After every return of a buyer from the payment page, the shop asks for the order's status. */
  'status-after-return',
  /** Probe: a declined order whose buyer comes back with success-looking parameters is judged by its status. */
  'decision-follows-status',
  /** Every order has its own orderNumber; a number is never registered again after a clear answer. */
  'order-number-unique',
  /** Amounts are whole minor units, and deposits and refunds stay within what was registered / deposited. */
  'amounts-minor-units',
  /** The return URL is https outside loopback hosts and carries no secret. */
  'return-url-safe',
  /** Genuine callbacks are answered 2xx and followed by a status request. */
  'callbacks-answered',
  /** Probe: forged and unsigned callbacks are refused (answered other than 2xx). */
  'forged-callbacks-refused',
  /** A hold (two-phase order) is captured or reversed before it expires. */
  'holds-settled',
  /** A refund never asks for more than is left, and a retry never refunds twice. */
  'refunds-sane',
  /** Status requests for one order stay within a sane rate. */
  'status-polling-rate',
  /** API credentials are never sent from a browser (no Origin / Referer on a REST call). */
  'credentials-server-side',
  /** `language`, `description` and `sessionTimeoutSecs` given at registration are valid. */
  'register-fields-valid',
] as const;
export type CheckId = (typeof CHECK_IDS)[number];

/** pass / fail, or not-observed: the journal holds nothing that decides the check yet (or only undecided cases). */
export type Verdict = 'pass' | 'fail' | 'not-observed';

/** Every text of the report in both languages of the sandbox's pages. */
export interface Text {
  en: string;
  ru: string;
}

/** One journal entry that decided a check, and why. */
export interface Evidence {
  /** The journal entry's seq: GET /sandbox/journal?merchant=…&order=… lists it. */
  seq: number;
  at: number;
  orderId?: string;
  what: Text;
}

/** What one check found in the journal. */
export interface CheckOutcome {
  verdict: Verdict;
  /** Cases the check judged (orders, calls, callbacks …), and how many of them failed. */
  observed: number;
  failed: number;
  /** A sentence on the verdict, e.g. "2 of 5 returns were not followed by a status request". */
  summary: Text;
  /** Failing cases first; at most MAX_EVIDENCE kept. */
  evidence: Evidence[];
}

export interface CheckResult extends CheckOutcome {
  id: CheckId;
  title: Text;
  /** What to change in the integration (shown with a fail, kept with every verdict). */
  fix: Text;
}

/** Tunables of the grading; defaults in DEFAULT_GRADE_SETTINGS. */
export interface GradeSettings {
  /** How long the shop has to ask for the status after a return or a callback before it counts as a fail. */
  statusWaitMs: number;
  /** How long a hold lasts before the gateway releases it (about a week, docs/gateway-reference.md §2). */
  holdLifetimeMs: number;
  /** At most pollMaxPerWindow status requests for one order in any pollWindowMs. */
  pollWindowMs: number;
  pollMaxPerWindow: number;
  /** Two refunds of one order with the same amount within this time, without distinct externalRefundIds, are one retried refund. */
  refundRetryWindowMs: number;
}

export const DEFAULT_GRADE_SETTINGS: GradeSettings = Object.freeze({
  statusWaitMs: 60_000,
  holdLifetimeMs: 7 * 24 * 3600_000,
  pollWindowMs: 10_000,
  pollMaxPerWindow: 5,
  refundRetryWindowMs: 10 * 60_000,
});

/** What a check reads. */
export interface CheckContext {
  merchant: string;
  /** The merchant's journal entries, oldest first. */
  entries: readonly TrafficEntry[];
  /** The same entries per orderId, oldest first (entries without an orderId are not in it). */
  byOrder: ReadonlyMap<string, readonly TrafficEntry[]>;
  /** The sandbox clock's now (epoch ms). */
  now: number;
  settings: GradeSettings;
}

export interface Check {
  id: CheckId;
  title: Text;
  fix: Text;
  run(ctx: CheckContext): CheckOutcome;
}

export interface ReportScore {
  passed: number;
  failed: number;
  notObserved: number;
  total: number;
  /** passed / total × 100, rounded down: a not-observed check does not count as passed. */
  percent: number;
}

export interface IntegrationReport {
  merchant: string;
  /** ISO 8601, from the sandbox's clock. */
  generatedAt: string;
  score: ReportScore;
  /** The part of the journal graded: it is bounded, so the oldest calls may be gone. */
  journal: { entries: number; oldestSeq?: number; newestSeq?: number };
  checks: CheckResult[];
}

export const MAX_EVIDENCE = 10;
