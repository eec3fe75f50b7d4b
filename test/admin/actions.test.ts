import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { TestShop } from '../helpers/shop.js';
import { confirmAction, login, paidOrder, startAdminShop } from './helpers.js';

const adminEvents = (shop: TestShop, id: number): Record<string, unknown>[] =>
  shop.ledger
    .events(id)
    .filter((e) => e.kind === 'admin')
    .map((e) => ({ outcome: e.outcome, ...e.detail }));

/** refund.do calls the shop's gateway client made (its onCall log lines). */
const refundCalls = (shop: TestShop) => shop.logs.filter((l) => l.includes('"method":"refund"')).length;

describe('back-office actions on a two-phase shop (real sandbox)', () => {
  let shop: TestShop;
  let admin: request.Agent;
  beforeAll(async () => {
    shop = await startAdminShop({ PAYMENT_FLOW: 'two-phase' });
    admin = request.agent(shop.app);
    await login(admin).then((r) => expect(r.status).toBe(303));
  });
  afterAll(() => shop.close());

  it('when a hold is captured in part and refunded in part twice, the ledger follows the gateway; an over-refund is refused without asking the gateway', async () => {
    // 2 × coffee beans = €25.00 held.
    const order = await paidOrder(shop, 'coffee-beans', 2);
    expect(order).toMatchObject({ status: 'authorized', amount: 2500, depositedAmount: 0 });
    expect(shop.fulfilled).toEqual([order.id]);

    const confirm = await admin.get(`/admin/orders/${order.id}/capture`).expect(200);
    expect(confirm.text).toContain('deposit.do');
    expect(confirm.text).toContain('value="25.00"');

    const captured = await confirmAction(admin, order.id, 'capture', '20,00');
    expect(captured.status).toBe(303);
    expect(captured.headers.location).toBe(`/admin/orders/${order.id}?done=capture`);
    expect(shop.ledger.get(order.id)).toMatchObject({ status: 'paid', depositedAmount: 2000, refundedAmount: 0 });

    await confirmAction(admin, order.id, 'refund', '5').then((r) => expect(r.status).toBe(303));
    expect(shop.ledger.get(order.id)).toMatchObject({ status: 'partially_refunded', refundedAmount: 500 });
    await confirmAction(admin, order.id, 'refund', '2.50').then((r) => expect(r.status).toBe(303));
    expect(shop.ledger.get(order.id)).toMatchObject({ status: 'partially_refunded', refundedAmount: 750 });

    const calls = refundCalls(shop);
    expect(calls).toBe(2);
    const over = await confirmAction(admin, order.id, 'refund', '12.51');
    expect(over.status).toBe(422);
    expect(over.text).toContain('At most 12.50 can be refunded.');
    expect(shop.ledger.get(order.id)).toMatchObject({ refundedAmount: 750 });
    expect(refundCalls(shop)).toBe(calls);

    const page = await admin.get(`/admin/orders/${order.id}`).expect(200);
    expect(page.text).toMatch(/data-amount="total">€25\.00/);
    expect(page.text).toMatch(/data-amount="deposited">€20\.00/);
    expect(page.text).toMatch(/data-amount="refunded">€7\.50/);
    expect(page.text).toContain('411111**1111');
    expect(page.text).toMatch(/Approval code<\/dt><dd class="mono">\d{6}</);
    expect(page.text).toContain('Coffee');
    expect(page.text).toContain('The bank approved the operation.');
    expect(page.text).toContain('Банк одобрил операцию.');
    expect(page.text).toMatch(/via admin · by admin/);

    // Each action is an intent, named in its events; a part of the order goes with the cart lines it moves.
    const intent = expect.stringMatching(/^[0-9a-f-]{36}$/);
    const lines = (quantity: number, amount: number) => [{ positionId: 1, quantity, amount }];
    expect(adminEvents(shop, order.id)).toEqual([
      { outcome: 'capture', actor: 'admin', amount: 2000, step: 'requested', intent },
      { outcome: 'capture', actor: 'admin', step: 'lines', intent, lines: lines(1.6, 2000) },
      { outcome: 'capture', actor: 'admin', amount: 2000, step: 'answered', answer: 'ok', intent },
      { outcome: 'refund', actor: 'admin', amount: 500, step: 'requested', intent },
      { outcome: 'refund', actor: 'admin', step: 'lines', intent, lines: lines(0.4, 500) },
      { outcome: 'refund', actor: 'admin', amount: 500, step: 'answered', answer: 'ok', intent },
      { outcome: 'refund', actor: 'admin', amount: 250, step: 'requested', intent },
      { outcome: 'refund', actor: 'admin', step: 'lines', intent, lines: lines(0.2, 250) },
      { outcome: 'refund', actor: 'admin', amount: 250, step: 'answered', answer: 'ok', intent },
    ]);
    // Fulfilment stays single: captures and refunds move amounts, never fulfil again.
    expect(shop.fulfilled.filter((id) => id === order.id)).toHaveLength(1);
    expect(shop.ledger.events(order.id).filter((e) => e.kind === 'fulfilled')).toHaveLength(1);
  });

  it('when a hold is voided, the order becomes reversed and nothing more can be done but refresh', async () => {
    const order = await paidOrder(shop, 'notebook', 1);
    expect(order.status).toBe('authorized');
    const confirm = await admin.get(`/admin/orders/${order.id}/void`).expect(200);
    expect(confirm.text).toContain('reverse.do');
    await confirmAction(admin, order.id, 'void').then((r) => expect(r.status).toBe(303));
    expect(shop.ledger.get(order.id)).toMatchObject({ status: 'reversed', depositedAmount: 0 });
    expect(adminEvents(shop, order.id).map((e): unknown[] => [e.outcome, e.step])).toEqual([
      ['void', 'requested'],
      ['void', 'answered'],
    ]);
    const again = await confirmAction(admin, order.id, 'void');
    expect(again.status).toBe(409);
    await admin.get(`/admin/orders/${order.id}/capture`).expect(409);
  });

  it('when the gateway refuses, the refusal shows with its errorCode and the ledger keeps its amounts', async () => {
    const order = await paidOrder(shop, 'notebook', 1);
    // Captured outside the shop: the ledger still says authorized, so the shop offers a capture the gateway refuses.
    await confirmAction(admin, order.id, 'void').then((r) => expect(r.status).toBe(303));
    shop.db.prepare("UPDATE orders SET status = 'authorized' WHERE id = ?").run(order.id);
    const refused = await confirmAction(admin, order.id, 'capture', '9.90');
    expect(refused.status).toBe(409);
    expect(refused.text).toMatch(/The gateway refused: .+ \(errorCode \d+\)\. Nothing changed\./);
    expect(refused.text).not.toMatch(/at .*\.(js|ts):\d+/);
    expect(adminEvents(shop, order.id).at(-1)).toMatchObject({ outcome: 'capture', answer: 'rejected' });
  });
});

