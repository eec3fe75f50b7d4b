// The shop's log tells an order's story in one info line per outcome: registered, paid (or held), declined. A
// gateway it can't reach is named by its address, never with credentials.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { freePort } from '../helpers/shop-process.js';
import { buy, sandboxHelpers, shopPath, startShop, type TestShop } from '../helpers/shop.js';

const VISA_OK = '4111 1111 1111 1111';
const NO_FUNDS = '2202 2050 0006 0910';

type Line = Record<string, unknown> & { msg: string; level: number };
const parsed = (shop: TestShop): Line[] => shop.logs.map((l) => JSON.parse(l) as Line);
const linesOf = (shop: TestShop, orderNumber: string, msg: string) =>
  parsed(shop).filter((l) => l.msg === msg && l.orderNumber === orderNumber);

async function payAndComeBack(shop: TestShop, pan: string) {
  const agent = request.agent(shop.app);
  const bought = await buy(agent, 'coffee-beans', 2);
  expect(bought.status).toBe(303);
  // The sandbox's test helper pays as the hosted page would (the page itself is tested in test/shop/checkout.test.ts).
  const mdOrder = new URL(bought.headers.location!).searchParams.get('mdOrder')!;
  const paid = await sandboxHelpers(shop).pay(mdOrder, { card: pan });
  const back = shopPath(paid.returnUrl!);
  // The buyer reloads the result page: the outcome is still logged once.
  await agent.get(back).expect(200);
  await agent.get(back).expect(200);
  return shop.ledger.findByGatewayOrderId(mdOrder)!;
}

describe('one info line per order outcome', () => {
  let shop: TestShop;
  beforeAll(async () => {
    shop = await startShop();
  });
  afterAll(() => shop.close());

  it('when an order is paid, logs "order registered" (number, amount) and "order paid" once each', async () => {
    const order = await payAndComeBack(shop, VISA_OK);
    expect(order.status).toBe('paid');
    const registered = linesOf(shop, order.orderNumber, 'order registered');
    expect(registered).toEqual([expect.objectContaining({ level: 30, amount: order.amount, currency: '978' })]);
    expect(linesOf(shop, order.orderNumber, 'order paid')).toEqual([
      expect.objectContaining({ level: 30, amount: order.amount, status: 'paid' }),
    ]);
    expect(linesOf(shop, order.orderNumber, 'order declined')).toEqual([]);
  });

  it('when an order is declined, logs "order declined" once, with the actionCode and its meaning', async () => {
    const order = await payAndComeBack(shop, NO_FUNDS);
    expect(order.status).toBe('declined');
    expect(linesOf(shop, order.orderNumber, 'order registered')).toHaveLength(1);
    expect(linesOf(shop, order.orderNumber, 'order declined')).toEqual([
      expect.objectContaining({ level: 30, actionCode: 116, meaning: expect.stringMatching(/insufficient funds/i) }),
    ]);
    expect(linesOf(shop, order.orderNumber, 'order paid')).toEqual([]);
  });
});

describe('a gateway the shop cannot reach', () => {
  it('is named in the log by its address (host:port), never with its credentials', async () => {
    const port = await freePort(); // nothing listens there: connection refused
    const shop = await startShop({ gatewayUrl: `http://127.0.0.1:${port}/payment/rest/`, password: 'canary-pw-31337' });
    try {
      const agent = request.agent(shop.app);
      const bought = await buy(agent, 'coffee-beans', 1);
      expect(bought.status).toBeGreaterThanOrEqual(500);
      const failed = parsed(shop).filter((l) => l.msg === 'register failed');
      expect(failed).toEqual([
        expect.objectContaining({ gateway: `http://127.0.0.1:${port}`, code: 'GATEWAY_NETWORK' }),
      ]);
      expect(shop.logs.join('\n')).not.toContain('canary-pw-31337');
    } finally {
      await shop.close();
    }
  });
});
