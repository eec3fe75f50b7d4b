/** The cart (orderBundle) on register, its echo in the status, and captures/refunds by line (gateway-reference §8). */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { SqliteOrderStore } from '../src/store-sqlite.js';
import { CREDS, makeSandbox, nextNumber, OPERATOR_AUTH, payDirect } from './helpers/sandbox-app.js';

interface Item {
  positionId: number | string;
  name: string;
  quantity: { value: number | string; measure: string };
  itemPrice?: number;
  itemAmount?: number;
  itemCode: string;
  [key: string]: unknown;
}

const attrs = (method: string, object: string) => ({
  attributes: [
    { name: 'paymentMethod', value: method },
    { name: 'paymentObject', value: object },
  ],
});
const mug = (): Item => ({
  positionId: 1,
  name: 'Mug',
  quantity: { value: 2, measure: '0' },
  itemPrice: 50000,
  itemAmount: 100000,
  itemCode: 'MUG-1',
  tax: { taxType: 0 },
  itemAttributes: attrs('1', '1'),
});
const delivery = (): Item => ({
  positionId: 2,
  name: 'Delivery',
  quantity: { value: 1, measure: '0' },
  itemPrice: 50000,
  itemAmount: 50000,
  itemCode: 'SHIP',
  tax: { taxType: 6 },
  itemAttributes: attrs('1', '4'),
});
const bundle = (items: unknown[] = [mug(), delivery()], extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    orderCreationDate: '2030-01-15T15:00:00',
    customerDetails: { email: 'buyer@example.com' },
    cartItems: { items },
    ...extra,
  });
const base = (over: Record<string, string> = {}) => ({
  ...CREDS,
  orderNumber: nextNumber(),
  amount: '150000',
  currency: '643',
  returnUrl: 'https://shop.test/return',
  taxSystem: '1',
  orderBundle: bundle(),
  ...over,
});
const lines = (...items: unknown[]) => JSON.stringify({ items });

interface BundleEcho {
  orderCreationDate?: string;
  customerDetails?: { email?: string };
  cartItems: { items: (Item & { depositedItemAmount: string })[] };
}

