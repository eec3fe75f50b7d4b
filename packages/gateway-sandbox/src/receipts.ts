/**
 * Fiscal receipts (docs/gateway-reference.md §9): a simulated fiscaliser that issues a receipt for each payment or
 * capture and each refund of an order registered with a cart, and the getReceiptStatus.do answer for them.
 *
 * Receipts hang off the engine's events (a listener, like the callbacks): nothing in the payment flow knows of them.
 * A receipt is "sent" (0, or 3 for a refund) for `delayMs` of the sandbox's clock, then delivered (1 / 4) or, when a
 * fault switch or a magic value chose it, failed (2 / 5). Its status is computed from the clock when read.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { SandboxClock } from './clock.js';
import { decimalAmount } from './currency.js';
import type { OrderStore } from './store.js';
import type { SandboxEvent, SandboxOrder, SandboxReceipt } from './types.js';

/** How long a receipt stays "sent" before the simulated fiscaliser answers, unless configured: 60 s. */
export const DEFAULT_RECEIPT_DELAY_MS = 60_000;
/** The longest delay accepted (receiptDelayMs): one day. */
export const MAX_RECEIPT_DELAY_MS = 24 * 60 * 60 * 1000;

/** receiptStatus values (classic getReceiptStatus.do): sent, delivered, failed; for a sale and for a refund. */
export const RECEIPT_STATUS = Object.freeze({
  payment: { sent: 0, delivered: 1, failed: 2 },
  refund: { sent: 3, delivered: 4, failed: 5 },
} as const);

export type ReceiptState = 'sent' | 'delivered' | 'failed';

/**
 * Whether the gateway issues receipts for this order: it was registered with a cart (`orderBundle`, cart.ts), which the
 * fiscaliser needs. The one predicate every receipt decision goes through.
 */
export function isFiscalOrder(order: Readonly<SandboxOrder>): boolean {
  return order.cart !== undefined;
}

export function receiptState(receipt: SandboxReceipt, now: number): ReceiptState {
  if (now < receipt.settlesAt) return 'sent';
  return receipt.fails ? 'failed' : 'delivered';
}

export function receiptStatusCode(receipt: SandboxReceipt, now: number): number {
  return RECEIPT_STATUS[receipt.kind][receiptState(receipt, now)];
}

/** Ends the wait of every receipt of the order still "sent" (the test helpers' `settle`); says how many. */
export function settleReceipts(order: SandboxOrder, now: number): number {
  let settled = 0;
  for (const receipt of order.receipts ?? []) {
    if (receipt.settlesAt <= now) continue;
    receipt.settlesAt = now;
    settled += 1;
  }
  return settled;
}

/** The link a delivered receipt carries (ofd_receipt_url): the sandbox's own receipt page. */
export function receiptUrl(origin: string, uuid: string): string {
  return `${origin}/sandbox/receipts/${encodeURIComponent(uuid)}`;
}

/** The simulated operator (OFD) every receipt names. */
export const SANDBOX_OFD = Object.freeze({ inn: '0000000000', name: 'Sandbox OFD (simulated)' });

/** The operator as a receipt names it, its website the sandbox's own host (the origin as given when it is no URL). */
export function ofdOf(origin: string): { inn: string; name: string; website: string } {
  let website = origin;
  try {
    website = new URL(origin).host;
  } catch {
    // Kept as given: the receipt still answers.
  }
  return { ...SANDBOX_OFD, website };
}

/** Fiscal drive and cash register numbers: stable per merchant, like one merchant's real cash register. */
export function fiscalDevice(login: string): { fnNumber: string; ecrRegistrationNumber: string } {
  let a = 17;
  let b = 31;
  for (const ch of login) {
    a = (a * 131 + ch.charCodeAt(0)) % 100_000_000;
    b = (b * 137 + ch.charCodeAt(0)) % 100_000_000;
  }
  return {
    fnNumber: `99990789${String(a).padStart(8, '0')}`,
    ecrRegistrationNumber: `00000000${String(b).padStart(8, '0')}`,
  };
}

