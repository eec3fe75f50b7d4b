// Only the status read is retried; writes go out exactly once (docs/security.md rule 5).
import { afterEach, describe, expect, it } from '@jest/globals';
import { GatewayHttpError, GatewayRejectedError } from '../../src/gateway/index.js';
import { replies, sequence, startMisbehavingGateway, type MisbehavingGateway } from '../helpers/misbehaving-gateway.js';
import { FAST_TIMEOUTS, makeClient, REGISTER } from '../helpers/gateway-client.js';

let gw: MisbehavingGateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

const freshStatus = (orderNumber = 'ORD-1-1') => ({
  errorCode: '0',
  orderNumber,
  orderStatus: 0,
  actionCode: -100,
  actionCodeDescription: '',
  amount: 12345,
  currency: '643',
});

describe('getOrderStatusExtended retries', () => {
  it('when the first attempt is too slow and the second is fine, then it resolves after 2 attempts', async () => {
    gw = await startMisbehavingGateway({
      getOrderStatusExtended: sequence(replies.json(freshStatus(), 1000), replies.json(freshStatus())),
    });
    const { client, events } = makeClient(gw.baseUrl, FAST_TIMEOUTS);
    await expect(client.getOrderStatusExtended({ orderNumber: 'ORD-1-1' })).resolves.toMatchObject({ orderStatus: 0 });
    expect(gw.callsTo('getOrderStatusExtended')).toHaveLength(2);
    expect(events.map((e) => [e.attempt, e.ok, e.errorClass])).toEqual([
      [1, false, 'GATEWAY_TIMEOUT'],
      [2, true, undefined],
    ]);
  });

  it.each([
    ['reset', replies.reset()],
    ['HTTP 503', replies.http(503)],
    ['HTTP 429', replies.http(429)],
  ])('when the first attempt gets %s, then it is retried and succeeds', async (_label, first) => {
    gw = await startMisbehavingGateway({ getOrderStatusExtended: sequence(first, replies.json(freshStatus())) });
    const { client } = makeClient(gw.baseUrl);
    await expect(client.getOrderStatusExtended({ orderId: 'x' })).resolves.toMatchObject({ orderNumber: 'ORD-1-1' });
    expect(gw.callsTo('getOrderStatusExtended')).toHaveLength(2);
  });

  it('when every attempt fails with 500, then it gives up after 1 + statusRetries attempts with a read error', async () => {
    gw = await startMisbehavingGateway({ getOrderStatusExtended: replies.http(500) });
    const { client, events } = makeClient(gw.baseUrl, { statusRetries: 3 });
    const error = await client.getOrderStatusExtended({ orderId: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayHttpError);
    expect(error).toMatchObject({ statusCode: 500, outcomeUnknown: false, method: 'getOrderStatusExtended' });
    expect(gw.callsTo('getOrderStatusExtended')).toHaveLength(4);
    expect(events.map((e) => e.attempt)).toEqual([1, 2, 3, 4]);
  });

  it('when statusRetries is 0, then a timeout is not retried', async () => {
    gw = await startMisbehavingGateway({ getOrderStatusExtended: replies.hang() });
    const { client } = makeClient(gw.baseUrl, { ...FAST_TIMEOUTS, statusRetries: 0 });
    await expect(client.getOrderStatusExtended({ orderId: 'x' })).rejects.toMatchObject({
      code: 'GATEWAY_TIMEOUT',
      outcomeUnknown: false,
    });
    expect(gw.callsTo('getOrderStatusExtended')).toHaveLength(1);
  });

  it.each([
    ['order not found (errorCode 6)', replies.rejected('6', 'Order not found'), GatewayRejectedError],
    ['access denied (errorCode 5)', replies.rejected(5, 'Access denied'), GatewayRejectedError],
    ['malformed JSON', replies.malformedJson(), Error],
    ['HTTP 404', replies.http(404), GatewayHttpError],
  ])('when the answer is %s, then it is not retried', async (_label, reply, type) => {
    gw = await startMisbehavingGateway({ getOrderStatusExtended: reply });
    const { client } = makeClient(gw.baseUrl);
    await expect(client.getOrderStatusExtended({ orderId: 'x' })).rejects.toBeInstanceOf(type);
    expect(gw.callsTo('getOrderStatusExtended')).toHaveLength(1);
  });
});

describe('writes are never retried', () => {
  it.each([
    ['HTTP 503', replies.http(503)],
    ['HTTP 429', replies.http(429)],
    ['reset', replies.reset()],
  ])('when register gets %s, then it was attempted exactly once', async (_label, reply) => {
    gw = await startMisbehavingGateway({ register: reply });
    const { client, events } = makeClient(gw.baseUrl, { statusRetries: 5 });
    await expect(client.register(REGISTER)).rejects.toBeDefined();
    expect(gw.callsTo('register')).toHaveLength(1);
    expect(events).toHaveLength(1);
  });
});

describe('onCall listener', () => {
  it('when the listener throws, then the call result is unaffected', async () => {
    gw = await startMisbehavingGateway();
    const { client } = makeClient(gw.baseUrl, {
      onCall: () => {
        throw new Error('metrics down');
      },
    });
    await expect(client.register(REGISTER)).resolves.toMatchObject({ orderId: expect.any(String) });
  });
});
