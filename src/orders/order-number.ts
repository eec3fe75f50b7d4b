import { randomInt } from 'node:crypto';

// Crockford base32: no I, L, O, U — safe to read aloud to support staff.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const RANDOM_CHARS = 8;

function yyMMdd(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getUTCFullYear() % 100)}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}`;
}

export function randomBase32(length: number): string {
  let out = '';
  for (let i = 0; i < length; i += 1) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

/**
 * `<yyMMdd>-<id>-<8 random base32>`, e.g. `260301-42-7Q2M9XKD`: ASCII, ≤ 32 chars for any safe-integer id.
 * The gateway rejects a reused orderNumber forever, so it must not repeat even if the DB file is
 * deleted and ids restart: the date narrows a clash to one UTC day, the 40 random bits make it negligible.
 */
export function formatOrderNumber(id: number, nowMs: number): string {
  return `${yyMMdd(nowMs)}-${id}-${randomBase32(RANDOM_CHARS)}`;
}

export const ORDER_NUMBER_PATTERN = /^\d{6}-\d{1,16}-[0-9A-HJKMNP-TV-Z]{8}$/;
