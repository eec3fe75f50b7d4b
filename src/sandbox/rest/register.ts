import { DEFAULT_CURRENCY, lookupCurrency } from '../currency.js';
import type { RegisterInput, Refusal } from '../engine.js';
import type { SandboxMerchant } from '../types.js';
import { param, parseAmount, type Params } from './params.js';

const bad = (code: number, messageId: Refusal['messageId']): Refusal => ({ ok: false, code, messageId });

/** Validates register.do / registerPreAuth.do parameters (§3.1) in the order the gateway reports them. */
export function parseRegister(
  params: Params,
  merchant: SandboxMerchant,
  twoPhase: boolean,
  now: number,
): { ok: true; input: RegisterInput } | Refusal {
  const orderNumber = param(params, 'orderNumber');
  if (orderNumber === undefined) return bad(4, 'orderNumberEmpty');
  // Classic docs list an invalid orderNumber under errorCode 1, next to the duplicate.
  if (orderNumber.length > 36 || hasControlChars(orderNumber)) return bad(1, 'orderNumberInvalid');

  const rawAmount = param(params, 'amount');
  if (rawAmount === undefined) return bad(4, 'amountEmpty');
  const amount = parseAmount(rawAmount);
  // amount 0 is only valid with features=VERIFY, which the sandbox does not emulate.
  if (amount === undefined || amount === 0) return bad(5, 'amountInvalid');

  const currency = param(params, 'currency') ?? DEFAULT_CURRENCY;
  if (!lookupCurrency(currency)) return bad(3, 'currencyUnknown');

  const returnUrl = param(params, 'returnUrl');
  if (returnUrl === undefined) return bad(4, 'returnUrlEmpty');
  if (!isAbsoluteHttpUrl(returnUrl)) return bad(4, 'returnUrlInvalid');
  const failUrl = param(params, 'failUrl');
  if (failUrl !== undefined && !isAbsoluteHttpUrl(failUrl)) return bad(4, 'failUrlInvalid');
  const callbackUrl = param(params, 'dynamicCallbackUrl');
  if (callbackUrl !== undefined && !isAbsoluteHttpUrl(callbackUrl)) return bad(4, 'callbackUrlInvalid');

  const language = param(params, 'language')?.toLowerCase() ?? 'en';
  if (!/^[a-z]{2}$/.test(language)) return bad(5, 'languageInvalid');

  const description = param(params, 'description') ?? '';
  if (description.length > 598) return bad(5, 'descriptionInvalid');

  const jsonParams = parseJsonParams(param(params, 'jsonParams'));
  if (!jsonParams) return bad(5, 'jsonParamsInvalid');

  const ip = param(params, 'ip');
  const pageView = param(params, 'pageView');
  if ((ip !== undefined && ip.length > 39) || (pageView !== undefined && pageView.length > 20)) return bad(5, 'paramInvalid');

  const expiry = parseExpiry(params, now);
  if (!expiry.ok) return expiry;

  if (twoPhase && !merchant.allowTwoPhase) return bad(5, 'preAuthForbidden');

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
      ...(failUrl !== undefined && { failUrl }),
      ...(callbackUrl !== undefined && { callbackUrl }),
      jsonParams,
      ...(ip !== undefined && { ip }),
      ...expiry.value,
    },
  };
}

function hasControlChars(value: string): boolean {
  return [...value].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f);
}

/** Relative URLs, bare hosts and non-web schemes are refused, as the gateway does ("URL возврата некорректен"). */
function isAbsoluteHttpUrl(value: string): boolean {
  if (value.length > 512) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** jsonParams must be a JSON object whose values are all strings (§3.1); absent means empty. */
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
  if (!entries.every(([, v]) => typeof v === 'string' && v.length <= 1024)) return undefined;
  return Object.fromEntries(entries) as Record<string, string>;
}

type ExpiryResult = { ok: true; value: { expiresAt?: number; sessionTimeoutSecs?: number } } | Refusal;

/** expirationDate wins over sessionTimeoutSecs (§3.1). */
function parseExpiry(params: Params, now: number): ExpiryResult {
  const expirationDate = param(params, 'expirationDate');
  if (expirationDate !== undefined) {
    // The gateway's local time; the sandbox follows the Russian installs (UTC+3), a documented choice.
    const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(expirationDate);
    const at = m ? Date.parse(`${expirationDate}+03:00`) : NaN;
    if (!Number.isFinite(at) || at <= now) return bad(5, 'expirationDateInvalid');
    return { ok: true, value: { expiresAt: at } };
  }
  const timeout = param(params, 'sessionTimeoutSecs');
  if (timeout === undefined) return { ok: true, value: {} };
  if (!/^\d{1,9}$/.test(timeout) || Number(timeout) === 0) return bad(5, 'sessionTimeoutInvalid');
  return { ok: true, value: { sessionTimeoutSecs: Number(timeout) } };
}
