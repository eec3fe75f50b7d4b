// "Paid with Google Pay": the payment way the gateway reports, in words, on the success page and in the back office.
import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { paidWith } from '../../src/http/messages/payment-ways.js';
import type { GatewayReply, HandlerContext } from '../helpers/misbehaving-gateway.js';
import { text } from '../helpers/render-view.js';
import { buy, scriptedShopPerTest, shopPath } from '../helpers/shop.js';
import { ADMIN_PASSWORD, login } from '../admin/helpers.js';

describe('paidWith', () => {
  it.each([
    ['CARD', 'Paid by card', 'Оплачено картой'],
    ['APPLE_PAY', 'Paid with Apple Pay', 'Оплачено через Apple Pay'],
    ['GOOGLE_PAY_CARD', 'Paid with Google Pay', 'Оплачено через Google Pay'],
    ['GOOGLE_PAY_TOKENIZED', 'Paid with Google Pay', 'Оплачено через Google Pay'],
    ['SAMSUNG_PAY', 'Paid with Samsung Pay', 'Оплачено через Samsung Pay'],
    ['SBP_C2B', 'Paid with SBP_C2B', 'Способ оплаты: SBP_C2B'],
  ])('%s reads "%s" / "%s"', (way, en, ru) => {
    expect(paidWith(way, 'en')).toBe(en);
    expect(paidWith(way, 'ru')).toBe(ru);
  });

  it('says nothing when the gateway named no way, and a key such as toString is only a raw value', () => {
    expect(paidWith(null, 'en')).toBeUndefined();
    expect(paidWith(undefined, 'ru')).toBeUndefined();
    expect(paidWith('toString', 'en')).toBe('Paid with toString');
  });
});

/** A gateway whose orders are paid with Google Pay as soon as they are asked about. */
const paidWithGooglePay = {
  getOrderStatusExtended: async (form: Record<string, string>, ctx: HandlerContext): Promise<GatewayReply> => {
    const reply = await ctx.healthy(form);
    const body = reply.body as Record<string, unknown>;
    if (body.orderStatus === undefined) return reply;
    return {
      body: {
        ...body,
        orderStatus: 2,
        actionCode: 0,
        paymentWay: 'GOOGLE_PAY_TOKENIZED',
        cardAuthInfo: { pan: '520424**1234', approvalCode: '123456' },
        paymentAmountInfo: {
          paymentState: 'DEPOSITED',
          approvedAmount: body.amount,
          depositedAmount: body.amount,
          refundedAmount: 0,
        },
      },
    };
  },
};

describe('how the order was paid, on its pages', () => {
  const start = scriptedShopPerTest();

  it('the success page says "Paid with Google Pay" (and in Russian), the back office too, with the raw way', async () => {
    const { shop } = await start(paidWithGooglePay, { env: { ADMIN_PASSWORD } });
    const buyer = request.agent(shop.app);
    const bought = await buy(buyer, 'coffee-beans', 2);
    const mdOrder = new URL(bought.headers.location!).searchParams.get('mdOrder')!;
    const back = `${shopPath(`${shop.config.publicBaseUrl}/checkout/return`)}?orderId=${mdOrder}`;
    const en = await buyer.get(`${back}&lang=en`).expect(200);
    expect(text(en.text)).toContain('Paid with Google Pay');
    expect(text(en.text)).toContain('Card 520424**1234');
    expect(en.text).not.toContain('GOOGLE_PAY_TOKENIZED');
    const ru = await buyer.get(`${back}&lang=ru`).expect(200);
    expect(text(ru.text)).toContain('Оплачено через Google Pay');

    const order = shop.ledger.findByGatewayOrderId(mdOrder)!;
    expect(order.card).toEqual({ maskedPan: '520424**1234', paymentWay: 'GOOGLE_PAY_TOKENIZED' });
    const admin = request.agent(shop.app);
    expect((await login(admin)).status).toBe(303);
    const page = await admin.get(`/admin/orders/${order.id}?lang=en`).expect(200);
    expect(text(page.text)).toContain('Payment Paid with Google Pay (GOOGLE_PAY_TOKENIZED) · 520424**1234');
    const pageRu = await admin.get(`/admin/orders/${order.id}?lang=ru`).expect(200);
    expect(text(pageRu.text)).toContain('Оплата Оплачено через Google Pay (GOOGLE_PAY_TOKENIZED)');
  });
});
