import { createHmac } from 'node:crypto';

/**
 * A callback's parameters with the checksum the gateway adds: HMAC-SHA256 over `name;value;` pairs sorted by name, in
 * upper-case hex. Written from the protocol, not with the shop's own code, so a mistake there is not repeated here.
 */
export function signCallback(params: Record<string, string>, key: string): Record<string, string> {
  const data = Object.keys(params)
    .sort()
    .map((k) => `${k};${params[k]};`)
    .join('');
  return { ...params, checksum: createHmac('sha256', key).update(data).digest('hex').toUpperCase() };
}
