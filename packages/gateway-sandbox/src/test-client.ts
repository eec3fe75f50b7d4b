/**
 * A small typed client of the sandbox's test helpers (SANDBOX_TEST_HELPERS=on, docs/sandbox.md "Test helpers"), for
 * a team's jest tests: global fetch, JSON in and out, a SandboxTestHelperError for every answer other than 2xx.
 */
import type { FaultProfile } from './faults/profile.js';
import type { IntegrationReport } from './report/types.js';
import type { ProbeName } from './probes.js';
import type { CALLBACK_KINDS } from './tools/test-helpers.js';
import type { WalletId } from './wallets.js';

export interface SandboxTestClientOptions {
  /** The sandbox's origin, e.g. http://127.0.0.1:3001 (a trailing slash is fine). */
  baseUrl: string;
  /** The operator token (SANDBOX_OPERATOR_TOKEN). */
  operatorToken: string;
  /** Default the global fetch. */
  fetch?: typeof fetch;
}

/** What a payment helper did and where the order stands, as getOrderStatusExtended.do would report it. */
export interface TestOrderState {
  mdOrder: string;
  outcome: 'approved' | 'declined' | 'challenge' | 'processing' | 'retry' | 'notPayable';
  orderStatus: number;
  actionCode: number;
  /** Where the hosted page would send the buyer back (the shop's returnUrl or failUrl with orderId and lang), once it would. */
  returnUrl?: string;
}

export type TestCallbackKind = (typeof CALLBACK_KINDS)[number];

export interface TestCallbackResult {
  kind: TestCallbackKind;
  operation: string;
  /** The URL called, without its checksum. */
  url: string;
  signed: boolean;
  /** The merchant's answer to each copy sent: its HTTP status, or why none came. */
  answers: { status?: number; error?: string }[];
}

/** A report-card probe: `success-looking-return` or `forged-callbacks` (docs/sandbox.md, Test helpers). */
export type TestProbe = ProbeName;

export interface SandboxTestClient {
  /** Pays like the hosted page with a test card (PAN or id; default the approving one); `otp` answers a 3-D Secure challenge. */
  pay(mdOrder: string, options?: { card?: string; otp?: string }): Promise<TestOrderState>;
  /**
   * Pays as the simulated wallet sheet does: through a wallet the order's merchant offers, with one of its test cards
   * (default `approved`; `declined`, and `pan-only-3ds` for Google Pay); `otp` answers that card's 3-D Secure challenge.
   */
  payWithWallet(mdOrder: string, options: { wallet: WalletId; card?: string; otp?: string }): Promise<TestOrderState>;
  /** Pays with a declining test card (default insufficient funds, actionCode 116). */
  decline(mdOrder: string, options?: { card?: string }): Promise<TestOrderState>;
  /** Finishes an open 3-D Secure challenge: pass approves, fail declines (actionCode -2006); or a given code. */
  threeDs(mdOrder: string, answer: { result: 'pass' | 'fail' } | { otp: string }): Promise<TestOrderState>;
  /** Deletes every order and journal entry of the merchant, clears its fault switches and disarms its probes. */
  reset(
    login: string,
  ): Promise<{ login: string; deletedOrders: number; deletedJournalEntries: number; faultsCleared: boolean }>;
  /** Moves the sandbox's clock forward and applies what became due (expired pages and holds). */
  advanceClock(advanceSecs: number): Promise<{
    now: string;
    advancedSecs: number;
    /** Unpaid orders whose payment page expired (orderStatus 6, actionCode -2007). */
    expiredPages: number;
    /** Payments waiting for the processor that settled. */
    settledPayments: number;
    /** Holds nobody captured or reversed within the hold lifetime, released (orderStatus 3). */
    releasedHolds: number;
    /** Finished orders past their retention, deleted. */
    purgedOrders: number;
  }>;
  /** Sends the order's last callback again: signed as usual, unsigned, with a forged checksum, or twice. */
  callback(mdOrder: string, kind: TestCallbackKind): Promise<TestCallbackResult>;
  /** Sets a fault profile on the merchant for its next `nextCalls` affected calls or callbacks. */
  fault(
    login: string,
    fault: Omit<FaultProfile, 'remaining'>,
    nextCalls: number,
  ): Promise<{ login: string; faults: FaultProfile | null }>;
  /**
   * The merchant's report card (GET /sandbox/report/:merchant.json): its integration graded from its journal. Needs
   * the operator token only, not the test helpers.
   */
  report(login: string): Promise<IntegrationReport>;
  /**
   * The order's fiscal receipts as getReceiptStatus.do answers them (docs/sandbox.md, Fiscal receipts); `settle`
   * first ends the wait of those still "sent", so each is delivered or failed now.
   */
  receipts(mdOrder: string, options?: { settle?: boolean }): Promise<TestReceipts>;
  /** Arms the report card's probes for the merchant's next occasion, one-shot each (default both); what is armed now. */
  armProbes(login: string, probes?: readonly TestProbe[]): Promise<{ login: string; armed: TestProbe[] }>;
}

