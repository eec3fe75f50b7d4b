import { describe, it, expect } from '@jest/globals';
import { LANGS, errorTitleKey, isLang, translator } from '../../src/http/i18n.js';
import type { MessageKey } from '../../src/http/i18n.js';
import { en } from '../../src/http/messages/en.js';
import { ru } from '../../src/http/messages/ru.js';

const ROUTE_KEYS: readonly MessageKey[] = [
  'buy',
  'tryAgain',
  'errors.notFound',
  'errors.badQuantity',
  'errors.unknownProduct',
  'errors.csrf',
  'errors.tooManyRequests',
  'errors.internal',
  'errors.badRequest',
  'errors.busy',
  'errors.verification',
  'order.description',
];

const placeholders = (s: string): string[] => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '').sort();

describe('i18n', () => {
  it('when listing languages, then English and Russian are offered', () => {
    expect(LANGS).toEqual(['en', 'ru']);
  });

  it('when checking a language value, then only en and ru are accepted', () => {
    expect(isLang('en')).toBe(true);
    expect(isLang('ru')).toBe(true);
    for (const x of ['EN', 'de', '', undefined, null, 1, ['en'], 'toString']) expect(isLang(x)).toBe(false);
  });

  it('when comparing catalogs, then ru has exactly the keys of en and no empty text', () => {
    expect(Object.keys(ru).sort()).toEqual(Object.keys(en).sort());
    for (const [key, text] of Object.entries(ru)) {
      expect(text.trim()).not.toBe('');
      expect(placeholders(text)).toEqual(placeholders(en[key as MessageKey]));
    }
  });

  it('when the routes ask for their keys, then both languages have them', () => {
    for (const key of ROUTE_KEYS) {
      expect(Object.hasOwn(en, key)).toBe(true);
      expect(Object.hasOwn(ru, key)).toBe(true);
    }
    expect(translator('en')('buy')).toBe('Buy');
    expect(translator('ru')('buy')).toBe('Купить');
    expect(translator('en')('pay')).toBe('Pay');
    expect(translator('ru')('pay')).toBe('Оплатить');
  });

  it('when error messages are used by routes, then each is a full sentence', () => {
    for (const key of ROUTE_KEYS.filter((k) => k.startsWith('errors.') && !k.startsWith('errors.title'))) {
      for (const lang of LANGS) expect(translator(lang)(key)).toMatch(/^\p{Lu}.*[.!]$/u);
    }
  });

  it('when parameters are given, then {name} placeholders are interpolated', () => {
    expect(translator('en')('order.description', { orderNumber: 'A-17' })).toBe('Order A-17');
    expect(translator('ru')('order.description', { orderNumber: 'A-17' })).toBe('Заказ A-17');
    expect(translator('en')('product.quantityHint', { max: 10 })).toBe('From 1 to 10 items.');
  });

  it('when a parameter is missing, then the placeholder stays visible', () => {
    expect(translator('en')('order.description')).toBe('Order {orderNumber}');
    expect(translator('en')('order.description', {})).toBe('Order {orderNumber}');
  });

  it('when a value contains $-patterns, then it is inserted literally', () => {
    expect(translator('en')('order.description', { orderNumber: "$& $' $1" })).toBe("Order $& $' $1");
  });

  it('when a key is forged at runtime, then the key itself is returned, not a prototype property', () => {
    const t = translator('en');
    expect(t('constructor' as MessageKey)).toBe('constructor');
    expect(t('no.such.key' as MessageKey)).toBe('no.such.key');
  });

  it('when mapping an HTTP status to a title, then each class gets a fitting title key', () => {
    expect(errorTitleKey(404)).toBe('errors.title.notFound');
    expect(errorTitleKey(403)).toBe('errors.title.forbidden');
    expect(errorTitleKey(429)).toBe('errors.title.tooManyRequests');
    expect(errorTitleKey(400)).toBe('errors.title.badRequest');
    expect(errorTitleKey(413)).toBe('errors.title.badRequest');
    expect(errorTitleKey(502)).toBe('errors.title.unavailable');
    expect(errorTitleKey(503)).toBe('errors.title.unavailable');
    expect(errorTitleKey(500)).toBe('errors.title.internal');
  });
});
