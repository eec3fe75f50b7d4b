import { describe, it, expect } from '@jest/globals';
import {
  actionCodeReason,
  DOCUMENTED_ACTION_CODES,
  GENERIC_DECLINE_ADVICE,
  isBuyerCancel,
  REASON_ADVICE,
} from '../../src/gateway/action-codes.js';

// Typed in by hand from the gateway's published actionCode tables (docs/gateway-reference.md §5; "341016 – 341020" expanded),
// never derived from the code under test.
const SECTION_6_CODES: readonly number[] = [
  -30001, -20010, -9000, -5031, -3101, -3100, -2102, -2101, -2025, -2024, -2023, -2022, -2020, -2019, -2018, -2017,
  -2016, -2015, -2014, -2013, -2012, -2011, -2010, -2009, -2008, -2007, -2006, -2005, -2003, -2002, -2001, -2000, -999,
  -102, -100, -99, -1, 0, 1, 5, 7, 12, 13, 14, 15, 31, 41, 43, 53, 61, 62, 65, 75, 76, 94, 81, 82, 93, 96, 100, 101,
  103, 107, 104, 106, 109, 110, 111, 116, 117, 118, 119, 120, 121, 123, 125, 208, 209, 239, 320, 801, 803, 804, 805,
  861, 871, 905, 906, 915, 917, 998, 400, 433, 434, 435, 902, 903, 904, 907, 909, 910, 913, 914, 999, 1001, 1004, 1005,
  1014, 1015, 1018, 1019, 2001, 2002, 2003, 2004, 2005, 2006, 2007, 2008, 2009, 2014, 2015, 2016, 2022, 2023, 4005,
  9001, 71015, 151017, 151018, 151019, 341014, 341016, 341017, 341018, 341019, 341020,
];

const adviceOf = (code: number) => REASON_ADVICE[actionCodeReason(code)!];

describe('actionCodeReason', () => {
  it.each(SECTION_6_CODES)('when the code %i is documented, then it has a specific reason and retry advice', (code) => {
    const reason = actionCodeReason(code);
    expect(reason).toBeDefined();
    expect(['same-card', 'other-card', 'new-order', 'contact-issuer']).toContain(REASON_ADVICE[reason!]);
  });

  it('when the order timed out or attempts ran out, then the advice is a new order', () => {
    expect(adviceOf(-2007)).toBe('new-order');
    expect(adviceOf(-2013)).toBe('new-order');
  });

  it('when the card must not be retried (BT 803, 804), then the advice is not the same card', () => {
    for (const code of [803, 804, 41, 43, 101]) {
      expect(adviceOf(code)).not.toBe('same-card');
    }
  });

  it('when the code is unknown, null or undefined, then it has no reason and the generic advice is the issuer', () => {
    for (const code of [123456, 2, 777, null, undefined, Number.NaN]) {
      expect(actionCodeReason(code)).toBeUndefined();
    }
    expect(GENERIC_DECLINE_ADVICE).toBe('contact-issuer');
  });

  it('when listing documented codes, then the list equals the documented set exactly, sorted and unique', () => {
    expect([...DOCUMENTED_ACTION_CODES]).toEqual([...new Set(SECTION_6_CODES)].sort((a, b) => a - b));
  });
});

describe('isBuyerCancel', () => {
  it('when the code says the buyer closed the payment page or the bank’s page, then it is a cancel; a decline is not', () => {
    expect(isBuyerCancel(-2014)).toBe(true);
    expect(isBuyerCancel(-2009)).toBe(true);
    for (const code of [116, -2007, -2013, 0, null, undefined]) expect(isBuyerCancel(code)).toBe(false);
  });
});
