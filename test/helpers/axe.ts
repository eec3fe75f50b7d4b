import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

/*
 * axe-core (the accessibility rules engine) run inside a page that a browser test opened. The pages' CSP allows no
 * injected script, so the page's browser context must be made with `bypassCSP: true`; the script is then evaluated
 * through the DevTools protocol, and the page itself is unchanged. Every rule axe has runs, best practices included
 * (`region`: all content inside a landmark).
 */
const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  /** CSS selectors of the offending elements. */
  targets: string[];
}

export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  const installed = await page.evaluate(() => typeof (globalThis as { axe?: unknown }).axe !== 'undefined');
  if (!installed) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    interface AxeResult {
      violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[];
    }
    const axe = (globalThis as unknown as { axe: { run: (ctx: unknown) => Promise<AxeResult> } }).axe;
    // The page's document: this function runs in the browser (the tests' TypeScript has no DOM types).
    const result = await axe.run((globalThis as unknown as { document: unknown }).document);
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => n.target.map(String).join(' ')),
    }));
  });
}

/** One line per violation, for an assertion message that says what to fix. */
export function describeViolations(url: string, violations: readonly AxeViolation[]): string {
  return violations
    .map((v) => `${url}: ${v.id} (${v.impact ?? 'n/a'}) ${v.help} at ${v.targets.join(', ')}`)
    .join('\n');
}
