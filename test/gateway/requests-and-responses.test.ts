// What the client sends, and how strictly it reads what comes back.
import { afterEach, describe, expect, it } from '@jest/globals';
import { createGatewayClient, GatewayBadResponseError, GatewayRejectedError } from '../../src/gateway/index.js';
import { replies, startMisbehavingGateway, type MisbehavingGateway } from '../helpers/misbehaving-gateway.js';
import { makeClient, REGISTER, TEST_AUTH } from '../helpers/gateway-client.js';

let gw: MisbehavingGateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

const status = (extra: Record<string, unknown> = {}) => ({
  orderNumber: 'ORD-1-1',
  orderStatus: 2,
  actionCode: 0,
  actionCodeDescription: '',
  amount: 2000,
  currency: '643',
  ...extra,
});

async function statusFrom(
  body: unknown,
  q: { orderId: string } | { orderNumber: string } = { orderNumber: 'ORD-1-1' },
) {
  gw = await startMisbehavingGateway({ getOrderStatusExtended: replies.json(body) });
  return makeClient(gw.baseUrl).client.getOrderStatusExtended(q);
}

describe('createGatewayClient options', () => {
  it.each([
    'not a url',
    'ftp://gw.example/payment/rest/',
    'https://gw.example/payment/rest',
    'https://gw.example/payment/',
    'https://user:pw@gw.example/payment/rest/',
    'https://gw.example/payment/rest/?x=1',
  ])('when baseUrl is %s, then it throws TypeError', (baseUrl) => {
    expect(() => createGatewayClient({ baseUrl, auth: TEST_AUTH })).toThrow(TypeError);
  });

  it('when auth has both password and token, then it throws TypeError', () => {
    const auth = { userName: 'u', password: 'p', token: 't' } as unknown as { token: string };
    expect(() => createGatewayClient({ baseUrl: 'https://gw.example/payment/rest/', auth })).toThrow(/not both/);
  });

  it('when a timeout is not positive, then it throws TypeError', () => {
    expect(() =>
      createGatewayClient({ baseUrl: 'https://gw.example/payment/rest/', auth: TEST_AUTH, timeouts: { statusMs: 0 } }),
    ).toThrow(TypeError);
  });

  it('when baseUrl is valid, then origin is its origin', () => {
    const client = createGatewayClient({ baseUrl: 'https://GW.example:443/payment/rest/', auth: { token: 't' } });
    expect(client.origin).toBe('https://gw.example');
  });
});

