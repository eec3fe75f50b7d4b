import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { replies } from '../helpers/misbehaving-gateway.js';
import { scriptedShopPerTest, type TestShop } from '../helpers/shop.js';
import { ADMIN_PASSWORD, confirmAction, login } from './helpers.js';

/** A paid one-phase order of €9.90 in the shop's ledger, known to the gateway as `gw-1`. */
function paidInLedger(shop: TestShop) {
  const items = [{ productId: 'notebook', name: 'Notebook', quantity: 1, unitAmount: 990 }];
  const order = shop.ledger.createOrder({ items, amount: 990, currency: '978', flow: 'one-phase', language: 'en' });
  shop.ledger.markRegistered(order.id, { gatewayOrderId: 'gw-1', formUrl: 'http://127.0.0.1:9/pay' });
  return shop.ledger.applyGatewayStatus(order.id, { orderStatus: 2, actionCode: 0, amounts: { deposited: 990 } }).order;
}

describe('back-office actions when the gateway misbehaves', () => {
  const start = scriptedShopPerTest();

  it('when refund.do times out, says the outcome is unknown and to refresh later; the ledger keeps its amounts', async () => {
    // A short timeout for the stalled refund: the test is about the answer, not about waiting 1.5 s for it.
    const { shop, gateway } = await start(
      { refund: replies.hang() },
      { env: { ADMIN_PASSWORD, GATEWAY_TIMEOUT_MS: '200' } },
    );
    const order = paidInLedger(shop);
    const admin = request.agent(shop.app);
    await login(admin);
    const res = await confirmAction(admin, order.id, 'refund', '9.90');
    expect(res.status).toBe(503);
    expect(res.text).toContain('the outcome is unknown');
    expect(res.text).toContain('refresh the order from the gateway in a minute');
    expect(res.text).not.toMatch(/at .*\.(js|ts):\d+/);
    expect(gateway.callsTo('refund')).toHaveLength(1);
    expect(shop.ledger.get(order.id)).toMatchObject({ status: 'paid', refundedAmount: 0 });
    const last = shop.ledger.events(order.id).at(-1);
    expect(last).toMatchObject({ kind: 'admin', outcome: 'refund', detail: { answer: 'unknown' } });
  });
});