/** One receipt as getReceiptStatus.do answers it; the fiscal data only once the fiscaliser has delivered it. */
export function receiptAnswer(
  order: Readonly<SandboxOrder>,
  receipt: SandboxReceipt,
  now: number,
  origin: string,
): Record<string, unknown> {
  const state = receiptState(receipt, now);
  const body: Record<string, unknown> = {
    receiptStatus: RECEIPT_STATUS[receipt.kind][state],
    uuid: receipt.uuid,
    amount_total: decimalAmount(receipt.amount, order.currency),
  };
  if (state !== 'delivered') return { ...body, ofd_receipt_url: '' };
  const device = fiscalDevice(order.merchantLogin);
  return {
    ...body,
    shift_number: receipt.shiftNumber,
    fiscal_receipt_number: receipt.fiscalReceiptNumber,
    receipt_datetime: receipt.settlesAt,
    fn_number: device.fnNumber,
    ecr_registration_number: device.ecrRegistrationNumber,
    fiscal_document_number: receipt.fiscalDocumentNumber,
    fiscal_document_attribute: receipt.fiscalDocumentAttribute,
    ofd_receipt_url: receiptUrl(origin, receipt.uuid),
    OFD: ofdOf(origin),
  };
}

/** A receipt by its uuid, with its order; of one merchant when `login` is given. */
export function findReceipt(
  store: OrderStore,
  uuid: string,
  login?: string,
): { order: SandboxOrder; receipt: SandboxReceipt } | undefined {
  for (const order of store.values()) {
    if (!order.receipts || (login !== undefined && order.merchantLogin !== login)) continue;
    const receipt = order.receipts.find((r) => r.uuid === uuid);
    if (receipt) return { order, receipt };
  }
  return undefined;
}

export interface ReceiptIssuerOptions {
  store: OrderStore;
  clock: SandboxClock;
  /** How long a receipt stays "sent". Default DEFAULT_RECEIPT_DELAY_MS. */
  delayMs?: number;
  /** Whether this order's next receipt fails (its magic value, or its merchant's fault switch, which counts a use). */
  fails: (order: Readonly<SandboxOrder>) => boolean;
}

/** The engine-event listener that issues receipts: a sale for each payment or capture, a refund for each refund. */
export class ReceiptIssuer {
  readonly delayMs: number;
  readonly #store: OrderStore;
  readonly #clock: SandboxClock;
  readonly #fails: (order: Readonly<SandboxOrder>) => boolean;

  constructor(options: ReceiptIssuerOptions) {
    const delayMs = options.delayMs ?? DEFAULT_RECEIPT_DELAY_MS;
    if (!Number.isInteger(delayMs) || delayMs < 0 || delayMs > MAX_RECEIPT_DELAY_MS)
      throw new Error(`sandbox receiptDelayMs must be a whole number of ms from 0 to ${MAX_RECEIPT_DELAY_MS}`);
    this.delayMs = delayMs;
    this.#store = options.store;
    this.#clock = options.clock;
    this.#fails = options.fails;
  }

  /**
   * Runs inside the engine's change of the order (events fire before the engine saves it), so the receipt is saved
   * with the change that caused it. The stored order is the object the event carries, writable through the store.
   */
  readonly handle = (event: SandboxEvent): void => {
    if (event.status !== 1 || !isFiscalOrder(event.order)) return;
    const kind = event.operation === 'deposited' ? 'payment' : event.operation === 'refunded' ? 'refund' : undefined;
    if (kind === undefined) return;
    const order = this.#store.get(event.order.id);
    if (!order) return;
    const now = this.#clock.now();
    const receipt: SandboxReceipt = {
      uuid: randomUUID(),
      kind,
      amount: event.amount,
      issuedAt: now,
      settlesAt: now + this.delayMs,
      fails: this.#fails(order),
      // A shift a day, as a cash register opens one each morning.
      shiftNumber: (Math.floor(now / 86_400_000) % 9999) + 1,
      fiscalReceiptNumber: randomInt(1, 10_000),
      fiscalDocumentNumber: randomInt(1, 1_000_000),
      fiscalDocumentAttribute: String(randomInt(1_000_000_000, 4_294_967_295)),
    };
    (order.receipts ??= []).push(receipt);
  };
}
