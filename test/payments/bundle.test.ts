// The order's cart for the fiscal receipt (src/payments/bundle.ts) and what the shop sends with every register.
import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { OrderBundle } from '../../src/gateway/index.js';
import {
  chosenItems,
  fiscalSettings,
  gatewayDateTime,
  movedItems,
  orderBundle,
  spreadAmount,
} from '../../src/payments/bundle.js';
import type { OrderItem } from '../../src/orders/types.js';
import { createCatalog, DEFAULT_PRODUCTS } from '../../src/shop/catalog.js';
import { buy, scriptedShopPerTest } from '../helpers/shop.js';

const items: OrderItem[] = [
  { productId: 'coffee-beans', name: 'Coffee beans, 250 g', quantity: 3, unitAmount: 1250 },
  { productId: 'notebook', name: 'Dotted notebook', quantity: 1, unitAmount: 990 },
];
const order = { items, amount: 3 * 1250 + 990, createdAt: Date.UTC(2026, 11, 7, 23, 30, 5) };
const catalog = createCatalog();
const fiscal = (id: string) => catalog.get(id)?.fiscal;

describe('the cart of an order', () => {
  it("has one position per item, numbered from 1, priced from the order and taxed from the catalog's settings", () => {
    const bundle = orderBundle(order, fiscal, 'buyer@example.com');
    expect(bundle).toEqual({
      orderCreationDate: '2026-12-08T02:30:05', // the gateway's Moscow time
      customerDetails: { email: 'buyer@example.com' },
      cartItems: {
        items: [
          {
            positionId: 1,
            name: 'Coffee beans, 250 g',
            quantity: { value: 3, measure: '0' },
            itemPrice: 1250,
            itemAmount: 3750,
            itemCode: 'coffee-beans',
            tax: { taxType: 2 },
            itemAttributes: {
              attributes: [
                { name: 'paymentMethod', value: '1' },
                { name: 'paymentObject', value: '1' },
              ],
            },
          },
          expect.objectContaining({ positionId: 2, itemAmount: 990, itemCode: 'notebook', tax: { taxType: 6 } }),
        ],
      },
    });
    const sum = bundle.cartItems.items.reduce((s, i) => s + i.itemAmount, 0);
    expect(sum).toBe(order.amount);
  });

  it('has no customerDetails without an email, and a product no longer in the catalog gets the defaults', () => {
    const gone = { ...order, items: [{ ...items[1]!, productId: 'old-thing' }], amount: 990 };
    const bundle = orderBundle(gone, fiscal);
    expect(bundle).not.toHaveProperty('customerDetails');
    expect(bundle.cartItems.items[0]).toMatchObject({ itemCode: 'old-thing', tax: { taxType: 0 } });
  });

  it('refuses to build a cart that does not add up to the amount (a bug, never sent)', () => {
    expect(() => orderBundle({ ...order, amount: order.amount + 1 }, fiscal)).toThrow(/adds up to 4740, not/);
  });

  it('chosen lines: the registered positions with the chosen quantity and its amount, nothing else', () => {
    expect(chosenItems(order, fiscal, [{ positionId: 1, quantity: 2 }])).toEqual([
      expect.objectContaining({ positionId: 1, itemCode: 'coffee-beans', quantity: { value: 2, measure: '0' } }),
    ]);
    expect(chosenItems(order, fiscal, [{ positionId: 1, quantity: 2 }])[0]).toMatchObject({
      itemPrice: 1250,
      itemAmount: 2500,
    });
    for (const bad of [
      [{ positionId: 3, quantity: 1 }],
      [{ positionId: 0, quantity: 1 }],
      [{ positionId: 1, quantity: 4 }],
      [{ positionId: 1, quantity: 0 }],
      [{ positionId: 1, quantity: 1.5 }],
      [
        { positionId: 2, quantity: 1 },
        { positionId: 2, quantity: 1 },
      ],
    ])
      expect(() => chosenItems(order, fiscal, bad)).toThrow(RangeError);
  });

  it('an amount spread over the lines: first line first, within what is left of each, a part of a unit as 3 decimals', () => {
    expect(spreadAmount(order, 4000, [3750, 990])).toEqual([
      { positionId: 1, quantity: 3, amount: 3750 },
      { positionId: 2, quantity: 0.252, amount: 250 },
    ]);
    expect(spreadAmount(order, 500, [0, 990])).toEqual([{ positionId: 2, quantity: 0.505, amount: 500 }]);
    // A tiny part is still above 0 units.
    expect(spreadAmount(order, 1, [3750, 990])).toEqual([{ positionId: 1, quantity: 0.001, amount: 1 }]);
    expect(() => spreadAmount(order, 1000, [500, 490])).toThrow(RangeError);
    const items = movedItems(order, fiscal, spreadAmount(order, 4000, [3750, 990]));
    expect(items[0]).toMatchObject({ itemPrice: 1250, itemAmount: 3750, quantity: { value: 3, measure: '0' } });
    expect(items[1]).toMatchObject({ itemCode: 'notebook', itemAmount: 250, quantity: { value: 0.252, measure: '0' } });
    expect(items[1]).not.toHaveProperty('itemPrice');
  });

  it('the defaults are decided in one place: the id as itemCode, goods paid in full, pieces, no VAT', () => {
    expect(fiscalSettings('mug')).toEqual({
      itemCode: 'mug',
      taxType: 0,
      paymentObject: 1,
      paymentMethod: 1,
      measure: '0',
    });
    expect(fiscalSettings('mug', { taxType: 6, measure: 'шт' })).toMatchObject({ itemCode: 'mug', taxType: 6 });
    expect(gatewayDateTime(0)).toBe('1970-01-01T03:00:00');
  });
});

