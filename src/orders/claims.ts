import { randomBytes } from 'node:crypto';
import type { ClaimOwner, Order, PurchasePolicy } from './types.js';

/**
 * A purchase claim's owner (ClaimOwner, in types.ts) is the shop instance, stable across its restarts (the host it
 * runs on and the address it listens on), and the life of the process (random per start). One instance runs one
 * process at a time, so a claim written by the same instance in another life belongs to a process that is gone
 * (killed, crashed): nothing is registering that order any more. A claim of another instance may be alive and is
 * waited for.
 */

/** This process's life: written with each purchase claim it makes. */
export const THIS_LIFE = randomBytes(9).toString('base64url');

/** The stored form of an owner (orders.claim_owner). */
export function ownerText(owner: ClaimOwner | undefined): string | null {
  return owner === undefined ? null : JSON.stringify([owner.instance, owner.life]);
}

function parseOwner(text: string | null | undefined): ClaimOwner | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (Array.isArray(parsed) && parsed.length === 2 && parsed.every((p) => typeof p === 'string')) {
      return { instance: parsed[0] as string, life: parsed[1] as string };
    }
  } catch {
    // not ours: treated as unknown, i.e. possibly alive
  }
  return undefined;
}

/** True only when the stored claim provably has no process behind it: same instance, another life. */
export function ownerGone(stored: string | null | undefined, claimant: ClaimOwner | undefined): boolean {
  const owner = parseOwner(stored);
  return (
    owner !== undefined &&
    claimant !== undefined &&
    owner.instance === claimant.instance &&
    owner.life !== claimant.life
  );
}

/**
 * What a new claim does with the pending order of the same purchase (the decision both ledgers take inside their
 * claim transaction):
 * - in_flight: a live request is registering it; wait for it (or 503 on another instance);
 * - abandoned / owner_gone: nobody is registering it any more (its register call has timed out by now, or its process
 *   is gone): retire it as register_unknown (the gateway may hold it) and start a new order;
 * - reusable: registered with a fresh payment page: send the buyer there;
 * - stale: registered, its page no longer worth sending anyone to: release the key and start a new order.
 */
export type PendingFate = 'in_flight' | 'abandoned' | 'owner_gone' | 'reusable' | 'stale';

export function pendingFate(
  pending: Order,
  claimOwner: string | null | undefined,
  t: number,
  policy: PurchasePolicy,
): PendingFate {
  if (pending.status === 'new') {
    if (t - pending.createdAt >= policy.abandonAfterMs) return 'abandoned';
    return ownerGone(claimOwner, policy.owner) ? 'owner_gone' : 'in_flight';
  }
  return pending.formUrl !== null && t - pending.createdAt < policy.reuseForMs ? 'reusable' : 'stale';
}

/** The event detail of a retired 'new' order, by why it was retired. */
export const RETIRED_BECAUSE: Record<'abandoned' | 'owner_gone', { reason: string }> = {
  abandoned: { reason: 'abandoned before the gateway answered' },
  owner_gone: { reason: 'the process registering it is gone (restarted)' },
};
