import { InvalidOrderError } from './errors.js';
import {
  MONEY_ACTIONS,
  type ClaimIntentInput,
  type Intent,
  type IntentAnswer,
  type IntentDecision,
  type IntentPolicy,
  type IntentState,
  type IssueIntentInput,
  type MoneyAction,
} from './types.js';

export { INTENT_STATES, MONEY_ACTIONS } from './types.js';
export type {
  ClaimIntentInput,
  Intent,
  IntentAnswer,
  IntentAttempt,
  IntentBasis,
  IntentClaim,
  IntentDecision,
  IntentPolicy,
  IntentRefusal,
  IntentState,
  IssueIntentInput,
  MoneyAction,
} from './types.js';

/**
 * The back office's money actions as intents (issue 15, item 8): each confirmation form carries a one-time token;
 * the intent it names is recorded before the gateway is called, so a repeat of the same form (double submit, back
 * button, a second tab, another instance) gets the first outcome instead of a second capture, void or refund.
 * This file holds the decision both ledgers take in their claim transaction; the stores only read and write rows.
 */
export const isMoneyAction = (a: unknown): a is MoneyAction => MONEY_ACTIONS.includes(a as MoneyAction);

/** Claimed, with an outcome not known yet (at the gateway, or its answer lost): only these are answered. */
export const UNRESOLVED: readonly IntentState[] = ['pending', 'unknown'];

/**
 * How far an order's forms have gone, from the states of its intents: claims plus final answers (it grows with each,
 * so a form shown before either is stale), and how many claimed ones have an outcome not known yet.
 */
export function claimsOf(states: readonly IntentState[]): { claimed: number; unresolved: number } {
  const claimed = states.filter((s) => s !== 'issued');
  return {
    claimed: claimed.length + claimed.filter((s) => s === 'done' || s === 'refused').length,
    unresolved: claimed.filter((s) => UNRESOLVED.includes(s)).length,
  };
}

/** The decision of a claim, taken inside the store's transaction with the intent's row and the order's locked. */
export function decideIntent(
  intent: Intent | undefined,
  req: ClaimIntentInput,
  order: { status: string; depositedAmount: number; refundedAmount: number },
  claims: { claimed: number; unresolved: number },
  now: number,
  policy: IntentPolicy,
): IntentDecision {
  if (!intent) return { outcome: 'refused', reason: 'unknown' };
  if (intent.orderId !== req.orderId || intent.action !== req.action)
    return { outcome: 'refused', reason: 'other_order' };
  if (intent.state === 'issued') {
    if (now - intent.issuedAt > policy.issuedForMs) return { outcome: 'refused', reason: 'expired' };
    const { seen } = intent;
    const changed =
      seen.claims !== claims.claimed ||
      seen.status !== order.status ||
      seen.deposited !== order.depositedAmount ||
      seen.refunded !== order.refundedAmount;
    if (changed) return { outcome: 'refused', reason: 'stale' };
    // Another form of this order is at the gateway, or its outcome is unknown: until it is resolved (that form again,
    // or a refresh), a new one could do the same thing twice.
    return claims.unresolved > 0 ? { outcome: 'refused', reason: 'unresolved' } : { outcome: 'go', recheck: false };
  }
  // Claimed before: the same form again. It is answered only for the amount it was claimed for.
  if (intent.amount !== req.amount) return { outcome: 'refused', reason: 'other_amount' };
  switch (intent.state) {
    case 'done':
    case 'refused':
      return { outcome: 'repeat' };
    case 'unknown':
      return { outcome: 'go', recheck: true };
    case 'pending':
      // Its call has timed out by now, so the request that made it died: its outcome is unknown.
      return claimRunning(intent, now, policy) ? { outcome: 'busy' } : { outcome: 'go', recheck: true };
  }
}

/**
 * Whether a pending intent's request may still be at the gateway: claimed no longer than `pendingForMs` ago (or with
 * no claim time, which is never taken for dead). After that its call has timed out, so the request that made it died.
 */
