/**
 * What the tests of the sandbox's docs share: where the documents are, the origin their examples name, a section by
 * its heading, and a sandbox to run the examples against.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSandbox, type RunningSandbox } from '../../src/index.js';
import { CREDS, OPERATOR_TOKEN } from './sandbox-app.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
/** The two documents that describe the sandbox, from the repository's root. */
export const DOCS = ['docs/sandbox.md', 'packages/gateway-sandbox/README.md'];
/** The sandbox's address in the docs' examples; tests put a started sandbox's origin in its place. */
export const DOC_ORIGIN = 'http://127.0.0.1:3001';

/** The text under a document's `## <heading>` up to the next `## ` heading; '' when the document has none. */
export function docSection(file: string, heading: string): string {
  const text = readFileSync(path.join(REPO_ROOT, file), 'utf8');
  const escaped = heading.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^## ${escaped}\\n([\\s\\S]*?)(?=^## )`, 'm').exec(text)?.[1] ?? '';
}

/** A sandbox for the docs' examples: loopback, the tests' operator token, no callbacks, one order (DOC-1) registered. */
export async function startDocSandbox(): Promise<RunningSandbox> {
  const sb = await startSandbox({ port: 0, host: '127.0.0.1', operatorToken: OPERATOR_TOKEN, callbacks: false });
  await fetch(`${sb.gatewayUrl}register.do`, {
    method: 'POST',
    body: new URLSearchParams({ ...CREDS, orderNumber: 'DOC-1', amount: '1000', returnUrl: 'https://shop.test/r' }),
  });
  return sb;
}
