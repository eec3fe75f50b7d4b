import type { Lang, Translate } from './i18n.js';

/**
 * What the shop's middleware puts on `res.locals`, typed once for handlers and views. `referenceId` is set by
 * requestId() on every request; the rest by language(), which runs before every shop route. Only the last-resort
 * error handler can run before language() (e.g. a malformed static path), and it checks for itself.
 */
declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Express declares its types in this global namespace
  namespace Express {
    interface Locals {
      referenceId: string;
      lang: Lang;
      otherLang: Lang;
      t: Translate;
      currency: string;
      shopName: string;
      formatMoney: (minor: number, currency: string) => string;
      langUrl: (lang: string) => string;
    }
  }
}

export {};
