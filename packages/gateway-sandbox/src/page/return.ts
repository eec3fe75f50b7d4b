import type { Request } from 'express';
import type { SandboxClock } from '../clock.js';
import type { PayOutcome } from '../engine.js';
import { browserHints } from '../rest/record.js';
import type { PageEntry, PageStep, TrafficJournal } from '../traffic.js';
import { SUCCESS_LOOKING_PARAMS, type ProbeRegistry } from '../probes.js';
import type { PageLang, SandboxOrder } from '../types.js';

/**
 * Where the buyer goes back to (docs/gateway-reference.md §2 step 3): failUrl on failure when given, else returnUrl,
 * with orderId and lang appended after "?" or "&" as the real gateway does.
 */
export function shopUrl(order: SandboxOrder, lang: PageLang, extra: Readonly<Record<string, string>> = {}): string {
  const failed = order.status === 6 || order.status === 3;
  const base = failed && order.failUrl ? order.failUrl : order.returnUrl;
  const hashAt = base.indexOf('#');
  const [head, hash] = hashAt === -1 ? [base, ''] : [base.slice(0, hashAt), base.slice(hashAt)];
  const sep = head.includes('?') ? (head.endsWith('?') || head.endsWith('&') ? '' : '&') : '?';
  const more = Object.entries(extra)
    .map(([name, value]) => `&${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
    .join('');
  return `${head}${sep}orderId=${encodeURIComponent(order.id)}&lang=${lang}${more}${hash}`;
}

/** A buyer sent back to the shop: where to, computed once for the redirect (or a helper's answer) and the journal. */
export interface BuyerReturn {
  url: string;
  /** The success-looking-return probe fired: `url` carries SUCCESS_LOOKING_PARAMS on a declined order. */
  probe?: 'success-looking-return';
}

/** The outcomes of a card or 3-D Secure submit after which the hosted page sends the buyer back to the shop. */
const BACK_TO_SHOP: ReadonlySet<PayOutcome['kind']> = new Set(['approved', 'declined', 'processing']);

/**
 * The buyer's way back to the shop now (after a cancel, or any finished payment). A declined order of a merchant with
 * the success-looking-return probe armed goes back with success-looking parameters, and disarms it.
 */
export function buyerReturn(order: SandboxOrder, lang: PageLang, probes?: ProbeRegistry): BuyerReturn {
  if (order.status === 6 && probes?.take(order.merchantLogin, 'success-looking-return') === true)
    return { url: shopUrl(order, lang, SUCCESS_LOOKING_PARAMS), probe: 'success-looking-return' };
  return { url: shopUrl(order, lang) };
}

/** The way back after a submit, when the outcome sends the buyer back (approved, declined, processing); else none. */
export function returnAfter(
  order: SandboxOrder,
  lang: PageLang,
  outcome: PayOutcome['kind'],
  probes?: ProbeRegistry,
): BuyerReturn | undefined {
  return BACK_TO_SHOP.has(outcome) ? buyerReturn(order, lang, probes) : undefined;
}

/** What a page step recorded in the integration journal says besides the order's state. */
export interface PageStepFacts {
  outcome?: string;
  /** The buyer was sent back to the shop after the step: recorded as `sentTo`. */
  back?: BuyerReturn;
  via?: PageEntry['via'];
}

export type PageStepRecorder = (req: Request, order: SandboxOrder, step: PageStep, facts?: PageStepFacts) => void;

/** Records hosted-page steps (and the test helpers' page-like ones) in the integration journal; nothing without one. */
export function pageStepRecorder(journal: TrafficJournal | undefined, clock: SandboxClock): PageStepRecorder {
  return (req, order, step, facts = {}) =>
    void journal?.record({
      kind: 'page',
      at: clock.now(),
      merchant: order.merchantLogin,
      orderId: order.id,
      step,
      ...(facts.outcome !== undefined && { outcome: facts.outcome }),
      orderStatus: order.status,
      source: req.ip ?? '',
      browser: browserHints(req),
      ...(facts.back && { sentTo: facts.back.url }),
      ...(facts.back?.probe && { probe: facts.back.probe }),
      ...(facts.via && { via: facts.via }),
    });
}
