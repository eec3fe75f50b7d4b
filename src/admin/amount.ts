import { currencyInfo } from '../money.js';

export type ParsedAmount = { ok: true; minor: number } | { ok: false; error: string };

const MAJOR = /^(\d{1,15})(?:[.,](\d+))?$/;

/**
 * "12.50" or "12,50" in the currency's major units → integer minor units (1250 for EUR), by string arithmetic only:
 * no parseFloat, so 0.29 is 29 and never 28.999…. More decimals than the currency has are refused, not rounded.
 */
export function parseMajorAmount(input: string, numericCurrency: string): ParsedAmount {
  const info = currencyInfo(numericCurrency);
  if (!info) return { ok: false, error: `Unknown currency ${numericCurrency}.` };
  const m = MAJOR.exec(input.trim());
  if (!m) return { ok: false, error: 'Type an amount such as 12.50 (digits, one decimal point or comma).' };
  const whole = m[1] ?? '0';
  const frac = m[2] ?? '';
  if (frac.length > info.digits) {
    return {
      ok: false,
      error:
        info.digits === 0
          ? `${info.code} has no minor units: type a whole number.`
          : `${info.code} has ${info.digits} decimal places at most.`,
    };
  }
  const minor = BigInt(whole) * 10n ** BigInt(info.digits) + BigInt(frac.padEnd(info.digits, '0') || '0');
  if (minor <= 0n) return { ok: false, error: 'The amount must be above zero.' };
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, error: 'The amount is too large.' };
  return { ok: true, minor: Number(minor) };
}

/** Minor units → the plain major-unit string a form field shows ("12.50"), the inverse of parseMajorAmount. */
export function toMajorString(minor: number, numericCurrency: string): string {
  const digits = currencyInfo(numericCurrency)?.digits ?? 2;
  if (digits === 0) return String(minor);
  const s = String(minor).padStart(digits + 1, '0');
  return `${s.slice(0, -digits)}.${s.slice(-digits)}`;
}
