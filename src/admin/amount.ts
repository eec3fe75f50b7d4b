import type { MessageKey } from '../http/i18n.js';
import { currencyInfo } from '../money.js';

/** A refusal is a message key (and its parameters), translated where it is shown. */
export type ParsedAmount =
  { ok: true; minor: number } | { ok: false; error: MessageKey; params?: Record<string, string | number> };

const MAJOR = /^(\d{1,15})(?:[.,](\d+))?$/;

/**
 * "12.50" or "12,50" in the currency's major units → integer minor units (1250 for EUR), by string arithmetic only:
 * no parseFloat, so 0.29 is 29 and never 28.999…. More decimals than the currency has are refused, not rounded.
 */
export function parseMajorAmount(input: string, numericCurrency: string): ParsedAmount {
  const info = currencyInfo(numericCurrency);
  if (!info) return { ok: false, error: 'admin.amount.unknownCurrency', params: { currency: numericCurrency } };
  const m = MAJOR.exec(input.trim());
  if (!m) return { ok: false, error: 'admin.amount.format' };
  const whole = m[1] ?? '0';
  const frac = m[2] ?? '';
  if (frac.length > info.digits) {
    return info.digits === 0
      ? { ok: false, error: 'admin.amount.noMinorUnits', params: { code: info.code } }
      : { ok: false, error: 'admin.amount.tooManyDecimals', params: { code: info.code, digits: info.digits } };
  }
  const minor = BigInt(whole) * 10n ** BigInt(info.digits) + BigInt(frac.padEnd(info.digits, '0') || '0');
  if (minor <= 0n) return { ok: false, error: 'admin.amount.notPositive' };
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, error: 'admin.amount.tooLarge' };
  return { ok: true, minor: Number(minor) };
}

/** Minor units → the plain major-unit string a form field shows ("12.50"), the inverse of parseMajorAmount. */
export function toMajorString(minor: number, numericCurrency: string): string {
  const digits = currencyInfo(numericCurrency)?.digits ?? 2;
  if (digits === 0) return String(minor);
  const s = String(minor).padStart(digits + 1, '0');
  return `${s.slice(0, -digits)}.${s.slice(-digits)}`;
}
