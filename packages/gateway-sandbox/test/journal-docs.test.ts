/** The curl examples of the "Journal" sections (docs/sandbox.md, the package README), run against a started sandbox. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RunningSandbox } from '../src/index.js';
import { DOC_ORIGIN, DOCS, docSection, startDocSandbox } from './helpers/docs.js';
import { CREDS, OPERATOR_TOKEN } from './helpers/sandbox-app.js';

/** The curl lines of a document's "## Journal" section. */
function curlsOf(file: string): string[] {
  return docSection(file, 'Journal')
    .split('\n')
    .filter((line) => line.startsWith('curl '));
}

/** `curl -H "Name: value" "url"` as the examples write it: headers and the URL, the token variable filled in. */
function parseCurl(line: string, origin: string): { url: string; headers: Record<string, string> } {
  const quoted = [...line.matchAll(/"([^"]*)"/g)].map((m) =>
    (m[1] ?? '').replace('$SANDBOX_OPERATOR_TOKEN', OPERATOR_TOKEN),
  );
  const url = quoted.at(-1) ?? '';
  const headers = Object.fromEntries(
    quoted.slice(0, -1).map((h) => [h.slice(0, h.indexOf(':')), h.slice(h.indexOf(':') + 1).trim()]),
  );
  expect(url.startsWith(DOC_ORIGIN)).toBe(true);
  return { url: origin + url.slice(DOC_ORIGIN.length), headers };
}

describe('the journal curl examples', () => {
  let sb: RunningSandbox;
  beforeAll(async () => {
    sb = await startDocSandbox();
  });
  afterAll(() => sb.close());

  it.each(DOCS)('when the examples of %s are run, then each answers 200 with the register call', async (file) => {
    const curls = curlsOf(file);
    expect(curls).toHaveLength(2);
    for (const line of curls) {
      const { url, headers } = parseCurl(line, sb.url);
      const res = await fetch(url, { headers });
      expect(res.status).toBe(200);
      const text = await res.text();
      if (url.includes('.json')) {
        const body = JSON.parse(text) as { entries: { method?: string; merchant: string }[] };
        expect(body.entries).toEqual([expect.objectContaining({ method: 'register', merchant: 'demo-shop' })]);
      } else {
        expect(text).toContain('Журнал песочницы');
        expect(text).not.toContain(CREDS.password);
      }
    }
  });
});