describe('register with orderBundle', () => {
  const sb = makeSandbox();
  const status = async (orderId: string) =>
    (await sb.call('getOrderStatusExtended', { ...CREDS, orderId })).body as Record<string, unknown> & {
      orderBundle?: BundleEcho;
    };

  it('when the cart adds up, then the order is created and the status echoes the bundle with itemPrice and depositedItemAmount', async () => {
    const res = await sb.call('register', base());
    expect(res.body.orderId).toEqual(expect.any(String));
    const order = sb.engine.get(res.body.orderId ?? '');
    expect(order?.taxSystem).toBe(1);
    const body = await status(res.body.orderId ?? '');
    expect(body.orderBundle).toEqual({
      orderCreationDate: '2030-01-15T15:00:00',
      customerDetails: { email: 'buyer@example.com' },
      cartItems: {
        items: [
          { ...mug(), depositedItemAmount: '0' },
          { ...delivery(), depositedItemAmount: '0' },
        ],
      },
    });
  });

  it('when registerPreAuth has a cart, then it is checked and kept the same way', async () => {
    const res = await sb.call('registerPreAuth', base());
    expect(res.body.orderId).toEqual(expect.any(String));
    const bad = await sb.call('registerPreAuth', base({ amount: '149000' }));
    expect(bad.body.errorCode).toBe('8');
  });

  it('when an order has no cart, then its status has no orderBundle', async () => {
    const { orderId } = await sb.register();
    expect(await status(orderId)).not.toHaveProperty('orderBundle');
  });

  it('when only itemPrice is given, then itemAmount is price × quantity rounded to a whole minor unit', async () => {
    const weighed = { ...mug(), quantity: { value: 1.255, measure: 'kg' }, itemPrice: 999, itemAmount: undefined };
    const res = await sb.call('register', base({ amount: '1254', orderBundle: bundle([weighed]) }));
    expect(res.body.orderId).toEqual(expect.any(String));
    const body = await status(res.body.orderId ?? '');
    expect(body.orderBundle?.cartItems.items[0]).toMatchObject({ itemPrice: 999, itemAmount: 1254 });
  });

  it('when only itemAmount is given, then the status reports the unit price it implies', async () => {
    const item = { ...mug(), itemPrice: undefined };
    const res = await sb.call('register', base({ amount: '100000', orderBundle: bundle([item]) }));
    const body = await status(res.body.orderId ?? '');
    expect(body.orderBundle?.cartItems.items[0]).toMatchObject({ itemPrice: 50000, itemAmount: 100000 });
  });

  it('when the line totals do not add up to amount, then errorCode "8" with the documented message, in Russian too, and no order', async () => {
    const params = base({ amount: '149000' });
    const res = await sb.call('register', params);
    expect(res.body).toEqual({
      errorCode: '8',
      errorMessage: 'Sum of the cart positions does not match the order amount',
    });
    const ru = await sb.call('register', { ...params, language: 'ru' });
    expect(ru.body.errorMessage).toBe('Сумма товарных позиций в Корзине не совпадает с общей суммой заказа');
    expect(sb.engine.findByNumber('demo-shop', params.orderNumber)).toBeUndefined();
    // The number is still free: the refused register created nothing.
    expect((await sb.call('register', { ...params, amount: '150000' })).body.orderId).toEqual(expect.any(String));
  });

  it('when an itemCurrency differs from the order currency, then errorCode "8" (currency)', async () => {
    const res = await sb.call(
      'register',
      base({ orderBundle: bundle([{ ...mug(), itemCurrency: '978' }, delivery()]) }),
    );
    expect(res.body).toEqual({ errorCode: '8', errorMessage: 'Cart currency does not match the order currency' });
    const same = await sb.call(
      'register',
      base({ orderBundle: bundle([{ ...mug(), itemCurrency: '643' }, delivery()]) }),
    );
    expect(same.body.orderId).toEqual(expect.any(String));
  });

  it('when the default currency is used, then an itemCurrency of 643 matches it', async () => {
    const params: Record<string, string> = base({
      orderBundle: bundle([{ ...mug(), itemCurrency: '643' }, delivery()]),
    });
    delete params.currency;
    expect((await sb.call('register', params)).body.orderId).toEqual(expect.any(String));
  });

  it('when orderBundle is not JSON, then errorCode "4" and no order', async () => {
    const params = base({ orderBundle: '{"cartItems":' });
    const res = await sb.call('register', params);
    expect(res.body).toEqual({
      errorCode: '4',
      errorMessage: 'Wrong request format: the cart is not JSON [orderBundle]',
    });
    expect(sb.engine.findByNumber('demo-shop', params.orderNumber)).toBeUndefined();
  });

  const FORMAT_CASES: [string, unknown, string][] = [
    ['a JSON array', [], 'orderBundle'],
    ['no cartItems', { customerDetails: { email: 'a@b.co' } }, 'cartItems'],
    ['an empty items list', { cartItems: { items: [] } }, 'cartItems.items'],
    ['items as an object', { cartItems: { items: { 0: mug() } } }, 'cartItems.items'],
    [
      '101 items',
      { cartItems: { items: Array.from({ length: 101 }, (_, i) => ({ ...mug(), positionId: i + 1 })) } },
      'cartItems.items',
    ],
    [
      'positionId 0',
      { cartItems: { items: [{ ...mug(), positionId: 0 }, delivery()] } },
      'cartItems.items[0].positionId',
    ],
    [
      'a fractional positionId',
      { cartItems: { items: [{ ...mug(), positionId: 1.5 }, delivery()] } },
      'cartItems.items[0].positionId',
    ],
    [
      'a repeated positionId',
      { cartItems: { items: [mug(), { ...delivery(), positionId: 1 }] } },
      'cartItems.items[1].positionId',
    ],
    ['an empty name', { cartItems: { items: [{ ...mug(), name: '' }, delivery()] } }, 'cartItems.items[0].name'],
    [
      'a 256-char name',
      { cartItems: { items: [{ ...mug(), name: 'n'.repeat(256) }, delivery()] } },
      'cartItems.items[0].name',
    ],
    [
      'no itemCode',
      { cartItems: { items: [{ ...mug(), itemCode: undefined }, delivery()] } },
      'cartItems.items[0].itemCode',
    ],
    [
      'a 101-char itemCode',
      { cartItems: { items: [{ ...mug(), itemCode: 'c'.repeat(101) }, delivery()] } },
      'cartItems.items[0].itemCode',
    ],
    [
      'no quantity',
      { cartItems: { items: [{ ...mug(), quantity: undefined }, delivery()] } },
      'cartItems.items[0].quantity',
    ],
    [
      'quantity 0',
      { cartItems: { items: [{ ...mug(), quantity: { value: 0, measure: '0' } }, delivery()] } },
      'cartItems.items[0].quantity.value',
    ],
    [
      'a negative quantity',
      { cartItems: { items: [{ ...mug(), quantity: { value: -2, measure: '0' } }, delivery()] } },
      'cartItems.items[0].quantity.value',
    ],
    [
      'a quantity with 4 decimals',
      { cartItems: { items: [{ ...mug(), quantity: { value: 1.0005, measure: '0' } }, delivery()] } },
      'cartItems.items[0].quantity.value',
    ],
    [
      'a quantity too large',
      { cartItems: { items: [{ ...mug(), quantity: { value: 1e12, measure: '0' } }, delivery()] } },
      'cartItems.items[0].quantity.value',
    ],
    [
      'no measure',
      { cartItems: { items: [{ ...mug(), quantity: { value: 2 } }, delivery()] } },
      'cartItems.items[0].quantity.measure',
    ],
    [
      'a 21-char measure',
      { cartItems: { items: [{ ...mug(), quantity: { value: 2, measure: 'm'.repeat(21) } }, delivery()] } },
      'cartItems.items[0].quantity.measure',
    ],
    [
      'neither itemAmount nor itemPrice',
      { cartItems: { items: [{ ...mug(), itemAmount: undefined, itemPrice: undefined }, delivery()] } },
      'cartItems.items[0].itemAmount',
    ],
    [
      'itemAmount ≠ itemPrice × quantity',
      {
        cartItems: {
          items: [
            { ...mug(), itemAmount: 90000 },
            { ...delivery(), itemPrice: 60000, itemAmount: 60000 },
          ],
        },
      },
      'cartItems.items[0].itemAmount',
    ],
    [
      'a fractional itemAmount',
      { cartItems: { items: [{ ...mug(), itemPrice: undefined, itemAmount: 99999.5 }, delivery()] } },
      'cartItems.items[0].itemAmount',
    ],
    [
      'an itemAmount in a string',
      { cartItems: { items: [{ ...mug(), itemAmount: '100000' }, delivery()] } },
      'cartItems.items[0].itemAmount',
    ],
    [
      'a 13-digit itemAmount',
      { cartItems: { items: [{ ...mug(), itemPrice: undefined, itemAmount: 1e12 }, delivery()] } },
      'cartItems.items[0].itemAmount',
    ],
    [
      'a letter itemCurrency',
      { cartItems: { items: [{ ...mug(), itemCurrency: 'RUB' }, delivery()] } },
      'cartItems.items[0].itemCurrency',
    ],
    [
      'an undocumented taxType',
      { cartItems: { items: [{ ...mug(), tax: { taxType: 8 } }, delivery()] } },
      'cartItems.items[0].tax.taxType',
    ],
    [
      'tax without taxType',
      { cartItems: { items: [{ ...mug(), tax: { taxSum: 0 } }, delivery()] } },
      'cartItems.items[0].tax.taxType',
    ],
    [
      'attributes as a flat object',
      { cartItems: { items: [{ ...mug(), itemAttributes: { paymentMethod: '1' } }, delivery()] } },
      'cartItems.items[0].itemAttributes.attributes',
    ],
    [
      'an attribute without a name',
      { cartItems: { items: [{ ...mug(), itemAttributes: { attributes: [{ value: '1' }] } }, delivery()] } },
      'cartItems.items[0].itemAttributes.attributes',
    ],
    [
      'paymentMethod 8',
      { cartItems: { items: [{ ...mug(), itemAttributes: attrs('8', '1') }, delivery()] } },
      'cartItems.items[0].itemAttributes.attributes',
    ],
    [
      'paymentObject 19',
      { cartItems: { items: [{ ...mug(), itemAttributes: attrs('1', '19') }, delivery()] } },
      'cartItems.items[0].itemAttributes.attributes',
    ],
    [
      'a bad orderCreationDate',
      { orderCreationDate: '01.06.2025', cartItems: { items: [mug(), delivery()] } },
      'orderCreationDate',
    ],
    [
      'customerDetails without email or phone',
      { customerDetails: { fullName: 'Ivan' }, cartItems: { items: [mug(), delivery()] } },
      'customerDetails.email',
    ],
    [
      'an email with a space',
      { customerDetails: { email: 'a b@c.co' }, cartItems: { items: [mug(), delivery()] } },
      'customerDetails.email',
    ],
    [
      'a 41-char email',
      { customerDetails: { email: `${'a'.repeat(33)}@shop.co` }, cartItems: { items: [mug(), delivery()] } },
      'customerDetails.email',
    ],
    [
      'a phone with letters',
      { customerDetails: { phone: '+7900abc4567' }, cartItems: { items: [mug(), delivery()] } },
      'customerDetails.phone',
    ],
    [
      'an inn of 9 digits',
      { customerDetails: { email: 'a@b.co', inn: '123456789' }, cartItems: { items: [mug(), delivery()] } },
      'customerDetails.inn',
    ],
  ];

  it.each(FORMAT_CASES)(
    'when the cart has %s, then errorCode "8" "Wrong cart format" naming the field',
    async (_what, value, field) => {
      const params = base({ orderBundle: JSON.stringify(value) });
      const res = await sb.call('register', params);
      expect(res.body).toEqual({ errorCode: '8', errorMessage: `Wrong cart format [${field}]` });
      expect(sb.engine.findByNumber('demo-shop', params.orderNumber)).toBeUndefined();
    },
  );

  it('when the cart is wrong and language is ru, then the format message is Russian', async () => {
    const res = await sb.call('register', base({ language: 'ru', orderBundle: '[]' }));
    expect(res.body.errorMessage).toBe('Неверный формат корзины [orderBundle]');
  });

  it.each([
    [
      'a digit-string positionId and quantity (the ecom flavour)',
      { ...mug(), positionId: '1', quantity: { value: '2', measure: 'шт' } },
    ],
    ['a comma-separated email list', mug()],
    [
      'nested attribute objects',
      {
        ...mug(),
        itemAttributes: { attributes: [...attrs('4', '1').attributes, { name: 'agent_info', value: { type: 7 } }] },
      },
    ],
    ['item details', { ...mug(), itemDetails: { itemDetailsParams: [{ name: 'colour', value: 'blue' }] } }],
  ])('when the cart has %s, then it is accepted', async (what, item) => {
    const customer = what.includes('email') ? { customerDetails: { email: 'a@b.co,c@d.co' } } : {};
    const res = await sb.call('register', base({ orderBundle: bundle([item, delivery()], customer) }));
    expect(res.body).toEqual({ orderId: expect.any(String), formUrl: expect.any(String) });
  });

  it.each(['6', '-1', '1.0', 'x'])('when taxSystem is %s, then errorCode "5" and no order', async (taxSystem) => {
    const params = base({ taxSystem });
    const res = await sb.call('register', params);
    expect(res.body).toEqual({ errorCode: '5', errorMessage: 'Invalid taxSystem' });
    expect(sb.engine.findByNumber('demo-shop', params.orderNumber)).toBeUndefined();
  });

  it('when taxSystem is given without a cart, then it is kept with the order', async () => {
    const { orderId } = await sb.register({ taxSystem: '5' });
    expect(sb.engine.get(orderId)?.taxSystem).toBe(5);
  });

  it('when the cart names its buyer, then the journal keeps the cart but neither the email nor the phone', async () => {
    const orderBundle = bundle([mug(), delivery()], {
      customerDetails: { email: 'journal@example.com', phone: '+79001234567' },
    });
    const { orderId } = await sb.register({ orderBundle, taxSystem: '1' });
    // The status answer echoes the cart with its customerDetails: the journal keeps a summary of answers only.
    expect(JSON.stringify((await sb.call('getOrderStatusExtended', { ...CREDS, orderId })).body)).toContain(
      'journal@example.com',
    );
    const res = await request(sb.app).get('/sandbox/journal.json').query({ orderId }).set(OPERATOR_AUTH);
    const text = JSON.stringify(res.body);
    expect(text).toContain('"method":"register"');
    expect(text).toContain('"method":"getOrderStatusExtended"');
    expect(text).toContain('cartItems');
    expect(text).not.toContain('journal@example.com');
    expect(text).not.toContain('79001234567');
  });

  it('when register.do names the buyer in its own email and phone parameters, then the journal keeps neither', async () => {
    const { orderId } = await sb.register({ email: 'param@example.com', phone: '79007654321' });
    const res = await request(sb.app).get('/sandbox/journal.json').query({ orderId }).set(OPERATOR_AUTH);
    const text = JSON.stringify(res.body);
    expect(text).toContain('"method":"register"');
    expect(text).not.toContain('param@example.com');
    expect(text).not.toContain('79007654321');
  });
});

