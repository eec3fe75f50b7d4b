import { describe, expect, it } from '@jest/globals';
import { parseMajorAmount, toMajorString } from '../../src/admin/amount.js';
import { translator } from '../../src/http/i18n.js';

const EUR = '978';
const JPY = '392';
const BHD = '048';

describe('amounts typed in major units', () => {
  it.each([
    ['12.50', EUR, 1250],
    ['12,50', EUR, 1250],
    ['12.5', EUR, 1250],
    ['12', EUR, 1200],
    [' 0.29 ', EUR, 29],
    ['0.01', EUR, 1],
    ['100', JPY, 100],
    ['1.234', BHD, 1234],
    ['1.2', BHD, 1200],
    ['90071992547409.91', EUR, 9007199254740991],
  ])('%s in %s is %d minor units', (typed, currency, minor) => {
    expect(parseMajorAmount(typed, currency)).toEqual({ ok: true, minor });
  });

  it.each([
    ['12.505', EUR, /EUR has 2 decimal places at most/],
    ['1.5', JPY, /JPY has no minor units/],
    ['1.2345', BHD, /BHD has 3 decimal places at most/],
    ['0', EUR, /above zero/],
    ['0.00', EUR, /above zero/],
    ['-1', EUR, /Type an amount/],
    ['1e3', EUR, /Type an amount/],
    ['12.', EUR, /Type an amount/],
    ['.5', EUR, /Type an amount/],
    ['1,000.00', EUR, /Type an amount/],
    ['', EUR, /Type an amount/],
    ['90071992547409.92', EUR, /too large/],
  ])('%s in %s is refused', (typed, currency, error) => {
    const parsed = parseMajorAmount(typed, currency);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(translator('en')(parsed.error, parsed.params)).toMatch(error);
  });

  it('prints minor units back as the form shows them', () => {
    expect(toMajorString(1250, EUR)).toBe('12.50');
    expect(toMajorString(5, EUR)).toBe('0.05');
    expect(toMajorString(100, JPY)).toBe('100');
    expect(toMajorString(1234, BHD)).toBe('1.234');
  });
});
