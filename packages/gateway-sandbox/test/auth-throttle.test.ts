/**
 * Failed authentication is throttled (a standalone sandbox shared by several merchants, docs/security.md #42): per
 * source address and per API user name, on the REST API and on the operator token. Several client addresses are
 * loopback ones (Linux routes all of 127.0.0.0/8 to lo): a request is sent from 127.0.0.2 or 127.0.0.3.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { startSandbox, type RunningSandbox } from '../src/index.js';
import { CREDS, makeSandbox, nextNumber, OPERATOR_AUTH, OPERATOR_TOKEN } from './helpers/sandbox-app.js';

const order = () => ({ orderNumber: nextNumber(), amount: '1000', returnUrl: 'https://shop.test/r' });
const WRONG = { userName: CREDS.userName, password: 'guess' };
const THROTTLED = 'Access denied: too many failed authentication attempts, try again later';

/** A REST call sent from a given loopback address. */
function callFrom(
  sb: RunningSandbox,
  localAddress: string,
  method: string,
  params: Record<string, string>,
): Promise<{ body: Record<string, unknown>; retryAfter: string | undefined }> {
  const body = new URLSearchParams(params).toString();
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${sb.gatewayUrl}${method}.do`,
      {
        method: 'POST',
        localAddress,
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => {
          const retry = res.headers['retry-after'];
          resolve({ body: JSON.parse(text) as Record<string, unknown>, retryAfter: retry });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('failed authentication is throttled', () => {
  it('when one address keeps failing, then it is refused with errorCode 5, the right credentials included', async () => {
    const sb = makeSandbox({ callbacks: false, authThrottle: { perAddress: 5 } });
    for (let i = 0; i < 5; i += 1) {
      const res = await sb.call('register', { ...WRONG, ...order() });
      expect(res.body).toEqual({ errorCode: '5', errorMessage: 'Access denied' });
    }
    const refused = await sb.call('register', { ...CREDS, ...order() });
    expect(refused.status).toBe(200);
    expect(refused.body).toEqual({ errorCode: '5', errorMessage: THROTTLED });
    expect(refused.headers['retry-after']).toBe('900');
    // The deposit family keeps its numeric errorCode; the legacy status method its capitals.
    expect((await sb.call('deposit', { ...CREDS, orderId: 'x', amount: '0' })).body).toEqual({
      errorCode: 5,
      errorMessage: THROTTLED,
    });
    expect((await sb.call('getOrderStatus', { ...CREDS, orderId: 'x' })).body).toEqual({
      ErrorCode: '5',
      ErrorMessage: THROTTLED,
    });
    expect(sb.store.size).toBe(0);
  });

  it('when calls authenticate, then they never count: an address that works stays served', async () => {
    const sb = makeSandbox({ callbacks: false, authThrottle: { perAddress: 3 } });
    for (let i = 0; i < 10; i += 1)
      expect((await sb.call('register', { ...CREDS, ...order() })).body.orderId).toBeTruthy();
    await sb.call('register', { ...WRONG, ...order() });
    await sb.call('register', { ...WRONG, ...order() });
    expect((await sb.call('register', { ...CREDS, ...order() })).body.orderId).toBeTruthy();
  });

  describe('per user name, from many addresses', () => {
    let sb: RunningSandbox;
    beforeAll(async () => {
      sb = await startSandbox({ port: 0, callbacks: false, authThrottle: { perAddress: 1000, perName: 4 } });
    });
    afterAll(() => sb.close());

    it("when a user name collects failures, then new addresses are refused for it, and the merchant's known address is not", async () => {
      // The merchant's own shop has authenticated from 127.0.0.1 before.
      expect((await callFrom(sb, '127.0.0.1', 'register', { ...CREDS, ...order() })).body.orderId).toBeTruthy();
      // Someone guesses from two other addresses.
      for (let i = 0; i < 2; i += 1) {
        expect((await callFrom(sb, '127.0.0.2', 'register', { ...WRONG, ...order() })).body.errorMessage).toBe(
          'Access denied',
        );
        expect((await callFrom(sb, '127.0.0.3', 'register', { ...WRONG, ...order() })).body.errorMessage).toBe(
          'Access denied',
        );
      }
      // A right guess from a new address gets no answer that tells it was right.
      const guessed = await callFrom(sb, '127.0.0.3', 'register', { ...CREDS, ...order() });
      expect(guessed.body).toEqual({ errorCode: '5', errorMessage: THROTTLED });
      expect(guessed.retryAfter).toBe('900');
      // The merchant's shop keeps working, and a token (no user name) is not held to that name's counter.
      expect((await callFrom(sb, '127.0.0.1', 'register', { ...CREDS, ...order() })).body.orderId).toBeTruthy();
      expect(
        (await callFrom(sb, '127.0.0.4', 'register', { token: 'demo-shop-token', ...order() })).body.orderId,
      ).toBeTruthy();
    });
  });

  it('when wrong operator tokens keep coming from one address, then it is refused with 429, the right token included', async () => {
    const sb = makeSandbox({ callbacks: false, authThrottle: { perAddress: 3 } });
    // Right tokens never count.
    for (let i = 0; i < 5; i += 1)
      expect((await request(sb.app).get('/sandbox/orders').set(OPERATOR_AUTH)).status).toBe(200);
    for (let i = 0; i < 3; i += 1)
      expect(
        (await request(sb.app).get('/sandbox/orders').set({ authorization: 'Bearer wrong-token-0123456789' })).status,
      ).toBe(401);
    const refused = await request(sb.app)
      .get('/sandbox/orders')
      .set({ authorization: `Bearer ${OPERATOR_TOKEN}` });
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('900');
    expect(refused.text).toContain('Too many failed attempts');
    expect(refused.text).not.toContain(OPERATOR_TOKEN);
  });

  it('with the defaults, 20 failures per address are answered as failures and the 21st is refused', async () => {
    const sb = makeSandbox({ callbacks: false });
    for (let i = 0; i < 20; i += 1)
      expect((await sb.call('getOrderStatusExtended', { ...WRONG, orderId: 'x' })).body.errorMessage).toBe(
        'Access denied',
      );
    expect((await sb.call('getOrderStatusExtended', { ...CREDS, orderId: 'x' })).body.errorMessage).toBe(THROTTLED);
  });
});
