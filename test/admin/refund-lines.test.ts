// The back office's refund of chosen lines: the lines left of each, their own one-time form, refundItems built from
// the register's positions, never above what is left of a line or of the order, and a repeat answered once.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { CartItem, GatewayExchange } from '../../src/gateway/index.js';
import type { Order } from '../../src/orders/types.js';
import { payOnHostedPage } from '../../packages/gateway-sandbox/test/helpers/sandbox-buyer.js';
import { text } from '../helpers/render-view.js';
import type { TestShop } from '../helpers/shop.js';
import { confirmAction, login, startAdminShop } from './helpers.js';

/** A paid order of two lines: 2 × coffee beans (12.50) and 1 × notebook (9.90), 34.90 in all. */
async function paidCartOrder(shop: TestShop): Promise<Order> {
  const created = shop.ledger.createOrder({
    items: [
      { productId: 'coffee-beans', name: 'Coffee beans, 250 g', quantity: 2, unitAmount: 1250 },
      { productId: 'notebook', name: 'Dotted notebook', quantity: 1, unitAmount: 990 },
    ],
    amount: 3490,
    currency: shop.config.currency,
    flow: 'one-phase',
    language: 'en',
  });
  const registered = await shop.payments.register(created, { language: 'en', heading: 'Order', referenceId: 'T' });
  if (!registered.ok) throw new Error('register failed');
  await payOnHostedPage(registered.formUrl, { pan: '4111 1111 1111 1111' });
  const settled = await shop.payments.settle(registered.order, { source: 'reconciler' });
  expect(settled?.order.status).toBe('paid');
  return settled!.order;
}

/** The amount form's CSRF token with a lines form's fields, as a forged post would send them. */
async function linesFormOf(agent: request.Agent, orderId: number): Promise<Record<string, string>> {
  const page = await agent.get(`/admin/orders/${orderId}/refund`).expect(200);
  const intent = /name="intent" value="([^"]+)"/.exec(page.text)?.[1];
  const _csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1];
  return { _csrf: _csrf!, intent: intent!, by: 'lines' };
}

/** The lines form's fields on a refund confirm page: its CSRF and one-time tokens. */
async function linesForm(agent: request.Agent, orderId: number): Promise<Record<string, string>> {
  const page = await agent.get(`/admin/orders/${orderId}/refund`).expect(200);
  const form = /<input type="hidden" name="by" value="lines">/.exec(page.text);
  if (!form) throw new Error('no lines form on the page');
  const before = page.text.slice(0, form.index);
  const intent = [...before.matchAll(/name="intent" value="([^"]+)"/g)].at(-1)?.[1];
  const _csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1];
  return { _csrf: _csrf!, intent: intent!, by: 'lines' };
}

const refundLines = (agent: request.Agent, orderId: number, fields: Record<string, string>) =>
  agent.post(`/admin/orders/${orderId}/refund`).type('form').send(fields);

