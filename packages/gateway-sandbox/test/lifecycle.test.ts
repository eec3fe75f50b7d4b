import { describe, expect, it } from '@jest/globals';
import { CREDS, makeSandbox, payDirect } from './helpers/sandbox-app.js';

const AMOUNT = 150000;

describe('order lifecycle: deposit, reverse, refund, decline', () => {
  const sb = makeSandbox();
  const status = async (orderId: string) => (await sb.call('getOrderStatusExtended', { ...CREDS, orderId })).body;
  const held = async () => {
    const { orderId } = await sb.register({}, 'registerPreAuth');
    payDirect(sb, orderId);
    return orderId;
  };
  const paid = async () => {
    const { orderId } = await sb.register();
    payDirect(sb, orderId);
    return orderId;
  };

  it('when a two-phase order is paid, then it is held: orderStatus 1, APPROVED, nothing deposited, an approved event', async () => {
    const orderId = await held();
    const body = await status(orderId);
    expect(body.orderStatus).toBe(1);
    expect(body.paymentAmountInfo).toMatchObject({
      paymentState: 'APPROVED',
      approvedAmount: AMOUNT,
      depositedAmount: 0,
    });
    expect(sb.events_.at(-1)).toMatchObject({
      operation: 'approved',
      status: 1,
      amount: AMOUNT,
      order: { id: orderId },
    });
  });

  it('when deposit has amount 0, then the full hold is captured: status 2, numeric errorCode 0, deposited event', async () => {
    const orderId = await held();
    const res = await sb.call('deposit', { ...CREDS, orderId, amount: '0' });
    expect(res.body).toEqual({ errorCode: 0, errorMessage: 'Success' });
    const body = await status(orderId);
    expect(body.orderStatus).toBe(2);
    expect(body.paymentAmountInfo).toMatchObject({ paymentState: 'DEPOSITED', depositedAmount: AMOUNT });
    expect(sb.events_.at(-1)).toMatchObject({ operation: 'deposited', status: 1, amount: AMOUNT });
  });

  it('when deposit asks for less than the hold, then that part is captured', async () => {
    const orderId = await held();
    await sb.call('deposit', { ...CREDS, orderId, amount: '100000' });
    expect((await status(orderId)).paymentAmountInfo?.depositedAmount).toBe(100000);
  });

  it('when deposit asks for more than the hold, then errorCode 5 and the order stays held', async () => {
    const orderId = await held();
    const res = await sb.call('deposit', { ...CREDS, orderId, amount: String(AMOUNT + 1) });
    expect(res.body.errorCode).toBe(5);
    expect((await status(orderId)).orderStatus).toBe(1);
  });

  it('when deposit has a bad or missing amount or orderId, then errorCode 5; an unknown order is 6', async () => {
    const orderId = await held();
    expect((await sb.call('deposit', { ...CREDS, orderId, amount: '-1' })).body.errorCode).toBe(5);
    expect((await sb.call('deposit', { ...CREDS, orderId })).body.errorCode).toBe(5);
    expect((await sb.call('deposit', { ...CREDS, amount: '0' })).body.errorCode).toBe(5);
    expect((await sb.call('deposit', { ...CREDS, orderId: 'nope', amount: '0' })).body).toEqual({
      errorCode: 6,
      errorMessage: 'Order not found',
    });
  });

  it('when reverse is called on a held order, then status 3 REVERSED and a reversed event; a second reverse fails with 7', async () => {
    const orderId = await held();
    expect((await sb.call('reverse', { ...CREDS, orderId })).body).toEqual({ errorCode: 0, errorMessage: 'Success' });
    const body = await status(orderId);
    expect(body.orderStatus).toBe(3);
    expect(body.paymentAmountInfo?.paymentState).toBe('REVERSED');
    expect(sb.events_.at(-1)).toMatchObject({ operation: 'reversed', status: 1 });
    expect((await sb.call('reverse', { ...CREDS, orderId })).body.errorCode).toBe(7);
  });

  it('when reverse asks for a partial amount, then errorCode 5 and the hold stays', async () => {
    const orderId = await held();
    expect((await sb.call('reverse', { ...CREDS, orderId, amount: '10' })).body.errorCode).toBe(5);
    expect((await status(orderId)).orderStatus).toBe(1);
  });

  it('when a partial reverse was refused, then that was the one reversal attempt: a full reverse answers 7 "already attempted" and the hold stays', async () => {
    const orderId = await held();
    expect((await sb.call('reverse', { ...CREDS, orderId, amount: '10' })).body.errorCode).toBe(5);
    expect((await sb.call('reverse', { ...CREDS, orderId })).body).toEqual({
      errorCode: 7,
      errorMessage: 'Reversal was already attempted for this order',
    });
    expect((await status(orderId)).orderStatus).toBe(1);
    expect((await sb.call('deposit', { ...CREDS, orderId, amount: '0' })).body.errorCode).toBe(0);
  });

  it('when reverse is refused because the order is not held yet, then that is no attempt and the held order can still be reversed', async () => {
    const { orderId } = await sb.register({}, 'registerPreAuth');
    expect((await sb.call('reverse', { ...CREDS, orderId })).body.errorCode).toBe(7);
    payDirect(sb, orderId);
    expect((await sb.call('reverse', { ...CREDS, orderId })).body.errorCode).toBe(0);
  });

  it('when externalRefundId is longer than 36 characters, then refund answers 5 and nothing is refunded; 36 is accepted', async () => {
    const orderId = await paid();
    const tooLong = await sb.call('refund', { ...CREDS, orderId, amount: '100', externalRefundId: 'r'.repeat(37) });
    expect(tooLong.body).toEqual({ errorCode: 5, errorMessage: 'Invalid externalRefundId: at most 36 characters' });
    expect((await status(orderId)).paymentAmountInfo?.refundedAmount).toBe(0);
    expect(
      (await sb.call('refund', { ...CREDS, orderId, amount: '100', externalRefundId: 'r'.repeat(36) })).body.errorCode,
    ).toBe(0);
  });

  it('when an order already has 50 refunds, then the 51st answers 7 with the refund limit and changes nothing', async () => {
    const orderId = await paid();
    for (let i = 0; i < 50; i += 1)
      expect((await sb.call('refund', { ...CREDS, orderId, amount: '1' })).body.errorCode).toBe(0);
    const res = await sb.call('refund', { ...CREDS, orderId, amount: '1' });
    expect(res.body).toEqual({ errorCode: 7, errorMessage: 'Refund limit reached: at most 50 refunds per order' });
    const body = await status(orderId);
    expect(body.refunds).toHaveLength(50);
    expect(body.paymentAmountInfo?.refundedAmount).toBe(50);
  });

  it('when partial refunds are repeated, then they add up to at most the deposited amount', async () => {
    const orderId = await paid();
    expect((await sb.call('refund', { ...CREDS, orderId, amount: '50000' })).body).toEqual({
      errorCode: 0,
      errorMessage: 'Success',
    });
    expect(sb.events_.at(-1)).toMatchObject({ operation: 'refunded', status: 1, amount: 50000 });
    let body = await status(orderId);
    expect(body.orderStatus).toBe(4);
    expect(body.paymentAmountInfo).toMatchObject({
      paymentState: 'REFUNDED',
      refundedAmount: 50000,
      depositedAmount: AMOUNT,
    });
    expect((await sb.call('refund', { ...CREDS, orderId, amount: '100001' })).body.errorCode).toBe(7);
    expect((await sb.call('refund', { ...CREDS, orderId, amount: '100000' })).body.errorCode).toBe(0);
    body = await status(orderId);
    expect(body.paymentAmountInfo?.refundedAmount).toBe(AMOUNT);
    expect(body.refunds).toHaveLength(2);
    expect((await sb.call('refund', { ...CREDS, orderId, amount: '1' })).body.errorCode).toBe(7);
  });

  it('when refund has amount 0, then the remaining deposited amount is refunded', async () => {
    const orderId = await paid();
    await sb.call('refund', { ...CREDS, orderId, amount: '0' });
    expect((await status(orderId)).paymentAmountInfo?.refundedAmount).toBe(AMOUNT);
  });

  it('when a refund repeats an externalRefundId, then it is not refunded twice', async () => {
    const orderId = await paid();
    await sb.call('refund', { ...CREDS, orderId, amount: '1000', externalRefundId: 'r-1' });
    expect(
      (await sb.call('refund', { ...CREDS, orderId, amount: '1000', externalRefundId: 'r-1' })).body.errorCode,
    ).toBe(0);
    expect((await status(orderId)).paymentAmountInfo?.refundedAmount).toBe(1000);
  });

  it('when refund gives a currency other than the order currency, then errorCode 5', async () => {
    const orderId = await paid();
    expect((await sb.call('refund', { ...CREDS, orderId, amount: '1', currency: '978' })).body.errorCode).toBe(5);
  });

  it('when decline is called on an unpaid order (by orderId or orderNumber), then status 6 and a declined event', async () => {
    const { orderId } = await sb.register({ orderNumber: 'DECLINE-ME' });
    expect((await sb.call('decline', { ...CREDS, orderNumber: 'DECLINE-ME' })).body).toEqual({
      errorCode: 0,
      errorMessage: 'Success',
    });
    expect((await status(orderId)).orderStatus).toBe(6);
    expect(sb.events_.at(-1)).toMatchObject({ operation: 'declined', status: 1 });
    const other = await sb.register();
    expect((await sb.call('decline', { ...CREDS, orderId: other.orderId })).body.errorCode).toBe(0);
    expect((await sb.call('decline', { ...CREDS })).body.errorCode).toBe(5);
  });

  describe('forbidden transitions answer errorCode 7 and change nothing', () => {
    const cases: [string, () => Promise<string>, string, Record<string, string>][] = [
      [
        'deposit on a new order',
        async () => (await sb.register({}, 'registerPreAuth')).orderId,
        'deposit',
        { amount: '0' },
      ],
      ['deposit on a one-phase paid order', paid, 'deposit', { amount: '0' }],
      [
        'deposit twice',
        async () => {
          const id = await held();
          await sb.call('deposit', { ...CREDS, orderId: id, amount: '0' });
          return id;
        },
        'deposit',
        { amount: '0' },
      ],
      ['reverse on a new order', async () => (await sb.register()).orderId, 'reverse', {}],
      ['reverse on a deposited order', paid, 'reverse', {}],
      ['refund on a held order', held, 'refund', { amount: '1' }],
      ['refund on a new order', async () => (await sb.register()).orderId, 'refund', { amount: '1' }],
      [
        'refund on a reversed order',
        async () => {
          const id = await held();
          await sb.call('reverse', { ...CREDS, orderId: id });
          return id;
        },
        'refund',
        { amount: '1' },
      ],
      ['decline on a paid order', paid, 'decline', {}],
      ['decline on a held order', held, 'decline', {}],
      [
        'decline twice',
        async () => {
          const id = (await sb.register()).orderId;
          await sb.call('decline', { ...CREDS, orderId: id });
          return id;
        },
        'decline',
        {},
      ],
      [
        'deposit on a declined order',
        async () => {
          const id = (await sb.register({}, 'registerPreAuth')).orderId;
          payDirect(sb, id, '2202205000060910');
          return id;
        },
        'deposit',
        { amount: '0' },
      ],
    ];
    it.each(cases)('%s', async (_label, arrange, method, extra) => {
      const orderId = await arrange();
      const before = await status(orderId);
      const eventsBefore = sb.events_.length;
      const res = await sb.call(method, { ...CREDS, orderId, ...extra });
      expect(res.body).toEqual({ errorCode: 7, errorMessage: 'Operation is not possible in the current order state' });
      expect(await status(orderId)).toEqual(before);
      expect(sb.events_.length).toBe(eventsBefore);
    });
  });
});
