import { createHash, timingSafeEqual } from 'node:crypto';
import type { Refusal } from '../engine.js';
import type { SandboxMerchant } from '../types.js';
import { param, type Params } from './params.js';

/** §1.3: userName + password or token, never both; every failure is errorCode 5. */
export function authenticate(
  params: Params,
  merchants: readonly SandboxMerchant[],
): { ok: true; merchant: SandboxMerchant; byToken: boolean } | Refusal {
  const userName = param(params, 'userName');
  const password = param(params, 'password');
  const token = param(params, 'token');
  if (token !== undefined && (userName !== undefined || password !== undefined)) {
    return { ok: false, code: 5, messageId: 'bothCredentials' };
  }
  if (token !== undefined) {
    const merchant = merchants.find((m) => m.token !== undefined && same(m.token, token));
    return merchant ? { ok: true, merchant, byToken: true } : { ok: false, code: 5, messageId: 'accessDenied' };
  }
  if (userName === undefined || password === undefined) return { ok: false, code: 5, messageId: 'credentialsEmpty' };
  const merchant = merchants.find((m) => m.userName === userName);
  // Compare the password even for an unknown user name so timing doesn't reveal which API users exist.
  const passwordOk = same(merchant?.password ?? '', password);
  return merchant && passwordOk ? { ok: true, merchant, byToken: false } : { ok: false, code: 5, messageId: 'accessDenied' };
}

function same(expected: string, given: string): boolean {
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b) && expected !== '';
}
