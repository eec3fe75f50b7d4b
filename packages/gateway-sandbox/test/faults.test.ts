import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { startSandbox, type RunningSandbox } from '../src/index.js';
import { startReceiver, type Receiver } from './helpers/callback-receiver.js';
import { OPERATOR_AUTH, OPERATOR_TOKEN } from './helpers/sandbox-app.js';
import { traceTimers } from './helpers/timer-trace.js';

const A = { login: 'team-a', userName: 'a-api', password: 'a-pw', token: 'a-token', allowTwoPhase: true };
const B = { login: 'team-b', userName: 'b-api', password: 'b-pw', allowTwoPhase: true };
const basic = (m: { userName: string; password: string }) =>
  `Basic ${Buffer.from(`${m.userName}:${m.password}`).toString('base64')}`;

describe('fault switches per merchant (control API)', () => {
  let sb: RunningSandbox;
  let rx: Receiver;
  let n = 0;
  beforeAll(async () => {
    rx = await startReceiver();
    sb = await startSandbox({
      port: 0,
      merchants: [{ ...A, callbackUrl: `${rx.url}/a` }, B],
      callbacks: { retryBaseMs: 10, maxAttempts: 2, timeoutMs: 2000 },
      operatorToken: OPERATOR_TOKEN,
    });
  });
  afterAll(async () => {
    await sb.close();
    await rx.close();
  });
  afterEach(async () => {
    await control('DELETE', 'team-a');
    await control('DELETE', 'team-b');
    rx.received.length = 0;
  });

  const control = (method: string, login = 'team-a', body?: unknown) =>
    fetch(`${sb.url}/sandbox/control/merchants/${login}/faults`, {
      method,
      headers: { ...OPERATOR_AUTH, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
  const setFaults = async (profile: unknown, login = 'team-a') => {
    const res = await control('PUT', login, profile);
    expect(res.status).toBe(200);
  };
  const rest = (method: string, params: Record<string, string>, as: { userName: string; password: string } = A) =>
    fetch(`${sb.gatewayUrl}${method}.do`, {
      method: 'POST',
      body: new URLSearchParams({ userName: as.userName, password: as.password, ...params }),
    });
  const register = async (as: { userName: string; password: string } = A) => {
    const res = await rest(
      'register',
      { orderNumber: `F-${++n}`, amount: '1000', returnUrl: 'https://shop.test/r' },
      as,
    );
    return ((await res.json()) as { orderId: string }).orderId;
  };
  const pay = (orderId: string) =>
    sb.sandbox.engine.pay(sb.sandbox.engine.get(orderId)!, {
      pan: '4111111111111111',
      expiration: '203012',
      cvc: '123',
      cardholderName: 'T',
    });

  it('when httpStatus 500/502/429 is set, then REST calls answer that status with an HTML body', async () => {
    for (const status of [500, 502, 429]) {
      await setFaults({ httpStatus: status });
      const res = await rest('register', { orderNumber: `H-${status}`, amount: '100', returnUrl: 'https://s.test/' });
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toContain('text/html');
      if (status === 429) expect(res.headers.get('retry-after')).toBe('1');
    }
  });

  it('when latencyMs is set, then the answer waits for a timer of that length', async () => {
    await setFaults({ latencyMs: 300 });
    // The wait happens in the sandbox's server, started before this test: watch every timer.
    const trace = traceTimers({ scope: 'process' });
    try {
      const res = await rest('getOrderStatusExtended', { orderNumber: 'none' });
      trace.mark('answered');
      expect(trace.timeline(300)).toEqual(['created 300', 'fired 300', 'answered']);
      expect(res.status).toBe(200);
    } finally {
      trace.stop();
    }
  });

  it('when malformedJson is set, then the body is HTTP 200 application/json that does not parse', async () => {
    await setFaults({ malformedJson: true });
    const res = await rest('getOrderStatusExtended', { orderNumber: 'none' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    const text = await res.text();
    expect((): unknown => JSON.parse(text)).toThrow();
  });

  it('when reset is set, then the connection is dropped without an answer', async () => {
    await setFaults({ reset: true });
    await expect(rest('getOrderStatusExtended', { orderNumber: 'none' })).rejects.toThrow();
  });

  it('when errorCodeAsNumber is set, then register and status errors carry a numeric errorCode', async () => {
    const before = (await (await rest('getOrderStatusExtended', { orderNumber: 'none' })).json()) as Record<
      string,
      unknown
    >;
    expect(before.errorCode).toBe('6');
    await setFaults({ errorCodeAsNumber: true });
    const after = (await (await rest('getOrderStatusExtended', { orderNumber: 'none' })).json()) as Record<
      string,
      unknown
    >;
    expect(after.errorCode).toBe(6);
  });

  it('when methods and remaining are set, then only those methods fail and only for N calls', async () => {
    const orderId = await register();
    await setFaults({ httpStatus: 502, methods: ['getOrderStatusExtended.do'], remaining: 2 });
    expect((await rest('getOrderStatus', { orderId })).status).toBe(200);
    expect((await rest('getOrderStatusExtended', { orderId })).status).toBe(502);
    expect((await rest('getOrderStatusExtended', { orderId })).status).toBe(502);
    expect((await rest('getOrderStatusExtended', { orderId })).status).toBe(200);
    expect(await (await control('GET')).json()).toEqual({ login: 'team-a', faults: null });
  });

  it("when merchant A has faults, then merchant B's calls are untouched", async () => {
    await setFaults({ httpStatus: 500 });
    expect((await rest('getOrderStatusExtended', { orderNumber: 'x' }, B)).status).toBe(200);
  });

  it('when callbacks=lost is set, then nothing is delivered and the loss is recorded', async () => {
    await setFaults({ callbacks: 'lost' });
    const orderId = await register();
    pay(orderId);
    // The notification is handled synchronously inside pay(): a lost one leaves nothing in flight or scheduled.
    expect(sb.sandbox.callbacks!.pending).toBe(0);
    await sb.sandbox.callbacks!.idle();
    expect(rx.received).toHaveLength(0);
    expect(sb.sandbox.journal.of(sb.sandbox.store.get(orderId)!).deliveries).toEqual([
      expect.objectContaining({ outcome: { kind: 'lost' } }),
    ]);
  });

  it('when callbacks=duplicated is set, then the same notification arrives twice', async () => {
    await setFaults({ callbacks: 'duplicated' });
    const orderId = await register();
    pay(orderId);
    const got = await rx.waitFor(2);
    await sb.sandbox.callbacks!.idle();
    expect(got).toHaveLength(2);
    expect(got[0]!.query).toEqual(got[1]!.query);
    expect(got[0]!.query.mdOrder).toBe(orderId);
  });
});

describe('control API access', () => {
  let sb: RunningSandbox;
  beforeAll(async () => {
    sb = await startSandbox({ port: 0, merchants: [A, B], operatorToken: OPERATOR_TOKEN });
  });
  afterAll(() => sb.close());
  const url = (login: string) => `${sb.url}/sandbox/control/merchants/${login}/faults`;
  const json = { 'content-type': 'application/json' };

  it('when no or a wrong operator token is given, then 401 with a Basic challenge, and nothing changes', async () => {
    const none = await fetch(url('team-a'));
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Basic realm="sandbox operator"');
    for (const authorization of [
      `Bearer ${OPERATOR_TOKEN}x`,
      `Bearer ${OPERATOR_TOKEN.slice(0, -1)}`,
      basic({ userName: 'operator', password: 'nope' }),
      `Token ${OPERATOR_TOKEN}`,
    ]) {
      const wrong = await fetch(url('team-a'), {
        method: 'PUT',
        headers: { authorization, ...json },
        body: '{"reset":true}',
      });
      expect(wrong.status).toBe(401);
    }
    expect(sb.sandbox.faults.get('team-a')).toBeUndefined();
  });

  it("when a merchant's own API credentials are sent (Basic user:password, Bearer token), then 401 for read, write and delete", async () => {
    sb.sandbox.faults.set('team-a', { latencyMs: 5 });
    for (const authorization of [
      basic(A),
      `Bearer ${A.token}`,
      basic(B),
      basic({ userName: 'x', password: A.token }),
    ]) {
      const headers = { authorization, ...json };
      expect((await fetch(url('team-a'), { headers })).status).toBe(401);
      expect((await fetch(url('team-a'), { method: 'PUT', headers, body: '{"reset":true}' })).status).toBe(401);
      expect((await fetch(url('team-a'), { method: 'DELETE', headers })).status).toBe(401);
    }
    expect(sb.sandbox.faults.get('team-a')).toEqual({ latencyMs: 5 });
    sb.sandbox.faults.clear('team-a');
  });

  it("when the operator token is sent as a Bearer header, then any merchant's faults can be set, read and cleared", async () => {
    const headers = { ...OPERATOR_AUTH, ...json };
    const put = await fetch(url('team-b'), {
      method: 'PUT',
      headers,
      body: JSON.stringify({ httpStatus: 429, remaining: 3 }),
    });
    expect(await put.json()).toEqual({ login: 'team-b', faults: { httpStatus: 429, remaining: 3 } });
    expect(await (await fetch(url('team-b'), { headers })).json()).toEqual({
      login: 'team-b',
      faults: { httpStatus: 429, remaining: 3 },
    });
    expect((await fetch(url('team-b'), { method: 'DELETE', headers })).status).toBe(204);
    expect(sb.sandbox.faults.get('team-b')).toBeUndefined();
  });

  it('when the operator token is the password of HTTP Basic, with any user name, then the API answers', async () => {
    for (const userName of ['operator', '', 'a-api']) {
      const res = await fetch(url('team-a'), {
        headers: { authorization: basic({ userName, password: OPERATOR_TOKEN }) },
      });
      expect(res.status).toBe(200);
    }
  });

  it('when the login in the path is unknown, then 404', async () => {
    expect((await fetch(url('nobody'), { headers: OPERATOR_AUTH })).status).toBe(404);
  });

  it('when the profile is invalid, then 400 names the bad field', async () => {
    const res = await fetch(url('team-a'), {
      method: 'PUT',
      headers: { ...OPERATOR_AUTH, ...json },
      body: '{"httpStatus":503,"extra":1}',
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { issues: { path: string }[] };
    expect(body.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['httpStatus']));
  });
});
