/** The integration journal (issue 17): REST calls, hosted-page steps and callbacks, per merchant, behind the operator. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { startSandbox, TEST_CARDS, TEST_OTP, type RunningSandbox, type TrafficEntry } from '../src/index.js';
import { startReceiver, type Receiver } from './helpers/callback-receiver.js';
import { OPERATOR_AUTH, OPERATOR_TOKEN } from './helpers/sandbox-app.js';
import { payOnHostedPage } from './helpers/sandbox-buyer.js';

const M = {
  login: 'journal-shop',
  userName: 'journal-api-user',
  password: 'Journal-S3cret-Pa55',
  token: 'journal-tok-ABCDEF-987654',
  callbackKey: 'journal-cb-key-5a6b7c',
  allowTwoPhase: true,
};
const OTHER = { login: 'other-shop', userName: 'other-api', password: 'other-Pa55-word', allowTwoPhase: true };
const CHALLENGE_PAN = TEST_CARDS.find((c) => c.id === '3ds-challenge')!.pan;

describe('the integration journal', () => {
  let rx: Receiver;
  let sb: RunningSandbox;
  let checksums: string[];
  let paidId: string;
  let cancelledId: string;
  let json: { entries: TrafficEntry[] };
  const api = async (method: string, params: Record<string, string>, headers: Record<string, string> = {}) => {
    const res = await fetch(`${sb.gatewayUrl}${method}.do`, {
      method: 'POST',
      body: new URLSearchParams(params),
      headers,
    });
    return (await res.json()) as Record<string, unknown>;
  };
  const creds = { userName: M.userName, password: M.password };
  const register = async (orderNumber: string) =>
    (await api('register', { ...creds, orderNumber, amount: '150000', returnUrl: 'https://shop.test/return' })) as {
      orderId: string;
      formUrl: string;
    };

  beforeAll(async () => {
    rx = await startReceiver();
    sb = await startSandbox({
      port: 0,
      host: '127.0.0.1',
      operatorToken: OPERATOR_TOKEN,
      merchants: [{ ...M, callbackUrl: `${rx.url}/cb` }, OTHER],
      callbacks: { retryBaseMs: 10, maxAttempts: 3, timeoutMs: 2000 },
    });
    rx.script([500]);
    const paid = await register('J-1');
    paidId = paid.orderId;
    const outcome = await payOnHostedPage(paid.formUrl, { pan: CHALLENGE_PAN, otp: TEST_OTP });
    expect(outcome.redirectUrl).toMatch(/^https:\/\/shop\.test\/return/);
    await rx.waitFor(2);
    await sb.sandbox.callbacks!.idle();
    const cancelled = await register('J-2');
    cancelledId = cancelled.orderId;
    await request(sb.url)
      .post(new URL(cancelled.formUrl).pathname)
      .type('form')
      .send({ mdOrder: cancelledId, op: 'cancel' });
    await rx.waitFor(3);
    await sb.sandbox.callbacks!.idle();
    checksums = rx.received.map((c) => c.query.checksum ?? '');
    // A gateway error, an auth failure of a known user, one of an unknown token, a browser-sent status call.
    // A status asked by orderNumber only: filed under the order its answer names.
    await api('getOrderStatusExtended', { ...creds, orderNumber: 'J-1' });
    await api('deposit', { ...creds, orderId: 'no-such-order', amount: '100' });
    await api('getOrderStatusExtended', { userName: M.userName, password: 'wrong-Pa55-guess' });
    await api('getOrderStatusExtended', { token: 'not-a-token-of-anyone' });
    await api(
      'getOrderStatus',
      { ...creds, orderId: paidId },
      { origin: 'https://shop.test', referer: 'https://shop.test/x' },
    );
    await api('register', {
      userName: OTHER.userName,
      password: OTHER.password,
      orderNumber: 'O-1',
      amount: '100',
      returnUrl: 'https://shop.test/r',
    });
    json = (await request(sb.url).get('/sandbox/journal.json?limit=1000').set(OPERATOR_AUTH)).body as typeof json;
  });
  afterAll(async () => {
    await sb.close();
    await rx.close();
  });

  const api_ = (method: string) => json.entries.filter((e) => e.kind === 'api' && e.method === method);

  it('when a merchant registers and pays, then the register call is recorded with its answer, duration and source', () => {
    const reg = json.entries.find((e) => e.kind === 'api' && e.orderId === paidId && e.method === 'register');
    expect(reg).toMatchObject({
      kind: 'api',
      merchant: M.login,
      userName: M.userName,
      params: { userName: M.userName, password: '[redacted]', orderNumber: 'J-1', amount: '150000' },
      answer: { httpStatus: 200 },
      source: expect.stringMatching(/127\.0\.0\.1/),
      browser: { origin: false, referer: false },
    });
    // A successful register answers no errorCode, and the summary invents none.
    expect(reg?.kind === 'api' && reg.answer.errorCode).toBeUndefined();
    expect(reg?.kind === 'api' && reg.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('when the status is asked by orderNumber, then the entry names the order the answer is about', () => {
    const byNumber = json.entries.find(
      (e) => e.kind === 'api' && e.method === 'getOrderStatusExtended' && e.params.orderNumber === 'J-1',
    );
    expect(byNumber).toMatchObject({ orderId: paidId, answer: { orderStatus: 2 } });
  });

  it('when a call fails, then the gateway error and the auth failures are recorded, the password never', () => {
    expect(api_('deposit')[0]).toMatchObject({
      merchant: M.login,
      orderId: 'no-such-order',
      answer: { errorCode: '6' },
    });
    const [unknownToken, wrongPassword] = api_('getOrderStatusExtended');
    expect(wrongPassword).toMatchObject({
      merchant: M.login,
      userName: M.userName,
      params: { password: '[redacted]' },
      answer: { errorCode: '5' },
    });
    expect(unknownToken).toMatchObject({ merchant: null, params: { token: '[redacted]' }, answer: { errorCode: '5' } });
  });

  it('when a call comes with Origin and Referer, then the browser hints say so, and the legacy ErrorCode is read', () => {
    expect(api_('getOrderStatus')[0]).toMatchObject({
      browser: { origin: true, referer: true },
      answer: { errorCode: '0', orderStatus: 2 },
    });
  });

  it('when the buyer goes through the page, then shown, card, 3-D Secure and cancel steps are recorded in order', () => {
    const steps = (id: string) =>
      json.entries
        .filter((e) => e.kind === 'page' && e.orderId === id)
        .reverse()
        .map((e) => (e.kind === 'page' ? [e.step, e.outcome ?? ''] : []));
    expect(steps(paidId)).toEqual([
      ['shown', ''],
      ['card-submitted', 'challenge'],
      ['3ds-shown', ''],
      ['3ds-submitted', 'approved'],
    ]);
    expect(steps(cancelledId)).toEqual([['cancelled', '']]);
  });

  it('when a step sends the buyer back to the shop, then its entry has sentTo, the URL the page redirected to', () => {
    const sentTo = (id: string) =>
      json.entries
        .filter((e) => e.kind === 'page' && e.orderId === id)
        .reverse()
        .map((e) => (e.kind === 'page' ? (e.sentTo ?? null) : undefined));
    expect(sentTo(paidId)).toEqual([null, null, null, `https://shop.test/return?orderId=${paidId}&lang=en`]);
    expect(sentTo(cancelledId)).toEqual([`https://shop.test/return?orderId=${cancelledId}&lang=en`]);
  });

  it('when the page is read, then a return shows where the buyer was sent', async () => {
    const html = (await request(sb.url).get(`/sandbox/journal?orderId=${paidId}`).set(OPERATOR_AUTH)).text;
    expect(html).toContain(`approved → https://shop.test/return?orderId=${paidId}&amp;lang=en`);
  });

  it('when callbacks are sent, then each attempt is recorded with the merchant answer, signed, without the checksum', () => {
    const sent = json.entries.filter((e) => e.kind === 'callback' && e.orderId === paidId).reverse();
    expect(sent.map((e) => (e.kind === 'callback' ? [e.attempt, e.httpStatus, e.signed] : []))).toEqual([
      [1, 500, true],
      [2, 200, true],
    ]);
    expect(sent[0]).toMatchObject({ merchant: M.login, operation: 'deposited' });
    for (const e of sent) expect(e.kind === 'callback' && e.url).not.toMatch(/checksum/);
  });

  it('when filtered by merchant, order or method, then only those entries come, newest first', async () => {
    const get = async (query: string) =>
      ((await request(sb.url).get(`/sandbox/journal.json?${query}`).set(OPERATOR_AUTH)).body as typeof json).entries;
    expect((await get('merchant=other-shop')).map((e) => e.merchant)).toEqual([OTHER.login]);
    const ofOrder = await get(`orderId=${paidId}`);
    expect(ofOrder.length).toBeGreaterThan(4);
    expect(ofOrder.every((e) => e.orderId === paidId)).toBe(true);
    const seqs = ofOrder.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    expect((await get('method=cancelled')).map((e) => e.orderId)).toEqual([cancelledId]);
    expect((await get('method=callback&limit=2')).length).toBe(2);
    const all = await get('');
    expect(await get(`before=${all[1]!.seq}&limit=1`)).toEqual([all[2]]);
    expect(await get(`after=${all[1]!.seq}`)).toEqual([all[0]]);
    // The same read API on the package.
    expect(sb.sandbox.integrationJournal.list({ merchant: OTHER.login, method: 'register' })).toHaveLength(1);
    // Accept: application/json on the page's address answers the same JSON.
    const viaAccept = await request(sb.url)
      .get('/sandbox/journal?merchant=other-shop')
      .set(OPERATOR_AUTH)
      .accept('json');
    expect(viaAccept.headers['content-type']).toMatch(/json/);
  });

  it.each([
    ['merchant=nobody', /merchant must be one of/],
    ['method=pay', /method must be one of/],
    ['limit=0', /limit must be an integer/],
    ['after=abc', /after must be a sequence id/],
    ['orderId=%3Cscript%3E', /orderId must be/],
    ['kind=x', /kind must be one of/],
    ['merchant=a&merchant=b', /merchant must be given once/],
  ])('when the filter is %s, then it is a 400 with a clear message, JSON and text', async (query, message) => {
    const asJson = await request(sb.url).get(`/sandbox/journal.json?${query}`).set(OPERATOR_AUTH);
    expect(asJson.status).toBe(400);
    expect((asJson.body as { error: string }).error).toMatch(message);
    const asText = await request(sb.url).get(`/sandbox/journal?${query}`).set(OPERATOR_AUTH);
    expect(asText.status).toBe(400);
    expect(asText.text).toMatch(message);
  });

  it('when asked without the operator token or with a merchant credential, then both addresses answer 401', async () => {
    for (const path of ['/sandbox/journal', '/sandbox/journal.json']) {
      expect((await request(sb.url).get(path)).status).toBe(401);
      expect(
        (
          await request(sb.url)
            .get(path)
            .set({ authorization: `Bearer ${M.token}` })
        ).status,
      ).toBe(401);
      expect((await request(sb.url).get(path).auth('x', M.password)).status).toBe(401);
    }
    expect((await request(sb.url).get('/sandbox/journal.json')).body).toEqual({
      error: 'unauthorized: the sandbox operator token is required',
    });
  });

  it('when the page and JSON are read, then no password, token, callback key or checksum appears in them', async () => {
    const html = await request(sb.url).get('/sandbox/journal?limit=1000').set(OPERATOR_AUTH);
    const ru = await request(sb.url).get('/sandbox/journal?lang=ru').set(OPERATOR_AUTH);
    expect(html.status).toBe(200);
    expect(html.text).toContain('Sandbox journal');
    expect(html.text).toContain('3ds-submitted');
    expect(ru.text).toContain('Журнал песочницы');
    expect(ru.text).toContain('<html lang="ru">');
    const secrets = [M.password, M.token, M.callbackKey, OTHER.password, 'wrong-Pa55-guess', 'not-a-token-of-anyone'];
    expect(checksums.filter(Boolean)).toHaveLength(3);
    for (const text of [html.text, ru.text, JSON.stringify(json)])
      for (const secret of [...secrets, ...checksums]) expect(text).not.toContain(secret);
  });
});
