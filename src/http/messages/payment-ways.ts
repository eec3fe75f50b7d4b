/**
 * How an order was paid, in words for the buyer and the merchant ("Paid with Google Pay"), from the `paymentWay` the
 * gateway's status reports and the ledger keeps with the card line (src/orders/card.ts). A way without words here is
 * shown as the gateway named it.
 */
import type { Lang } from '../i18n.js';

const WORDS: Readonly<Record<string, readonly [en: string, ru: string]>> = {
  CARD: ['Paid by card', 'Оплачено картой'],
  APPLE_PAY: ['Paid with Apple Pay', 'Оплачено через Apple Pay'],
  // A plain card kept in Google Pay, or a device token: the buyer paid with Google Pay either way.
  GOOGLE_PAY_CARD: ['Paid with Google Pay', 'Оплачено через Google Pay'],
  GOOGLE_PAY_TOKENIZED: ['Paid with Google Pay', 'Оплачено через Google Pay'],
  SAMSUNG_PAY: ['Paid with Samsung Pay', 'Оплачено через Samsung Pay'],
};

const OTHER: readonly [en: string, ru: string] = ['Paid with {way}', 'Способ оплаты: {way}'];

/** The words for a payment way in `lang`; undefined when the gateway named none. */
export function paidWith(way: string | null | undefined, lang: Lang): string | undefined {
  if (way === null || way === undefined || way === '') return undefined;
  const known = Object.hasOwn(WORDS, way) ? WORDS[way] : undefined;
  const i = lang === 'ru' ? 1 : 0;
  return known ? known[i] : OTHER[i].replace('{way}', way);
}
