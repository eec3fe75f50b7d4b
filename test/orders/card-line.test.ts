import { expect, it } from '@jest/globals';
import { describeLedgers } from '../helpers/ledgers.js';
import { orderInput } from '../helpers/orders-db.js';

describeLedgers('the card line kept with the status', (open) => {
  async function registered() {
    const { ledger } = await open();
    const order = await ledger.createOrder(orderInput());
    await ledger.markRegistered(order.id, { gatewayOrderId: `gw-${order.id}`, formUrl: 'https://pay.example/p' });
    return { ledger, order };
  }

  it('when a status answer with a masked card and a payment way is applied, the order keeps both; a later answer without them keeps them', async () => {
    const { ledger, order } = await registered();
    expect(order.card).toEqual({ maskedPan: null, paymentWay: null });
    const paid = await ledger.applyGatewayStatus(order.id, {
      orderStatus: 2,
      actionCode: 0,
      amounts: { deposited: 2500 },
      card: { maskedPan: '411111**1111', paymentWay: 'CARD' },
    });
    expect(paid.order.card).toEqual({ maskedPan: '411111**1111', paymentWay: 'CARD' });
    await ledger.applyGatewayStatus(order.id, { orderStatus: 2, actionCode: 0, amounts: { deposited: 2500 } });
    expect((await ledger.get(order.id))?.card).toEqual({ maskedPan: '411111**1111', paymentWay: 'CARD' });
  });

  it('never keeps a number that is not masked, nor a malformed payment way', async () => {
    const { ledger, order } = await registered();
    const applied = await ledger.applyGatewayStatus(order.id, {
      orderStatus: 2,
      actionCode: 0,
      card: { maskedPan: '4111111111111111', paymentWay: 'CARD; DROP' },
    });
    expect(applied.order.card).toEqual({ maskedPan: null, paymentWay: null });
    expect(JSON.stringify(await ledger.get(order.id))).not.toContain('4111111111111111');
  });

  it('a stale answer that changes nothing does not write its card either', async () => {
    const { ledger, order } = await registered();
    await ledger.applyGatewayStatus(order.id, { orderStatus: 2, actionCode: 0, card: { maskedPan: '411111**1111' } });
    await ledger.applyGatewayStatus(order.id, {
      orderStatus: 4,
      actionCode: 0,
      amounts: { deposited: 2500, refunded: 2500 },
    });
    const stale = await ledger.applyGatewayStatus(order.id, {
      orderStatus: 5,
      actionCode: 0,
      card: { maskedPan: '555555**4444' },
    });
    expect(stale.changed).toBe(false);
    expect((await ledger.get(order.id))?.card.maskedPan).toBe('411111**1111');
  });
});
