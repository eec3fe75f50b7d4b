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
