/**
 * The card line a paid order keeps (issue 15, item 11): what the status answer said about the card, so the success
 * page shows it however the order was settled (return, callback, reconciler) and on every reload. Only a masked
 * number and the payment way are kept: never a full card number, never the cardholder's name (rule 10).
 */
export interface CardLine {
  maskedPan: string | null;
  paymentWay: string | null;
}

/** What a status answer said, before the ledger decides what of it to keep. */
export interface CardInput {
  maskedPan?: string | undefined;
  paymentWay?: string | undefined;
}

// A masked number: digits, then at least one mask character, then digits (411111**1111), with 10 digits at most
// (BIN and last four); anything else might be a full number and is dropped.
const MASKED = /^\d{0,6}[*Xx•]+\d{0,4}$/;
const WAY = /^[A-Za-z0-9_]{1,32}$/;

/**
 * The card line to store: each field the answer carries in a safe shape, else what the order already has (a later
 * answer without cardAuthInfo never erases it). The one rule both ledgers apply, in the status transaction.
 */
export function cardToKeep(kept: CardLine, said: CardInput | undefined): CardLine {
  const pan = said?.maskedPan;
  const way = said?.paymentWay;
  return {
    maskedPan: pan !== undefined && pan.length <= 19 && MASKED.test(pan) ? pan : kept.maskedPan,
    paymentWay: way !== undefined && WAY.test(way) ? way : kept.paymentWay,
  };
}
