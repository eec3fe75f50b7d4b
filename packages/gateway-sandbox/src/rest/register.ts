import { parseOrderBundle, parseTaxSystem } from '../cart.js';
import { DEFAULT_CURRENCY, lookupCurrency } from '../currency.js';
import type { RegisterInput } from '../engine.js';
import { parseMoscowDateTime } from '../datetime.js';
import { refuse, type Refusal } from '../ledger.js';
import type { SandboxMerchant } from '../types.js';
import { param, parseAmount, type Params } from './params.js';

/** Bounds of jsonParams, so one order's stored parameters stay small whatever a client sends. */
export const JSON_PARAMS_LIMITS = Object.freeze({ maxEntries: 32, maxNameLength: 255, maxValueLength: 1024 });

/** Lengths the sandbox allows at registration (docs/gateway-reference.md §3.1); the report card reads them too. */
export const REGISTER_LIMITS = Object.freeze({ orderNumberLength: 36, descriptionLength: 598, urlLength: 512 });

/**
 * Validates register.do / registerPreAuth.do parameters (docs/gateway-reference.md §3.1) in the order the gateway reports
 * them. `callbackAllowed` is the sandbox's SSRF allow-list for this merchant (callbacks/allow-list.ts): a
 * dynamicCallbackUrl outside this merchant's origins is a bad value, errorCode 5 (§3.1), so the order is never
 * created and nothing is ever sent there.
 */
export function parseRegister(
  params: Params,
  merchant: SandboxMerchant,
  twoPhase: boolean,
  now: number,
  callbackAllowed: (url: string) => boolean,
): { ok: true; input: RegisterInput } | Refusal {
  const orderNumber = param(params, 'orderNumber');
  if (orderNumber === undefined) return refuse(4, 'orderNumberEmpty');
  // Classic docs list an invalid orderNumber under errorCode 1, next to the duplicate.
  if (orderNumber.length > REGISTER_LIMITS.orderNumberLength || hasControlChars(orderNumber))
    return refuse(1, 'orderNumberInvalid');

  const rawAmount = param(params, 'amount');
  if (rawAmount === undefined) return refuse(4, 'amountEmpty');
  const amount = parseAmount(rawAmount);
  // amount 0 is only valid with features=VERIFY, which the sandbox does not emulate.
  if (amount === undefined || amount === 0) return refuse(5, 'amountInvalid');

  const currency = param(params, 'currency') ?? DEFAULT_CURRENCY;
  if (!lookupCurrency(currency)) return refuse(3, 'currencyUnknown');

  const returnUrl = param(params, 'returnUrl');
  if (returnUrl === undefined) return refuse(4, 'returnUrlEmpty');
  if (!isAbsoluteHttpUrl(returnUrl)) return refuse(4, 'returnUrlInvalid');
  const failUrl = param(params, 'failUrl');
  if (failUrl !== undefined && !isAbsoluteHttpUrl(failUrl)) return refuse(4, 'failUrlInvalid');
  const callbackUrl = param(params, 'dynamicCallbackUrl');
  if (callbackUrl !== undefined && !isAbsoluteHttpUrl(callbackUrl)) return refuse(4, 'callbackUrlInvalid');
  if (callbackUrl !== undefined && !callbackAllowed(callbackUrl)) return refuse(5, 'callbackHostNotAllowed');

  const language = param(params, 'language')?.toLowerCase() ?? 'en';
  if (!/^[a-z]{2}$/.test(language)) return refuse(5, 'languageInvalid');

  const description = param(params, 'description') ?? '';
  if (description.length > REGISTER_LIMITS.descriptionLength) return refuse(5, 'descriptionInvalid');

  const jsonParams = parseJsonParams(param(params, 'jsonParams'));
  if (!jsonParams) return refuse(5, 'jsonParamsInvalid');

  const ip = param(params, 'ip');
  const pageView = param(params, 'pageView');
  if ((ip !== undefined && ip.length > 39) || (pageView !== undefined && pageView.length > 20))
    return refuse(5, 'paramInvalid');

  const expiry = parseExpiry(params, now);
  if (!expiry.ok) return expiry;

  // The cart (docs/gateway-reference.md §8): any failure and the order is not created.
  const taxSystem = parseTaxSystem(param(params, 'taxSystem'));
  if (!taxSystem.ok) return taxSystem;
  const cart = parseOrderBundle(
    param(params, 'orderBundle'),
    { amount, currency },
    param(params, 'additionalOfdParams'),
  );
  if (!cart.ok) return cart;

  if (twoPhase && !merchant.allowTwoPhase) return refuse(5, 'preAuthForbidden');

  return {
    ok: true,
    input: {
      orderNumber,
      twoPhase,
      amount,
      currency,
      description,
      language,
      returnUrl,
      failUrl,
      callbackUrl,
      jsonParams,
      ip,
      ...expiry.value,
      ...(cart.value && { cart: cart.value }),
      ...(taxSystem.value !== undefined && { taxSystem: taxSystem.value }),
    },
  };
}

export function hasControlChars(value: string): boolean {
  return [...value].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f);
}

/** Relative URLs, bare hosts and non-web schemes are refused, as the gateway does ("URL возврата некорректен"). */
function isAbsoluteHttpUrl(value: string): boolean {
  if (value.length > REGISTER_LIMITS.urlLength) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** jsonParams must be a JSON object whose values are all strings (docs/gateway-reference.md §3.1); absent means empty. */
function parseJsonParams(raw: string | undefined): Record<string, string> | undefined {
  if (raw === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const entries = Object.entries(value as Record<string, unknown>);
  const { maxEntries, maxNameLength, maxValueLength } = JSON_PARAMS_LIMITS;
  if (entries.length > maxEntries) return undefined;
  if (!entries.every(([k, v]) => k.length <= maxNameLength && typeof v === 'string' && v.length <= maxValueLength))
    return undefined;
  return Object.fromEntries(entries) as Record<string, string>;
}

type ExpiryResult = { ok: true; value: { expiresAt?: number; sessionTimeoutSecs?: number } } | Refusal;

/** expirationDate wins over sessionTimeoutSecs (docs/gateway-reference.md §3.1). */
function parseExpiry(params: Params, now: number): ExpiryResult {
  const expirationDate = param(params, 'expirationDate');
  if (expirationDate !== undefined) {
    // The gateway's local time; the sandbox follows the Russian installs (UTC+3), a documented choice.
    const at = parseMoscowDateTime(expirationDate);
    if (at === undefined || at <= now) return refuse(5, 'expirationDateInvalid');
    return { ok: true, value: { expiresAt: at } };
  }
  const timeout = param(params, 'sessionTimeoutSecs');
  if (timeout === undefined) return { ok: true, value: {} };
  if (!/^\d{1,9}$/.test(timeout) || Number(timeout) === 0) return refuse(5, 'sessionTimeoutInvalid');
  return { ok: true, value: { sessionTimeoutSecs: Number(timeout) } };
}
