import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { REPO_ROOT } from './helpers/docs.js';
import request from 'supertest';
import {
  createSandboxTestClient,
  DEFAULT_MERCHANTS,
  SandboxTestHelperError,
  signCallback,
  startSandbox,
  type RunningSandbox,
  type SandboxMerchant,
  type SandboxTestClient,
} from '../src/index.js';
import { startReceiver, type Receiver } from './helpers/callback-receiver.js';
import { CREDS, makeSandbox, nextNumber, OPERATOR_AUTH, OPERATOR_TOKEN, T0 } from './helpers/sandbox-app.js';

const CALLBACK_KEY = 'helpers-callback-key-canary';

let rx: Receiver;
let sandbox: RunningSandbox;
let helpers: SandboxTestClient;
let merchant: SandboxMerchant;

beforeAll(async () => {
  rx = await startReceiver();
  merchant = { ...DEFAULT_MERCHANTS[0]!, callbackKey: CALLBACK_KEY, callbackUrl: `${rx.url}/cb` };
  sandbox = await startSandbox({
    port: 0,
    now: () => T0,
    merchants: [merchant],
    operatorToken: OPERATOR_TOKEN,
    processingDelayMs: 60_000,
    callbacks: { maxAttempts: 1, timeoutMs: 2000 },
    testHelpers: true,
  });
  helpers = createSandboxTestClient({ baseUrl: sandbox.url, operatorToken: OPERATOR_TOKEN });
});
afterAll(async () => {
  await sandbox.close();
  await rx.close();
});
beforeEach(() => {
  rx.received.length = 0;
  rx.script([]);
});

interface StatusBody {
  errorCode?: string;
  orderStatus?: number;
  actionCode?: number;
}

async function rest(method: string, params: Record<string, string>): Promise<{ status: number; body: StatusBody }> {
  const res = await fetch(`${sandbox.gatewayUrl}${method}.do`, {
    method: 'POST',
    body: new URLSearchParams({ ...CREDS, ...params }),
  });
  const text = await res.text();
  return { status: res.status, body: res.status === 200 ? (JSON.parse(text) as StatusBody) : {} };
}

async function register(params: Record<string, string> = {}): Promise<string> {
  const { body } = await rest('register', {
    orderNumber: nextNumber(),
    amount: '150000',
    returnUrl: 'https://shop.test/return',
    ...params,
  });
  const { orderId } = body as { orderId?: string };
  if (!orderId) throw new Error('register failed');
  return orderId;
}

const statusOf = async (orderId: string) => (await rest('getOrderStatusExtended', { orderId })).body;

