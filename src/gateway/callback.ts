import { createHmac, timingSafeEqual } from 'node:crypto';

/** Parameters that are not part of the signed string: the signature itself and the name of an asymmetric key. */
const UNSIGNED = new Set(['checksum', 'sign_alias']);
const HEX_SHA256 = /^[0-9A-Fa-f]{64}$/;

/**
 * The string a gateway signs for a callback: every received parameter except checksum and sign_alias, sorted by
 * name (code-point order), written as `name;value;` pairs with decoded values. Extra parameters a gateway adds
 * (callbackCreationDate, merchant-configured ones) are part of it, so it is never rebuilt from a fixed list.
 */
export function callbackSigningString(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .filter((name) => !UNSIGNED.has(name))
    .sort()
    .map((name) => `${name};${params[name]};`)
    .join('');
}

/**
 * True only when `checksum` is the HMAC-SHA256 (hex, either case) of the signing string under `key`. Compares in
 * constant time and never throws: a missing, short or non-hex checksum is simply false.
 */
export function verifyCallbackChecksum(params: Readonly<Record<string, string>>, key: string): boolean {
  const given = params.checksum;
  if (given === undefined || !HEX_SHA256.test(given)) return false;
  const expected = createHmac('sha256', key).update(callbackSigningString(params), 'utf8').digest();
  return timingSafeEqual(expected, Buffer.from(given, 'hex'));
}
