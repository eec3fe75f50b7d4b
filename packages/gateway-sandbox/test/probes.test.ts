/** The report card's probes (issue 17): armed per merchant by a test helper, one-shot, journaled. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  createSandboxTestClient,
  DEFAULT_MERCHANTS,
  signCallback,
  startSandbox,
  SUCCESS_LOOKING_PARAMS,
  TEST_CARDS,
  type CallbackEntry,
  type PageEntry,
  type RunningSandbox,
  type SandboxMerchant,
  type SandboxTestClient,
} from '../src/index.js';
import { startReceiver, type Receiver } from './helpers/callback-receiver.js';
import { CREDS, nextNumber, OPERATOR_AUTH, OPERATOR_TOKEN, T0 } from './helpers/sandbox-app.js';
import { payOnHostedPage } from './helpers/sandbox-buyer.js';

const CALLBACK_KEY = 'probes-callback-key-canary';
const OTHER: SandboxMerchant = {
  login: 'other-shop',
  userName: 'other-api',
  password: 'other-Pa55-word',
  allowTwoPhase: true,
};
const DECLINING_PAN = TEST_CARDS.find((c) => c.id === 'insufficient-funds')!.pan;
const SUCCESS_LOOKING = 'status=success&paid=true&orderStatus=2&errorCode=0';

let rx: Receiver;
let sandbox: RunningSandbox;
let helpers: SandboxTestClient;

beforeAll(async () => {
  rx = await startReceiver();
  const merchant = { ...DEFAULT_MERCHANTS[0]!, callbackKey: CALLBACK_KEY, callbackUrl: `${rx.url}/cb` };
  sandbox = await startSandbox({
    port: 0,
    now: () => T0,
    merchants: [merchant, OTHER],
    operatorToken: OPERATOR_TOKEN,
    callbacks: { maxAttempts: 1, timeoutMs: 2000 },
    testHelpers: true,
  });
  helpers = createSandboxTestClient({ baseUrl: sandbox.url, operatorToken: OPERATOR_TOKEN });
});
afterAll(async () => {
  await sandbox.close();
  await rx.close();
});
beforeEach(async () => {
  await sandbox.sandbox.callbacks!.idle();
  await helpers.reset('demo-shop');
  rx.received.length = 0;
  rx.script([]);
});

async function register(params: Record<string, string> = {}): Promise<{ orderId: string; formUrl: string }> {
  const res = await fetch(`${sandbox.gatewayUrl}register.do`, {
    method: 'POST',
    body: new URLSearchParams({
      ...CREDS,
      orderNumber: nextNumber(),
      amount: '150000',
      returnUrl: 'https://shop.test/return',
      ...params,
    }),
  });
  return (await res.json()) as { orderId: string; formUrl: string };
}

const entries = <K extends 'page' | 'callback'>(orderId: string, kind: K) =>
  sandbox.sandbox.integrationJournal.list({ orderId, kind }).reverse() as (K extends 'page'
    ? PageEntry
    : CallbackEntry)[];

async function post(pathname: string, body: unknown, headers: Record<string, string> = OPERATOR_AUTH) {
  const res = await fetch(`${sandbox.url}${pathname}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as { error?: string; issues?: { path: string }[] } };
}

describe('arming probes', () => {
  it('when armed with {} or a list, then the answer names what is armed for that merchant only', async () => {
    await expect(helpers.armProbes('other-shop', ['forged-callbacks'])).resolves.toEqual({
      login: 'other-shop',
      armed: ['forged-callbacks'],
    });
    await expect(helpers.armProbes('demo-shop')).resolves.toEqual({
      login: 'demo-shop',
      armed: ['success-looking-return', 'forged-callbacks'],
    });
    expect(sandbox.sandbox.probes.armed('other-shop')).toEqual(['forged-callbacks']);
    // A reset disarms the merchant's probes with the rest of its test state.
    await helpers.reset('demo-shop');
    expect(sandbox.sandbox.probes.armed('demo-shop')).toEqual([]);
    await helpers.reset('other-shop');
  });

  it('when the merchant is unknown, the body wrong or the token missing, then 404, 400 or 401 in JSON', async () => {
    await expect(helpers.armProbes('nobody')).rejects.toMatchObject({ status: 404, message: 'unknown merchant login' });
    const bad: unknown[] = [{ probes: ['lost-callbacks'] }, { probes: [] }, { probes: 'forged-callbacks' }, { all: 1 }];
    for (const body of bad) {
      const res = await post('/sandbox/test/merchants/demo-shop/probes', body);
      expect(res).toMatchObject({ status: 400, body: { error: 'invalid request body' } });
    }
    const anonymous = await post('/sandbox/test/merchants/demo-shop/probes', {}, {});
    expect(anonymous.status).toBe(401);
    expect(sandbox.sandbox.probes.armed('demo-shop')).toEqual([]);
  });
});

describe('probe: success-looking-return', () => {
  it('when armed, then the next declined order goes back with success-looking parameters, once', async () => {
    await helpers.armProbes('demo-shop', ['success-looking-return']);
    // An approved order is no occasion: the probe waits for a declined one.
    const paid = await register();
    expect((await helpers.pay(paid.orderId)).returnUrl).toBe(
      `https://shop.test/return?orderId=${paid.orderId}&lang=en`,
    );
    const declined = await register({ failUrl: 'https://shop.test/fail?cart=7#summary' });
    const answer = await helpers.decline(declined.orderId);
    expect(answer.returnUrl).toBe(
      `https://shop.test/fail?cart=7&orderId=${declined.orderId}&lang=en&${SUCCESS_LOOKING}#summary`,
    );
    const url = new URL(answer.returnUrl!);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      cart: '7',
      orderId: declined.orderId,
      lang: 'en',
      ...SUCCESS_LOOKING_PARAMS,
    });
    expect(entries(declined.orderId, 'page')).toEqual([
      expect.objectContaining({
        step: 'card-submitted',
        outcome: 'declined',
        orderStatus: 6,
        via: 'test-helper',
        sentTo: answer.returnUrl,
        probe: 'success-looking-return',
      }),
    ]);
    expect(entries(paid.orderId, 'page')[0]).not.toHaveProperty('probe');
    // One-shot: the next declined order goes back as usual.
    const next = await register();
    expect((await helpers.decline(next.orderId)).returnUrl).toBe(
      `https://shop.test/return?orderId=${next.orderId}&lang=en`,
    );
    expect(entries(next.orderId, 'page')[0]).not.toHaveProperty('probe');
  });

  it('when armed, then a buyer declined on the hosted page is redirected with them, as the journal says', async () => {
    await helpers.armProbes('demo-shop', ['success-looking-return']);
    const { orderId, formUrl } = await register();
    const { redirectUrl } = await payOnHostedPage(formUrl, { pan: DECLINING_PAN });
    expect(redirectUrl).toBe(`https://shop.test/return?orderId=${orderId}&lang=en&${SUCCESS_LOOKING}`);
    const submitted = entries(orderId, 'page').filter((e) => e.step === 'card-submitted');
    expect(submitted).toEqual([
      expect.objectContaining({ sentTo: redirectUrl, probe: 'success-looking-return', orderStatus: 6 }),
    ]);
    expect(submitted[0]).not.toHaveProperty('via');
    expect(sandbox.sandbox.probes.armed('demo-shop')).toEqual([]);
  });

  it('when another merchant armed it, then this merchant’s declined order goes back as usual', async () => {
    await helpers.armProbes('other-shop', ['success-looking-return']);
    const { orderId } = await register();
    expect((await helpers.decline(orderId)).returnUrl).toBe(`https://shop.test/return?orderId=${orderId}&lang=en`);
    expect(sandbox.sandbox.probes.armed('other-shop')).toEqual(['success-looking-return']);
    await helpers.reset('other-shop');
  });
});

describe('probe: forged-callbacks', () => {
  const paramsOf = (query: Record<string, string>) =>
    Object.fromEntries(Object.entries(query).filter(([name]) => name !== 'checksum'));

  it('when armed, then the next genuine callback is followed by a forged and an unsigned one claiming success', async () => {
    await helpers.armProbes('demo-shop', ['forged-callbacks']);
    rx.script([200, 403, 400]);
    const { orderId } = await register();
    await helpers.decline(orderId);
    const [genuine, forged, unsigned] = await rx.waitFor(3);
    await sandbox.sandbox.callbacks!.idle();
    // The genuine one reports the failed payment, signed with the merchant's key.
    expect(genuine!.query).toMatchObject({ mdOrder: orderId, operation: 'deposited', status: '0' });
    expect(genuine!.query.checksum).toBe(signCallback(paramsOf(genuine!.query), CALLBACK_KEY));
    // The copies claim the payment succeeded: one with a checksum of a wrong key, one without any.
    const claim = { mdOrder: orderId, operation: 'deposited', status: '1', amount: '150000' };
    expect(forged!.query).toMatchObject(claim);
    expect(forged!.query.checksum).toMatch(/^[0-9A-F]{64}$/);
    expect(forged!.query.checksum).not.toBe(signCallback(paramsOf(forged!.query), CALLBACK_KEY));
    expect(unsigned!.query).toMatchObject(claim);
    expect(unsigned!.query.checksum).toBeUndefined();
    expect(forged!.path).toBe('/cb');
    const journaled = entries(orderId, 'callback').map((e) => [e.probe, e.signed, e.httpStatus]);
    expect(journaled).toEqual([
      [undefined, true, 200],
      ['forged', true, 403],
      ['unsigned', false, 400],
    ]);
    for (const e of entries(orderId, 'callback')) expect(e.url).not.toMatch(/checksum/);

    // One-shot: the next order's callback comes alone.
    rx.received.length = 0;
    const next = await register();
    await helpers.pay(next.orderId);
    await rx.waitFor(1);
    await sandbox.sandbox.callbacks!.idle();
    expect(rx.received).toHaveLength(1);
    expect(entries(next.orderId, 'callback').map((e) => e.probe)).toEqual([undefined]);
  });

  it("when a test helper sends a forged or unsigned callback, then the journal's entry names it as such", async () => {
    const { orderId } = await register();
    await helpers.pay(orderId);
    await rx.waitFor(1);
    await sandbox.sandbox.callbacks!.idle();
    for (const kind of ['forged', 'unsigned', 'resend'] as const) await helpers.callback(orderId, kind);
    expect(entries(orderId, 'callback').map((e) => [e.probe, e.signed])).toEqual([
      [undefined, true],
      ['forged', true],
      ['unsigned', false],
      [undefined, true],
    ]);
  });
});

describe('probe: forged-callbacks when the sandbox stops', () => {
  it('when the sandbox closes while a forged copy waits for its answer, then it is aborted and nothing more is sent', async () => {
    const seen: string[] = [];
    // Answers the genuine callback, then never answers: the forged copy hangs until the sandbox aborts it.
    const hanging = http.createServer((req, res) => {
      seen.push(req.url ?? '');
      if (seen.length === 1) res.writeHead(200).end('ok');
    });
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
    const sb = await startSandbox({
      port: 0,
      merchants: [{ ...DEFAULT_MERCHANTS[0]!, callbackKey: CALLBACK_KEY, callbackUrl: `${url}/cb` }],
      operatorToken: OPERATOR_TOKEN,
      callbacks: { maxAttempts: 1, timeoutMs: 30_000 },
      testHelpers: true,
    });
    try {
      const client = createSandboxTestClient({ baseUrl: sb.url, operatorToken: OPERATOR_TOKEN });
      await client.armProbes('demo-shop', ['forged-callbacks']);
      const reg = await fetch(`${sb.gatewayUrl}register.do`, {
        method: 'POST',
        body: new URLSearchParams({
          ...CREDS,
          orderNumber: nextNumber(),
          amount: '100',
          returnUrl: 'https://shop.test/r',
        }),
      });
      const { orderId } = (await reg.json()) as { orderId: string };
      await client.pay(orderId);
      while (seen.length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
      const started = Date.now();
      await sb.close();
      await sb.sandbox.callbacks!.idle();
      expect(Date.now() - started).toBeLessThan(5000);
      expect(seen).toHaveLength(2);
      expect(seen[1]).toMatch(/checksum=/);
      // The genuine delivery only: the aborted copy is not journaled, the unsigned one never sent.
      const sent = sb.sandbox.integrationJournal.list({ orderId, kind: 'callback' });
      expect(sent.map((e) => (e.kind === 'callback' ? (e.probe ?? 'genuine') : ''))).toEqual(['genuine']);
    } finally {
      await sb.close();
      await new Promise<void>((resolve) => {
        hanging.close(() => resolve());
        hanging.closeAllConnections();
      });
    }
  });
});