describe('back-office actions on a one-phase shop', () => {
  let shop: TestShop;
  let admin: request.Agent;
  beforeAll(async () => {
    shop = await startAdminShop();
    admin = request.agent(shop.app);
    await login(admin);
  });
  afterAll(() => shop.close());

  it('capture on a one-phase (paid) order is refused and the gateway is not asked', async () => {
    const order = await paidOrder(shop, 'notebook', 1);
    expect(order).toMatchObject({ status: 'paid', depositedAmount: 990 });
    const page = await admin.get(`/admin/orders/${order.id}/capture`);
    expect(page.status).toBe(409);
    expect(page.text).toContain('only two-phase orders are captured');
    const posted = await confirmAction(admin, order.id, 'capture', '1.00');
    expect(posted.status).toBe(409);
    expect(adminEvents(shop, order.id)).toEqual([]);
    expect(shop.ledger.get(order.id)).toMatchObject({ status: 'paid', depositedAmount: 990 });
  });

  it('when two operators refund the whole amount at the same moment, one refund goes through and the other is refused', async () => {
    const order = await paidOrder(shop, 'notebook', 1);
    const [a, b] = await Promise.all([
      confirmAction(admin, order.id, 'refund', '9.90'),
      confirmAction(admin, order.id, 'refund', '9.90'),
    ]);
    expect([a.status, b.status].sort()).toEqual([303, 409]);
    expect(shop.ledger.get(order.id)).toMatchObject({ status: 'refunded', refundedAmount: 990 });
  });

  it('a full refund of a one-phase order makes it refunded; refresh records a status event by the operator', async () => {
    const order = await paidOrder(shop, 'notebook', 1);
    await confirmAction(admin, order.id, 'refund', '9.90').then((r) => expect(r.status).toBe(303));
    expect(shop.ledger.get(order.id)).toMatchObject({ status: 'refunded', refundedAmount: 990 });
    await confirmAction(admin, order.id, 'refresh').then((r) => expect(r.status).toBe(303));
    expect(adminEvents(shop, order.id).at(-1)).toEqual({ outcome: 'refresh', actor: 'admin', step: 'requested' });
    const last = shop.ledger
      .events(order.id)
      .filter((e) => e.kind === 'status')
      .at(-1);
    expect(last?.detail).toMatchObject({ cause: { source: 'admin', actor: 'admin' } });
  });

  it('pages the list 25 at a time, keeping the filters in the page links, and finds an order by its gateway id', async () => {
    const items = [{ productId: 'tote-bag', name: 'Tote bag', quantity: 1, unitAmount: 1200 }];
    const input = { items, amount: 1200, currency: '978', flow: 'one-phase' as const, language: 'en' };
    const made = Array.from({ length: 26 }, () => shop.ledger.createOrder(input));
    const first = await admin.get('/admin/orders?status=new').expect(200);
    expect(first.text).toContain('26 orders, page 1 of 2');
    expect(first.text.match(/<tr>\s*<td[^>]*><a href="\/admin\/orders\/\d+"/g)).toHaveLength(25);
    expect(first.text).toContain('href="/admin/orders?status=new&amp;page=2" rel="next"');
    expect(first.text).toContain(made.at(-1)!.orderNumber);
    const second = await admin.get('/admin/orders?status=new&page=2').expect(200);
    expect(second.text).toContain(made[0]!.orderNumber);
    expect(second.text).not.toContain(made.at(-1)!.orderNumber);

    const paid = await paidOrder(shop, 'tote-bag', 1);
    const found = await admin.get(`/admin/orders?q=${paid.gatewayOrderId!.slice(0, 12)}`).expect(200);
    expect(found.text).toContain(paid.orderNumber);
    expect(found.text).toContain('1 order');
  });

  it('lists orders with filters and pages, and shows one order', async () => {
    const order = await paidOrder(shop, 'ceramic-mug', 1);
    const all = await admin.get('/admin/orders').expect(200);
    expect(all.text).toContain(order.orderNumber);
    expect(all.text).toContain('€14.90');
    const byNumber = await admin.get(`/admin/orders?q=${encodeURIComponent(order.orderNumber)}`).expect(200);
    expect(byNumber.text).toContain('1 order');
    const none = await admin.get('/admin/orders?status=declined').expect(200);
    expect(none.text).not.toContain(order.orderNumber);
    expect(none.text).toContain('0 orders');
    await admin.get('/admin/orders/999999').expect(404);
    await admin.get(`/admin/orders/${order.id}/explode`).expect(404);
  });
});