/** A helper's raw answer, for the refusals the typed client turns into errors. */
async function post(pathname: string, body: unknown, headers: Record<string, string> = OPERATOR_AUTH) {
  const res = await fetch(`${sandbox.url}${pathname}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as { error?: string; issues?: { path: string }[] } };
}

describe('test helpers: payments', () => {
  it('when pay is called without a card, then the order is paid as the hosted page pays it (orderStatus 2)', async () => {
    const orderId = await register();
    await expect(helpers.pay(orderId)).resolves.toEqual({
      mdOrder: orderId,
      outcome: 'approved',
      orderStatus: 2,
      actionCode: 0,
      returnUrl: `https://shop.test/return?orderId=${orderId}&lang=en`,
    });
    expect(await statusOf(orderId)).toMatchObject({ orderStatus: 2, actionCode: 0 });
    // Paid once: a second pay is refused with the order's state, not a second charge.
    await expect(helpers.pay(orderId)).rejects.toMatchObject({ status: 409 });
  });

  it('when decline is called, then the order fails with the declining card’s actionCode (default 116)', async () => {
    const orderId = await register();
    await expect(helpers.decline(orderId)).resolves.toMatchObject({ outcome: 'declined', actionCode: 116 });
    expect(await statusOf(orderId)).toMatchObject({ orderStatus: 6, actionCode: 116 });
    const other = await register();
    await expect(helpers.decline(other, { card: 'do-not-honour' })).resolves.toMatchObject({ actionCode: 5 });
    // An approving card is no way to decline.
    await expect(helpers.decline(await register(), { card: '4111 1111 1111 1111' })).rejects.toMatchObject({
      status: 400,
    });
  });

  it('when the card asks for 3-D Secure, then the order waits (5) until 3ds pass approves or fail declines (-2006)', async () => {
    const passed = await register();
    const challenged = await helpers.pay(passed, { card: '5555555555555599' });
    expect(challenged).toMatchObject({ outcome: 'challenge', orderStatus: 5 });
    // The buyer would be at the bank's page, not back at the shop.
    expect(challenged).not.toHaveProperty('returnUrl');
    await expect(helpers.threeDs(passed, { result: 'pass' })).resolves.toMatchObject({
      orderStatus: 2,
      returnUrl: expect.stringContaining(`orderId=${passed}`),
    });
    expect(await statusOf(passed)).toMatchObject({ orderStatus: 2 });

    const failed = await register();
    await helpers.pay(failed, { card: '3ds-challenge' });
    await expect(helpers.threeDs(failed, { result: 'fail' })).resolves.toMatchObject({ actionCode: -2006 });
    expect(await statusOf(failed)).toMatchObject({ orderStatus: 6, actionCode: -2006 });

    // The code given with pay answers the challenge in the same call.
    const inOne = await register();
    await expect(helpers.pay(inOne, { card: '3ds-challenge', otp: '12345678' })).resolves.toMatchObject({
      outcome: 'approved',
      orderStatus: 2,
    });
    // No challenge open: nothing to answer.
    await expect(helpers.threeDs(inOne, { result: 'pass' })).rejects.toMatchObject({ status: 409 });
  });
});

describe('test helpers: the journal', () => {
  const pageSteps = (orderId: string) =>
    sandbox.sandbox.integrationJournal
      .list({ orderId, kind: 'page' })
      .reverse()
      .map((e) => (e.kind === 'page' ? e : undefined));

  it('when pay, decline and 3ds run, then each is a page step via test-helper, with sentTo the answered returnUrl', async () => {
    const paid = await register({ failUrl: 'https://shop.test/fail?x=1' });
    const answer = await helpers.pay(paid, { card: '3ds-challenge', otp: '12345678' });
    expect(pageSteps(paid)).toEqual([
      expect.objectContaining({ step: 'card-submitted', outcome: 'challenge', orderStatus: 5, via: 'test-helper' }),
      expect.objectContaining({
        step: '3ds-submitted',
        outcome: 'approved',
        orderStatus: 2,
        via: 'test-helper',
        sentTo: answer.returnUrl,
        merchant: 'demo-shop',
      }),
    ]);
    expect(pageSteps(paid)[0]).not.toHaveProperty('sentTo');
    expect(answer.returnUrl).toBe(`https://shop.test/return?orderId=${paid}&lang=en`);

    const declined = await register({ failUrl: 'https://shop.test/fail?x=1' });
    const no = await helpers.decline(declined);
    expect(no.returnUrl).toBe(`https://shop.test/fail?x=1&orderId=${declined}&lang=en`);
    expect(pageSteps(declined)).toEqual([
      expect.objectContaining({ step: 'card-submitted', outcome: 'declined', orderStatus: 6, sentTo: no.returnUrl }),
    ]);

    const failed = await register();
    await helpers.pay(failed, { card: '3ds-challenge' });
    const fail = await helpers.threeDs(failed, { result: 'fail' });
    expect(pageSteps(failed).map((e) => [e?.step, e?.outcome, e?.sentTo])).toEqual([
      ['card-submitted', 'challenge', undefined],
      ['3ds-submitted', 'declined', fail.returnUrl],
    ]);
    // A refused helper call took no step.
    await expect(helpers.pay(failed)).rejects.toMatchObject({ status: 409 });
    expect(pageSteps(failed)).toHaveLength(2);
  });

  it('when the journal does not record (recordJournal: false), then the helpers record nothing either', async () => {
    const quiet = makeSandbox({ recordJournal: false, testHelpers: true });
    try {
      const { orderId } = await quiet.register();
      const res = await request(quiet.app).post(`/sandbox/test/orders/${orderId}/pay`).set(OPERATOR_AUTH).send({});
      expect(res.body).toMatchObject({ outcome: 'approved', returnUrl: expect.stringContaining(orderId) });
      expect(quiet.integrationJournal.size).toBe(0);
    } finally {
      quiet.stop();
    }
  });
});

