/**
 * Builders of journal entries for the report card's table-driven tests: one merchant ('shop'), a clock in seconds
 * (`at` = seconds × 1000), seq given by the order of a `journal(...)` call.
 */
import type { ApiEntry, CallbackEntry, NewTrafficEntry, PageEntry, TrafficEntry } from '../../src/traffic.js';

export const MERCHANT = 'shop';
const SERVER = { origin: false, referer: false };

type Draft = NewTrafficEntry;

/** A REST call at second `s`. `answer` defaults to a 200 without errorCode. */
export function api(
  s: number,
  method: string,
  params: Record<string, string> = {},
  answer: Partial<ApiEntry['answer']> & { orderId?: string } = {},
  extra: Partial<Pick<ApiEntry, 'browser' | 'source' | 'merchant'>> = {},
): Draft {
  const { orderId: answeredId, ...rest } = answer;
  const orderId = answeredId ?? params.orderId;
  return {
    kind: 'api',
    at: s * 1000,
    merchant: MERCHANT,
    ...(orderId !== undefined && { orderId }),
    method,
    userName: 'shop-api',
    params,
    answer: { httpStatus: 200, ...rest },
    durationMs: 1,
    source: '127.0.0.1',
    browser: SERVER,
    ...extra,
  };
}

/** A hosted-page step at second `s` for `orderId`. */
export function page(
  s: number,
  orderId: string,
  step: PageEntry['step'],
  extra: Partial<Pick<PageEntry, 'outcome' | 'orderStatus' | 'sentTo' | 'via' | 'probe'>> = {},
): Draft {
  return {
    kind: 'page',
    at: s * 1000,
    merchant: MERCHANT,
    orderId,
    step,
    orderStatus: 0,
    source: '127.0.0.1',
    browser: { origin: true, referer: true },
    ...extra,
  };
}

/** A callback sent at second `s`, answered `httpStatus` (undefined: no answer). */
export function callback(
  s: number,
  orderId: string,
  operation: CallbackEntry['operation'],
  httpStatus: number | undefined,
  extra: Partial<Pick<CallbackEntry, 'signed' | 'copy' | 'attempt' | 'gaveUp' | 'probe'>> = {},
): Draft {
  return {
    kind: 'callback',
    at: s * 1000,
    merchant: MERCHANT,
    orderId,
    operation,
    url: `http://127.0.0.1:3000/callback?mdOrder=${orderId}&operation=${operation}&status=1`,
    signed: true,
    copy: 1,
    attempt: 1,
    ...(httpStatus !== undefined && { httpStatus }),
    outcome:
      httpStatus === undefined ? { kind: 'error', message: 'ECONNREFUSED' } : { kind: 'http', status: httpStatus },
    ...extra,
  };
}

/** Numbers the drafts 1, 2, 3 … in the order given. */
export function journal(...drafts: Draft[]): TrafficEntry[] {
  return drafts.map((d, i) => ({ ...d, seq: i + 1 }));
}
