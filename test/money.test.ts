import { describe, it, expect } from '@jest/globals';
import { currencyInfo, formatMoney, isKnownCurrency } from '../src/money.js';

// Intl uses narrow / non-breaking spaces as group and currency separators; normalise for readable assertions.
const plain = (s: string): string => s.replace(/[\u00a0\u202f]/g, ' ');

describe('currencyInfo', () => {
  it('when given ISO numeric codes, then returns alpha code and minor-unit exponent from the ISO table', () => {
    expect(currencyInfo('978')).toEqual({ code: 'EUR', numeric: '978', digits: 2 });
    expect(currencyInfo('392')).toEqual({ code: 'JPY', numeric: '392', digits: 0 });
    expect(currencyInfo('048')).toEqual({ code: 'BHD', numeric: '048', digits: 3 });
    expect(currencyInfo('643')).toEqual({ code: 'RUB', numeric: '643', digits: 2 });
  });

  it('when the code is unknown or not a 3-digit string, then returns undefined', () => {
    expect(currencyInfo('000')).toBeUndefined();
    expect(currencyInfo('48')).toBeUndefined();
    expect(currencyInfo('EUR')).toBeUndefined();
    expect(currencyInfo('')).toBeUndefined();
    expect(isKnownCurrency('978')).toBe(true);
    expect(isKnownCurrency('1234')).toBe(false);
  });
});

describe('formatMoney', () => {
  it('when the currency has 2 digits (EUR), then formats cents in both locales', () => {
    expect(plain(formatMoney(1250, '978', 'en'))).toBe('€12.50');
    expect(plain(formatMoney(1250, '978', 'ru'))).toBe('12,50 €');
  });

  it('when the currency has 0 digits (JPY), then minor units are whole yen', () => {
    expect(plain(formatMoney(1250, '392', 'en'))).toBe('¥1,250');
    expect(plain(formatMoney(1250, '392', 'ru'))).toBe('1 250 ¥');
  });

  it('when the currency has 3 digits (BHD), then shows three decimals', () => {
    expect(plain(formatMoney(1250, '048', 'en'))).toBe('BHD 1.250');
    expect(plain(formatMoney(1250, '048', 'ru'))).toBe('1,250 BHD');
  });

  it('when the currency is RUB, then uses the locale conventions', () => {
    expect(plain(formatMoney(299000, '643', 'ru'))).toBe('2 990,00 ₽');
    expect(plain(formatMoney(299000, '643', 'en'))).toBe('RUB 2,990.00');
  });

  it('when the amount is zero, negative or near 2^53, then formats it exactly', () => {
    expect(plain(formatMoney(0, '978', 'en'))).toBe('€0.00');
    expect(plain(formatMoney(-5, '978', 'en'))).toBe('-€0.05');
    expect(plain(formatMoney(Number.MAX_SAFE_INTEGER, '978', 'en'))).toBe('€90,071,992,547,409.91');
  });

  it('when the amount is not a safe integer, then throws', () => {
    expect(() => formatMoney(12.5, '978', 'en')).toThrow(RangeError);
    expect(() => formatMoney(Number.MAX_SAFE_INTEGER + 1, '978', 'en')).toThrow(RangeError);
    expect(() => formatMoney(Number.NaN, '978', 'en')).toThrow(RangeError);
  });

  it('when the currency is unknown, then throws', () => {
    expect(() => formatMoney(100, '999999', 'en')).toThrow(RangeError);
  });
});
