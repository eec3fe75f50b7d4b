import { createHmac } from 'node:crypto';

/**
 * docs/gateway-reference.md §6.3 symmetric checksum: parameters sorted by name (code-point order), joined as `name;value;`
 * for every pair, HMAC-SHA256 with the merchant's key, uppercase hex. `checksum` and `sign_alias`
 * never take part.
 */
export function checksumString(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .filter((name) => name !== 'checksum' && name !== 'sign_alias')
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((name) => `${name};${params[name]};`)
    .join('');
}

export function hmacChecksum(data: string, key: string): string {
  return createHmac('sha256', Buffer.from(key, 'utf8')).update(data, 'utf8').digest('hex').toUpperCase();
}

export function signCallback(params: Readonly<Record<string, string>>, key: string): string {
  return hmacChecksum(checksumString(params), key);
}
