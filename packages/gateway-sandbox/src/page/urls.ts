import type { PageLang, SandboxOrder } from '../types.js';

/** The hosted payment page of an order, in a language (what formUrl points to, as a path). */
export const hostedPageUrl = (order: SandboxOrder, lang: PageLang): string =>
  `/payment/merchants/${encodeURIComponent(order.merchantLogin)}/payment_${lang}.html?mdOrder=${order.id}`;

/** The emulated 3-D Secure challenge page of an order. */
export const challengeUrl = (order: SandboxOrder, lang: PageLang): string =>
  `/payment/acs/challenge?mdOrder=${order.id}&lang=${lang}`;