describe('requests', () => {
  it('when registering, then it POSTs a form with credentials only in the body and amounts as integers', async () => {
    gw = await startMisbehavingGateway();
    const { client } = makeClient(gw.baseUrl);
    await client.register({
      ...REGISTER,
      failUrl: 'https://shop.example/fail',
      jsonParams: { backToShopUrl: 'https://shop.example/' },
      sessionTimeoutSecs: 1200,
    });
    const [req] = gw.requests;
    expect(req).toMatchObject({ httpMethod: 'POST', path: '/payment/rest/register.do' });
    expect(req?.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    expect(req?.form).toEqual({
      userName: 'shop-api',
      password: 'test-password',
      orderNumber: 'ORD-1-1',
      amount: '12345',
      currency: '643',
      returnUrl: 'https://shop.example/checkout/return',
      failUrl: 'https://shop.example/fail',
      jsonParams: '{"backToShopUrl":"https://shop.example/"}',
      sessionTimeoutSecs: '1200',
    });
  });

  it('when using token auth, then only the token is sent', async () => {
    gw = await startMisbehavingGateway();
    const { client } = makeClient(gw.baseUrl, { auth: { token: 'tok-1' } });
    await client.deposit({ orderId: 'o-1', amount: 0 });
    expect(gw.callsTo('deposit')[0]?.form).toEqual({ token: 'tok-1', orderId: 'o-1', amount: '0' });
  });

  it('when calling each write method, then it hits the right .do path with its parameters', async () => {
    gw = await startMisbehavingGateway();
    const { client } = makeClient(gw.baseUrl);
    await client.registerPreAuth(REGISTER);
    await client.reverse({ orderId: 'o-1' });
    await client.reverse({ orderId: 'o-1', amount: 50 });
    await client.refund({ orderId: 'o-1', amount: 100 });
    await client.refund({ orderId: 'o-1', amount: 100, externalRefundId: 'r'.repeat(36) });
    await client.decline({ orderNumber: 'ORD-9' });
    const strip = ({ userName: _u, password: _p, ...rest }: Record<string, string>) => rest;
    expect(gw.requests.map((r) => [r.method, strip(r.form)])).toEqual([
      ['registerPreAuth', expect.objectContaining({ orderNumber: 'ORD-1-1' })],
      ['reverse', { orderId: 'o-1' }],
      ['reverse', { orderId: 'o-1', amount: '50' }],
      ['refund', { orderId: 'o-1', amount: '100' }],
      ['refund', { orderId: 'o-1', amount: '100', externalRefundId: 'r'.repeat(36) }],
      ['decline', { orderNumber: 'ORD-9' }],
    ]);
  });

  it.each([
    ['a float amount', { ...REGISTER, amount: 10.5 }],
    ['a negative amount', { ...REGISTER, amount: -1 }],
    ['an alphabetic currency', { ...REGISTER, currency: 'RUB' }],
    ['a relative returnUrl', { ...REGISTER, returnUrl: '/return' }],
    ['an empty orderNumber', { ...REGISTER, orderNumber: '' }],
  ])('when register gets %s, then it throws TypeError without calling the gateway', async (_label, params) => {
    gw = await startMisbehavingGateway();
    const { client } = makeClient(gw.baseUrl);
    await expect(client.register(params)).rejects.toThrow(TypeError);
    expect(gw.requests).toHaveLength(0);
  });
  it.each([
    ['an empty externalRefundId', ''],
    ['an externalRefundId of 37 characters', 'r'.repeat(37)],
  ])('when refund gets %s, then it throws TypeError without calling the gateway', async (_label, externalRefundId) => {
    gw = await startMisbehavingGateway();
    const { client } = makeClient(gw.baseUrl);
    await expect(client.refund({ orderId: 'o-1', amount: 100, externalRefundId })).rejects.toThrow(TypeError);
    expect(gw.requests).toHaveLength(0);
  });
});

describe('getOrderStatusExtended responses', () => {
  it('when the reply is a full paid order, then it returns the typed fields', async () => {
    const result = await statusFrom({
      errorCode: '0',
      errorMessage: 'Success',
      ...status(),
      date: 1617972915659,
      orderDescription: 'Order',
      cardAuthInfo: {
        maskedPan: '411111**1111',
        expiration: 203412,
        cardHolderName: 'TEST CARDHOLDER',
        approvalCode: '123456',
        paymentSystem: 'VISA',
      },
      paymentAmountInfo: {
        paymentState: 'DEPOSITED',
        approvedAmount: 2000,
        depositedAmount: '2000',
        refundedAmount: 0,
      },
      authDateTime: 1617973059029,
      authRefNum: 714105591198,
      paymentWay: 'CARD',
      attributes: [{ name: 'mdOrder', value: 'o-1' }],
      bankInfo: {},
    });
    expect(result).toEqual({
      ...status(),
      date: 1617972915659,
      orderDescription: 'Order',
      orderId: 'o-1',
      cardAuthInfo: {
        maskedPan: '411111**1111',
        expiration: '203412',
        cardholderName: 'TEST CARDHOLDER',
        approvalCode: '123456',
        paymentSystem: 'VISA',
      },
      paymentAmountInfo: { paymentState: 'DEPOSITED', approvedAmount: 2000, depositedAmount: 2000, refundedAmount: 0 },
      authDateTime: 1617973059029,
      authRefNum: '714105591198',
      paymentWay: 'CARD',
    });
  });

  it('when actionCode and currency are sent with the other JSON type, then they are normalised', async () => {
    const result = await statusFrom({ ...status(), actionCode: '-100', currency: 978 });
    expect(result).toMatchObject({ actionCode: -100, currency: '978' });
  });

  it.each([
    ['orderStatus is a string', { orderStatus: '2' }],
    ['orderStatus is missing', { orderStatus: undefined }],
    ['orderStatus is fractional', { orderStatus: 1.5 }],
    ['amount is a string', { amount: '2000' }],
    ['amount is fractional', { amount: 20.5 }],
    ['orderNumber is a number', { orderNumber: 7005 }],
    ['actionCode is missing', { actionCode: undefined }],
  ])('when %s, then GatewayBadResponseError', async (_label, extra) => {
    await expect(statusFrom(status(extra))).rejects.toBeInstanceOf(GatewayBadResponseError);
  });

  it('when the reply is about another orderNumber, then GatewayBadResponseError', async () => {
    await expect(statusFrom(status({ orderNumber: 'OTHER' }))).rejects.toThrow(/another order/);
  });

  it('when the reply carries another mdOrder than the orderId asked for, then GatewayBadResponseError', async () => {
    const body = status({ attributes: [{ name: 'mdOrder', value: 'o-2' }] });
    await expect(statusFrom(body, { orderId: 'o-1' })).rejects.toBeInstanceOf(GatewayBadResponseError);
  });

  it.each([
    ['errorCode "6"', { errorCode: '6', errorMessage: 'Order not found' }, 6],
    ['legacy ErrorCode 6', { ErrorCode: 6, ErrorMessage: 'Order not found' }, 6],
    ['success:false with error.code', { success: false, error: { code: 5, message: 'Access denied' } }, 5],
  ])('when the reply has %s, then GatewayRejectedError with that errorCode', async (_label, body, code) => {
    const error = await statusFrom(body).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayRejectedError);
    expect(error).toMatchObject({ errorCode: code, method: 'getOrderStatusExtended', outcomeUnknown: false });
  });

  it('when success:true accompanies a non-zero errorCode, then success wins (BPC rule)', async () => {
    await expect(statusFrom({ success: true, errorCode: '5', ...status() })).resolves.toMatchObject({ orderStatus: 2 });
  });
});