export function claimRunning(
  intent: Pick<Intent, 'state' | 'claimedAt'>,
  now: number,
  policy: Pick<IntentPolicy, 'pendingForMs'>,
): boolean {
  return intent.state === 'pending' && (intent.claimedAt === null || now - intent.claimedAt <= policy.pendingForMs);
}

/** The event detail of a claim that goes to the gateway (written in the claim's transaction). */
export const requestedEvent = (intent: Intent, recheck: boolean): Record<string, unknown> => ({
  actor: intent.actor,
  ...(intent.amount !== null && { amount: intent.amount }),
  step: recheck ? 'rechecked' : 'requested',
  intent: intent.ref,
});

/** The event detail of an answer (written in the same transaction as the intent's state). */
export function answeredEvent(intent: Intent, state: 'done' | 'refused' | 'unknown', a: IntentAnswer) {
  return {
    actor: intent.actor,
    ...(intent.amount !== null && { amount: intent.amount }),
    step: 'answered',
    answer: state === 'done' ? 'ok' : state === 'refused' ? 'rejected' : 'unknown',
    ...(a.code !== undefined && { code: a.code }),
    ...(a.errorCode !== undefined && { errorCode: a.errorCode }),
    ...(a.by === 'status' && { by: 'status' }),
    intent: intent.ref,
  };
}

const HEX64 = /^[0-9a-f]{64}$/;
const REF = /^[0-9A-Za-z-]{1,36}$/;

export function validateIssue(i: IssueIntentInput): void {
  if (!HEX64.test(i.tokenHash)) throw new InvalidOrderError('tokenHash must be 64 hex digits');
  if (!REF.test(i.ref)) throw new InvalidOrderError('ref must be 1..36 letters, digits or dashes');
  if (!isMoneyAction(i.action)) throw new InvalidOrderError('unknown action');
  if (typeof i.actor !== 'string' || i.actor.length === 0 || i.actor.length > 64)
    throw new InvalidOrderError('actor must be 1..64 characters');
  if (!Number.isSafeInteger(i.forgetIssuedBefore)) throw new InvalidOrderError('forgetIssuedBefore must be an integer');
}

export function validateClaim(c: ClaimIntentInput): void {
  if (!isMoneyAction(c.action)) throw new InvalidOrderError('unknown action');
  if (c.amount !== null && (!Number.isSafeInteger(c.amount) || c.amount <= 0))
    throw new InvalidOrderError('amount must be a positive integer of minor units');
}

/** finishIntent answers only an intent that exists. */
export function refuseUnknownIntent(found: Intent | undefined): asserts found is Intent {
  if (!found) throw new InvalidOrderError('no intent has this token');
}

/** A token hash as the form sent it, or undefined when it cannot be one (then no row is looked up). */
export const isTokenHash = (h: string): boolean => HEX64.test(h);

export function validateAnswer(state: string, a: IntentAnswer): void {
  if (state !== 'done' && state !== 'refused' && state !== 'unknown') throw new InvalidOrderError('unknown state');
  if (a.errorCode !== undefined && !Number.isSafeInteger(a.errorCode)) throw new InvalidOrderError('bad errorCode');
}

/** Row of admin_intents as stored, both stores. */
export interface IntentRow {
  token_hash: string;
  ref: string;
  order_id: number;
  action: string;
  actor: string;
  issued_at: number;
  state: string;
  amount: number | null;
  claimed_at: number | null;
  attempts: number;
  answer: string | null;
  seen_status: string;
  seen_deposited: number;
  seen_refunded: number;
  seen_claims: number;
}

export function toIntent(r: IntentRow): Intent {
  return {
    tokenHash: r.token_hash,
    ref: r.ref,
    orderId: r.order_id,
    // The CHECK constraints guarantee these casts.
    action: r.action as MoneyAction,
    actor: r.actor,
    issuedAt: r.issued_at,
    state: r.state as IntentState,
    amount: r.amount,
    claimedAt: r.claimed_at,
    attempts: r.attempts,
    answer: r.answer === null ? null : (JSON.parse(r.answer) as IntentAnswer),
    seen: { status: r.seen_status, deposited: r.seen_deposited, refunded: r.seen_refunded, claims: r.seen_claims },
  };
}
