// A refund of chosen lines (issue 18): which lines of an order may still be refunded and by how much, from the
// order and its history, and the refund form's quantities read into lines. The lines themselves (their position,
// code and amounts on the gateway's side) are built by src/payments/bundle.ts, as for the register's cart.
import type { MessageKey } from '../http/i18n.js';
import type { ChosenLine } from '../payments/index.js';
import type { Order, OrderEvent } from '../orders/types.js';

/** The event step that records a refund intent's lines before its call: `{ step, intent, lines }`. */
export const LINES_STEP = 'lines';

/** One line of an order on the refund form. */
export interface RefundLine {
  positionId: number;
  name: string;
  quantity: number;
  unitAmount: number;
  /** Units refunded by earlier refunds of chosen lines that the gateway made. */
  refunded: number;
  /** Units that may still be refunded: the line's quantity less `refunded`. */
  left: number;
}

/** The recorded lines of one intent, if its event is well formed. */
function linesOf(e: OrderEvent): { intent: string; lines: ChosenLine[] } | undefined {
  const d = e.detail;
  if (e.kind !== 'admin' || e.outcome !== 'refund' || d?.step !== LINES_STEP || typeof d.intent !== 'string')
    return undefined;
  if (!Array.isArray(d.lines)) return undefined;
  const lines = (d.lines as unknown[]).filter(
    (l): l is ChosenLine =>
      typeof l === 'object' &&
      l !== null &&
      Number.isSafeInteger((l as ChosenLine).positionId) &&
      Number.isSafeInteger((l as ChosenLine).quantity),
  );
  return { intent: d.intent, lines };
}

/** The lines a refund intent recorded before its first call (a retry after an unknown outcome sends the same). */
export function recordedLines(events: readonly OrderEvent[], intentRef: string): ChosenLine[] | undefined {
  for (const e of events) {
    const found = linesOf(e);
    if (found?.intent === intentRef) return found.lines;
  }
  return undefined;
}

/**
 * The order's lines with what is left of each: a line's units count as refunded once the refund that named them was
 * made (its answer, or the status after an unknown outcome, said so). A refund by amount names no line: the order's
 * own ceiling (captured less refunded) bounds every refund on top of this.
 */
export function refundLines(order: Pick<Order, 'items'>, events: readonly OrderEvent[]): RefundLine[] {
  const made = new Set(
    events
      .filter((e) => e.kind === 'admin' && e.outcome === 'refund' && e.detail?.step === 'answered')
      .filter((e) => e.detail?.answer === 'ok')
      .map((e) => e.detail?.intent),
  );
  const refunded = new Map<number, number>();
  for (const e of events) {
    const found = linesOf(e);
    if (!found || !made.has(found.intent)) continue;
    for (const l of found.lines) refunded.set(l.positionId, (refunded.get(l.positionId) ?? 0) + l.quantity);
  }
  return order.items.map((item, i) => {
    const done = Math.min(refunded.get(i + 1) ?? 0, item.quantity);
    return {
      positionId: i + 1,
      name: item.name,
      quantity: item.quantity,
      unitAmount: item.unitAmount,
      refunded: done,
      left: item.quantity - done,
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
