/** The "Wallets" sections (docs/sandbox.md, the package README): their curl examples run, their tables hold. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { maskPan } from '../src/cards.js';
import type { RunningSandbox } from '../src/index.js';
import { WALLET_TEST_CARDS } from '../src/wallets.js';
import { CREDS } from './helpers/sandbox-app.js';
import { DOC_ORIGIN, DOCS, docSection, startDocSandbox } from './helpers/docs.js';

const curlsOf = (file: string): string[] =>
  docSection(file, 'Wallets')
    .split('\n')
    .filter((line) => line.startsWith('curl '));

describe('the wallet docs', () => {
  // A sandbox of its own for each file: the files' examples number their orders by the second, and the same
  // example in two files run within one second would otherwise be refused as a duplicate order number.
  let sb: RunningSandbox;
  beforeEach(async () => {
    sb = await startDocSandbox();
  });
  afterEach(async () => {
    await sb.close();
  });

  for (const file of DOCS)
    it(`when the curl examples of ${file} run, then each is processed and the order paid as the comment says`, async () => {
      const curls = curlsOf(file);
      expect(curls.length).toBeGreaterThan(0);
      for (const line of curls) {
        const { stdout } = await promisify(execFile)('bash', ['-c', line.split(DOC_ORIGIN).join(sb.url)], {
          env: { PATH: process.env.PATH, SANDBOX: sb.url },
        });
        const answer = JSON.parse(stdout) as { success: boolean; data: { orderId: string; acsUrl?: string } };
        expect({ line, answer }).toEqual({ line, answer: expect.objectContaining({ success: true }) });
        const status = (await (
          await fetch(`${sb.gatewayUrl}getOrderStatusExtended.do`, {
            method: 'POST',
            body: new URLSearchParams({ ...CREDS, orderId: answer.data.orderId }),
          })
        ).json()) as { orderStatus: number; paymentWay: string };
        const wallet = /\/payment\/(\w+)\/payment\.do/.exec(line)?.[1];
        const expected =
          wallet === 'applepay'
            ? { orderStatus: 2, paymentWay: 'APPLE_PAY' }
            : wallet === 'samsung'
              ? { orderStatus: 6, paymentWay: 'SAMSUNG_PAY' }
              : answer.data.acsUrl
                ? { orderStatus: 5, paymentWay: 'GOOGLE_PAY_CARD' }
                : { orderStatus: 2, paymentWay: 'GOOGLE_PAY_TOKENIZED' };
        expect({ line, status }).toEqual({ line, status: expect.objectContaining(expected) });
      }
    });

  it('when the test-token table is decoded, then each token is the JSON written next to it', () => {
    const rows = [
      ...docSection('docs/sandbox.md', 'Wallets').matchAll(/^\| `([A-Za-z0-9+/=]{20,})` \| `(\{[^`]+\})`/gm),
    ];
    expect(rows.length).toBe(5);
    for (const [, token, json] of rows)
      expect(JSON.parse(Buffer.from(token!, 'base64').toString('utf8'))).toEqual(JSON.parse(json!));
  });

  it('when the wallet test-card table is read, then it names every card by id with its masked number', () => {
    const section = docSection('docs/sandbox.md', 'Wallets');
    for (const card of WALLET_TEST_CARDS)
      expect(section).toMatch(new RegExp(`^\\| \`${card.id}\`.*\`${maskPan(card.pan).replace(/\*/g, '\\*')}\``, 'm'));
  });
});