describe('a refund of chosen lines in the back office', () => {
  let shop: TestShop;
  let admin: request.Agent;
  const refunds: GatewayExchange[] = [];
  beforeAll(async () => {
    shop = await startAdminShop();
    shop.deps.gateway.onExchange((e) => {
      if (e.method === 'refund') refunds.push(e);
    });
    admin = request.agent(shop.app);
    await login(admin).then((r) => expect(r.status).toBe(303));
  });
  afterAll(() => shop.close());

  it('refunds exactly the chosen line: refundItems is its registered position, amount its own', async () => {
    const order = await paidCartOrder(shop);
    const page = await admin.get(`/admin/orders/${order.id}/refund?lang=en`).expect(200);
    expect(text(page.text)).toContain('Or refund chosen lines');
    expect(text(page.text)).toContain('Coffee beans, 250 g, €12.50 each: 2 of 2 left');
    expect(text(page.text)).toContain('Dotted notebook, €9.90 each: 1 of 1 left');
    const ru = await admin.get(`/admin/orders/${order.id}/refund?lang=ru`).expect(200);
    expect(text(ru.text)).toContain('Или вернуть выбранные позиции');

    const before = refunds.length;
    const form = await linesForm(admin, order.id);
    const done = await refundLines(admin, order.id, { ...form, line1: '0', line2: '1' });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe(`/admin/orders/${order.id}?done=refund`);
    expect(shop.ledger.get(order.id)).toMatchObject({ status: 'partially_refunded', refundedAmount: 990 });

    const sent = refunds.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.request.amount).toBe('990');
    const items = (JSON.parse(sent[0]!.request.refundItems!) as { items: CartItem[] }).items;
    expect(items).toEqual([
      expect.objectContaining({
        positionId: 2,
        name: 'Dotted notebook',
        itemCode: 'notebook',
        quantity: { value: 1, measure: '0' },
        itemPrice: 990,
        itemAmount: 990,
        tax: { taxType: 6 },
      }),
    ]);

    // The same form again: answered with its first outcome, nothing sent twice.
    const again = await refundLines(admin, order.id, { ...form, line1: '0', line2: '1' });
    expect(again.status).toBe(303);
    expect(refunds.length).toBe(before + 1);

    // What is left: the notebook is gone from the form, coffee still has 2.
    const after = await admin.get(`/admin/orders/${order.id}/refund?lang=en`).expect(200);
    expect(text(after.text)).toContain('Dotted notebook, €9.90 each: 0 of 1 left');
    expect(after.text).toMatch(/name="line2"[^>]* disabled/);
  });

  it('refuses a quantity above what is left of a line, no line at all, or garbage: 422, nothing sent', async () => {
    const order = await paidCartOrder(shop);
    const before = refunds.length;
    for (const [fields, message] of [
      [{ line1: '3' }, 'Each quantity must be a whole number from 0 to the units left of its line.'],
      [{ line1: '-1' }, 'Each quantity must be a whole number from 0 to the units left of its line.'],
      [{ line1: '1.5' }, 'Each quantity must be a whole number from 0 to the units left of its line.'],
      [{ line1: '0', line2: '0' }, 'Choose at least one unit of a line to refund.'],
      [{}, 'Choose at least one unit of a line to refund.'],
    ] as const) {
      const form = await linesForm(admin, order.id);
      const res = await refundLines(admin, order.id, { ...form, ...fields });
      expect(res.status).toBe(422);
      expect(text(res.text)).toContain(message);
      expect(res.text).toContain('id="lines-error"');
    }
    expect(refunds.length).toBe(before);
    expect(shop.ledger.get(order.id)?.refundedAmount).toBe(0);
  });

  it('a refund by amount that is not the whole order goes with its cart: the amount spread over the lines', async () => {
    const order = await paidCartOrder(shop);
    const before = refunds.length;
    await confirmAction(admin, order.id, 'refund', '30.00').then((r) => expect(r.status).toBe(303));
    expect(shop.ledger.get(order.id)?.refundedAmount).toBe(3000);
    const spread = (JSON.parse(refunds[before]!.request.refundItems!) as { items: Partial<CartItem>[] }).items;
    // The coffee in whole units (with its price); 5.00 of the notebook, a part of its one unit (without a price).
    expect(spread).toEqual([
      expect.objectContaining({
        positionId: 1,
        quantity: { value: 2, measure: '0' },
        itemPrice: 1250,
        itemAmount: 2500,
      }),
      expect.objectContaining({ positionId: 2, quantity: { value: 0.505, measure: '0' }, itemAmount: 500 }),
    ]);
    expect(spread[1]).not.toHaveProperty('itemPrice');

    // No whole unit is left of any line: no lines form; the rest goes by amount, with its cart again.
    const page = await admin.get(`/admin/orders/${order.id}/refund?lang=en`).expect(200);
    expect(text(page.text)).toContain('No whole unit of any line is left to refund.');
    expect(page.text).not.toContain('name="by" value="lines"');
    const forged = await refundLines(admin, order.id, { ...(await linesFormOf(admin, order.id)), line2: '1' });
    expect(forged.status).toBe(422);
    await confirmAction(admin, order.id, 'refund', '4.90').then((r) => expect(r.status).toBe(303));
    const rest = (JSON.parse(refunds[before + 1]!.request.refundItems!) as { items: Partial<CartItem>[] }).items;
    expect(rest).toEqual([expect.objectContaining({ positionId: 2, itemAmount: 490 })]);
    expect(shop.ledger.get(order.id)).toMatchObject({ status: 'refunded', refundedAmount: 3490 });
  });

  it('a refund of the whole order at once sends no cart (the gateway takes the whole without one)', async () => {
    const order = await paidCartOrder(shop);
    const before = refunds.length;
    await confirmAction(admin, order.id, 'refund', '34.90').then((r) => expect(r.status).toBe(303));
    expect(refunds[before]!.request).not.toHaveProperty('refundItems');
    expect(shop.ledger.get(order.id)).toMatchObject({ status: 'refunded', refundedAmount: 3490 });
  });

  it('when every line has been refunded, the page says so and offers no lines form', async () => {
    const order = await paidCartOrder(shop);
    const form = await linesForm(admin, order.id);
    await refundLines(admin, order.id, { ...form, line1: '2', line2: '1' }).then((r) => expect(r.status).toBe(303));
    expect(shop.ledger.get(order.id)).toMatchObject({ status: 'refunded', refundedAmount: 3490 });
    const page = await admin.get(`/admin/orders/${order.id}/refund?lang=en`);
    expect(page.text).not.toContain('name="by" value="lines"');
  });
});
