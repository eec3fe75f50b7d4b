// The order's lines in the back office's money actions (issue 18): what each capture or refund took of each line (the
// parts its intent recorded before its call), what is left of each line, and the refund form's quantities read into
// lines. The cart lines themselves (positions, codes, amounts on the gateway's side) are built by
// src/payments/bundle.ts, as for the register's cart.
import type { MessageKey } from '../http/i18n.js';
import { positionOf, type ChosenLine, type LinePart } from '../payments/index.js';
import type { Order, OrderEvent } from '../orders/types.js';

/** The event step that records an intent's line parts before its call: `{ step, intent, lines }`. */
export const LINES_STEP = 'lines';

/** One line of an order on the refund form. */
export interface RefundLine {
  positionId: number;
  name: string;
  quantity: number;
  unitAmount: number;
  /** Minor units of the line that may still be refunded: what was captured of it, less what was refunded. */
  leftAmount: number;
  /** Whole units that may still be refunded. */
  left: number;
}

const isPart = (l: unknown): l is LinePart =>
  typeof l === 'object' &&
  l !== null &&
  Number.isSafeInteger((l as LinePart).positionId) &&
  typeof (l as LinePart).quantity === 'number' &&
  Number.isSafeInteger((l as LinePart).amount);

/** The recorded parts of one intent of `action`, if its event is well formed. */
function partsOf(e: OrderEvent, action: string): { intent: string; lines: LinePart[] } | undefined {
  const d = e.detail;
  if (e.kind !== 'admin' || e.outcome !== action || d?.step !== LINES_STEP || typeof d.intent !== 'string')
    return undefined;
  return Array.isArray(d.lines) ? { intent: d.intent, lines: (d.lines as unknown[]).filter(isPart) } : undefined;
}

/** The parts an intent recorded before its first call (a retry after an unknown outcome sends the same). */
export function recordedParts(
  events: readonly OrderEvent[],
  action: string,
  intentRef: string,
): LinePart[] | undefined {
  for (const e of events) {
    const found = partsOf(e, action);
    if (found?.intent === intentRef) return found.lines;
  }
  return undefined;
}

/**
 * Minor units each line moved by the `action`s the gateway made (its answer, or the status after an unknown
 * outcome, said so), by position; undefined when no such action recorded parts.
 */
export function movedByLine(events: readonly OrderEvent[], action: string): Map<number, number> | undefined {
  const made = new Set(
    events
      .filter((e) => e.kind === 'admin' && e.outcome === action && e.detail?.step === 'answered')
      .filter((e) => e.detail?.answer === 'ok')
      .map((e) => e.detail?.intent),
  );
  let moved: Map<number, number> | undefined;
  for (const e of events) {
    const found = partsOf(e, action);
    if (!found || !made.has(found.intent)) continue;
    moved ??= new Map();
    for (const l of found.lines) moved.set(l.positionId, (moved.get(l.positionId) ?? 0) + l.amount);
  }
  return moved;
}

/**
 * The order's lines with what is left of each for a refund: what a capture of parts took of the line (else all of
 * it), less what refunds recorded by line gave back. A refund made elsewhere is not seen here: the order's own
 * ceiling (captured less refunded, as the gateway says) bounds every refund on top of this.
 */
export function refundLines(order: Pick<Order, 'items'>, events: readonly OrderEvent[]): RefundLine[] {
  const captured = movedByLine(events, 'capture');
  const refunded = movedByLine(events, 'refund');
  return order.items.map((item, i) => {
    const total = item.unitAmount * item.quantity;
    const positionId = positionOf(i);
    const taken = captured ? (captured.get(positionId) ?? 0) : total;
    const leftAmount = Math.max(0, Math.min(total, taken) - (refunded?.get(positionId) ?? 0));
    return {
      positionId,
      name: item.name,
      quantity: item.quantity,
      unitAmount: item.unitAmount,
      leftAmount,
      left: item.unitAmount > 0 ? Math.floor(leftAmount / item.unitAmount) : 0,
    };
  });
}

/** The form field of a line's quantity. */
export const lineField = (positionId: number) => `line${positionId}`;

export type ChosenParse = { ok: true; lines: ChosenLine[]; amount: number } | { ok: false; error: MessageKey };

/**
 * The refund form's quantities: each a whole number from 0 to what is left of its line (blank is 0), at least one
 * above 0. Fields of other names are ignored; the amount is the lines' own, never a typed one.
 */
export function parseChosenLines(body: Record<string, unknown>, lines: readonly RefundLine[]): ChosenParse {
  const chosen: ChosenLine[] = [];
  let amount = 0;
  for (const line of lines) {
    const raw = body[lineField(line.positionId)];
    const text = typeof raw === 'string' ? raw.trim() : raw === undefined ? '' : undefined;
    if (text === undefined || !/^\d{0,3}$/.test(text)) return { ok: false, error: 'admin.lines.badQuantity' };
    const quantity = text === '' ? 0 : Number(text);
    if (quantity > line.left) return { ok: false, error: 'admin.lines.badQuantity' };
    if (quantity === 0) continue;
    chosen.push({ positionId: line.positionId, quantity });
    amount += line.unitAmount * quantity;
  }
  if (chosen.length === 0) return { ok: false, error: 'admin.lines.none' };
  return { ok: true, lines: chosen, amount };
}
