// The client against the real gateway emulator (independent code), over real HTTP on port 0.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createGatewayClient, GatewayRejectedError, type GatewayClient } from '../../src/gateway/index.js';
import { DEFAULT_MERCHANTS, startSandbox, TEST_CVC, type RunningSandbox } from '@rbs-storefront/gateway-sandbox';

const merchant = DEFAULT_MERCHANTS[0]!;
let sandbox: RunningSandbox;
let client: GatewayClient;
let n = 0;
const uniqueNumber = () => `GW-${Date.now().toString(36)}-${++n}`;
const register = (orderNumber = uniqueNumber()) => ({
  orderNumber,
  amount: 2500,
  currency: '643',
  returnUrl: 'http://localhost:3000/checkout/return',
  description: 'Gateway client test',
});

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
  client = createGatewayClient({
    baseUrl: sandbox.gatewayUrl,
    auth: { userName: merchant.userName, password: merchant.password },
  });
});
afterAll(() => sandbox.close());

/** Pays through the emulator's engine, standing in for a buyer on the hosted page. */
function payWithTestCard(orderId: string): void {
  const order = sandbox.sandbox.engine.get(orderId);
  if (!order) throw new Error(`sandbox has no order ${orderId}`);
  const outcome = sandbox.sandbox.engine.pay(order, {
    pan: '4111111111111111',
    expiration: '203012',
    cvc: TEST_CVC,
    cardholderName: 'TEST CARDHOLDER',
  });
  expect(outcome).toEqual({ kind: 'approved' });
}

describe('gateway client against the sandbox', () => {
  it('when registering, then it returns an orderId and a formUrl on the sandbox origin', async () => {
    const result = await client.register(register());
    expect(client.origin).toBe(sandbox.url);
    expect(result.orderId).toMatch(/\S/);
    expect(new URL(result.formUrl).origin).toBe(sandbox.url);
    expect(result.formUrl).toContain(result.orderId);
  });

  it('when the orderNumber was already used, then GatewayRejectedError with errorCode 1', async () => {
    const orderNumber = uniqueNumber();
    await client.register(register(orderNumber));
    const error = await client.register(register(orderNumber)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayRejectedError);
    expect(error).toMatchObject({ code: 'GATEWAY_REJECTED', errorCode: 1, method: 'register', outcomeUnknown: false });
  });

  it('when the password is wrong, then GatewayRejectedError with errorCode 5', async () => {
    const wrong = createGatewayClient({
      baseUrl: sandbox.gatewayUrl,
      auth: { userName: merchant.userName, password: 'not-the-password' },
    });
    const error = await wrong.register(register()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayRejectedError);
    expect(error).toMatchObject({ errorCode: 5 });
    expect(JSON.stringify(error) + String(error)).not.toContain('not-the-password');
  });

  it('when using token auth, then register and status work', async () => {
    const byToken = createGatewayClient({ baseUrl: sandbox.gatewayUrl, auth: { token: merchant.token! } });
    const { orderId } = await byToken.registerPreAuth(register());
    await expect(byToken.getOrderStatusExtended({ orderId })).resolves.toMatchObject({ orderStatus: 0 });
  });

  it('when asking the status of a fresh order by orderId and by orderNumber, then both say orderStatus 0 with our amount', async () => {
    const params = register();
    const { orderId } = await client.register(params);
    const byId = await client.getOrderStatusExtended({ orderId });
    const byNumber = await client.getOrderStatusExtended({ orderNumber: params.orderNumber }, { language: 'en' });
    for (const status of [byId, byNumber]) {
      expect(status).toMatchObject({ orderNumber: params.orderNumber, orderStatus: 0, amount: 2500, currency: '643' });
      expect(typeof status.actionCode).toBe('number');
    }
  });

  it('when asking the status of an unknown order, then GatewayRejectedError (order not found)', async () => {
    const error = await client
      .getOrderStatusExtended({ orderId: '00000000-0000-4000-8000-000000000000' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayRejectedError);
    expect([5, 6]).toContain((error as GatewayRejectedError).errorCode);
  });

  it('when a fresh order is declined, then its status becomes 6', async () => {
    const params = register();
    await client.register(params);
    await client.decline({ orderNumber: params.orderNumber });
    await expect(client.getOrderStatusExtended({ orderNumber: params.orderNumber })).resolves.toMatchObject({
      orderStatus: 6,
    });
  });

  it('when depositing an unpaid order, then GatewayRejectedError', async () => {
    const { orderId } = await client.registerPreAuth(register());
    await expect(client.deposit({ orderId, amount: 0 })).rejects.toBeInstanceOf(GatewayRejectedError);
  });

  it('when a two-phase order is paid, deposited and refunded, then each status reply validates', async () => {
    const { orderId } = await client.registerPreAuth(register());
    payWithTestCard(orderId);
    const held = await client.getOrderStatusExtended({ orderId });
    expect(held).toMatchObject({
      orderStatus: 1,
      orderId,
      cardAuthInfo: expect.objectContaining({ maskedPan: expect.stringMatching(/^411111\*+1111$/) }),
    });

    await client.deposit({ orderId, amount: 0 });
    const paid = await client.getOrderStatusExtended({ orderId });
    expect(paid).toMatchObject({
      orderStatus: 2,
      paymentAmountInfo: expect.objectContaining({ depositedAmount: 2500 }),
    });

    await client.refund({ orderId, amount: 2500 });
    const refunded = await client.getOrderStatusExtended({ orderId });
    expect(refunded).toMatchObject({
      orderStatus: 4,
      paymentAmountInfo: expect.objectContaining({ refundedAmount: 2500 }),
    });
  });

  it('when a held order is reversed, then its status becomes 3', async () => {
    const { orderId } = await client.registerPreAuth(register());
    payWithTestCard(orderId);
    await client.reverse({ orderId });
    await expect(client.getOrderStatusExtended({ orderId })).resolves.toMatchObject({ orderStatus: 3 });
  });
});