/** An order's fiscal receipts, each with the fields of getReceiptStatus.do (receiptStatus 0-5, uuid, amount_total, …). */
export interface TestReceipts {
  mdOrder: string;
  orderNumber: string;
  receipt: ({ receiptStatus: number; uuid: string; amount_total: string; ofd_receipt_url: string } & Record<
    string,
    unknown
  >)[];
}

/** A test helper's refusal: the HTTP status and the sandbox's message (e.g. 404 "unknown order (mdOrder)"). */
export class SandboxTestHelperError extends Error {
  override readonly name = 'SandboxTestHelperError';
  constructor(
    readonly status: number,
    message: string,
    /** The field problems of a 400, when the sandbox named them. */
    readonly issues: readonly { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

export function createSandboxTestClient(options: SandboxTestClientOptions): SandboxTestClient {
  const origin = options.baseUrl.replace(/\/+$/, '');
  const base = `${origin}/sandbox/test`;
  const doFetch = options.fetch ?? fetch;
  const send = async <T>(
    url: string,
    init: { method: string; headers?: Record<string, string>; body?: string },
  ): Promise<T> => {
    const res = await doFetch(url, {
      ...init,
      headers: { authorization: `Bearer ${options.operatorToken}`, accept: 'application/json', ...init.headers },
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (res.ok && typeof json === 'object' && json !== null) return json as T;
    const answer = (typeof json === 'object' && json !== null ? json : {}) as { error?: unknown; issues?: unknown };
    const message = typeof answer.error === 'string' ? answer.error : `HTTP ${res.status}`;
    const issues = Array.isArray(answer.issues) ? (answer.issues as { path: string; message: string }[]) : [];
    const detail =
      issues.length > 0 ? `${message}: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}` : message;
    throw new SandboxTestHelperError(res.status, detail, issues);
  };
  const post = <T>(path: string, body: object): Promise<T> =>
    send<T>(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const order = (mdOrder: string, action: string) => `/orders/${encodeURIComponent(mdOrder)}/${action}`;
  const merchant = (login: string, action: string) => `/merchants/${encodeURIComponent(login)}/${action}`;
  return {
    pay: (mdOrder, o = {}) => post(order(mdOrder, 'pay'), o),
    payWithWallet: (mdOrder, o) => post(order(mdOrder, 'wallet'), o),
    decline: (mdOrder, o = {}) => post(order(mdOrder, 'decline'), o),
    threeDs: (mdOrder, answer) => post(order(mdOrder, '3ds'), answer),
    reset: (login) => post(merchant(login, 'reset'), {}),
    advanceClock: (advanceSecs) => post('/clock', { advanceSecs }),
    callback: (mdOrder, kind) => post(order(mdOrder, 'callbacks'), { kind }),
    fault: (login, fault, nextCalls) => post(merchant(login, 'faults'), { fault, nextCalls }),
    report: (login) => send(`${origin}/sandbox/report/${encodeURIComponent(login)}.json`, { method: 'GET' }),
    receipts: (mdOrder, o = {}) => post(order(mdOrder, 'receipts'), o),
    armProbes: (login, probes) => post(merchant(login, 'probes'), probes === undefined ? {} : { probes }),
  };
}
