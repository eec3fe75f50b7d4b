import { isExpired, normalisePan, parseExpiry, passesLuhn } from '../cards.js';
import type { CardInput } from '../engine.js';
import type { PageTexts } from './texts.js';

export interface CardFormValues {
  pan: string;
  expiry: string;
  cardholder: string;
  /** Only a test-card prefill carries one (the public test CVC); typed CVCs are never rendered back. */
  cvc?: string;
}

export type CardFormResult =
  | { ok: true; card: CardInput }
  | { ok: false; errors: Partial<Record<'pan' | 'expiry' | 'cvc' | 'cardholder', string>>; values: CardFormValues };

const field = (body: Record<string, unknown>, name: string): string => {
  const v = body[name];
  return typeof v === 'string' ? v.trim() : '';
};

/**
 * The checks a real payment page makes before anything is sent to the bank:
 * a failure here is shown on the page and neither charges nor uses up an attempt.
 */
export function readCardForm(body: Record<string, unknown>, now: number, t: PageTexts): CardFormResult {
  const values = { pan: field(body, 'pan'), expiry: field(body, 'expiry'), cardholder: field(body, 'cardholder') };
  const cvc = field(body, 'cvc');
  const pan = normalisePan(values.pan);
  const expiration = parseExpiry(values.expiry);
  const errors: Extract<CardFormResult, { ok: false }>['errors'] = {};
  if (!passesLuhn(pan)) errors.pan = t.errPan;
  if (!expiration) errors.expiry = t.errExpiry;
  else if (isExpired(expiration, now)) errors.expiry = t.errExpired;
  if (!/^\d{3,4}$/.test(cvc)) errors.cvc = t.errCvc;
  if (!/^[A-Za-z][A-Za-z .'-]{0,25}$/.test(values.cardholder)) errors.cardholder = t.errName;
  if (Object.keys(errors).length > 0 || !expiration) return { ok: false, errors, values };
  return { ok: true, card: { pan, expiration, cvc, cardholderName: values.cardholder.toUpperCase() } };
}
