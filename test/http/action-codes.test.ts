import { describe, it, expect } from '@jest/globals';
import { DOCUMENTED_ACTION_CODES } from '../../src/gateway/action-codes.js';
import { explainActionCode, GENERIC_DECLINE } from '../../src/http/messages/action-codes.js';

// DOCUMENTED_ACTION_CODES is checked against the gateway's published list in test/gateway/action-codes.test.ts.
const CYRILLIC = /[а-яё]/i;

describe('explainActionCode', () => {
  it.each([...DOCUMENTED_ACTION_CODES])(
    'when the code %i is documented, then it has a specific explanation in English and Russian',
    (code) => {
      const e = explainActionCode(code);
      expect(e.en).not.toBe(GENERIC_DECLINE.en);
      expect(e.ru).not.toBe(GENERIC_DECLINE.ru);
      expect(e.en).toMatch(/^[A-Z0-9].*\.$/);
      expect(e.ru).toMatch(CYRILLIC);
      expect(e.ru).toMatch(/\.$/);
      expect(['same-card', 'other-card', 'new-order', 'contact-issuer']).toContain(e.retryAdvice);
    },
  );

  it('when the code is a well-known decline, then the text is plain buyer language', () => {
    expect(explainActionCode(116)).toEqual({
      en: 'Insufficient funds on the card.',
      ru: 'Недостаточно средств на карте.',
      retryAdvice: 'other-card',
    });
    expect(explainActionCode(101).en).toBe('The card has expired.');
    expect(explainActionCode(-2006).en).toBe('The card issuer rejected 3-D Secure authentication.');
    expect(explainActionCode(-2007).en).toBe('The time for payment ran out.');
  });

  it('when the order timed out or attempts ran out, then the advice is a new order', () => {
    expect(explainActionCode(-2007).retryAdvice).toBe('new-order');
    expect(explainActionCode(-2013).retryAdvice).toBe('new-order');
  });

  it('when the card must not be retried (BT 803, 804), then the advice is not the same card', () => {
    for (const code of [803, 804, 41, 43, 101]) {
      expect(explainActionCode(code).retryAdvice).not.toBe('same-card');
    }
  });

  it('when the code is unknown, null or undefined, then returns the generic decline', () => {
    for (const code of [123456, 2, null, undefined, Number.NaN]) {
      expect(explainActionCode(code)).toEqual(GENERIC_DECLINE);
    }
    expect(explainActionCode(777).en).toBe('The payment was declined by the card issuer.');
  });

  it('when the caller mutates a returned explanation, then later calls are unaffected', () => {
    const e = explainActionCode(999999);
    e.en = 'changed';
    expect(explainActionCode(999999).en).toBe(GENERIC_DECLINE.en);
  });
});
