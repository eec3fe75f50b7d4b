// When the gateway fails, the buyer gets a clear page (never a stack trace), is told they were not charged, and the
// order row records what happened. The gateway password never reaches the log.
import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { replies, type Behaviour, type GatewayReply } from '../helpers/misbehaving-gateway.js';
import { buy, scriptedShopPerTest, type TestShop } from '../helpers/shop.js';

const CANARY = 'canary-password-7f3a9c';
// Every test runs with a canary password, and checks afterwards that the log never contains it.
const start = scriptedShopPerTest({ beforeClose: (shop) => expect(shop.logs.join('')).not.toContain(CANARY) });
const startWith = (behaviour: Behaviour) => start(behaviour, { password: CANARY, env: timeoutsFor(behaviour) });

/** A method scripted to stall gets a short timeout (the config allows 100 ms); the others keep generous ones. */
function timeoutsFor(behaviour: Behaviour): Record<string, string> {
  const stalls = (method: string) => (behaviour[method] as GatewayReply | undefined)?.hang === true;
  return {
    ...(stalls('register') && { GATEWAY_TIMEOUT_MS: '200' }),
    ...(stalls('getOrderStatusExtended') && { GATEWAY_STATUS_TIMEOUT_MS: '200' }),
  };
}

function orderOf(s: TestShop) {
  const [order] = s.ledger.listRecent(1);
  if (!order) throw new Error('no order was written');
  return order;
}

describe('when register.do fails', () => {
  const cases: Array<[string, number, string, GatewayReply]> = [
    ['times out', 503, 'register_unknown', replies.hang()],
    ['resets the connection', 503, 'register_unknown', replies.reset()],
    // a 5xx may come from a proxy after the gateway got the request: the outcome is unknown
    ['answers HTTP 500', 503, 'register_unknown', replies.http(500)],
    ['answers HTTP 502', 503, 'register_unknown', replies.http(502)],
    ['answers HTTP 429', 503, 'register_failed', replies.http(429)],
    ['answers malformed JSON', 502, 'register_unknown', replies.malformedJson()],
    ['answers errorCode 5', 502, 'register_failed', replies.rejected('5', 'Access denied')],
    ['answers an orderId without a formUrl', 502, 'register_unknown', replies.json({ orderId: 'x' })],
  ];

  it.each(cases)(
    'and the gateway %s, shows a %i page saying the buyer was not charged',
    async (_name, status, recorded, reply) => {
      const { gateway, shop: s } = await startWith({ register: reply });
      const res = await buy(request.agent(s.app), 'coffee-beans', 1);
      expect(res.status).toBe(status);
      expect(res.headers.location).toBeUndefined();
      expect(res.text).toMatch(/not been charged/i);
      expect(res.text).toMatch(/[0-9A-F]{12}/); // the reference id
      expect(res.text).not.toMatch(/at .*\.(js|ts):\d+|Error:|node_modules/);
      expect(res.text).not.toContain('href="/buy'); // language links lead somewhere a GET works
      const order = orderOf(s);
      expect(order.status).toBe(recorded);
      expect(s.ledger.events(order.id).some((e) => e.kind === 'register_error')).toBe(true);
      expect(gateway.callsTo('register')).toHaveLength(1); // never blindly retried
    },
  );

  it('and it says the order number was already used, asks for that order by number instead of registering again', async () => {
    const { gateway, shop: s } = await startWith({ register: replies.rejected('1', 'Order number is duplicated') });
    const res = await buy(request.agent(s.app), 'coffee-beans', 1);
    expect(res.status).toBe(502);
    expect(gateway.callsTo('register')).toHaveLength(1);
    const [statusCall] = gateway.callsTo('getOrderStatusExtended');
    expect(statusCall!.form.orderNumber).toBe(orderOf(s).orderNumber);
    expect(orderOf(s).status).toBe('register_unknown');
  });

  it('and the buyer presses Buy again later, a new order with a new number is registered', async () => {
    const { gateway, shop: s } = await startWith({ register: replies.http(503) });
    const agent = request.agent(s.app);
    await buy(agent, 'coffee-beans', 1).then((r) => expect(r.status).toBe(503));
    await buy(agent, 'coffee-beans', 1).then((r) => expect(r.status).toBe(503));
    const numbers = gateway.callsTo('register').map((c) => c.form.orderNumber);
    expect(numbers).toHaveLength(2);
    expect(new Set(numbers).size).toBe(2);
  });
});

describe('when getOrderStatusExtended.do fails on the return', () => {
  it.each([
    ['times out', replies.hang()],
    ['answers HTTP 500', replies.http(500)],
    ['answers malformed JSON', replies.malformedJson()],
  ])('and the gateway %s, shows "confirming your payment", never "failed"', async (_name, reply) => {
    const { shop } = await startWith({ getOrderStatusExtended: reply });
    const agent = request.agent(shop.app);
    const bought = await buy(agent, 'coffee-beans', 1);
    const orderId = new URL(bought.headers.location!).searchParams.get('mdOrder')!;
    const res = await agent.get(`/checkout/return?orderId=${orderId}&lang=en`);
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/confirming your payment/i);
    expect(res.text).not.toMatch(/failed/i);
    expect(res.headers['cache-control']).toBe('no-store');
    const order = shop.ledger.findByGatewayOrderId(orderId)!;
    expect(order.status).toBe('registered');
    expect(shop.ledger.events(order.id).some((e) => e.kind === 'status' && e.outcome === 'error')).toBe(true);
  });
});