describe('capture and refund by cart lines', () => {
  const sb = makeSandbox();
  const deposit = (orderId: string, amount: string, items?: string) =>
    sb.call('deposit', { ...CREDS, orderId, amount, ...(items !== undefined && { depositItems: items }) });
  const refund = (orderId: string, amount: string, items?: string) =>
    sb.call('refund', { ...CREDS, orderId, amount, ...(items !== undefined && { refundItems: items }) });
  const echo = async (orderId: string) =>
    ((await sb.call('getOrderStatusExtended', { ...CREDS, orderId })).body as { orderBundle: BundleEcho }).orderBundle
      .cartItems.items;
  const line = (item: Item, value: number, amount: number) => ({
    positionId: item.positionId,
    name: item.name,
    quantity: { value, measure: '0' },
    itemAmount: amount,
    itemCode: item.itemCode,
  });
  const held = async () => {
    const { orderId } = await sb.register({ orderBundle: bundle(), taxSystem: '1' }, 'registerPreAuth');
    payDirect(sb, orderId);
    return orderId;
  };
  const paid = async () => {
    const { orderId } = await sb.register({ orderBundle: bundle(), taxSystem: '1' });
    payDirect(sb, orderId);
    return orderId;
  };

  it('when a one-phase cart order is paid, then every line reports its whole amount as deposited', async () => {
    const orderId = await paid();
    expect((await echo(orderId)).map((i) => i.depositedItemAmount)).toEqual(['100000', '50000']);
  });

  it('when one mug is captured with its line, then the order is deposited for that amount and the line says so', async () => {
    const orderId = await held();
    const res = await deposit(orderId, '50000', lines(line(mug(), 1, 50000)));
    expect(res.body).toEqual({ errorCode: 0, errorMessage: 'Success' });
    const status = await sb.call('getOrderStatusExtended', { ...CREDS, orderId });
    expect(status.body.orderStatus).toBe(2);
    expect(status.body.paymentAmountInfo?.depositedAmount).toBe(50000);
    expect((await echo(orderId)).map((i) => i.depositedItemAmount)).toEqual(['50000', '0']);
  });

  it('when a whole hold is captured without lines, then every line is deposited in full', async () => {
    const orderId = await held();
    expect((await deposit(orderId, '0')).body.errorCode).toBe(0);
    expect((await echo(orderId)).map((i) => i.depositedItemAmount)).toEqual(['100000', '50000']);
  });

  it('when part of a cart hold is captured without lines, then errorCode 5 and the hold stays', async () => {
    const orderId = await held();
    const res = await deposit(orderId, '50000');
    expect(res.body).toEqual({
      errorCode: 5,
      errorMessage: 'The cart is required for an operation on a part of a cart order',
    });
    expect(sb.engine.get(orderId)?.status).toBe(1);
  });

  it.each([
    [
      'a line above its registered quantity',
      () => lines(line(mug(), 3, 100000)),
      50000,
      5,
      'The quantity or amount of a cart position exceeds what is left of it [items[0]]',
    ],
    [
      'a line above its registered amount',
      () => lines(line(mug(), 2, 100001)),
      100001,
      5,
      'The quantity or amount of a cart position exceeds what is left of it [items[0]]',
    ],
    [
      'an unknown positionId',
      () => lines({ ...line(mug(), 1, 50000), positionId: 9 }),
      50000,
      8,
      'Wrong cart format: the position is not in the registered cart (positionId, name and itemCode must match) [items[0]]',
    ],
    [
      'another name',
      () => lines({ ...line(mug(), 1, 50000), name: 'Cup' }),
      50000,
      8,
      'Wrong cart format: the position is not in the registered cart (positionId, name and itemCode must match) [items[0]]',
    ],
    [
      'another itemCode',
      () => lines({ ...line(mug(), 1, 50000), itemCode: 'MUG-2' }),
      50000,
      8,
      'Wrong cart format: the position is not in the registered cart (positionId, name and itemCode must match) [items[0]]',
    ],
    [
      'lines not adding up to amount',
      () => lines(line(mug(), 1, 50000)),
      60000,
      8,
      'Sum of the cart positions does not match the amount of the operation',
    ],
    [
      'another itemCurrency',
      () => lines({ ...line(mug(), 1, 50000), itemCurrency: '978' }),
      50000,
      8,
      'Cart currency does not match the order currency',
    ],
    ['lines that are not JSON', () => '{items:', 50000, 5, 'Wrong request format: the cart is not JSON [depositItems]'],
    ['no items list', () => JSON.stringify({ positions: [] }), 50000, 8, 'Wrong cart format [depositItems.items]'],
    [
      'a line without quantity',
      () => lines({ ...line(mug(), 1, 50000), quantity: undefined }),
      50000,
      8,
      'Wrong cart format [depositItems.items[0].quantity]',
    ],
    [
      'the same position twice',
      () => lines(line(mug(), 1, 50000), line(mug(), 1, 50000)),
      100000,
      8,
      'Wrong cart format [depositItems.items[1].positionId]',
    ],
  ])(
    'when a capture has %s, then it is refused with the documented errorCode and message',
    async (_what, items, amount, code, text) => {
      const orderId = await held();
      const res = await deposit(orderId, String(amount), items());
      expect(res.body).toEqual({ errorCode: code, errorMessage: text });
      expect(sb.engine.get(orderId)?.status).toBe(1);
      expect(sb.engine.get(orderId)?.cart?.positions.every((p) => p.deposited === undefined)).toBe(true);
    },
  );

  it('when an order without a cart is captured with lines, then errorCode 8 (no such position)', async () => {
    const { orderId } = await sb.register({}, 'registerPreAuth');
    payDirect(sb, orderId);
    const res = await deposit(orderId, '50000', lines(line(mug(), 1, 50000)));
    expect(res.body.errorCode).toBe(8);
    expect(sb.engine.get(orderId)?.status).toBe(1);
  });

  it('when one line is refunded, then exactly its amount is refunded and later refunds of it are bounded by what is left', async () => {
    const orderId = await paid();
    expect((await refund(orderId, '50000', lines(line(delivery(), 1, 50000)))).body.errorCode).toBe(0);
    const status = await sb.call('getOrderStatusExtended', { ...CREDS, orderId });
    expect(status.body.orderStatus).toBe(4);
    expect(status.body.paymentAmountInfo?.refundedAmount).toBe(50000);
    expect(sb.engine.get(orderId)?.cart?.positions.map((p) => p.refunded)).toEqual([
      { quantity: 0, amount: 0 },
      { quantity: 1000, amount: 50000 },
    ]);
    expect(sb.engine.get(orderId)?.refunds[0]?.items).toEqual([{ positionId: 2, quantity: 1000, amount: 50000 }]);
    // The delivery line is all refunded: once more is above what is left of it.
    const again = await refund(orderId, '50000', lines(line(delivery(), 1, 50000)));
    expect(again.body).toEqual({
      errorCode: 7,
      errorMessage: 'The quantity or amount of a cart position exceeds what is left of it [items[0]]',
    });
    // One mug, then the other: each within what is left of the line.
    expect((await refund(orderId, '50000', lines(line(mug(), 1, 50000)))).body.errorCode).toBe(0);
    expect((await refund(orderId, '50000', lines(line(mug(), 1, 50000)))).body.errorCode).toBe(0);
    expect((await refund(orderId, '1', lines(line(mug(), 0.001, 1)))).body.errorCode).toBe(7);
    expect(sb.engine.get(orderId)?.refundedAmount).toBe(150000);
  });

  it('when a refund named its lines, then a later refund without lines is refused, even of all that is left', async () => {
    const orderId = await paid();
    await refund(orderId, '50000', lines(line(delivery(), 1, 50000)));
    const res = await refund(orderId, '0');
    expect(res.body.errorCode).toBe(5);
    expect(sb.engine.get(orderId)?.refundedAmount).toBe(50000);
  });

  it('when a whole cart order is refunded without lines, then every line is refunded in full', async () => {
    const orderId = await paid();
    expect((await refund(orderId, '150000')).body.errorCode).toBe(0);
    expect(sb.engine.get(orderId)?.cart?.positions.map((p) => p.refunded.amount)).toEqual([100000, 50000]);
    expect(sb.engine.get(orderId)?.refunds[0]?.items).toEqual([
      { positionId: 1, quantity: 2000, amount: 100000 },
      { positionId: 2, quantity: 1000, amount: 50000 },
    ]);
  });

  it('when part of a cart order is refunded without lines, then errorCode 5 and nothing is refunded', async () => {
    const orderId = await paid();
    const res = await refund(orderId, '50000');
    expect(res.body.errorCode).toBe(5);
    expect(sb.engine.get(orderId)?.refundedAmount).toBe(0);
  });

  it('when a refund of lines does not add up to amount, then errorCode 8 and nothing is refunded', async () => {
    const orderId = await paid();
    const res = await refund(orderId, '40000', lines(line(delivery(), 1, 50000)));
    expect(res.body.errorCode).toBe(8);
    expect(sb.engine.get(orderId)?.refundedAmount).toBe(0);
  });

  it('when part of a hold was captured, then a refund may not go above the captured part of a line', async () => {
    const orderId = await held();
    await deposit(orderId, '50000', lines(line(mug(), 1, 50000)));
    const over = await refund(orderId, '50000', lines(line(delivery(), 1, 50000)));
    expect(over.body.errorCode).toBe(7);
    const twoMugs = await refund(orderId, '100000', lines(line(mug(), 2, 100000)));
    expect(twoMugs.body.errorCode).toBe(7);
    expect((await refund(orderId, '50000', lines(line(mug(), 1, 50000)))).body.errorCode).toBe(0);
  });

  it.each([
    ['an unknown positionId', () => ({ ...line(delivery(), 1, 50000), positionId: 3 })],
    ['another name', () => ({ ...line(delivery(), 1, 50000), name: 'Shipping' })],
    ['another itemCode', () => ({ ...line(delivery(), 1, 50000), itemCode: 'SHIP-2' })],
    ['another itemCurrency', () => ({ ...line(delivery(), 1, 50000), itemCurrency: '978' })],
    ['a 4-decimal quantity', () => line(delivery(), 0.0001, 50000)],
  ])('when a refund line has %s, then errorCode 8 and nothing is refunded', async (_what, refundLine) => {
    const orderId = await paid();
    const res = await refund(orderId, '50000', lines(refundLine()));
    expect(res.body.errorCode).toBe(8);
    expect(sb.engine.get(orderId)?.refundedAmount).toBe(0);
    expect(sb.engine.get(orderId)?.cart?.positions.every((p) => p.refunded.amount === 0)).toBe(true);
  });

  it('when a refund line is refused in Russian, then its message is Russian', async () => {
    const orderId = await paid();
    const res = await sb.call('refund', {
      ...CREDS,
      orderId,
      amount: '40000',
      language: 'ru',
      refundItems: lines(line(delivery(), 1, 50000)),
    });
    expect(res.body).toEqual({
      errorCode: 8,
      errorMessage: 'Сумма товарных позиций в Корзине не совпадает с суммой операции',
    });
  });

  it('when refundItems is not JSON, then errorCode 5 naming the field', async () => {
    const orderId = await paid();
    const res = await refund(orderId, '50000', 'nope');
    expect(res.body).toEqual({
      errorCode: 5,
      errorMessage: 'Wrong request format: the cart is not JSON [refundItems]',
    });
  });

  it('when the order has no cart, then a partial refund without lines works as before', async () => {
    const { orderId } = await sb.register();
    payDirect(sb, orderId);
    expect((await refund(orderId, '1000')).body.errorCode).toBe(0);
    expect(sb.engine.get(orderId)?.refunds[0]).not.toHaveProperty('items');
  });
});

