import { describe, expect, it } from '@jest/globals';
import { CREDS, makeSandbox, payDirect, T0 } from './helpers/sandbox-app.js';

describe('getOrderStatusExtended.do and getOrderStatus.do', () => {
  const sb = makeSandbox();

  it('when the order is new, then orderStatus 0, actionCode -100, CREATED, and no card data', async () => {
    const { orderId } = await sb.register({ description: 'Two books', jsonParams: '{"cart":"42"}', ip: '203.0.113.7' });
    const res = await sb.call('getOrderStatusExtended', { ...CREDS, orderId });
    expect(res.body).toMatchObject({
      errorCode: '0',
      errorMessage: 'Success',
      orderStatus: 0,
      actionCode: -100,
      amount: 150000,
      currency: '643',
      date: T0,
      orderDescription: 'Two books',
      ip: '203.0.113.7',
      merchantOrderParams: [{ name: 'cart', value: '42' }],
      attributes: [{ name: 'mdOrder', value: orderId }],
      paymentAmountInfo: { paymentState: 'CREATED', approvedAmount: 0, depositedAmount: 0, refundedAmount: 0 },
      bankInfo: { bankCountryCode: 'UNKNOWN', bankCountryName: 'Unknown' },
    });
    expect(res.body.cardAuthInfo).toBeUndefined();
  });

  it('when the order is paid in one phase, then the full getOrderStatusExtended field set is present', async () => {
    const { orderId } = await sb.register({ orderNumber: 'FULL-1' });
    payDirect(sb, orderId);
    const res = await sb.call('getOrderStatusExtended', { ...CREDS, orderId });
    expect(res.body).toMatchObject({
      errorCode: '0',
      orderNumber: 'FULL-1',
      orderStatus: 2,
      actionCode: 0,
      actionCodeDescription: '',
      orderDescription: '',
      authDateTime: T0,
      terminalId: expect.stringMatching(/^\d{8}$/),
      authRefNum: expect.stringMatching(/^\d{12}$/),
      depositedDate: T0,
      cardAuthInfo: {
        maskedPan: '411111**1111',
        pan: '411111**1111',
        expiration: '203012',
        cardholderName: 'TEST CARDHOLDER',
        approvalCode: expect.stringMatching(/^\d{6}$/),
        paymentSystem: 'VISA',
      },
      paymentAmountInfo: {
        paymentState: 'DEPOSITED',
        approvedAmount: 150000,
        depositedAmount: 150000,
        refundedAmount: 0,
      },
    });
  });

  it('when asked by orderNumber, then the same order is found', async () => {
    const { orderId } = await sb.register({ orderNumber: 'BY-NUMBER-1' });
    const res = await sb.call('getOrderStatusExtended', { ...CREDS, orderNumber: 'BY-NUMBER-1' });
    expect(res.body.attributes).toEqual([{ name: 'mdOrder', value: orderId }]);
  });

  it('when both orderId and orderNumber are given, then orderId wins', async () => {
    const a = await sb.register({ orderNumber: 'WIN-A' });
    await sb.register({ orderNumber: 'WIN-B' });
    const res = await sb.call('getOrderStatusExtended', { ...CREDS, orderId: a.orderId, orderNumber: 'WIN-B' });
    expect(res.body.orderNumber).toBe('WIN-A');
  });

  it('when authenticated by token, then orderNumber lookups are refused and orderId works', async () => {
    const { orderId } = await sb.register({ orderNumber: 'TOKEN-1' });
    const byNumber = await sb.call('getOrderStatusExtended', { token: 'demo-shop-token', orderNumber: 'TOKEN-1' });
    expect(byNumber.body.errorCode).toBe('4');
    const byId = await sb.call('getOrderStatusExtended', { token: 'demo-shop-token', orderId });
    expect(byId.body.orderStatus).toBe(0);
  });

  it('when neither orderId nor orderNumber is given, then errorCode "4"', async () => {
    const res = await sb.call('getOrderStatusExtended', { ...CREDS });
    expect(res.body).toEqual({ errorCode: '4', errorMessage: 'Expected [orderId] or [orderNumber]' });
  });

  it('when the order is unknown, then errorCode "6" and no orderStatus (in Russian if asked)', async () => {
    const res = await sb.call('getOrderStatusExtended', {
      ...CREDS,
      orderId: '00000000-0000-0000-0000-000000000000',
      language: 'ru',
    });
    expect(res.body).toEqual({ errorCode: '6', errorMessage: 'Заказ не найден' });
  });

  it('when a payment was declined, then actionCode and its description are reported with DECLINED', async () => {
    const { orderId } = await sb.register();
    payDirect(sb, orderId, '2202205000060910');
    const res = await sb.call('getOrderStatusExtended', { ...CREDS, orderId, language: 'ru' });
    expect(res.body).toMatchObject({ orderStatus: 6, actionCode: 116, actionCodeDescription: 'Недостаточно средств' });
    expect(res.body.paymentAmountInfo?.paymentState).toBe('DECLINED');
    expect(res.body.cardAuthInfo?.maskedPan).toBe('220220**0910');
    expect(res.body.cardAuthInfo?.approvalCode).toBeUndefined();
  });

  it('when the legacy getOrderStatus is used, then the keys are capitalised', async () => {
    const { orderId } = await sb.register({ orderNumber: 'LEGACY-1', ip: '198.51.100.1' });
    payDirect(sb, orderId);
    const res = await sb.call('getOrderStatus', { ...CREDS, orderId });
    expect(res.body).toMatchObject({
      ErrorCode: '0',
      ErrorMessage: 'Success',
      OrderStatus: 2,
      OrderNumber: 'LEGACY-1',
      Pan: '411111**1111',
      expiration: '203012',
      cardholderName: 'TEST CARDHOLDER',
      Amount: 150000,
      currency: '643',
      Ip: '198.51.100.1',
      depositAmount: 150000,
    });
  });

  it('when the legacy method sees a declined order, unknown order or no orderId, then ErrorCode 2, 6 and 5', async () => {
    const { orderId } = await sb.register();
    payDirect(sb, orderId, '2202202107593166');
    expect((await sb.call('getOrderStatus', { ...CREDS, orderId })).body).toMatchObject({
      ErrorCode: '2',
      OrderStatus: 6,
    });
    expect((await sb.call('getOrderStatus', { ...CREDS, orderId: 'nope' })).body).toEqual({
      ErrorCode: '6',
      ErrorMessage: 'Order not found',
    });
    expect((await sb.call('getOrderStatus', { ...CREDS })).body.ErrorCode).toBe('5');
  });
});
