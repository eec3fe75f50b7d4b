/**
 * UI languages and the message translator. Text lives in ./messages/*.ts, never
 * in templates; a key missing from a catalog is a compile-time error.
 */
import { en } from './messages/en.js';
import type { MessageKey } from './messages/en.js';
import { ru } from './messages/ru.js';

export type { MessageKey };
export type Lang = 'en' | 'ru';
export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

export const LANGS: readonly Lang[] = Object.freeze(['en', 'ru'] as const);
export const DEFAULT_LANG: Lang = 'en';

const CATALOGS: Readonly<Record<Lang, Readonly<Record<MessageKey, string>>>> = { en, ru };

export function isLang(x: unknown): x is Lang {
  return x === 'en' || x === 'ru';
}

const PLACEHOLDER = /\{([A-Za-z0-9_]+)\}/g;

export function translator(lang: Lang): Translate {
  const messages = CATALOGS[lang];
  return (key, params) => {
    // Object.hasOwn guards against keys forged at runtime (e.g. a dynamic `errors.${x}` lookup).
    const template = Object.hasOwn(messages, key) ? messages[key] : key;
    if (!params) return template;
    // Unknown placeholders stay visible, which makes a forgotten parameter easy to spot in tests.
    return template.replace(PLACEHOLDER, (whole, name: string) =>
      Object.hasOwn(params, name) ? String(params[name]) : whole,
    );
  };
}

/** The message key of the title for an HTTP error status (for views/error.ejs). */
export function errorTitleKey(status: number): MessageKey {
  if (status === 403) return 'errors.title.forbidden';
  if (status === 404) return 'errors.title.notFound';
  if (status === 421) return 'errors.title.wrongHost';
  if (status === 429) return 'errors.title.tooManyRequests';
  if (status === 502 || status === 503 || status === 504) return 'errors.title.unavailable';
  if (status >= 400 && status < 500) return 'errors.title.badRequest';
  return 'errors.title.internal';
}
