/**
 * The sandbox keeps its own copy of the actionCode texts (it imports nothing from the shop); for the codes both name,
 * the two must say the same thing. Only this test reads both.
 */
import { describe, expect, it } from '@jest/globals';
import { actionCodeDescription } from '@rbs-storefront/gateway-sandbox';
import { explainActionCode } from '../../src/http/messages/action-codes.js';

describe('actionCode 5 (do not honour) in the sandbox and the shop', () => {
  it('is worded as a decline by the card issuer by both, in English and Russian', () => {
    const shop = explainActionCode(5);
    expect(shop.en).toMatch(/^The card issuer declined this payment/);
    expect(actionCodeDescription(5, 'en')).toMatch(/^The card issuer declined this payment/);
    expect(shop.ru).toMatch(/^Банк-эмитент отклонил платёж/);
    expect(actionCodeDescription(5, 'ru')).toMatch(/^Банк-эмитент отклонил платёж/);
  });
});
