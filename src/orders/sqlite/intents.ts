import {
  answeredEvent,
  claimsOf,
  decideIntent,
  isTokenHash,
  refuseUnknownIntent,
  requestedEvent,
  toIntent,
  validateAnswer,
  validateClaim,
  validateIssue,
  type IntentAnswer,
  type IntentAttempt,
  type IntentRow,
  type IntentState,
  UNRESOLVED,
} from '../intents.js';
import type { Ledger, Synchronous } from '../types.js';
import type { SqliteKit } from './writes.js';

const UNRESOLVED_JSON = JSON.stringify(UNRESOLVED);

type IntentMethods = Pick<
  Synchronous<Ledger>,
  'issueIntent' | 'findIntent' | 'claimIntent' | 'finishIntent' | 'unresolvedIntents'
>;

/**
 * The back office's intents on SQLite (src/orders/intents.ts decides; this file reads and writes the rows). Every
 * write is an IMMEDIATE transaction, so two submits of one form, on this connection or another process, are decided
 * one after the other: the second sees the first's claim.
 */
export function createSqliteIntents({ db, log, now, mustGet }: SqliteKit): IntentMethods {
  const q = {
    byToken: db.prepare<[string], IntentRow>('SELECT * FROM admin_intents WHERE token_hash = ?'),
    // The states of the order's intents: how far its forms have gone (claimsOf).
    states: db.prepare<[number], IntentState>('SELECT state FROM admin_intents WHERE order_id = ?').pluck(),
    unresolved: db.prepare<[number, string], IntentRow>(
      `SELECT * FROM admin_intents WHERE order_id = ? AND state IN (SELECT value FROM json_each(?))
       ORDER BY claimed_at`,
    ),
    forget: db.prepare("DELETE FROM admin_intents WHERE state = 'issued' AND issued_at < ?"),
    insert: db.prepare(
      `INSERT INTO admin_intents (token_hash, ref, order_id, action, actor, issued_at, state, seen_status,
         seen_deposited, seen_refunded, seen_claims)
       VALUES (@tokenHash, @ref, @orderId, @action, @actor, @now, 'issued', @status, @deposited, @refunded, @claims)`,
    ),
    claim: db.prepare(
      `UPDATE admin_intents SET state = 'pending', amount = ?, claimed_at = ?, attempts = attempts + 1
       WHERE token_hash = ?`,
    ),
    finish: db.prepare(
      `UPDATE admin_intents SET state = ?, answer = ?
       WHERE token_hash = ? AND attempts = ? AND state IN (SELECT value FROM json_each(?))`,
    ),
  };
  const intent = (tokenHash: string) => {
    const row = q.byToken.get(tokenHash);
    return row ? toIntent(row) : undefined;
  };

  const issueTx = db.transaction((i: Parameters<IntentMethods['issueIntent']>[0]) => {
    const o = mustGet(i.orderId);
    const t = now();
    q.forget.run(i.forgetIssuedBefore);
    q.insert.run({
      ...i,
      now: t,
      status: o.status,
      deposited: o.depositedAmount,
      refunded: o.refundedAmount,
      claims: claimsOf(q.states.all(o.id)).claimed,
    });
    return intent(i.tokenHash)!;
  });

  const claimTx = db.transaction(
    (c: Parameters<IntentMethods['claimIntent']>[0], policy: Parameters<IntentMethods['claimIntent']>[1]) => {
      const o = mustGet(c.orderId);
      const found = isTokenHash(c.tokenHash) ? intent(c.tokenHash) : undefined;
      const t = now();
      const claims = claimsOf(q.states.all(o.id));
      const decision = decideIntent(found, c, o, claims, t, policy);
      if (decision.outcome !== 'go' || !found) return { ...decision, intent: found, order: o };
      q.claim.run(c.amount, t, c.tokenHash);
      const claimed = intent(c.tokenHash)!;
      log.write(o.id, t, 'admin', claimed.action, requestedEvent(claimed, decision.recheck));
      return { ...decision, intent: claimed, order: o };
    },
  );

  const finishTx = db.transaction(
    (claim: IntentAttempt, state: 'done' | 'refused' | 'unknown', answer: IntentAnswer) => {
      const found = intent(claim.tokenHash);
      refuseUnknownIntent(found);
      // Only the attempt that was claimed is answered: a claim made again since then is not overwritten.
      const answered = q.finish.run(state, JSON.stringify(answer), claim.tokenHash, claim.attempts, UNRESOLVED_JSON);
      if (answered.changes === 1)
        log.write(found.orderId, now(), 'admin', found.action, answeredEvent(found, state, answer));
      return intent(claim.tokenHash)!;
    },
  );

  return {
    issueIntent(i) {
      validateIssue(i);
      return issueTx.immediate(i);
    },
    findIntent: (tokenHash) => (isTokenHash(tokenHash) ? intent(tokenHash) : undefined),
    claimIntent(c, policy) {
      validateClaim(c);
      return claimTx.immediate(c, policy);
    },
    unresolvedIntents: (orderId) => q.unresolved.all(orderId, UNRESOLVED_JSON).map(toIntent),
    finishIntent(claim, state, answer) {
      validateAnswer(state, answer);
      return finishTx.immediate(claim, state, answer);
    },
  };
}