describe("the catalog's fiscal settings", () => {
  const product = DEFAULT_PRODUCTS[0]!;

  it('every default product has them filled in, the tax rate its own', () => {
    for (const p of createCatalog().list()) {
      expect(p.fiscal).toEqual(expect.objectContaining({ itemCode: p.id, paymentMethod: 1, paymentObject: 1 }));
    }
    expect(createCatalog().get('coffee-beans')?.fiscal?.taxType).toBe(2);
    expect(createCatalog().get('t-shirt')?.fiscal?.taxType).toBe(6);
  });

  it.each([
    [{ taxType: 3 }, /taxType must be one of/],
    [{ taxType: 6.5 }, /taxType/],
    [{ itemCode: '' }, /itemCode must be 1..100/],
    [{ itemCode: 'x'.repeat(101) }, /itemCode/],
    [{ paymentObject: 19 }, /paymentObject/],
    [{ paymentMethod: 8 }, /paymentMethod/],
    [{ measure: '' }, /measure/],
  ])('refuses %j at start, naming the product', (fiscalOver, problem) => {
    expect(() => createCatalog([{ ...product, fiscal: { ...product.fiscal, ...fiscalOver } }])).toThrow(problem);
    expect(() => createCatalog([{ ...product, fiscal: { ...product.fiscal, ...fiscalOver } }])).toThrow(
      /Product coffee-beans/,
    );
  });
});

describe('every register carries the cart', () => {
  const start = scriptedShopPerTest();

  it('a Buy sends orderBundle (the catalog line, adding up to amount) and TAX_SYSTEM as taxSystem', async () => {
    const { gateway, shop } = await start({}, { env: { TAX_SYSTEM: '1' } });
    expect((await buy(request.agent(shop.app), 'coffee-beans', 3)).status).toBe(303);
    const [reg] = gateway.callsTo('register');
    expect(reg?.form).toMatchObject({ amount: '3750', taxSystem: '1' });
    const bundle = JSON.parse(reg!.form.orderBundle!) as OrderBundle;
    expect(bundle.cartItems.items).toEqual([
      expect.objectContaining({
        positionId: 1,
        itemCode: 'coffee-beans',
        quantity: { value: 3, measure: '0' },
        itemPrice: 1250,
        itemAmount: 3750,
        tax: { taxType: 2 },
      }),
    ]);
    expect(bundle.orderCreationDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
  });

  it('without TAX_SYSTEM no taxSystem is sent; the cart still is', async () => {
    const { gateway, shop } = await start();
    expect((await buy(request.agent(shop.app), 'notebook', 1)).status).toBe(303);
    const [reg] = gateway.callsTo('register');
    expect(reg?.form).not.toHaveProperty('taxSystem');
    expect(reg?.form.orderBundle).toContain('"itemCode":"notebook"');
  });

  it("the receipt's email goes to the gateway in the cart only, never to the log or the ledger", async () => {
    const { gateway, shop } = await start();
    const email = 'receipt.canary@example.com';
    const o = shop.ledger.createOrder({
      items: [items[1]!],
      amount: 990,
      currency: '978',
      flow: 'one-phase',
      language: 'en',
    });
    const r = await shop.payments.register(o, { language: 'en', heading: 'Order', referenceId: 'REF', email });
    expect(r.ok).toBe(true);
    const bundle = JSON.parse(gateway.callsTo('register')[0]!.form.orderBundle!) as OrderBundle;
    expect(bundle.customerDetails).toEqual({ email });
    expect(shop.logs.join('\n')).not.toContain('receipt.canary');
    expect(JSON.stringify([shop.ledger.get(o.id), shop.ledger.events(o.id)])).not.toContain('receipt.canary');
  });
});
