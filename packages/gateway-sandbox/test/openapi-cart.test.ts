/** The cart's answers (orderBundle in the status, cart errors, capture/refund by line) against the OpenAPI document. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { CREDS, makeSandbox, payDirect } from './helpers/sandbox-app.js';

const COMMITTED = 'docs/sandbox-openapi.json';

const item = (
  positionId: number,
  name: string,
  value: number,
  itemPrice: number,
  extra: Record<string, unknown> = {},
) => ({
  positionId,
  name,
  quantity: { value, measure: '0' },
  itemPrice,
  itemAmount: itemPrice * value,
  itemCode: `SKU-${positionId}`,
  ...extra,
});
const BUNDLE = JSON.stringify({
  orderCreationDate: '2030-01-15T15:00:00',
  customerDetails: { email: 'buyer@example.com' },
  cartItems: {
    items: [
      item(1, 'Mug', 2, 50000, {
        itemCurrency: '643',
        tax: { taxType: 6, taxSum: 16667 },
        itemAttributes: {
          attributes: [
            { name: 'paymentMethod', value: '1' },
            { name: 'agent_info', value: { type: 7 } },
          ],
        },
        itemDetails: { itemDetailsParams: [{ name: 'colour', value: 'blue' }] },
      }),
      item(2, 'Delivery', 1, 50000),
    ],
  },
});

describe('OpenAPI document: the cart', () => {
  const sb = makeSandbox();
  const doc = JSON.parse(readFileSync(COMMITTED, 'utf8')) as Record<string, unknown>;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
  ajv.addFormat('uri', /^https?:\/\/\S+$/);
  ajv.addSchema({ ...doc, $id: 'https://sandbox.test/openapi.json' });
  const expectValid = (method: string, body: unknown) => {
    const pointer = `/paths/${`/payment/rest/${method}.do`.replace(/\//g, '~1')}/post/responses/200/content/application~1json/schema`;
    const validate = ajv.compile({ $ref: `https://sandbox.test/openapi.json#${pointer}` });
    const ok = validate(body);
    expect({ method, body, errors: ok ? null : validate.errors }).toEqual({ method, body, errors: null });
  };
  const call = async (method: string, params: Record<string, string>) =>
    (await sb.call(method, { ...CREDS, ...params })).body;

  it('when the document lists the cart parameters, then register, deposit and refund name them', () => {
    const text = JSON.stringify(doc);
    for (const name of ['"orderBundle"', '"taxSystem"', '"depositItems"', '"refundItems"'])
      expect(text).toContain(name);
  });

  it('when a cart order is registered, held, captured and refunded by line, then every answer matches', async () => {
    const { orderId } = await sb.register({ amount: '150000', orderBundle: BUNDLE, taxSystem: '1' }, 'registerPreAuth');
    const fresh = await call('getOrderStatusExtended', { orderId });
    expect(fresh).toHaveProperty('orderBundle.cartItems.items');
    expectValid('getOrderStatusExtended', fresh);
    payDirect(sb, orderId);
    const mugLine = {
      positionId: 1,
      name: 'Mug',
      quantity: { value: 1, measure: '0' },
      itemAmount: 50000,
      itemCode: 'SKU-1',
    };
    const captured = await call('deposit', {
      orderId,
      amount: '50000',
      depositItems: JSON.stringify({ items: [mugLine] }),
    });
    expect(captured).toMatchObject({ errorCode: 0 });
    expectValid('deposit', captured);
    const refused = await call('refund', { orderId, amount: '10000' });
    expect(refused).toMatchObject({ errorCode: 5 });
    expectValid('refund', refused);
    const refunded = await call('refund', {
      orderId,
      amount: '50000',
      refundItems: JSON.stringify({ items: [mugLine] }),
    });
    expect(refunded).toMatchObject({ errorCode: 0 });
    expectValid('refund', refunded);
    const after = await call('getOrderStatusExtended', { orderId });
    expect(after).toMatchObject({
      orderBundle: { cartItems: { items: [{ depositedItemAmount: '50000' }, { depositedItemAmount: '0' }] } },
    });
    expectValid('getOrderStatusExtended', after);
  });

  it('when a cart is refused, then the error envelopes match', async () => {
    const wrongSum = await call('register', {
      orderNumber: `OA-CART-${process.pid}`,
      amount: '1',
      returnUrl: 'https://shop.test/r',
      orderBundle: BUNDLE,
    });
    expect(wrongSum).toMatchObject({ errorCode: '8' });
    expectValid('register', wrongSum);
    const notJson = await call('registerPreAuth', {
      orderNumber: `OA-CART-${process.pid}`,
      amount: '150000',
      returnUrl: 'https://shop.test/r',
      orderBundle: '{',
    });
    expect(notJson).toMatchObject({ errorCode: '4' });
    expectValid('registerPreAuth', notJson);
  });
});
