import type { RequestHandler } from 'express';
import { formatMoney } from '../money.js';
import { isLang, translator, type Lang } from './i18n.js';
import type {} from './locals.js';

const COOKIE = 'lang';
const YEAR_MS = 365 * 24 * 60 * 60 * 1000;

/**
 * Picks the page language: `?lang=` (also what the gateway appends to returnUrl), then the `lang` cookie, then
 * Accept-Language, then English. A chosen language is remembered in a cookie, not a session.
 */
export function language(opts: { currency: string; shopName: string; https: boolean }): RequestHandler {
  // Made once per language, not per request: the same functions for every page in that language.
  const perLang = {
    en: { t: translator('en'), formatMoney: (minor: number, currency: string) => formatMoney(minor, currency, 'en') },
    ru: { t: translator('ru'), formatMoney: (minor: number, currency: string) => formatMoney(minor, currency, 'ru') },
  } satisfies Record<Lang, unknown>;
  return (req, res, next) => {
    const fromQuery = req.query.lang;
    const fromCookie = (req.cookies as Record<string, unknown> | undefined)?.[COOKIE];
    let lang: Lang;
    if (isLang(fromQuery)) {
      lang = fromQuery;
      if (fromCookie !== lang) {
        res.cookie(COOKIE, lang, { maxAge: YEAR_MS, sameSite: 'lax', httpOnly: true, secure: opts.https });
      }
    } else if (isLang(fromCookie)) {
      lang = fromCookie;
    } else {
      lang = req.acceptsLanguages('en', 'ru') === 'ru' ? 'ru' : 'en';
    }
    res.locals.lang = lang;
    res.locals.otherLang = lang === 'en' ? 'ru' : 'en';
    res.locals.t = perLang[lang].t;
    res.locals.currency = opts.currency;
    res.locals.shopName = opts.shopName;
    res.locals.formatMoney = perLang[lang].formatMoney;
    res.locals.langUrl = (l: string) => {
      // A page answering a POST (e.g. Buy failed) can't be re-requested by a link: switch on the catalog instead.
      if (req.method !== 'GET' && req.method !== 'HEAD') return `/?lang=${encodeURIComponent(l)}`;
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(req.query)) if (k !== 'lang' && typeof v === 'string') params.set(k, v);
      params.set('lang', l);
      // The full path, also inside a mounted router (/admin); one leading slash: `//evil.example/x` must not
      // become a link to another site.
      return `/${(req.baseUrl + req.path).replace(/^[/\\]+/, '')}?${params.toString()}`;
    };
    next();
  };
}