describe('test helpers: clock, reset, faults', () => {
  it('when the clock is advanced past the page lifetime, then the unpaid order expires (6, -2007) and its page says so', async () => {
    const orderId = await register({ sessionTimeoutSecs: '600' });
    const waiting = await register();
    await helpers.pay(waiting, { card: 'processor-wait' });
    expect(await statusOf(waiting)).toMatchObject({ orderStatus: 5 });
    const moved = await helpers.advanceClock(601);
    expect(moved).toMatchObject({ advancedSecs: 601, expiredPages: 1, settledPayments: 1, releasedHolds: 0 });
    expect(Date.parse(moved.now)).toBeGreaterThanOrEqual(T0 + 601_000);
    expect(await statusOf(orderId)).toMatchObject({ orderStatus: 6, actionCode: -2007 });
    // The processor wait (60 s here) is over too: the held payment settled.
    expect(await statusOf(waiting)).toMatchObject({ orderStatus: 2 });
    const page = await fetch(`${sandbox.url}/payment/merchants/demo-shop/payment_en.html?mdOrder=${orderId}`);
    expect(await page.text()).toMatch(/expired/i);
  });

  it('when a merchant is reset, then its orders are gone and its fault switches cleared', async () => {
    const a = await register();
    const b = await register();
    await helpers.fault('demo-shop', { httpStatus: 502, methods: ['reverse'] }, 5);
    const reset = await helpers.reset('demo-shop');
    expect(reset).toMatchObject({ login: 'demo-shop', faultsCleared: true });
    expect(reset.deletedOrders).toBeGreaterThanOrEqual(2);
    for (const orderId of [a, b]) expect((await statusOf(orderId)).errorCode).toBe('6');
    expect(sandbox.sandbox.faults.get('demo-shop')).toBeUndefined();
  });

  it('when a merchant is reset, then its journal goes too: its report card starts from nothing, as both docs say', async () => {
    await register();
    const before = await helpers.report('demo-shop');
    expect(before.journal.entries).toBeGreaterThan(0);
    const reset = await helpers.reset('demo-shop');
    expect(reset.deletedJournalEntries).toBe(before.journal.entries);
    const after = await helpers.report('demo-shop');
    expect(after.journal.entries).toBe(0);
    expect(after.score).toMatchObject({ passed: 0, failed: 0 });
    for (const file of ['docs/sandbox.md', 'packages/gateway-sandbox/README.md']) {
      const text = readFileSync(path.join(REPO_ROOT, file), 'utf8');
      expect(/^\* `merchants\/<login>\/reset`:[\s\S]*?(?=^\* )/m.exec(text)?.[0]).toMatch(
        /every order and journal entry of that merchant/,
      );
    }
  });

  it('when a fault is set for the next 2 calls, then exactly 2 calls get it and the third is normal', async () => {
    const orderId = await register();
    const set = await helpers.fault('demo-shop', { httpStatus: 500, methods: ['getOrderStatusExtended.do'] }, 2);
    expect(set.faults).toMatchObject({ httpStatus: 500, remaining: 2 });
    expect((await rest('getOrderStatusExtended', { orderId })).status).toBe(500);
    expect((await rest('getOrderStatusExtended', { orderId })).status).toBe(500);
    expect(await rest('getOrderStatusExtended', { orderId })).toMatchObject({ status: 200, body: { orderStatus: 0 } });
  });
});

