// The gateway registered an order but its answer never reached the shop (a reset after the work was done): the order
// is register_unknown and has no gateway id. A callback about it names the gateway's id, which the shop doesn't know
// yet, and the shop's own orderNumber: the receiver finds the order by that number, and settling it asks the gateway
// by number and adopts the gateway's id.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { Order } from '../../src/orders/types.js';
import { replies, startMisbehavingGateway, type MisbehavingGateway } from '../helpers/misbehaving-gateway.js';
import { notebookOrder } from '../helpers/orders-db.js';
import { buy, startShop, type TestShop } from '../helpers/shop.js';
import { signCallback } from '../helpers/callback-signature.js';

const KEY = 'Lost-Answer-Callback-Key-7c2d';

const signed = (params: Record<string, string>) => signCallback(params, KEY);

async function until<T>(read: () => T | undefined, ms = 10_000): Promise<T | undefined> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = read();
    if (value !== undefined || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('a callback for an order whose register answer was lost', () => {
  let gateway: MisbehavingGateway;
  let shop: TestShop;
  /** The gateway's id of each order it registered, by orderNumber. */
  const registered = new Map<string, string>();

  beforeAll(async () => {
    gateway = await startMisbehavingGateway({
      register: async (form, ctx) => {
        const reply = await ctx.healthy(form);
        registered.set(form.orderNumber!, (reply.body as { orderId: string }).orderId);
        return replies.reset();
      },
      // The buyer paid on the hosted page.
      getOrderStatusExtended: async (form, ctx) => {
        const reply = await ctx.healthy(form);
        const body = reply.body as Record<string, unknown>;
        if (body.errorCode !== '0') return reply;
        const amount = body.amount as number;
        return {
          body: {
            ...body,
            orderStatus: 2,
            actionCode: 0,
            paymentAmountInfo: {
              paymentState: 'DEPOSITED',
              approvedAmount: amount,
              depositedAmount: amount,
              refundedAmount: 0,
            },
          },
        };
      },
    });
    shop = await startShop({ gatewayUrl: gateway.baseUrl, env: { GATEWAY_CALLBACK_KEY: KEY } });
  });
  afterAll(async () => {
    await shop?.close();
    await gateway?.close();
  });

  it('is found by its orderNumber: answered 200, the gateway id adopted, the order paid and fulfilled once', async () => {
    const bought = await buy(request.agent(shop.app), 'notebook', 1);
    expect(bought.status).toBeGreaterThanOrEqual(500);
    const order = shop.ledger.listRecent(1)[0]!;
    expect(order).toMatchObject({ status: 'register_unknown', gatewayOrderId: null });
    const gatewayOrderId = registered.get(order.orderNumber)!;
    expect(gatewayOrderId).toBeDefined();

    const res = await request(shop.app)
      .get('/payment/callback')
      .query(signed({ mdOrder: gatewayOrderId, orderNumber: order.orderNumber, operation: 'deposited', status: '1' }));
    expect(res.status).toBe(200);

    const paid = await until<Order>(() => {
      const now = shop.ledger.get(order.id)!;
      return now.status === 'paid' ? now : undefined;
    });
    expect(paid).toMatchObject({ status: 'paid', gatewayOrderId });
    expect(shop.fulfilled).toEqual([order.id]);
    expect(shop.ledger.events(order.id)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'callback', outcome: 'received' }),
        expect.objectContaining({ kind: 'register', outcome: 'adopted', detail: { gatewayOrderId } }),
      ]),
    );
    expect(shop.logs.join('\n')).not.toContain('callback for an unknown order');
  });

  it('a callback naming an orderNumber whose order already has another gateway id stays unknown', async () => {
    const other = shop.ledger.listRecent(1)[0]!;
    expect(other.gatewayOrderId).not.toBeNull();
    const before = shop.ledger.events(other.id).length;
    await request(shop.app)
      .get('/payment/callback')
      .query(
        signed({ mdOrder: 'someone-elses-order', orderNumber: other.orderNumber, operation: 'deposited', status: '1' }),
      )
      .expect(200);
    expect(shop.ledger.events(other.id)).toHaveLength(before);
    expect(shop.logs.join('\n')).toContain('callback for an unknown order');
  });

  it('a callback naming the orderNumber of an order whose register.do is still running leaves that order alone', async () => {
    const pending = shop.ledger.createOrder(notebookOrder());
    expect(pending).toMatchObject({ status: 'new', gatewayOrderId: null });
    const calls = gateway.callsTo('getOrderStatusExtended').length;
    await request(shop.app)
      .get('/payment/callback')
      .query(
        signed({ mdOrder: 'not-yet-known', orderNumber: pending.orderNumber, operation: 'deposited', status: '1' }),
      )
      .expect(200);
    // It is not taken for that order: asked by number now, a gateway that has not created it yet would have it closed
    // as never registered.
    const refused = shop.logs.find((l) => l.includes('callback for an unknown order') && l.includes('not-yet-known'));
    expect(refused).toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(gateway.callsTo('getOrderStatusExtended')).toHaveLength(calls);
    expect(shop.ledger.get(pending.id)).toMatchObject({ status: 'new', gatewayOrderId: null });
  });
});
