import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseMagic, startSandbox, type RunningSandbox } from '../src/index.js';
import { startReceiver, type Receiver } from './helpers/callback-receiver.js';
import { CREDS } from './helpers/sandbox-app.js';
import { traceTimers } from './helpers/timer-trace.js';

describe('per-order magic description tags', () => {
  it('when a description has tags, then they parse; unknown or malformed tags are ignored', () => {
    expect(parseMagic('Order 7 [sandbox:http=502] [sandbox:latency=1500] [sandbox:times=2]')).toEqual({
      httpStatus: 502,
      latencyMs: 1500,
      times: 2,
    });
    expect(
      parseMagic('[sandbox:reset][sandbox:malformed][sandbox:errorcode=number][sandbox:callbacks=duplicated]'),
    ).toEqual({
      reset: true,
      malformedJson: true,
      errorCodeAsNumber: true,
      callbacks: 'duplicated',
    });
    expect(parseMagic('Plain order')).toBeUndefined();
    expect(parseMagic('[sandbox:http=404] [sandbox:bogus] [sandbox:latency=abc]')).toBeUndefined();
  });

  describe('over HTTP', () => {
    let sb: RunningSandbox;
    let rx: Receiver;
    let n = 0;
    beforeAll(async () => {
      rx = await startReceiver();
      sb = await startSandbox({
        port: 0,
        // The receiver listens on a port of its own: allowed as a host, as SANDBOX_CALLBACK_HOSTS would.
        callbackHosts: ['127.0.0.1'],
        callbacks: { retryBaseMs: 10, maxAttempts: 2, timeoutMs: 2000 },
      });
    });
    afterAll(async () => {
      await sb.close();
      await rx.close();
    });

    const rest = (method: string, params: Record<string, string>) =>
      fetch(`${sb.gatewayUrl}${method}.do`, { method: 'POST', body: new URLSearchParams({ ...CREDS, ...params }) });
    const register = async (description: string, extra: Record<string, string> = {}) => {
      const res = await rest('register', {
        orderNumber: `M-${++n}`,
        amount: '1000',
        returnUrl: 'https://shop.test/r',
        description,
        ...extra,
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { orderId: string }).orderId;
    };
    const pay = (orderId: string) =>
      sb.sandbox.engine.pay(sb.sandbox.engine.get(orderId)!, {
        pan: '4111111111111111',
        expiration: '203012',
        cvc: '123',
        cardholderName: 'T',
      });

    it('when an order carries [sandbox:http=500], then register succeeds but later calls about it answer 500', async () => {
      const orderId = await register('Boots [sandbox:http=500]');
      expect((await rest('getOrderStatusExtended', { orderId })).status).toBe(500);
      expect((await rest('getOrderStatusExtended', { orderNumber: `M-${n}` })).status).toBe(500);
      expect((await rest('deposit', { orderId, amount: '0' })).status).toBe(500);
    });

    it('when [sandbox:times=1] limits a fault, then only the next call about the order fails', async () => {
      const orderId = await register('[sandbox:http=429][sandbox:times=1]');
      expect((await rest('getOrderStatusExtended', { orderId })).status).toBe(429);
      expect((await rest('getOrderStatusExtended', { orderId })).status).toBe(200);
    });

    it('when an order has [sandbox:reset], then status calls about it lose the connection while other orders work', async () => {
      const bad = await register('[sandbox:reset]');
      const good = await register('ordinary');
      await expect(rest('getOrderStatusExtended', { orderId: bad })).rejects.toThrow();
      expect((await rest('getOrderStatusExtended', { orderId: good })).status).toBe(200);
    });

    it('when an order has [sandbox:malformed] and [sandbox:errorcode=number], then the answers show it', async () => {
      const broken = await register('[sandbox:malformed]');
      await expect((await rest('getOrderStatusExtended', { orderId: broken })).json()).rejects.toThrow();
      const numeric = await register('[sandbox:errorcode=number]');
      expect(
        ((await (await rest('getOrderStatusExtended', { orderId: numeric })).json()) as { errorCode: unknown })
          .errorCode,
      ).toBe(0);
    });

    it('when an order has [sandbox:latency=250], then calls about it wait for a 250 ms timer', async () => {
      const orderId = await register('[sandbox:latency=250]');
      // The wait happens in the sandbox's server, started before this test: watch every timer.
      const trace = traceTimers({ scope: 'process' });
      try {
        const res = await rest('getOrderStatusExtended', { orderId });
        trace.mark('answered');
        expect(trace.timeline(250)).toEqual(['created 250', 'fired 250', 'answered']);
        expect(res.status).toBe(200);
      } finally {
        trace.stop();
      }
    });

    it('when an order has [sandbox:callbacks=lost] or =duplicated, then its callback is dropped or doubled', async () => {
      const lost = await register('[sandbox:callbacks=lost]', { dynamicCallbackUrl: `${rx.url}/lost` });
      const dup = await register('[sandbox:callbacks=duplicated]', { dynamicCallbackUrl: `${rx.url}/dup` });
      pay(lost);
      pay(dup);
      await rx.waitFor(2);
      await sb.sandbox.callbacks!.idle();
      expect(rx.received.map((r) => r.path)).toEqual(['/dup', '/dup']);
    });

    it("when another merchant's credentials ask about a tagged order, then no fault applies (not found)", async () => {
      const orderId = await register('[sandbox:http=500]');
      const res = await fetch(`${sb.gatewayUrl}getOrderStatusExtended.do`, {
        method: 'POST',
        body: new URLSearchParams({ token: 'wrong', orderId }),
      });
      expect(res.status).toBe(200);
    });
  });
});
