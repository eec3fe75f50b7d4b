import { describe, it, expect } from '@jest/globals';
import { errorTitleKey, translator } from '../../src/http/i18n.js';
import { expectSafePage, render, text } from '../helpers/render-view.js';

describe('views/shop/gateway-error.ejs', () => {
  it.each([
    ['en', 'You have not been charged.'],
    ['ru', 'Деньги с вас не списаны.'],
  ] as const)('when the gateway is down (%s), then says the buyer was not charged and shows the reference', async (lang, notCharged) => {
    const html = await render('shop/gateway-error', lang, { referenceId: 'ref-7f3a', unknownOutcome: false });
    expectSafePage(html, lang);
    expect(text(html)).toContain(notCharged);
    expect(text(html)).toContain('ref-7f3a');
    expect(html).toContain('href="/"');
  });

  it.each([
    ['en', 'You have not been charged by this attempt; please try again in a few minutes.'],
    ['ru', 'За эту попытку деньги с вас не списаны'],
  ] as const)('when the outcome of register is unknown (%s), then still says not charged and asks to retry later', async (lang, phrase) => {
    const html = await render('shop/gateway-error', lang, { referenceId: 'ref-1', unknownOutcome: true });
    expectSafePage(html, lang);
    expect(text(html)).toContain(phrase);
    expect(text(html)).not.toMatch(/fail|не прошл/i);
  });

  it('when the reference id contains markup, then it is escaped', async () => {
    const html = await render('shop/gateway-error', 'en', { referenceId: '<b>x</b>', unknownOutcome: false });
    expect(html).toContain('&lt;b&gt;x&lt;/b&gt;');
  });
});

describe('views/error.ejs', () => {
  it.each([
    [404, 'en', 'Page not found', 'errors.notFound'],
    [403, 'ru', 'Доступ запрещён', 'errors.csrf'],
    [429, 'en', 'Too many requests', 'errors.tooManyRequests'],
    [500, 'ru', 'Что-то пошло не так', 'errors.internal'],
  ] as const)('when status is %i (%s), then shows the status, a clear title and the localized message', async (status, lang, title, messageKey) => {
    const t = translator(lang);
    expect(t(errorTitleKey(status))).toBe(title);
    const html = await render('error', lang, { status, title, message: t(messageKey), referenceId: 'ref-42' });
    expectSafePage(html, lang);
    expect(html).toContain(`<h1>${title}</h1>`);
    expect(text(html)).toContain(String(status));
    expect(text(html)).toContain(t(messageKey));
    expect(text(html)).toContain('ref-42');
  });

  it('when no reference id is given, then the page renders without one', async () => {
    const html = await render('error', 'en', { status: 400, title: 'Bad', message: 'Nope.' });
    expectSafePage(html, 'en');
    expect(text(html)).not.toContain('Reference ID');
  });

  it('when the message contains a stack-like text or markup, then it is escaped, never interpreted', async () => {
    const html = await render('error', 'en', { status: 500, title: 'T', message: '<script>x</script>' });
    expect(html).not.toContain('<script>');
  });
});