describe('test helpers: clock and holds', () => {
  it('when the clock is advanced past the hold lifetime, then an uncaptured hold is released (3) and the merchant told', async () => {
    // Earlier tests' unpaid orders would expire (and be notified) too.
    await helpers.reset('demo-shop');
    const { body } = await rest('registerPreAuth', {
      orderNumber: nextNumber(),
      amount: '4200',
      returnUrl: 'https://shop.test/return',
    });
    const { orderId } = body as { orderId: string };
    await expect(helpers.pay(orderId)).resolves.toMatchObject({ orderStatus: 1 });
    await rx.waitFor(1);
    rx.received.length = 0;
    await helpers.advanceClock(sandbox.sandbox.holdLifetimeMs / 1000 - 1);
    expect(await statusOf(orderId)).toMatchObject({ orderStatus: 1 });
    await expect(helpers.advanceClock(1)).resolves.toMatchObject({ releasedHolds: 1, expiredPages: 0 });
    // Released by the helper's own sweep: the callback is on its way before anyone asks the status.
    const [released] = await rx.waitFor(1);
    expect(released!.query).toMatchObject({ mdOrder: orderId, operation: 'reversed', status: '1', amount: '4200' });
    expect(released!.query.checksum).toBe(
      signCallback(
        Object.fromEntries(Object.entries(released!.query).filter(([name]) => name !== 'checksum')),
        CALLBACK_KEY,
      ),
    );
    expect(await statusOf(orderId)).toMatchObject({ orderStatus: 3 });
    await sandbox.sandbox.callbacks!.idle();
    expect(rx.received).toHaveLength(1);
  });
});

describe('test helpers: callbacks', () => {
  const paidOrder = async () => {
    const orderId = await register();
    await helpers.pay(orderId);
    await rx.waitFor(1);
    rx.received.length = 0;
    return orderId;
  };
  const paramsOf = (query: Record<string, string>) =>
    Object.fromEntries(Object.entries(query).filter(([name]) => name !== 'checksum'));

  it('when resent, then the merchant gets the last callback again, signed with its key, and its status is answered', async () => {
    const orderId = await paidOrder();
    rx.script([503]);
    const result = await helpers.callback(orderId, 'resend');
    expect(result).toMatchObject({ kind: 'resend', operation: 'deposited', signed: true, answers: [{ status: 503 }] });
    const [got] = await rx.waitFor(1);
    expect(got!.query).toMatchObject({ mdOrder: orderId, operation: 'deposited', status: '1' });
    expect(got!.query.checksum).toBe(signCallback(paramsOf(got!.query), CALLBACK_KEY));
    // Neither the checksum nor the key is answered.
    expect(JSON.stringify(result)).not.toMatch(new RegExp(`checksum|${CALLBACK_KEY}|${got!.query.checksum}`));
  });

  it('when unsigned, forged or duplicate, then the merchant gets it without checksum, with a wrong one, or twice', async () => {
    const orderId = await paidOrder();
    await expect(helpers.callback(orderId, 'unsigned')).resolves.toMatchObject({ signed: false });
    await expect(helpers.callback(orderId, 'forged')).resolves.toMatchObject({ signed: true });
    const duplicate = await helpers.callback(orderId, 'duplicate');
    expect(duplicate.answers).toEqual([{ status: 200 }, { status: 200 }]);
    const [unsigned, forged, first, second] = await rx.waitFor(4);
    expect(unsigned!.query.checksum).toBeUndefined();
    expect(forged!.query.checksum).toMatch(/^[0-9A-F]{64}$/);
    expect(forged!.query.checksum).not.toBe(signCallback(paramsOf(forged!.query), CALLBACK_KEY));
    expect(first!.query.checksum).toBe(signCallback(paramsOf(first!.query), CALLBACK_KEY));
    expect(second!.query).toEqual(first!.query);
  });

  it("when the order's callback URL is outside the merchant's allowed origins, then nothing is sent (409)", async () => {
    const orderId = await paidOrder();
    // Only code can get an order there (register.do refuses such a dynamicCallbackUrl): a loopback address the
    // allow-list does not name.
    sandbox.sandbox.engine.get(orderId)!.callbackUrl = 'http://127.0.0.2:9/cb';
    await expect(helpers.callback(orderId, 'forged')).rejects.toMatchObject({
      status: 409,
      message: expect.stringMatching(/not allowed/),
    });
  });

  it("when the order's callback URL cannot be parsed, then 409 in JSON naming it, not a 500", async () => {
    const orderId = await paidOrder();
    sandbox.sandbox.engine.get(orderId)!.callbackUrl = 'not a url';
    const res = await post(`/sandbox/test/orders/${orderId}/callbacks`, { kind: 'resend' });
    expect(res).toMatchObject({ status: 409, body: { error: expect.stringMatching(/not a valid URL/) } });
    expect(rx.received).toHaveLength(0);
  });

  it('when the order has had no notified operation, then there is nothing to resend (409)', async () => {
    await expect(helpers.callback(await register(), 'resend')).rejects.toMatchObject({ status: 409 });
    expect(rx.received).toHaveLength(0);
  });
});

