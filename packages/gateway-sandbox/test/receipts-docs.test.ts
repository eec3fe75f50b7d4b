/** The curl examples of the "Fiscal receipts" sections (docs/sandbox.md, the package README), run against a sandbox. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RunningSandbox } from '../src/index.js';
import { DOC_ORIGIN, DOCS, docSection, startDocSandbox } from './helpers/docs.js';
import { FISCAL_AMOUNT, FISCAL_BUNDLE } from './helpers/fiscal-cart.js';
import { CREDS } from './helpers/sandbox-app.js';

/** The curl lines of a document's "## Fiscal receipts" section. */
function curlsOf(file: string): string[] {
  return docSection(file, 'Fiscal receipts')
    .split('\n')
    .filter((line) => line.startsWith('curl '));
}

/** `curl -s <url> -d name=value …` as the examples write it: the URL and the form fields. */
function parseCurl(line: string, origin: string): { url: string; form: URLSearchParams } {
  const url = /curl -s (\S+)/.exec(line)?.[1] ?? '';
  expect(url.startsWith(DOC_ORIGIN)).toBe(true);
  const form = new URLSearchParams(
    [...line.matchAll(/ -d ([^=\s]+)=(\S*)/g)].map((m): [string, string] => [m[1] ?? '', m[2] ?? '']),
  );
  return { url: origin + url.slice(DOC_ORIGIN.length), form };
}

describe('the fiscal receipts curl examples', () => {
  let sb: RunningSandbox;
  beforeAll(async () => {
    sb = await startDocSandbox();
    // The order the examples name: a cart order, paid, its receipt delivered a minute later.
    await fetch(`${sb.gatewayUrl}register.do`, {
      method: 'POST',
      body: new URLSearchParams({
        ...CREDS,
        orderNumber: 'DOC-R1',
        amount: String(FISCAL_AMOUNT),
        returnUrl: 'https://shop.test/r',
        orderBundle: FISCAL_BUNDLE,
      }),
    });
    const { engine } = sb.sandbox;
    const order = engine.findByNumber('demo-shop', 'DOC-R1');
    if (!order) throw new Error('DOC-R1 was not registered');
    engine.pay(order, { pan: '4111111111111111', expiration: '203012', cvc: '123', cardholderName: 'DOC' });
    sb.clock.advance(60_000);
  });
  afterAll(() => sb.close());

  it.each(DOCS)('when the example of %s is run, then it answers the delivered receipt it describes', async (file) => {
    const curls = curlsOf(file);
    expect(curls).toHaveLength(1);
    const { url, form } = parseCurl(curls[0] ?? '', sb.url);
    const res = await fetch(url, { method: 'POST', body: form });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { errorCode: string; orderNumber: string; receipt: Record<string, unknown>[] };
    expect(body).toMatchObject({ errorCode: '0', orderNumber: 'DOC-R1' });
    expect(body.receipt).toEqual([
      expect.objectContaining({
        receiptStatus: 1,
        amount_total: '1500.00',
        ofd_receipt_url: expect.stringMatching(new RegExp(`^${sb.url}/sandbox/receipts/`)),
      }),
    ]);
    const page = await fetch(String(body.receipt[0]?.ofd_receipt_url));
    expect(page.status).toBe(200);
  });
});
