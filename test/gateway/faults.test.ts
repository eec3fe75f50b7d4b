// Each gateway fault from docs/security.md #16-17 becomes a typed error, against a real local server.
import { afterEach, describe, expect, it } from '@jest/globals';
import {
  GatewayBadResponseError,
  GatewayForeignFormUrlError,
  GatewayHttpError,
  GatewayNetworkError,
  GatewayRejectedError,
  GatewayTimeoutError,
} from '../../src/gateway/index.js';
import {
  replies,
  startMisbehavingGateway,
  type Behaviour,
  type MisbehavingGateway,
} from '../helpers/misbehaving-gateway.js';
import { FAST_TIMEOUTS, makeClient, REGISTER } from '../helpers/gateway-client.js';

let gw: MisbehavingGateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

async function registerAgainst(behaviour: Behaviour, overrides = {}) {
  gw = await startMisbehavingGateway(behaviour);
  const { client, events } = makeClient(gw.baseUrl, overrides);
  const error = await client.register(REGISTER).then(
    () => undefined,
    (e: unknown) => e,
  );
  return { error, events, gw };
}

describe('register against a misbehaving gateway', () => {
  it('when the gateway never answers, then GatewayTimeoutError with outcomeUnknown and exactly one attempt', async () => {
    const { error, events, gw } = await registerAgainst({ register: replies.hang() }, FAST_TIMEOUTS);
    expect(error).toBeInstanceOf(GatewayTimeoutError);
    expect(error).toMatchObject({ code: 'GATEWAY_TIMEOUT', method: 'register', outcomeUnknown: true });
    expect((error as GatewayTimeoutError).cause).toMatchObject({ name: 'TimeoutError', code: 'ETIMEDOUT' });
    expect(gw.callsTo('register')).toHaveLength(1);
    expect(events).toEqual([
      expect.objectContaining({ method: 'register', ok: false, errorClass: 'GATEWAY_TIMEOUT', attempt: 1 }),
    ]);
  });

  it('when the gateway resets the connection, then GatewayNetworkError with outcomeUnknown and no retry', async () => {
    const { error, gw } = await registerAgainst({ register: replies.reset() });
    expect(error).toBeInstanceOf(GatewayNetworkError);
    expect(error).toMatchObject({ code: 'GATEWAY_NETWORK', outcomeUnknown: true });
    expect((error as GatewayNetworkError).cause).toMatchObject({ code: 'ECONNRESET' });
    expect(gw.callsTo('register')).toHaveLength(1);
  });

  it('when nothing listens on the port, then GatewayNetworkError that is known not to have reached the gateway', async () => {
    const closed = await startMisbehavingGateway();
    await closed.close();
    const { client } = makeClient(closed.baseUrl);
    const error = await client.register(REGISTER).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayNetworkError);
    expect(error).toMatchObject({ outcomeUnknown: false, cause: expect.objectContaining({ code: 'ECONNREFUSED' }) });
  });

  it.each([500, 502, 503])(
    'when the gateway answers HTTP %i, then GatewayHttpError with that statusCode',
    async (status) => {
      const { error, events } = await registerAgainst({ register: replies.http(status) });
      expect(error).toBeInstanceOf(GatewayHttpError);
      expect(error).toMatchObject({ code: 'GATEWAY_HTTP', statusCode: status, outcomeUnknown: true });
      expect(events).toEqual([expect.objectContaining({ ok: false, httpStatus: status, errorClass: 'GATEWAY_HTTP' })]);
    },
  );

  it('when the gateway answers HTTP 429, then GatewayHttpError that is known not to have been processed', async () => {
    const { error } = await registerAgainst({ register: replies.http(429) });
    expect(error).toMatchObject({ code: 'GATEWAY_HTTP', statusCode: 429, outcomeUnknown: false });
  });

  it('when the gateway redirects, then GatewayHttpError and the redirect is not followed', async () => {
    const { error, gw } = await registerAgainst({
      register: { status: 302, headers: { location: 'http://127.0.0.1:9/' } },
    });
    expect(error).toMatchObject({ code: 'GATEWAY_HTTP', statusCode: 302 });
    expect(gw.requests).toHaveLength(1);
  });

  it('when the body is malformed JSON, then GatewayBadResponseError', async () => {
    const { error } = await registerAgainst({ register: replies.malformedJson() });
    expect(error).toBeInstanceOf(GatewayBadResponseError);
    expect(error).toMatchObject({ code: 'GATEWAY_BAD_RESPONSE', outcomeUnknown: true });
    expect((error as Error).message).toMatch(/not JSON/);
  });

  it('when the body is an HTML page with status 200, then GatewayBadResponseError', async () => {
    const { error } = await registerAgainst({ register: replies.html() });
    expect(error).toBeInstanceOf(GatewayBadResponseError);
    expect((error as Error).message).toMatch(/text\/html/);
  });

  it('when the body is JSON but not an object, then GatewayBadResponseError', async () => {
    const { error } = await registerAgainst({ register: replies.json([1, 2]) });
    expect(error).toBeInstanceOf(GatewayBadResponseError);
  });

  it('when formUrl is missing, then GatewayBadResponseError naming the field', async () => {
    const { error } = await registerAgainst({ register: replies.json({ orderId: 'a1' }) });
    expect(error).toBeInstanceOf(GatewayBadResponseError);
    expect((error as Error).message).toMatch(/formUrl/);
  });

  it('when formUrl is longer than the documented 2048 characters, then GatewayBadResponseError', async () => {
    const { error } = await registerAgainst({
      register: (_f, ctx) =>
        replies.json({ orderId: 'a2', formUrl: `${ctx.origin}/pay?mdOrder=a2&x=${'y'.repeat(2100)}` }),
    });
    expect(error).toBeInstanceOf(GatewayBadResponseError);
    expect((error as Error).message).toMatch(/formUrl/);
  });

  it('when orderId is missing, then GatewayBadResponseError naming the field', async () => {
    const { error } = await registerAgainst({ register: (_f, ctx) => replies.json({ formUrl: `${ctx.origin}/pay` }) });
    expect(error).toBeInstanceOf(GatewayBadResponseError);
    expect((error as Error).message).toMatch(/orderId/);
  });

  it('when formUrl is on a foreign origin, then GatewayForeignFormUrlError carrying the orderId', async () => {
    const { error } = await registerAgainst({
      register: replies.json({
        orderId: 'o-1',
        formUrl: 'https://evil.example/payment/merchants/x/payment_en.html?mdOrder=o-1',
      }),
    });
    expect(error).toBeInstanceOf(GatewayForeignFormUrlError);
    expect(error).toMatchObject({ code: 'GATEWAY_FOREIGN_FORM_URL', orderId: 'o-1', outcomeUnknown: false });
  });

  it.each([
    ['same host, other port', (o: string) => o.replace(/:\d+$/, ':1') + '/payment/x'],
    ['https instead of http', (o: string) => o.replace('http:', 'https:') + '/payment/x'],
    ['a relative path', () => '/payment/merchants/x/payment_en.html'],
    ['a javascript: URL', () => 'javascript:alert(1)'],
  ])('when formUrl is %s, then GatewayForeignFormUrlError', async (_label, make) => {
    const { error } = await registerAgainst({
      register: (_f, ctx) => replies.json({ orderId: 'o-2', formUrl: make(ctx.origin) }),
    });
    expect(error).toBeInstanceOf(GatewayForeignFormUrlError);
  });

  it.each([
    ['a string', '1'],
    ['a number', 1],
  ])('when errorCode is %s, then GatewayRejectedError with the numeric errorCode and message', async (_label, code) => {
    const { error, events } = await registerAgainst({ register: replies.rejected(code, 'Order number is duplicated') });
    expect(error).toBeInstanceOf(GatewayRejectedError);
    expect(error).toMatchObject({
      code: 'GATEWAY_REJECTED',
      errorCode: 1,
      errorMessage: 'Order number is duplicated',
      outcomeUnknown: false,
    });
    expect(events).toEqual([
      expect.objectContaining({ ok: false, errorCode: 1, httpStatus: 200, errorClass: 'GATEWAY_REJECTED' }),
    ]);
  });

  it.each([
    ['absent', {}],
    ['the string "0"', { errorCode: '0', errorMessage: 'Success' }],
    ['the number 0', { errorCode: 0 }],
  ])('when errorCode is %s on success, then register resolves', async (_label, envelope) => {
    gw = await startMisbehavingGateway({
      register: (_f, ctx) =>
        replies.json({
          ...envelope,
          orderId: 'o-3',
          formUrl: `${ctx.origin}/payment/merchants/m/payment_en.html?mdOrder=o-3`,
        }),
    });
    const { client, events } = makeClient(gw.baseUrl);
    await expect(client.register(REGISTER)).resolves.toEqual({
      orderId: 'o-3',
      formUrl: `${gw.origin}/payment/merchants/m/payment_en.html?mdOrder=o-3`,
    });
    expect(events).toEqual([expect.objectContaining({ ok: true, errorCode: 0, httpStatus: 200, attempt: 1 })]);
  });

  it('when errorCode is not numeric, then GatewayBadResponseError', async () => {
    const { error } = await registerAgainst({ register: replies.rejected('oops') });
    expect(error).toBeInstanceOf(GatewayBadResponseError);
  });
});

