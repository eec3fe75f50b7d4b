import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { TestShop } from '../helpers/shop.js';
import { confirmAction, login, paidOrder, startAdminShop } from './helpers.js';

/** The labels of the times on an order's page ("Voided (UTC)" …), in page order. */
const timeLabels = (html: string): string[] =>
  [...html.matchAll(/<dt>([^<]*\(UTC\))<\/dt><dd data-time="/g)].map((m) => m[1] ?? '');

describe('an order’s page in the back office says what happened when (two-phase shop)', () => {
  let shop: TestShop;
  let admin: request.Agent;
  beforeAll(async () => {
    shop = await startAdminShop({ PAYMENT_FLOW: 'two-phase' });
    admin = request.agent(shop.app);
    await login(admin).then((r) => expect(r.status).toBe(303));
  });
  afterAll(() => shop.close());

  it('when a hold is voided, then the page shows when it was authorized and when voided, and never "Paid"', async () => {
    const order = await paidOrder(shop, 'notebook', 1);
    expect(order.paidAt).not.toBeNull();
    await confirmAction(admin, order.id, 'void').then((r) => expect(r.status).toBe(303));
    expect(shop.ledger.get(order.id)).toMatchObject({ status: 'reversed' });
    const page = await admin.get(`/admin/orders/${order.id}`).expect(200);
    expect(timeLabels(page.text)).toEqual(['Authorized (UTC)', 'Voided (UTC)']);
    expect(page.text).not.toContain('Paid (UTC)');
  });

  it('when the operator captures part of a hold, then the confirmation and the result say the rest of the hold is released', async () => {
    const order = await paidOrder(shop, 'coffee-beans', 2);
    const confirm = await admin.get(`/admin/orders/${order.id}/capture`).expect(200);
    expect(confirm.text).toContain(
      'Capturing less than the hold releases the rest of it on the buyer’s card at once: it cannot be captured later.',
    );
    const ru = await admin.get(`/admin/orders/${order.id}/capture?lang=ru`).expect(200);
    expect(ru.text).toContain('остаток сразу освобождается на карте покупателя');
    const done = await confirmAction(admin, order.id, 'capture', '20.00');
    expect(done.headers.location).toBe(`/admin/orders/${order.id}?done=capture`);
    const page = await admin.get(`${done.headers.location}&lang=en`).expect(200);
    expect(page.text).toContain(
      'The gateway accepted the capture. The rest of the hold, €5.00, is released on the buyer’s card.',
    );
  });

  it('when a hold is captured and then refunded in part, then the page shows authorized, captured and refunded times', async () => {
    const order = await paidOrder(shop, 'coffee-beans', 2);
    await confirmAction(admin, order.id, 'capture', '25.00').then((r) => expect(r.status).toBe(303));
    await confirmAction(admin, order.id, 'refund', '5').then((r) => expect(r.status).toBe(303));
    const page = await admin.get(`/admin/orders/${order.id}`).expect(200);
    expect(timeLabels(page.text)).toEqual(['Authorized (UTC)', 'Captured (UTC)', 'Refunded (UTC)']);
    expect(page.text).not.toContain('Paid (UTC)');
  });
});

describe('an order’s page in the back office (one-phase shop)', () => {
  let shop: TestShop;
  let admin: request.Agent;
  beforeAll(async () => {
    shop = await startAdminShop();
    admin = request.agent(shop.app);
    await login(admin).then((r) => expect(r.status).toBe(303));
  });
  afterAll(() => shop.close());

  it('when a payment is refunded in full, then the page shows when it was paid and when refunded', async () => {
    const order = await paidOrder(shop, 'notebook', 1);
    await confirmAction(admin, order.id, 'refund', String(order.amount / 100)).then((r) => expect(r.status).toBe(303));
    expect(shop.ledger.get(order.id)).toMatchObject({ status: 'refunded' });
    const page = await admin.get(`/admin/orders/${order.id}`).expect(200);
    expect(timeLabels(page.text)).toEqual(['Paid (UTC)', 'Refunded (UTC)']);
  });
});