describe('test helpers: refusals', () => {
  it('when the operator token is missing or wrong, then 401 in JSON and nothing happens', async () => {
    const orderId = await register();
    const refused: Record<string, string>[] = [{}, { authorization: 'Bearer wrong-token-0123456789' }];
    for (const headers of refused) {
      const res = await post(`/sandbox/test/orders/${orderId}/pay`, {}, headers);
      expect(res).toMatchObject({ status: 401, body: { error: expect.stringMatching(/operator token/) } });
    }
    // A merchant's own credentials open nothing here either.
    const asMerchant = await post(
      `/sandbox/test/orders/${orderId}/pay`,
      {},
      { authorization: 'Bearer demo-shop-token' },
    );
    expect(asMerchant.status).toBe(401);
    expect(await statusOf(orderId)).toMatchObject({ orderStatus: 0 });
  });

  it('when the body is wrong, then 400 naming the field; unknown order or merchant 404', async () => {
    const orderId = await register();
    const bad: [string, unknown, string][] = [
      [`/sandbox/test/orders/${orderId}/pay`, { card: '4111111111111112' }, 'card'],
      [`/sandbox/test/orders/${orderId}/pay`, { cvc: '123' }, ''],
      [`/sandbox/test/orders/${orderId}/3ds`, { result: 'maybe' }, 'result'],
      ['/sandbox/test/clock', { advanceSecs: -5 }, 'advanceSecs'],
      ['/sandbox/test/clock', { advanceSecs: '60' }, 'advanceSecs'],
      [`/sandbox/test/orders/${orderId}/callbacks`, { kind: 'lost' }, 'kind'],
      ['/sandbox/test/merchants/demo-shop/faults', { fault: { httpStatus: 418 }, nextCalls: 1 }, 'fault.httpStatus'],
      ['/sandbox/test/merchants/demo-shop/faults', { fault: { reset: true }, nextCalls: 0 }, 'nextCalls'],
    ];
    for (const [pathname, body, field] of bad) {
      const res = await post(pathname, body);
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid request body');
      expect(res.body.issues?.map((i) => i.path)).toContain(field);
    }
    await expect(post('/sandbox/test/clock', '{"advanceSecs":')).resolves.toEqual({
      status: 400,
      body: { error: 'the body is not valid JSON' },
    });
    await expect(helpers.pay('no-such-order')).rejects.toEqual(
      new SandboxTestHelperError(404, 'unknown order (mdOrder)'),
    );
    await expect(helpers.reset('nobody')).rejects.toMatchObject({ status: 404, message: 'unknown merchant login' });
    expect((await post('/sandbox/test/nothing', {})).status).toBe(404);
    expect(await statusOf(orderId)).toMatchObject({ orderStatus: 0 });
  });

  it('when the helpers are off (the default), then every path answers 404, even with the operator token', async () => {
    const off = makeSandbox();
    try {
      const { orderId } = await off.register();
      for (const pathname of [`/sandbox/test/orders/${orderId}/pay`, '/sandbox/test/clock']) {
        const res = await request(off.app).post(pathname).set(OPERATOR_AUTH).send({ advanceSecs: 60 });
        expect(res.status).toBe(404);
      }
      expect(off.engine.get(orderId)?.status).toBe(0);
    } finally {
      off.stop();
    }
  });
});

