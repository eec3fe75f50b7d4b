import type { LocalStatus } from './types.js';

/** gateway orderStatus (docs/gateway-reference.md §4.1) → local status. 7/8 are bank-specific and deliberately not mapped. */
export function statusFromGateway(
  orderStatus: number,
  amounts: { deposited?: number | undefined; refunded?: number | undefined } = {},
): LocalStatus | undefined {
  switch (orderStatus) {
    case 0:
      return 'registered';
    case 1:
      return 'authorized';
    case 2:
      return 'paid';
    case 3:
      return 'reversed';
    case 4: {
      // Partly refunded while something captured is left; without the amounts, the whole order counts as refunded.
      const { deposited, refunded } = amounts;
      const partly = deposited !== undefined && refunded !== undefined && refunded > 0 && refunded < deposited;
      return partly ? 'partially_refunded' : 'refunded';
    }
    case 5:
      return 'processing';
    case 6:
      return 'declined';
    default:
      return undefined;
  }
}

// Orders the gateway may know about but that haven't reached a result yet. 'new' is included:
// a crash between insert and markRegistered leaves a row the reconciler finds by orderNumber.
const OPEN: readonly LocalStatus[] = ['new', 'registered', 'register_unknown', 'processing'];

/**
 * Forward-only machine: target → statuses it may be reached from (excluding itself).
 * A stale or replayed reply (e.g. 'processing' after 'paid', or 'deposited' after a refund)
 * matches no row in the compare-and-set and changes nothing.
 * Jumps over unseen states are allowed (registered → refunded when the paid reply was missed),
 * because the gateway is the source of truth; they never fulfil except into paid/authorized.
 * 'registered' is reached only through markRegistered (it needs the orderId and formUrl).
 */
export const PREDECESSORS: Readonly<Record<LocalStatus, readonly LocalStatus[]>> = {
  new: [],
  registered: [],
  // From 'new' when the gateway refused (markRegisterFailed); from 'register_unknown' when the reconciler learns that
  // the gateway never heard of the order.
  register_failed: ['new', 'register_unknown'],
  register_unknown: [],
  processing: ['new', 'registered', 'register_unknown'],
  authorized: [...OPEN],
  paid: [...OPEN, 'authorized'],
  declined: [...OPEN],
  reversed: [...OPEN, 'authorized', 'paid'],
  partially_refunded: [...OPEN, 'authorized', 'paid'],
  refunded: [...OPEN, 'authorized', 'paid', 'partially_refunded'],
  // "never paid, needs review": nothing fulfilled may be downgraded to it.
  mismatch: [...OPEN],
};

/** Statuses that trigger fulfilment on first entry. */
export const FULFIL_ON: readonly LocalStatus[] = ['paid', 'authorized'];

/** Still waiting for the gateway's outcome: a return or callback asks about these; any other status is settled. */
export function isOpen(status: LocalStatus): boolean {
  return OPEN.includes(status);
}

/** Statuses the reconciler should ask the gateway about once the payment page has expired. */
export const STALE_CANDIDATES: readonly LocalStatus[] = OPEN;

/** Paid statuses the reconciler re-checks for a while: a refund or reversal may be made outside the shop. */
export const RECHECK_AFTER_PAYMENT: readonly LocalStatus[] = ['authorized', 'paid', 'partially_refunded'];

export function canTransition(from: LocalStatus, to: LocalStatus): boolean {
  return PREDECESSORS[to].includes(from);
}
