/**
 * What a shop page must never contain (docs/security.md #23 and #27): form fields that look like card data, scripts,
 * and traces of the server's internals (stack frames, source paths). Each check returns what it found, so a test
 * can print it; the sandbox's own card page is the positive control that shows a check can find something.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: an absolute path to it in a page means a stack trace or an error message got out. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A name, id or autocomplete hint that asks for card data: pan, card…, cc-…, cvc, cvv, csc, exp…, security code. */
const CARD_HINT =
  /(?:^|[^a-z0-9])(?:pan|card[a-z0-9]*|cc|cc-[a-z-]+|cvc2?|cvv2?|csc|exp[a-z0-9]*|security-?code)(?:$|[^a-z0-9])/i;

/** Every form control (input, select, textarea) whose name, id or autocomplete suggests card data, as its tag. */
export function cardFieldsIn(html: string): string[] {
  const found: string[] = [];
  for (const m of html.matchAll(/<(?:input|select|textarea)\b[^>]*>/gi)) {
    const tag = m[0];
    const hints = [...tag.matchAll(/\s(?:name|id|autocomplete)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi)].map(
      (a) => a[1] ?? a[2] ?? a[3] ?? '',
    );
    if (hints.some((h) => CARD_HINT.test(h))) found.push(tag);
  }
  return found;
}

/** Every <script> tag (inline or not). */
export function scriptsIn(html: string): string[] {
  return [...html.matchAll(/<script\b[^>]*>/gi)].map((m) => m[0]);
}

/** Traces of the server's internals: stack frames, source file positions, node_modules, the repository's path. */
export function internalsIn(body: string): string[] {
  const patterns = [
    /^\s*at\s+(?:async\s+)?\S+\s+\(.+:\d+:\d+\)\s*$/m, // a stack frame: "    at fn (/path/x.js:1:2)"
    /^\s*at\s+(?:async\s+)?(?:file:\/\/)?\/.+:\d+:\d+\s*$/m, // an anonymous one: "    at /path/x.js:1:2"
    /[\w./-]+\.(?:[cm]?js|ts):\d+(?::\d+)?/, // a source position
    /node_modules/,
    /\b(?:TypeError|ReferenceError|SyntaxError|RangeError|SqliteError|InvalidOrderError)\b/,
  ];
  const found = patterns.flatMap((p) => p.exec(body)?.[0] ?? []);
  if (body.includes(REPO_ROOT)) found.push(REPO_ROOT);
  return found;
}