/**
 * The curl examples of the docs, run as written against this sandbox: each in its own shell, with SANDBOX, TOKEN and
 * ORDER set to a fresh order in the state the example needs.
 */
describe('test helpers: the documented curl examples', () => {
  const examples = (file: string): string[] => {
    const text = readFileSync(path.join(REPO_ROOT, file), 'utf8');
    const start = text.search(/^#+ Test helpers/m);
    const rest = start < 0 ? '' : text.slice(start).split('\n').slice(1).join('\n');
    const end = rest.search(/^#{1,3} /m);
    return (end < 0 ? rest : rest.slice(0, end))
      .replace(/\\\n\s*/g, '')
      .split('\n')
      .filter((line) => line.startsWith('curl '));
  };

  for (const file of ['packages/gateway-sandbox/README.md', 'docs/sandbox.md']) {
    it(`when the curl examples of ${file} run, then each succeeds with a JSON answer`, async () => {
      const lines = examples(file);
      const actions = lines.map((l) => /\/sandbox\/test\/(?:orders\/\$ORDER\/|merchants\/[^/]+\/)?(\w+)/.exec(l)?.[1]);
      expect(new Set(actions)).toEqual(
        new Set(['pay', 'decline', 'wallet', '3ds', 'reset', 'clock', 'callbacks', 'faults', 'probes', 'receipts']),
      );
      for (const [index, line] of lines.entries()) {
        const order = await register();
        if (actions[index] === '3ds') await helpers.pay(order, { card: '3ds-challenge' });
        if (actions[index] === 'callbacks') await helpers.pay(order);
        const { stdout } = await promisify(execFile)('bash', ['-c', line], {
          env: { PATH: process.env.PATH, SANDBOX: sandbox.url, TOKEN: OPERATOR_TOKEN, ORDER: order },
        });
        const answer = JSON.parse(stdout) as Record<string, unknown>;
        expect({ line, error: answer.error }).toEqual({ line, error: undefined });
        if (actions[index] === 'probes')
          expect(answer).toEqual({ login: 'demo-shop', armed: ['success-looking-return', 'forged-callbacks'] });
      }
      await helpers.reset('demo-shop');
    });
  }
});

describe('test helpers: what a request must carry (a Bearer token, a JSON body)', () => {
  it('when a request carries Basic credentials (a browser attaches cached ones to a cross-site form post), then 401 and nothing changes', async () => {
    const sb = makeSandbox({ callbacks: false, testHelpers: true });
    const basic = { authorization: `Basic ${Buffer.from(`op:${OPERATOR_TOKEN}`).toString('base64')}` };
    for (const path of ['/sandbox/test/merchants/demo-shop/probes', '/sandbox/test/merchants/demo-shop/reset']) {
      const res = await request(sb.app).post(path).set(basic).type('form').send('a=1');
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: expect.stringContaining('Authorization: Bearer') });
    }
    expect(sb.probes.armed('demo-shop')).toEqual([]);
    const bearer = await request(sb.app).post('/sandbox/test/merchants/demo-shop/probes').set(OPERATOR_AUTH).send({});
    expect(bearer.status).toBe(200);
    sb.stop();
  });

  it('when the body is not JSON (a form, plain text), then 415 and nothing changes; no body at all is {}', async () => {
    const sb = makeSandbox({ callbacks: false, testHelpers: true });
    const path = '/sandbox/test/merchants/demo-shop/probes';
    for (const [type, body] of [
      ['form', 'probes=forged-callbacks'],
      ['text', '{"probes":["forged-callbacks"]}'],
    ] as const) {
      const res = await request(sb.app).post(path).set(OPERATOR_AUTH).type(type).send(body);
      expect(res.status).toBe(415);
      expect(res.body).toEqual({ error: expect.stringContaining('application/json') });
    }
    expect(sb.probes.armed('demo-shop')).toEqual([]);
    expect((await request(sb.app).post('/sandbox/test/merchants/demo-shop/reset').set(OPERATOR_AUTH)).status).toBe(200);
    sb.stop();
  });
});