describe('other write methods against a misbehaving gateway', () => {
  it.each(['deposit', 'reverse', 'refund', 'decline'] as const)(
    'when %s times out, then GatewayTimeoutError with outcomeUnknown after one attempt',
    async (method) => {
      gw = await startMisbehavingGateway({ [method]: replies.hang() });
      const { client } = makeClient(gw.baseUrl, FAST_TIMEOUTS);
      const calls = {
        deposit: () => client.deposit({ orderId: 'o', amount: 0 }),
        reverse: () => client.reverse({ orderId: 'o' }),
        refund: () => client.refund({ orderId: 'o', amount: 100 }),
        decline: () => client.decline({ orderId: 'o' }),
      };
      const error = await calls[method]().catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'GATEWAY_TIMEOUT', method, outcomeUnknown: true });
      expect(gw.callsTo(method)).toHaveLength(1);
    },
  );

  it('when deposit gets errorCode 7, then GatewayRejectedError', async () => {
    gw = await startMisbehavingGateway({ deposit: replies.rejected(7, 'Payment must be in a correct state') });
    const { client } = makeClient(gw.baseUrl);
    await expect(client.deposit({ orderId: 'o', amount: 0 })).rejects.toMatchObject({
      code: 'GATEWAY_REJECTED',
      errorCode: 7,
    });
  });
});
