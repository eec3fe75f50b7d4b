// An order's fiscal receipts (issue 18): asked of the gateway (getReceiptStatus.do) and kept in the order's event log,
// one 'receipt' event each time a receipt is new or its status changed, so the back office reads them from the ledger.
import type { GatewayClient, Receipt } from '../gateway/index.js';
import type { Ledger, Order, OrderEvent } from '../orders/types.js';

/** The event kind a receipt's news is kept under. */
export const RECEIPT_EVENT = 'receipt';

/** A receipt as the ledger keeps it: what the back office shows, nothing personal. */
export interface KeptReceipt {
  /** The fiscaliser's id, or `#<n>` (its place in the answer) when the gateway gave none. */
  uuid: string;
  /** 0 sent, 1 delivered, 2 failed (payment); 3, 4, 5 the same for a refund; 6, 7, 8 a correction. */
  receiptStatus: number;
  /** When the receipt was made, epoch milliseconds. */
  at?: number;
  /** In major units, as the gateway writes it ("1500.00"). */
  amountTotal?: string;
  /** The receipt at the fiscal data operator (an http(s) URL only: the client drops any other). */
  url?: string;
  fiscalDocumentNumber?: number;
}

function kept(r: Receipt, index: number): KeptReceipt {
  return {
    uuid: r.uuid ?? `#${index + 1}`,
    receiptStatus: r.receiptStatus,
    // A time a Date can hold, else none (the page shows it as a date).
    ...(r.receiptDatetime !== undefined && Math.abs(r.receiptDatetime) <= 8.64e15 && { at: r.receiptDatetime }),
    ...(r.amountTotal !== undefined && { amountTotal: r.amountTotal }),
    ...(r.ofdReceiptUrl !== undefined && { url: r.ofdReceiptUrl }),
    ...(r.fiscalDocumentNumber !== undefined && { fiscalDocumentNumber: r.fiscalDocumentNumber }),
  };
}

/** The order's receipts as its events last told them: the latest of each, in the order they first appeared. */
export function receiptsOf(events: readonly OrderEvent[]): KeptReceipt[] {
  const latest = new Map<string, KeptReceipt>();
  for (const e of events) {
    if (e.kind !== RECEIPT_EVENT || !e.detail) continue;
    const { uuid, receiptStatus } = e.detail;
    if (typeof uuid !== 'string' || typeof receiptStatus !== 'number') continue;
    latest.set(uuid, e.detail as unknown as KeptReceipt);
  }
  return [...latest.values()];
}

const same = (a: KeptReceipt | undefined, b: KeptReceipt) => a !== undefined && JSON.stringify(a) === JSON.stringify(b);

/**
 * Asks the gateway for the order's receipts and records each one that is new or changed since the ledger last heard
 * (an unchanged one writes nothing, so asking again is cheap on the ledger). Errors are the gateway client's.
 */
export function createReceipts({ ledger, gateway }: { ledger: Ledger; gateway: GatewayClient }) {
  return async function refresh(order: Order & { gatewayOrderId: string }): Promise<KeptReceipt[]> {
    const answer = await gateway.getReceiptStatus({ orderId: order.gatewayOrderId });
    const known = new Map(receiptsOf(await ledger.events(order.id)).map((r) => [r.uuid, r]));
    for (const [i, r] of answer.receipts.entries()) {
      const now = kept(r, i);
      if (same(known.get(now.uuid), now)) continue;
      await ledger.recordEvent(order.id, RECEIPT_EVENT, `status_${now.receiptStatus}`, { ...now });
      known.set(now.uuid, now);
    }
    return [...known.values()];
  };
}
