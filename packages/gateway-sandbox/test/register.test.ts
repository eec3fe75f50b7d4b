import { describe, expect, it } from '@jest/globals';
import { CREDS, makeSandbox, nextNumber, T0 } from './helpers/sandbox-app.js';

const base = () => ({ ...CREDS, orderNumber: nextNumber(), amount: '150000', returnUrl: 'https://shop.test/return' });

describe('register.do and registerPreAuth.do', () => {
  const sb = makeSandbox();

  it('when the request is valid, then returns a UUID orderId and a formUrl on the public origin without errorCode', async () => {
    const res = await sb.call('register', base());
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(Object.keys(res.body).sort()).toEqual(['formUrl', 'orderId']);
    expect(res.body.orderId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(res.body.formUrl).toBe(
      `http://gateway.test/payment/merchants/demo-shop/payment_en.html?mdOrder=${res.body.orderId}`,
    );
  });

  it('when language is ru, then formUrl points at payment_ru.html; other languages fall back to en', async () => {
    const ru = await sb.call('register', { ...base(), language: 'ru' });
    expect(ru.body.formUrl).toContain('/payment_ru.html?mdOrder=');
    const de = await sb.call('register', { ...base(), language: 'de' });
    expect(de.body.formUrl).toContain('/payment_en.html?mdOrder=');
  });

  it('when called with GET and a query string, then it registers too', async () => {
    const res = await sb.call('register', base(), 'GET');
    expect(res.body.orderId).toEqual(expect.any(String));
  });

  it('when the orderNumber was already used by this merchant, then errorCode "1"', async () => {
    const params = base();
    await sb.call('register', params);
    const res = await sb.call('register', params);
    expect(res.body).toEqual({
      errorCode: '1',
      errorMessage: 'Order number is duplicated, order with given order number is processed already',
    });
    const ru = await sb.call('register', { ...params, language: 'ru' });
    expect(ru.body.errorMessage).toBe('Заказ с таким номером уже обработан');
  });

  it('when registerPreAuth reuses a number of register, then it is a duplicate as well', async () => {
    const params = base();
    await sb.call('register', params);
    const res = await sb.call('registerPreAuth', params);
    expect(res.body.errorCode).toBe('1');
  });

  it.each([
    ['orderNumber', '4'],
    ['amount', '4'],
    ['returnUrl', '4'],
  ])('when %s is missing, then errorCode "%s"', async (key, code) => {
    const params: Record<string, string> = base();
    delete params[key];
    const res = await sb.call('register', params);
    expect(res.body.errorCode).toBe(code);
    expect(res.body.orderId).toBeUndefined();
  });

  it.each([
    ['a relative returnUrl', '4', { returnUrl: '/return' }],
    ['a dot-relative returnUrl', '4', { returnUrl: '../return' }],
    ['a bare-host returnUrl', '4', { returnUrl: 'shop.test/return' }],
    ['a javascript: returnUrl', '4', { returnUrl: 'javascript:alert(1)' }],
    ['a returnUrl over 512 chars', '4', { returnUrl: `https://shop.test/${'x'.repeat(500)}` }],
    ['a relative failUrl', '4', { failUrl: '/fail' }],
    ['an unknown currency', '3', { currency: '111' }],
    ['a non-numeric currency', '3', { currency: 'RUB' }],
    ['a negative amount', '5', { amount: '-5' }],
    ['a fractional amount', '5', { amount: '10.50' }],
    ['a zero amount', '5', { amount: '0' }],
    ['a 13-digit amount', '5', { amount: '1234567890123' }],
    ['a 37-char orderNumber', '1', { orderNumber: 'x'.repeat(37) }],
    ['a 3-letter language', '5', { language: 'eng' }],
    ['a description over 598 chars', '5', { description: 'd'.repeat(599) }],
    ['jsonParams that is not JSON', '5', { jsonParams: '{oops' }],
    ['jsonParams that is an array', '5', { jsonParams: '["a"]' }],
    ['jsonParams with a non-string value', '5', { jsonParams: '{"gift":true}' }],
    ['a non-numeric sessionTimeoutSecs', '5', { sessionTimeoutSecs: 'soon' }],
    ['a malformed expirationDate', '5', { expirationDate: '2030-01-01' }],
    ['an expirationDate in the past', '5', { expirationDate: '2020-01-01T00:00:00' }],
    [
      'jsonParams with 33 entries',
      '5',
      { jsonParams: JSON.stringify(Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, 'v']))) },
    ],
    ['jsonParams with a 256-char name', '5', { jsonParams: JSON.stringify({ ['n'.repeat(256)]: 'v' }) }],
    ['jsonParams with a 1025-char value', '5', { jsonParams: JSON.stringify({ cart: 'v'.repeat(1025) }) }],
    ['an impossible expirationDate (30 February)', '5', { expirationDate: '2030-02-30T10:00:00' }],
    ['an expirationDate at hour 24', '5', { expirationDate: '2030-03-01T24:00:00' }],
    ['an expirationDate in month 13', '5', { expirationDate: '2030-13-01T10:00:00' }],
  ])('when given %s, then errorCode "%s" and no order', async (_label, code, extra) => {
    const before = sb.store.size;
    const res = await sb.call('register', { ...base(), ...extra });
    expect(res.body.errorCode).toBe(code);
    expect(typeof res.body.errorMessage).toBe('string');
    expect(sb.store.size).toBe(before);
  });

  it('when the currency is 978 or the legacy rouble code 810, then the order keeps it', async () => {
    for (const currency of ['978', '810']) {
      const { orderId } = await sb.register({ currency });
      expect(sb.store.get(orderId)?.currency).toBe(currency);
    }
  });

  it('when no currency is given, then the order is in roubles (643)', async () => {
    const { orderId } = await sb.register();
    expect(sb.store.get(orderId)?.currency).toBe('643');
  });

  it('when jsonParams has exactly 32 entries with 255-char names and 1024-char values, then it is accepted and stored', async () => {
    const big = Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`${i}`.padStart(255, 'n'), 'v'.repeat(1024)]));
    const { orderId } = await sb.register({ jsonParams: JSON.stringify(big) });
    expect(sb.store.get(orderId)?.jsonParams).toEqual(big);
  });

  it('when expirationDate is 29 February of a leap year, then the order expires then (Moscow time)', async () => {
    const { orderId } = await sb.register({ expirationDate: '2032-02-29T10:00:00' });
    expect(sb.store.get(orderId)?.expiresAt).toBe(Date.UTC(2032, 1, 29, 7, 0, 0));
  });

  it('when jsonParams is an object of strings, then it is stored for merchantOrderParams', async () => {
    const { orderId } = await sb.register({ jsonParams: '{"cart":"42","gift":"false"}' });
    expect(sb.store.get(orderId)?.jsonParams).toEqual({ cart: '42', gift: 'false' });
  });

  it('when sessionTimeoutSecs or expirationDate are given, then they set the lifetime, expirationDate winning', async () => {
    const a = await sb.register({ sessionTimeoutSecs: '60' });
    expect(sb.store.get(a.orderId)?.expiresAt).toBe(T0 + 60_000);
    const b = await sb.register({ sessionTimeoutSecs: '60', expirationDate: '2030-01-15T16:00:00' });
    // 16:00 Moscow time (UTC+3) is 13:00 UTC, one hour after T0.
    expect(sb.store.get(b.orderId)?.expiresAt).toBe(T0 + 3_600_000);
    const c = await sb.register();
    expect(sb.store.get(c.orderId)?.expiresAt).toBe(T0 + 1_200_000);
  });

  it('when registerPreAuth is used by a merchant without two-phase rights, then errorCode "5"', async () => {
    const one = makeSandbox({
      merchants: [{ login: 'flat', userName: 'flat-api', password: 'pw', allowTwoPhase: false }],
    });
    const res = await one.call('registerPreAuth', {
      userName: 'flat-api',
      password: 'pw',
      orderNumber: '1',
      amount: '100',
      returnUrl: 'https://s.test/',
    });
    expect(res.body.errorCode).toBe('5');
    const ok = await one.call('register', {
      userName: 'flat-api',
      password: 'pw',
      orderNumber: '1',
      amount: '100',
      returnUrl: 'https://s.test/',
    });
    expect(ok.body.orderId).toEqual(expect.any(String));
  });

  it('when registerPreAuth succeeds, then the order is two-phase', async () => {
    const { orderId } = await sb.register({}, 'registerPreAuth');
    expect(sb.store.get(orderId)?.twoPhase).toBe(true);
  });

  it('when an unknown method is called, then HTTP 404; when PUT is used, then 405', async () => {
    const missing = await sb.call('paymentOrderBinding', { ...CREDS });
    expect(missing.status).toBe(404);
    const { default: request } = await import('supertest');
    const put = await request(sb.app).put('/payment/rest/register.do');
    expect(put.status).toBe(405);
  });
});
