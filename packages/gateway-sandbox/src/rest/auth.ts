import { createHash, timingSafeEqual } from 'node:crypto';
import { refuse, type Refusal } from '../ledger.js';
import type { SandboxMerchant } from '../types.js';
import { param, type Params } from './params.js';

export type AuthResult = { ok: true; merchant: SandboxMerchant; byToken: boolean } | Refusal;

/** docs/gateway-reference.md §1.2: userName + password or token, never both; every failure is errorCode 5. */
export function authenticate(params: Params, merchants: readonly SandboxMerchant[]): AuthResult {
  const userName = param(params, 'userName');
  const password = param(params, 'password');
  const token = param(params, 'token');
  if (token !== undefined && (userName !== undefined || password !== undefined)) {
    return refuse(5, 'bothCredentials');
  }
  if (token !== undefined) {
    const merchant = merchants.find((m) => m.token !== undefined && same(m.token, token));
    return merchant ? { ok: true, merchant, byToken: true } : refuse(5, 'accessDenied');
  }
  if (userName === undefined || password === undefined) return refuse(5, 'credentialsEmpty');
  const merchant = merchants.find((m) => m.userName === userName);
  // Compare the password even for an unknown user name so timing doesn't reveal which API users exist.
  const passwordOk = same(merchant?.password ?? '', password);
  return merchant && passwordOk ? { ok: true, merchant, byToken: false } : refuse(5, 'accessDenied');
}

function same(expected: string, given: string): boolean {
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b) && expected !== '';
}