describe('the cart kept on disk', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sandbox-cart-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('when the SQLite store is reopened, then the cart, its captures and refunds and taxSystem are still there', async () => {
    const store = new SqliteOrderStore(dir);
    const sb = makeSandbox({ store });
    const { orderId } = await sb.register({ orderBundle: bundle(), taxSystem: '2' }, 'registerPreAuth');
    payDirect(sb, orderId);
    const items = lines({
      positionId: 1,
      name: 'Mug',
      quantity: { value: 2, measure: '0' },
      itemAmount: 100000,
      itemCode: 'MUG-1',
    });
    expect(
      (await sb.call('deposit', { ...CREDS, orderId, amount: '100000', depositItems: items })).body.errorCode,
    ).toBe(0);
    const refundItems = lines({
      positionId: 1,
      name: 'Mug',
      quantity: { value: 1, measure: '0' },
      itemAmount: 50000,
      itemCode: 'MUG-1',
    });
    expect((await sb.call('refund', { ...CREDS, orderId, amount: '50000', refundItems })).body.errorCode).toBe(0);
    const before = structuredClone(sb.engine.get(orderId));
    sb.stop();
    store.close();

    const reopened = new SqliteOrderStore(dir);
    try {
      const order = reopened.get(orderId);
      expect(order?.taxSystem).toBe(2);
      expect(order?.cart).toEqual(before?.cart);
      expect(order?.cart?.positions[0]).toMatchObject({
        deposited: { quantity: 2000, amount: 100000 },
        refunded: { quantity: 1000, amount: 50000 },
      });
      expect(order?.cart?.refundsByItems).toBe(true);
    } finally {
      reopened.close();
    }
  });
});

