import currencyCodes from 'currency-codes';

export interface CurrencyInfo {
  /** ISO 4217 alphabetic code, e.g. RUB. */
  code: string;
  /** Minor-unit exponent, e.g. 2 for RUB, 0 for JPY. */
  digits: number;
}

/** Default when register.do has no `currency` (the merchant setting of a Russian test contour). */
export const DEFAULT_CURRENCY = '643';

export function lookupCurrency(numeric: string): CurrencyInfo | undefined {
  // 810 is the pre-1998 rouble code that legacy RBS manuals and examples still use.
  if (numeric === '810') return { code: 'RUB', digits: 2 };
  if (!/^\d{3}$/.test(numeric)) return undefined;
  const record = currencyCodes.number(numeric);
  if (!record) return undefined;
  return { code: record.code, digits: Number.isInteger(record.digits) ? record.digits : 2 };
}

/** Formats integer minor units for display only, without ever going through a float for the digits. */
export function formatAmount(minor: number, numeric: string, lang: string): string {
  const info = lookupCurrency(numeric) ?? { code: 'XXX', digits: 2 };
  const decimal = decimalAmount(minor, numeric);
  const locale = lang === 'ru' ? 'ru-RU' : 'en-GB';
  try {
    const fmt = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency: info.code,
      currencyDisplay: 'narrowSymbol',
      minimumFractionDigits: info.digits,
      maximumFractionDigits: info.digits,
    });
    // Intl accepts decimal strings exactly (NumberFormat v3); the cast keeps older lib typings happy.
    return fmt.format(decimal as unknown as number);
  } catch {
    return `${decimal} ${info.code}`;
  }
}

/** Integer minor units as a plain decimal string in the currency's major units ("150000" → "1500.00"), no float. */
export function decimalAmount(minor: number, numeric: string): string {
  const info = lookupCurrency(numeric) ?? { code: 'XXX', digits: 2 };
  const digits = String(Math.abs(minor)).padStart(info.digits + 1, '0');
  const whole = digits.slice(0, digits.length - info.digits);
  const fraction = info.digits > 0 ? digits.slice(-info.digits) : '';
  return `${minor < 0 ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}
