// The order description the gateway shows the buyer on its payment page names what they are paying for.
import { afterAll, beforeAll, describe as group, expect, it } from '@jest/globals';
import request from 'supertest';
import { describe } from '../../src/payments/register.js';
import { buy, startShop, type TestShop } from '../helpers/shop.js';

const line = (name: string, quantity: number) => ({ productId: 'p', name, quantity, unitAmount: 100 });

group('the order description', () => {
  let shop: TestShop;
  beforeAll(async () => {
    shop = await startShop();
  });
  afterAll(() => shop.close());

  it('the payment page shows the order number and each item with its quantity', async () => {
    const bought = await buy(request.agent(shop.app), 'notebook', 2);
    const formUrl = new URL(bought.headers.location!);
    const page = await request(shop.sandbox!.sandbox.app).get(`${formUrl.pathname}${formUrl.search}`).expect(200);
    const order = shop.ledger.listRecent(1)[0]!;
    expect(page.text).toContain(`Order ${order.orderNumber}: 2 × Dotted notebook`);
  });

  it('stays within the gateway limit of 598 characters and keeps out the characters it refuses', () => {
    const long = describe({ items: Array.from({ length: 100 }, (_, i) => line(`Item number ${i}`, 1)) }, 'Order A-1');
    expect(long.length).toBe(598);
    expect(long.endsWith('…')).toBe(true);
    expect(describe({ items: [line('50% off+\nnew [sandbox:decline]', 3)] }, 'Order A-2')).toBe(
      'Order A-2: 3 × 50  off  new  sandbox:decline ',
    );
  });
});
