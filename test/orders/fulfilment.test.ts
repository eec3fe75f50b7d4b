import { expect, it } from '@jest/globals';
import { describeLedgers } from '../helpers/ledgers.js';
import { orderInput } from '../helpers/orders-db.js';

const FORM = { gatewayOrderId: 'gw-1', formUrl: 'https://pay.example/payment_en.html?mdOrder=gw-1' };
const items = [
  { productId: 'mug', name: 'Mug', quantity: 2, unitAmount: 1250 },
  { productId: 'tote', name: 'Tote', quantity: 1, unitAmount: 900 },
];

describeLedgers('the fulfilment effect', (open) => {
  it('when an order is paid, then one fulfilments row is written and its units are counted as sold, once', async () => {
    const { ledger } = await open(() => 1_000);
    const { id } = await ledger.createOrder(orderInput({ items, amount: 3400 }));
    await ledger.markRegistered(id, FORM);
    expect(await ledger.fulfilment(id)).toBeUndefined();
    for (let i = 0; i < 3; i += 1) await ledger.applyGatewayStatus(id, { orderStatus: 2, actionCode: 0 });
    expect(await ledger.fulfilment(id)).toEqual({ at: 1_000, status: 'paid' });
    expect(await ledger.unitsSold('mug')).toBe(2);
    expect(await ledger.unitsSold('tote')).toBe(1);
    expect(await ledger.unitsSold('notebook')).toBe(0);
  });

  it('when a two-phase hold is later captured or refunded, then it is still fulfilled once, at the hold', async () => {
    const { ledger } = await open(() => 2_000);
    const { id } = await ledger.createOrder(orderInput({ items, amount: 3400, flow: 'two-phase' }));
    await ledger.markRegistered(id, FORM);
    await ledger.applyGatewayStatus(id, { orderStatus: 1, actionCode: 0 });
    await ledger.applyGatewayStatus(id, { orderStatus: 2, actionCode: 0 });
    await ledger.applyGatewayStatus(id, { orderStatus: 4, actionCode: 0 });
    expect(await ledger.fulfilment(id)).toEqual({ at: 2_000, status: 'authorized' });
    expect(await ledger.unitsSold('mug')).toBe(2);
  });

  it('when an order lists one product twice and another order sells it too, then units add up', async () => {
    const { ledger } = await open();
    const twice = [
      { productId: 'mug', name: 'Mug', quantity: 2, unitAmount: 1250 },
      { productId: 'mug', name: 'Mug', quantity: 3, unitAmount: 1250 },
    ];
    for (const gw of ['gw-1', 'gw-2']) {
      const { id } = await ledger.createOrder(orderInput({ items: twice, amount: 6250 }));
      await ledger.markRegistered(id, { ...FORM, gatewayOrderId: gw });
      await ledger.applyGatewayStatus(id, { orderStatus: 2, actionCode: 0 });
    }
    expect(await ledger.unitsSold('mug')).toBe(10);
  });

  it('when an order is declined or mismatched, then nothing is fulfilled', async () => {
    const { ledger } = await open();
    const declined = await ledger.createOrder(orderInput({ items, amount: 3400 }));
    await ledger.markRegistered(declined.id, FORM);
    await ledger.applyGatewayStatus(declined.id, { orderStatus: 6, actionCode: 116 });
    const mismatched = await ledger.createOrder(orderInput({ items, amount: 3400 }));
    await ledger.markRegistered(mismatched.id, { ...FORM, gatewayOrderId: 'gw-2' });
    await ledger.markMismatch(mismatched.id, { fields: ['amount'] });
    expect(await ledger.fulfilment(declined.id)).toBeUndefined();
    expect(await ledger.fulfilment(mismatched.id)).toBeUndefined();
    expect(await ledger.unitsSold('mug')).toBe(0);
  });
});

describeLedgers('the fulfilment effect across instances', (open) => {
  it('when two instances apply "paid" in turn, then one row and one count of units', async () => {
    const kit = await open();
    const a = kit.ledger;
    const b = await kit.another();
    const { id } = await a.createOrder(orderInput({ items, amount: 3400 }));
    await b.markRegistered(id, FORM);
    for (const l of [a, b, a, b]) await l.applyGatewayStatus(id, { orderStatus: 2, actionCode: 0 });
    expect((await b.fulfilment(id))?.status).toBe('paid');
    expect(await a.unitsSold('mug')).toBe(2);
  });

  it('when two instances apply "paid" to the same orders at the same moment, then each order is fulfilled exactly once', async () => {
    const kit = await open();
    const b = await kit.another();
    const ids: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const { id } = await kit.ledger.createOrder(orderInput({ items, amount: 3400 }));
      await kit.ledger.markRegistered(id, { ...FORM, gatewayOrderId: `gw-${id}` });
      ids.push(id);
    }
    const results = await Promise.all(
      ids.flatMap((id) =>
        [kit.ledger, b, kit.ledger, b].map((l) => l.applyGatewayStatus(id, { orderStatus: 2, actionCode: 0 })),
      ),
    );
    expect(
      results
        .filter((r) => r.fulfilled)
        .map((r) => r.order.id)
        .sort(),
    ).toEqual([...ids].sort());
    expect(await b.unitsSold('mug')).toBe(2 * ids.length);
    expect(await b.unitsSold('tote')).toBe(ids.length);
  });
});
