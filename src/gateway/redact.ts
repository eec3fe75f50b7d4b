// Scrubs credentials from any text we put into an error or event. The password travels in every
// form body (docs/security.md #22), so lower-level messages and gateway-echoed texts pass through here.

export type Redactor = (text: string) => string;

export function createRedactor(secrets: readonly string[]): Redactor {
  const needles = new Set<string>();
  for (const s of secrets) {
    if (s.length === 0) continue;
    needles.add(s);
    needles.add(encodeURIComponent(s));
    needles.add(new URLSearchParams({ s }).toString().slice(2)); // form encoding (space → +)
  }
  // Longest first so an encoded variant is not half-replaced by a shorter raw one.
  const ordered = [...needles].sort((a, b) => b.length - a.length);
  return (text) => ordered.reduce((t, n) => t.split(n).join('[REDACTED]'), text);
}

/** The names the credentials travel under (docs/gateway-reference.md §1.2), compared without case. */
const CREDENTIAL_KEYS = new Set(['username', 'password', 'token']);
const MAX_DEPTH = 10;
/** The buyer's contact details (the receipt's address): their values are replaced, at any depth. */
const PERSONAL_KEYS = new Set(['email', 'phone']);
/** Form fields that carry a JSON object as a string (the cart): read, redacted inside, written back. */
const JSON_STRING_KEYS = new Set(['orderbundle', 'deposititems', 'refunditems']);

/**
 * A copy of a form or a parsed JSON answer fit to show: credential-named keys left out at any depth, the buyer's
 * email and phone replaced (also inside the cart's JSON string fields), every string passed through `redact`.
 * Cycles cannot occur in parsed JSON; depth is bounded all the same.
 */
export function redactValue(value: unknown, redact: Redactor, depth = 0): unknown {
  if (typeof value === 'string') return redact(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[omitted]';
  if (Array.isArray(value)) return value.map((v) => redactValue(v, redact, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const key = k.toLowerCase();
    if (CREDENTIAL_KEYS.has(key)) continue;
    if (PERSONAL_KEYS.has(key)) out[k] = '[REDACTED]';
    else if (JSON_STRING_KEYS.has(key) && typeof v === 'string') out[k] = redactJsonString(v, redact, depth + 1);
    else out[k] = redactValue(v, redact, depth + 1);
  }
  return out;
}

/** A JSON string field redacted inside; one that does not parse is left out rather than shown as it is. */
function redactJsonString(text: string, redact: Redactor, depth: number): string {
  try {
    return JSON.stringify(redactValue(JSON.parse(text) as unknown, redact, depth));
  } catch {
    return '[omitted: not JSON]';
  }
}
