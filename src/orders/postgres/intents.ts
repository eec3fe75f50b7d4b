import type pg from 'pg';
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
  type Intent,
  type IntentRow,
  type IntentState,
  UNRESOLVED,
} from '../intents.js';
import type { Ledger } from '../types.js';
import type { Async, Tx } from './client.js';
import { lockOrder, writeEvent } from './writes.js';

type IntentMethods = Async<
  Pick<Ledger, 'issueIntent' | 'findIntent' | 'claimIntent' | 'finishIntent' | 'unresolvedIntents'>
>;

/**
 * The back office's intents on PostgreSQL, with the same decision as SQLite (src/orders/intents.ts). Every write
 * locks the order's row first (as every ledger write does), so two submits of one form on two instances are decided
 * one after the other.
 */
export function createPostgresIntents(pool: pg.Pool, tx: Tx, now: () => number): IntentMethods {
  const intent = async (c: pg.PoolClient | pg.Pool, tokenHash: string): Promise<Intent | undefined> => {
    const { rows } = await c.query<IntentRow>('SELECT * FROM admin_intents WHERE token_hash = $1', [tokenHash]);
    return rows[0] ? toIntent(rows[0]) : undefined;
  };
  /** How far the order's forms have gone (claimsOf), from the states of its intents. */
  const claims = async (c: pg.PoolClient, orderId: number) => {
    const sql = 'SELECT state FROM admin_intents WHERE order_id = $1';
    return claimsOf((await c.query<{ state: IntentState }>(sql, [orderId])).rows.map((r) => r.state));
  };

  return {
    async issueIntent(i) {
      validateIssue(i);
      return tx(async (c) => {
        const o = await lockOrder(c, i.orderId);
        const t = now();
        await c.query("DELETE FROM admin_intents WHERE state = 'issued' AND issued_at < $1", [i.forgetIssuedBefore]);
        await c.query(
          `INSERT INTO admin_intents (token_hash, ref, order_id, action, actor, issued_at, state, seen_status,
             seen_deposited, seen_refunded, seen_claims)
           VALUES ($1, $2, $3, $4, $5, $6, 'issued', $7, $8, $9, $10)`,
          [
            i.tokenHash,
            i.ref,
            o.id,
            i.action,
            i.actor,
            t,
            o.status,
            o.depositedAmount,
            o.refundedAmount,
            (await claims(c, o.id)).claimed,
          ],
        );
        return (await intent(c, i.tokenHash))!;
      });
    },

    findIntent: async (tokenHash) => (isTokenHash(tokenHash) ? intent(pool, tokenHash) : undefined),

    async claimIntent(req, policy) {
      validateClaim(req);
      return tx(async (c) => {
        // The order's row lock orders every claim of this order, whichever form it comes from.
        const o = await lockOrder(c, req.orderId);
        const found = isTokenHash(req.tokenHash) ? await intent(c, req.tokenHash) : undefined;
        const t = now();
        const decision = decideIntent(found, req, o, await claims(c, o.id), t, policy);
        if (decision.outcome !== 'go' || !found) return { ...decision, intent: found, order: o };
        await c.query(
          `UPDATE admin_intents SET state = 'pending', amount = $1, claimed_at = $2, attempts = attempts + 1
           WHERE token_hash = $3`,
          [req.amount, t, req.tokenHash],
        );
        const claimed = (await intent(c, req.tokenHash))!;
        await writeEvent(c, o.id, t, 'admin', claimed.action, requestedEvent(claimed, decision.recheck));
        return { ...decision, intent: claimed, order: o };
      });
    },

    async unresolvedIntents(orderId) {
      const { rows } = await pool.query<IntentRow>(
        'SELECT * FROM admin_intents WHERE order_id = $1 AND state = ANY($2::text[]) ORDER BY claimed_at',
        [orderId, UNRESOLVED],
      );
      return rows.map(toIntent);
    },

    async finishIntent(claim, state, answer) {
      validateAnswer(state, answer);
      const { tokenHash } = claim;
      return tx(async (c) => {
        const found = isTokenHash(tokenHash) ? await intent(c, tokenHash) : undefined;
        refuseUnknownIntent(found);
        await lockOrder(c, found.orderId);
        // Only the attempt that was claimed is answered: a claim made again since then is not overwritten.
        const { rowCount } = await c.query(
          `UPDATE admin_intents SET state = $1, answer = $2
           WHERE token_hash = $3 AND attempts = $4 AND state = ANY($5::text[])`,
          [state, JSON.stringify(answer), tokenHash, claim.attempts, UNRESOLVED],
        );
        if (rowCount === 1)
          await writeEvent(c, found.orderId, now(), 'admin', found.action, answeredEvent(found, state, answer));
        return (await intent(c, tokenHash))!;
      });
    },
  };
}
