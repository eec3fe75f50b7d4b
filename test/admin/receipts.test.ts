// An order's fiscal receipts in the back office: "Refresh receipts" asks getReceiptStatus.do, keeps what changed as
// 'receipt' events, and the order's page shows each receipt's status in words (en/ru) with its link.
import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { GatewayReply, HandlerContext } from '../helpers/misbehaving-gateway.js';
import { replies } from '../helpers/misbehaving-gateway.js';
import { text } from '../helpers/render-view.js';
import { buy, scriptedShopPerTest, shopPath, type TestShop } from '../helpers/shop.js';
import { ADMIN_PASSWORD, confirmAction, login } from './helpers.js';

const UUID = 'c0a80101-0000-4000-8000-000000000001';
const receipt = (receiptStatus: number, extra: Record<string, unknown> = {}) => ({
  receiptStatus,
  uuid: UUID,
  receipt_datetime: Date.UTC(2026, 11, 7, 23, 50),
  amount_total: '25.00',
  fiscal_document_number: 88,
  ...extra,
});

/** Orders are paid as soon as asked about; receipts answer `answers` in turn (the last one repeats). */
function gatewayWith(answers: GatewayReply[]) {
  return {
    getOrderStatusExtended: async (form: Record<string, string>, ctx: HandlerContext): Promise<GatewayReply> => {
      const reply = await ctx.healthy(form);
      const body = reply.body as Record<string, unknown>;
      if (body.orderStatus === undefined) return reply;
      const amounts = { approvedAmount: body.amount, depositedAmount: body.amount, refundedAmount: 0 };
      return { body: { ...body, orderStatus: 2, actionCode: 0, paymentAmountInfo: amounts } };
    },
    getReceiptStatus: (_form: Record<string, string>, ctx: HandlerContext) =>
      answers[Math.min(ctx.count, answers.length) - 1]!,
  };
}

async function paidOrder(shop: TestShop) {
  const buyer = request.agent(shop.app);
  const bought = await buy(buyer, 'coffee-beans', 2);
  const mdOrder = new URL(bought.headers.location!).searchParams.get('mdOrder')!;
  await buyer.get(`${shopPath(`${shop.config.publicBaseUrl}/checkout/return`)}?orderId=${mdOrder}`).expect(200);
  const order = shop.ledger.findByGatewayOrderId(mdOrder)!;
  expect(order.status).toBe('paid');
  return order;
}

const receiptEvents = (shop: TestShop, id: number) => shop.ledger.events(id).filter((e) => e.kind === 'receipt');

describe('fiscal receipts in the back office', () => {
  const start = scriptedShopPerTest();

  it('shows none until asked, then each receipt as the gateway tells it, keeping only what changed', async () => {
    const body = (r: unknown[]) => replies.json({ errorCode: '0', orderNumber: 'x', receipt: r });
    const { gateway, shop } = await start(
      gatewayWith([
        body([receipt(0)]),
        body([receipt(1, { ofd_receipt_url: 'https://ofd.example/r/1' })]),
        body([receipt(1, { ofd_receipt_url: 'https://ofd.example/r/1' }), receipt(3, { uuid: 'refund-1' })]),
      ]),
      { env: { ADMIN_PASSWORD } },
    );
    const order = await paidOrder(shop);
    const admin = request.agent(shop.app);
    expect((await login(admin)).status).toBe(303);

    const before = await admin.get(`/admin/orders/${order.id}?lang=en`).expect(200);
    expect(text(before.text)).toContain('Fiscal receipts No receipt known yet.');
    expect(before.text).toContain(`href="/admin/orders/${order.id}/receipts"`);

    const confirm = await admin.get(`/admin/orders/${order.id}/receipts?lang=en`).expect(200);
    expect(text(confirm.text)).toContain('Asks the gateway for this order’s fiscal receipts');
    const done = await confirmAction(admin, order.id, 'receipts');
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe(`/admin/orders/${order.id}?done=receipts`);
    expect(gateway.callsTo('getReceiptStatus')[0]?.form).toMatchObject({ orderId: order.gatewayOrderId });
    const sent = await admin.get(`${done.headers.location}&lang=en`).expect(200);
    expect(text(sent.text)).toContain('Receipts refreshed from the gateway.');
    expect(text(sent.text)).toContain('Payment receipt sent 25.00 2026-12-07 23:50:00 —');

    await confirmAction(admin, order.id, 'receipts').then((r) => expect(r.status).toBe(303));
    const delivered = await admin.get(`/admin/orders/${order.id}?lang=en`).expect(200);
    expect(text(delivered.text)).toContain('Payment receipt delivered');
    expect(delivered.text).toContain(
      '<a href="https://ofd.example/r/1" rel="noopener noreferrer">Open the receipt</a>',
    );
    expect(text(delivered.text)).not.toContain('Payment receipt sent');

    await confirmAction(admin, order.id, 'receipts').then((r) => expect(r.status).toBe(303));
    await confirmAction(admin, order.id, 'receipts').then((r) => expect(r.status).toBe(303));
    // sent, delivered, then the refund's receipt once: the unchanged ones wrote nothing more.
    expect(receiptEvents(shop, order.id).map((e) => e.detail?.receiptStatus)).toEqual([0, 1, 3]);
    const ru = await admin.get(`/admin/orders/${order.id}?lang=ru`).expect(200);
    expect(text(ru.text)).toContain('Чек оплаты доставлен');
    expect(text(ru.text)).toContain('Чек возврата отправлен');
  });

  it('a failed receipt reads as failed; a gateway that cannot tell leaves the receipts as they were (502)', async () => {
    const { shop } = await start(
      gatewayWith([
        replies.json({ errorCode: 0, receipt: [receipt(2), receipt(9, { uuid: 'odd' })] }),
        replies.rejected(7, 'System error'),
      ]),
      { env: { ADMIN_PASSWORD } },
    );
    const order = await paidOrder(shop);
    const admin = request.agent(shop.app);
    expect((await login(admin)).status).toBe(303);
    await confirmAction(admin, order.id, 'receipts').then((r) => expect(r.status).toBe(303));
    const failed = await admin.get(`/admin/orders/${order.id}?lang=en`).expect(200);
    expect(text(failed.text)).toContain('Payment receipt failed');
    expect(text(failed.text)).toContain('Receipt status 9');

    const refused = await confirmAction(admin, order.id, 'receipts');
    expect(refused.status).toBe(502);
    expect(text(refused.text)).toContain('The gateway did not tell the receipts (GATEWAY_REJECTED).');
    expect(receiptEvents(shop, order.id)).toHaveLength(2);
  });

  it('an order never paid has no receipts to ask for: no action, and the form is refused (409)', async () => {
    const { gateway, shop } = await start({}, { env: { ADMIN_PASSWORD } });
    const buyer = request.agent(shop.app);
    const bought = await buy(buyer, 'notebook', 1);
    const order = shop.ledger.findByGatewayOrderId(new URL(bought.headers.location!).searchParams.get('mdOrder')!)!;
    const admin = request.agent(shop.app);
    expect((await login(admin)).status).toBe(303);
    const page = await admin.get(`/admin/orders/${order.id}?lang=en`).expect(200);
    expect(page.text).not.toContain(`/admin/orders/${order.id}/receipts`);
    expect(text(page.text)).not.toContain('Fiscal receipts');
    await admin.get(`/admin/orders/${order.id}/receipts`).expect(409);
    expect(gateway.callsTo('getReceiptStatus')).toHaveLength(0);
  });
});
