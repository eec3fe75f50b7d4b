/**
 * Money formatting for views. Amounts are integer minor units plus an ISO 4217
 * numeric currency code (as the gateway speaks it: "978", "643").
 * The minor-unit exponent comes from the maintained ISO 4217 table in
 * `currency-codes`, never from a hand-typed list.
 */
import { number as lookupByNumber } from 'currency-codes';

export interface CurrencyInfo {
  /** ISO 4217 alphabetic code, e.g. 'EUR'. */
  code: string;
  /** ISO 4217 numeric code, e.g. '978'. */
  numeric: string;
  /** Minor-unit exponent: 2 for EUR, 0 for JPY, 3 for BHD. */
  digits: number;
}

export type MoneyLocale = 'en' | 'ru';

const NUMERIC_RE = /^\d{3}$/;

export function currencyInfo(numeric: string): CurrencyInfo | undefined {
  // The table also matches numbers like 978 given as a JS number; only accept the canonical 3-digit string.
  if (typeof numeric !== 'string' || !NUMERIC_RE.test(numeric)) return undefined;
  const rec = lookupByNumber(numeric);
  if (!rec || !Number.isInteger(rec.digits)) return undefined;
  return { code: rec.code, numeric: rec.number, digits: rec.digits };
}

export function isKnownCurrency(numeric: string): boolean {
  return currencyInfo(numeric) !== undefined;
}

/**
 * Turns integer minor units into an exact decimal string ("-12.50") using integer
 * arithmetic only, so no binary-float rounding can creep in even near 2^53.
 */
function toDecimalString(minor: number, digits: number): `${number}` {
  const sign = minor < 0 ? '-' : '';
  const abs = BigInt(Math.abs(minor));
  if (digits === 0) return `${sign}${abs.toString()}` as `${number}`;
  const scale = 10n ** BigInt(digits);
  const whole = abs / scale;
  const frac = (abs % scale).toString().padStart(digits, '0');
  return `${sign}${whole.toString()}.${frac}` as `${number}`;
}

export function formatMoney(minor: number, numeric: string, locale: MoneyLocale): string {
  if (!Number.isSafeInteger(minor)) {
    throw new RangeError(`Amount must be a safe integer of minor units, got ${String(minor)}`);
  }
  const info = currencyInfo(numeric);
  if (!info) throw new RangeError(`Unknown ISO 4217 numeric currency code: ${String(numeric)}`);
  // Intl.NumberFormat accepts a decimal string and formats it exactly (ES2023 Intl.NumberFormat v3).
  return formatter(locale, info).format(toDecimalString(minor, info.digits));
}

// Building an Intl.NumberFormat is far costlier than using one, and every price on every page is formatted.
const formatters = new Map<string, Intl.NumberFormat>();

function formatter(locale: MoneyLocale, info: CurrencyInfo): Intl.NumberFormat {
  const key = `${locale}:${info.code}`;
  let fmt = formatters.get(key);
  if (!fmt) {
    fmt = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency: info.code,
      minimumFractionDigits: info.digits,
      maximumFractionDigits: info.digits,
    });
    formatters.set(key, fmt);
  }
  return fmt;
}