describe('the hosted page of a cart order', () => {
  const sb = makeSandbox();
  const page = async (formUrl: string) => {
    const url = new URL(formUrl);
    const res = await request(sb.app).get(`${url.pathname}${url.search}`);
    expect(res.status).toBe(200);
    return res.text;
  };
  const rows = (html: string) =>
    [...html.matchAll(/<tr><td>(.*?)<\/td><td class="num">(.*?)<\/td><td class="num">(.*?)<\/td><\/tr>/g)].map((m) =>
      m.slice(1),
    );

  it('when the order has a cart, then the page lists each line with its quantity, measure and amount', async () => {
    const weighed = {
      ...delivery(),
      name: 'Tea <loose>',
      quantity: { value: 0.25, measure: '11' },
      itemPrice: 200000,
      itemAmount: 50000,
    };
    const { formUrl } = await sb.register({ orderBundle: bundle([mug(), weighed]) });
    const html = await page(formUrl);
    expect(html).toContain('<caption>Order lines</caption>');
    expect(rows(html)).toEqual([
      ['Mug', '2 pcs', '₽1,000.00'],
      ['Tea &lt;loose&gt;', '0.25 kg', '₽500.00'],
    ]);
  });

  it('when the page is Russian, then the lines are too', async () => {
    const free = { ...delivery(), quantity: { value: 1.5, measure: 'упак.' }, itemPrice: undefined };
    const { formUrl } = await sb.register({ language: 'ru', orderBundle: bundle([mug(), free]) });
    const html = await page(formUrl);
    expect(html).toContain('<caption>Состав заказа</caption>');
    expect(rows(html).map((r) => r.slice(0, 2))).toEqual([
      ['Mug', '2 шт.'],
      ['Delivery', '1,5 упак.'],
    ]);
  });

  it('when the order has no cart, then the page has no lines table', async () => {
    const { formUrl } = await sb.register();
    expect(await page(formUrl)).not.toContain('cart-lines');
  });
});

