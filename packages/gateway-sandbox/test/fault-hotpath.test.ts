import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { DEFAULT_MERCHANTS, FaultRegistry, type SandboxMerchant } from '../src/index.js';
import { CREDS, makeSandbox, OPERATOR_AUTH } from './helpers/sandbox-app.js';

describe('fault registry and the REST hot path', () => {
  it('when a profile without any active switch is set, then the merchant is cleared instead of stored', () => {
    const registry = new FaultRegistry();
    registry.set('m', { httpStatus: 500 });
    expect(registry.size).toBe(1);
    for (const inactive of [
      {},
      { methods: ['deposit'], remaining: 2 },
      { callbacks: 'normal' as const },
      { latencyMs: 0, malformedJson: false },
    ]) {
      registry.set('m', { httpStatus: 500 });
      registry.set('m', inactive);
      expect(registry.get('m')).toBeUndefined();
      expect(registry.size).toBe(0);
    }
    registry.set('m', { callbacks: 'lost' });
    expect(registry.get('m')).toEqual({ callbacks: 'lost' });
  });

  it('when an empty profile is PUT through the control API, then no profile is left', async () => {
    const sb = makeSandbox({ callbacks: false });
    sb.faults.set('demo-shop', { reset: true });
    const res = await request(sb.app).put('/sandbox/control/merchants/demo-shop/faults').set(OPERATOR_AUTH).send({});
    expect(res.body).toEqual({ login: 'demo-shop', faults: null });
    expect(sb.faults.size).toBe(0);
  });

  it('when the fault middleware has authenticated a call, then the router reuses that result instead of authenticating again', async () => {
    let lookups = 0;
    const list = DEFAULT_MERCHANTS.map((m) => ({ ...m }));
    // Every authentication searches the merchant list once; counting the searches counts the authentications.
    const merchants = new Proxy(list, {
      get(target, prop, receiver) {
        if (prop === 'find') lookups += 1;
        return Reflect.get(target, prop, receiver) as unknown;
      },
    }) as SandboxMerchant[];
    const sb = makeSandbox({ merchants, callbacks: false });
    // An active switch for another method: the middleware must authenticate, but the call itself is not faulted.
    sb.faults.set('demo-shop', { httpStatus: 500, methods: ['deposit'] });
    const { orderId } = await sb.register();
    lookups = 0;
    const res = await sb.call('getOrderStatusExtended', { ...CREDS, orderId });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ errorCode: '0', orderStatus: 0 });
    expect(lookups).toBe(1);
  });
});
