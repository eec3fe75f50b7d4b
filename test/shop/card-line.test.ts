import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { paidWith } from '../../src/http/messages/payment-ways.js';
import { render, text } from '../helpers/render-view.js';
import { buy, nextSettled, sandboxHelpers, shopPath, startShop, type TestShop } from '../helpers/shop.js';
import { signCallback } from '../helpers/callback-signature.js';

const KEY = 'Callback-Key-Card-Line-1c2d';

const signed = (params: Record<string, string>) => signCallback(params, KEY);

describe('the card line on the success page (two-phase, real sandbox)', () => {
  let shop: TestShop;
  beforeEach(async () => {
    shop = await startShop({ env: { GATEWAY_CALLBACK_KEY: KEY, PAYMENT_FLOW: 'two-phase' } });
  });
  afterEach(() => shop.close());

  it('when the callback settles the order before the buyer returns, the return page still shows the card line, and so does a reload', async () => {
    const buyer = request.agent(shop.app);
    const bought = await buy(buyer, 'notebook', 1);
    const gatewayOrderId = new URL(bought.headers.location!).searchParams.get('mdOrder')!;
    const paid = await sandboxHelpers(shop).pay(gatewayOrderId, { card: '4111 1111 1111 1111' });
    const order = shop.ledger.findByGatewayOrderId(gatewayOrderId)!;

    // The gateway's callback comes first and settles the order; the return then only reads the ledger.
    const settled = nextSettled(shop, order.id);
    const params = {
      mdOrder: gatewayOrderId,
      orderNumber: order.orderNumber,
      operation: 'approved',
      status: '1',
      amount: String(order.amount),
    };
    await request(shop.app).get('/payment/callback').query(signed(params)).expect(200);
    expect((await settled).status).toBe('authorized');
    expect(shop.ledger.get(order.id)?.card).toEqual({ maskedPan: '411111**1111', paymentWay: 'CARD' });

    const returned = await buyer.get(shopPath(paid.returnUrl!)).expect(200);
    // The sandbox names the payment way of a typed card, CARD, as the gateway does; the page says it in words.
    const cardLine = /<p class="paid-with">Paid by card<\/p>[\s\S]*<dd class="mono">411111\*\*1111<\/dd>/;
    expect(returned.text).toMatch(cardLine);
    const reloaded = await buyer.get(shopPath(paid.returnUrl!)).expect(200);
    expect(reloaded.text).toMatch(cardLine);
    // The card line is a masked number only: never the full number or the cardholder's name.
    expect(reloaded.text).not.toContain('4111111111111111');
  });
});

describe('the card line as the success page shows it', () => {
  it('shows the masked number and, when the gateway named it, how the order was paid in words', async () => {
    const order = {
      orderNumber: 'SHOP-000124',
      items: [{ name: 'Notebook', quantity: 1, unitAmount: 990, lineAmount: 990 }],
      amount: 990,
      currency: '978',
      maskedPan: '411111**1111',
    };
    expect(text(await render('shop/success', 'en', { order, authorizedOnly: false }))).toContain('Card 411111**1111');
    const withWay = await render('shop/success', 'en', {
      order: { ...order, paidWith: paidWith('GOOGLE_PAY_TOKENIZED', 'en') },
      authorizedOnly: false,
    });
    expect(text(withWay)).toContain('Paid with Google Pay');
    expect(text(withWay)).toContain('Card 411111**1111');
  });
});
