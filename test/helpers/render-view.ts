/** Renders a view the way the app does (same res.locals), plus HTML checks shared by the view tests. */
import { expect } from '@jest/globals';
import ejs from 'ejs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { translator } from '../../src/http/i18n.js';
import type { Lang, MessageKey } from '../../src/http/i18n.js';
import { en } from '../../src/http/messages/en.js';
import { formatMoney } from '../../src/money.js';

export const VIEWS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../views');
export const SHOP_CURRENCY = '978';

export function baseLocals(lang: Lang): Record<string, unknown> {
  const real = translator(lang);
  return {
    // Stricter than production: an unknown key is a test failure instead of showing the key.
    t: (key: MessageKey, params?: Record<string, string | number>) => {
      if (!Object.hasOwn(en, key)) throw new Error(`Unknown message key: ${key}`);
      return real(key, params);
    },
    lang,
    otherLang: lang === 'en' ? 'ru' : 'en',
    langUrl: (l: string) => `/current/page?lang=${l}`,
    formatMoney: (minor: number, currency: string) => formatMoney(minor, currency, lang),
    currency: SHOP_CURRENCY,
    shopName: 'Demo Shop',
  };
}

export function render(view: string, lang: Lang, extra: Record<string, unknown>): Promise<string> {
  return ejs.renderFile(path.join(VIEWS, `${view}.ejs`), { ...baseLocals(lang), ...extra });
}

/** Visible text with tags removed and entities for spaces normalised, for plain-text assertions. */
export function text(html: string): string {
  return html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&#34;|&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/[\u00a0\u202f]/g, ' ')
    .replace(/\s+/g, ' ');
}

/** Checks every page must pass: CSP-friendly, accessible form fields, self-hosted assets, proper layout. */
export function expectSafePage(html: string, lang: Lang): void {
  expect(html).toMatch(new RegExp(`^<!doctype html>\\s*<html lang="${lang}">`));
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/<style/i);
  expect(html).not.toMatch(/\sstyle\s*=/i);
  expect(html).not.toMatch(/\son[a-z]+\s*=/i);
  expect(html).toContain('<link rel="stylesheet" href="/css/app.css">');
  expect(html).toContain('</html>');
  // Every src/href/action must be a same-origin path or a fragment.
  for (const m of html.matchAll(/\s(?:src|href|action)="([^"]*)"/g)) {
    expect(m[1]).toMatch(/^(\/(?![/\\])|#)/);
  }
  // Every visible form control has a <label for>.
  for (const m of html.matchAll(/<(input|select|textarea)\b[^>]*>/g)) {
    const tag = m[0];
    if (/type="hidden"/.test(tag)) continue;
    const id = /\sid="([^"]+)"/.exec(tag)?.[1];
    expect(id).toBeDefined();
    expect(html).toContain(`<label for="${id ?? ''}">`);
  }
  // Every button has words.
  for (const m of html.matchAll(/<button\b[^>]*>([\s\S]*?)<\/button>/g)) {
    expect(text(m[1] ?? '').trim()).not.toBe('');
  }
  // No forgotten parameters; the language switcher links to both languages.
  expect(text(html)).not.toMatch(/\{[A-Za-z]+\}/);
  expect(html).toContain('href="/current/page?lang=en"');
  expect(html).toContain('href="/current/page?lang=ru"');
  for (const m of html.matchAll(/<img\b[^>]*>/g)) expect(m[0]).toMatch(/\salt="[^"]*"/);
}
