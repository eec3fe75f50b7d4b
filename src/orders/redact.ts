/**
 * Defence in depth for the event log: callers should never pass credentials, but if a gateway
 * request/response object slips through, its secrets are stripped before it is written.
 */
const SECRET_KEYS = new Set([
  'password',
  'token',
  'username',
  'checksum',
  'cookie',
  'set-cookie',
  'authorization',
  'secret',
  // The buyer's receipt address (register.do's email, a cart's customerDetails): personal data, never kept.
  'email',
]);

// Catches secrets embedded in strings, e.g. a logged URL `...register.do?userName=x&password=y`.
const SECRET_IN_STRING = /\b(password|token|userName|checksum)=[^&\s"';]*/gi;

const MAX_DEPTH = 8;

function scrub(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return value.replace(SECRET_IN_STRING, '$1=[redacted]');
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Error) return { name: value.name, message: scrub(value.message, depth + 1, seen) };
  if (seen.has(value) || depth >= MAX_DEPTH) return '[omitted]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (SECRET_KEYS.has(k.toLowerCase())) continue;
    const clean = scrub(v, depth + 1, seen);
    if (clean !== undefined) out[k] = clean;
  }
  return out;
}

export function redactDetail(detail: Record<string, unknown>): Record<string, unknown> {
  return scrub(detail, 0, new WeakSet()) as Record<string, unknown>;
}