describe('the operations view of a cart order', () => {
  const sb = makeSandbox();

  it('when an operator opens a cart order, then it lists each line with what was captured and refunded, never the buyer', async () => {
    const { orderId } = await sb.register({ orderBundle: bundle(), taxSystem: '1' }, 'registerPreAuth');
    payDirect(sb, orderId);
    const mugLine = {
      positionId: 1,
      name: 'Mug',
      quantity: { value: 1, measure: '0' },
      itemAmount: 50000,
      itemCode: 'MUG-1',
    };
    await sb.call('deposit', { ...CREDS, orderId, amount: '50000', depositItems: lines(mugLine) });
    const res = await request(sb.app).get(`/sandbox/orders/${orderId}`).set(OPERATOR_AUTH);
    expect(res.status).toBe(200);
    expect(res.text).toContain('<h2>Cart (orderBundle)</h2>');
    expect(res.text).toContain('taxSystem: 1');
    expect(res.text).toContain('<td data-label="itemCode">MUG-1</td>');
    expect(res.text).toContain('<td data-label="Captured (quantity / amount)">1 / ₽500.00</td>');
    expect(res.text).toContain('<td data-label="Captured (quantity / amount)">0 / ₽0.00</td>');
    expect(res.text).not.toContain('buyer@example.com');
  });

  it('when the order has no cart, then the page has no cart section', async () => {
    const { orderId } = await sb.register();
    const res = await request(sb.app).get(`/sandbox/orders/${orderId}`).set(OPERATOR_AUTH);
    expect(res.text).not.toContain('Cart (orderBundle)');
  });
});
