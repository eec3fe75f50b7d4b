// The client's side of the cart (orderBundle, taxSystem, depositItems, refundItems) and of getReceiptStatus.do:
// what goes over the wire, read back by a fake gateway on loopback, and how the answers are read.
import { afterEach, describe, expect, it } from '@jest/globals';
import type { CartItem, GatewayExchange, OrderBundle } from '../../src/gateway/index.js';
import { makeClient, REGISTER } from '../helpers/gateway-client.js';
import { replies, startMisbehavingGateway, type MisbehavingGateway } from '../helpers/misbehaving-gateway.js';

let gw: MisbehavingGateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

const line = (positionId: number, itemPrice: number, value: number, over: Partial<CartItem> = {}): CartItem => ({
  positionId,
  name: `Line ${positionId}`,
  quantity: { value, measure: '0' },
  itemPrice,
  itemAmount: itemPrice * value,
  itemCode: `code-${positionId}`,
  tax: { taxType: 6 },
  itemAttributes: {
    attributes: [
      { name: 'paymentMethod', value: '1' },
      { name: 'paymentObject', value: '1' },
    ],
  },
  ...over,
});

const EMAIL = 'buyer.canary@example.com';
/** 2 × 5000 + 1 × 2345 = REGISTER.amount (12 345). */
const BUNDLE: OrderBundle = {
  orderCreationDate: '2026-12-08T02:00:00',
  customerDetails: { email: EMAIL },
  cartItems: { items: [line(1, 5000, 2), line(2, 2345, 1)] },
};

describe('register with a cart', () => {
  it('sends orderBundle as one JSON string field and taxSystem as a number, beside the usual fields', async () => {
    gw = await startMisbehavingGateway();
    const { client } = makeClient(gw.baseUrl);
    await client.register({ ...REGISTER, orderBundle: BUNDLE, taxSystem: 1 });
    const [req] = gw.callsTo('register');
    expect(req?.form).toMatchObject({ orderNumber: 'ORD-1-1', amount: '12345', taxSystem: '1' });
    expect(JSON.parse(req!.form.orderBundle!)).toEqual(BUNDLE);
  });

  it('sends neither without them (and taxSystem 0 is sent, not dropped)', async () => {
    gw = await startMisbehavingGateway();
    const { client } = makeClient(gw.baseUrl);
    await client.register(REGISTER);
    await client.registerPreAuth({ ...REGISTER, orderNumber: 'ORD-1-2', taxSystem: 0 });
    const [plain, zero] = gw.requests;
    expect(plain?.form).not.toHaveProperty('orderBundle');
    expect(plain?.form).not.toHaveProperty('taxSystem');
    expect(zero?.form.taxSystem).toBe('0');
  });

  it.each([
    ['lines that do not add up to the amount', { ...BUNDLE, cartItems: { items: [line(1, 5000, 2)] } }, 1],
    ['a line whose amount is not price × quantity', { cartItems: { items: [line(1, 12345, 1, { itemPrice: 1 })] } }, 1],
    ['a repeated position', { cartItems: { items: [line(1, 5000, 2), line(1, 2345, 1)] } }, 1],
    ['a fractional amount', { cartItems: { items: [line(1, 12345.5, 1)] } }, 1],
    ['no lines at all', { cartItems: { items: [] } }, 1],
    ['a tax system out of 0..5', BUNDLE, 6],
  ])('refuses %s with a TypeError, before any request', async (_what, orderBundle, taxSystem) => {
    gw = await startMisbehavingGateway();
    const { client } = makeClient(gw.baseUrl);
    await expect(client.register({ ...REGISTER, orderBundle, taxSystem })).rejects.toThrow(TypeError);
    expect(gw.requests).toHaveLength(0);
  });

  it("keeps the buyer's email out of the exchange dump, in the form and in the echoed answer", async () => {
    gw = await startMisbehavingGateway({
      register: (form, ctx) =>
        replies.json({ orderId: 'x-1', formUrl: `${ctx.origin}/pay?mdOrder=x-1`, echo: { email: form.email } }),
    });
    const { client } = makeClient(gw.baseUrl);
    const seen: GatewayExchange[] = [];
    client.onExchange((e) => seen.push(e));
    await client.register({ ...REGISTER, email: EMAIL, orderBundle: BUNDLE });
    // The gateway did get it: the receipt goes there.
    expect(gw.requests[0]!.form.email).toBe(EMAIL);
    expect(gw.requests[0]!.form.orderBundle).toContain(EMAIL);
    const dump = JSON.stringify(seen);
    expect(dump).not.toContain('buyer.canary');
    const sent = JSON.parse(seen[0]!.request.orderBundle!) as OrderBundle;
    expect(sent.customerDetails).toEqual({ email: '[REDACTED]' });
    expect(sent.cartItems.items).toHaveLength(2);
  });
});

describe('deposit and refund of chosen lines', () => {
  it('send depositItems / refundItems as {"items": […]} adding up to the amount', async () => {
    gw = await startMisbehavingGateway({ deposit: replies.ok(), refund: replies.ok() });
    const { client } = makeClient(gw.baseUrl);
    const one = [line(1, 5000, 1)];
    await client.deposit({ orderId: 'o-1', amount: 5000, items: one });
    await client.refund({ orderId: 'o-1', amount: 5000, externalRefundId: 'r-1', items: one });
    await client.refund({ orderId: 'o-1', amount: 700 });
    const [deposit] = gw.callsTo('deposit');
    const [byLine, byAmount] = gw.callsTo('refund');
    expect(deposit?.form).toMatchObject({ orderId: 'o-1', amount: '5000' });
    expect(JSON.parse(deposit!.form.depositItems!)).toEqual({ items: one });
    expect(byLine?.form).toMatchObject({ orderId: 'o-1', amount: '5000', externalRefundId: 'r-1' });
    expect(JSON.parse(byLine!.form.refundItems!)).toEqual({ items: one });
    expect(byAmount?.form).not.toHaveProperty('refundItems');
  });

  it('send a part of a unit without itemPrice, and refuse a quantity of more than 3 decimals', async () => {
    gw = await startMisbehavingGateway({ refund: replies.ok() });
    const { client } = makeClient(gw.baseUrl);
    const { itemPrice: _price, ...part } = { ...line(2, 2345, 1), quantity: { value: 0.213, measure: '0' } };
    await client.refund({ orderId: 'o-1', amount: 500, items: [{ ...part, itemAmount: 500 }] });
    expect(JSON.parse(gw.requests[0]!.form.refundItems!)).toEqual({ items: [{ ...part, itemAmount: 500 }] });
    const tooFine = { ...part, quantity: { value: 0.2131, measure: '0' }, itemAmount: 500 };
    await expect(client.refund({ orderId: 'o-1', amount: 500, items: [tooFine] })).rejects.toThrow(TypeError);
    expect(gw.requests).toHaveLength(1);
  });

  it('refuse lines that do not add up to the amount, before any request', async () => {
    gw = await startMisbehavingGateway({ refund: replies.ok() });
    const { client } = makeClient(gw.baseUrl);
    await expect(client.refund({ orderId: 'o-1', amount: 4000, items: [line(1, 5000, 1)] })).rejects.toThrow(TypeError);
    expect(gw.requests).toHaveLength(0);
  });
});

describe('the cart echoed by getOrderStatusExtended', () => {
  const status = (orderBundle: unknown) => ({
    orderNumber: 'ORD-1-1',
    orderStatus: 2,
    actionCode: 0,
    amount: 12345,
    currency: '643',
    orderBundle,
  });

  it("is read (lines, captured amounts as either spelling), without the buyer's details", async () => {
    gw = await startMisbehavingGateway({
      getOrderStatusExtended: replies.json(
        status({
          customerDetails: { email: EMAIL },
          cartItems: {
            items: [
              { ...line(1, 5000, 2), depositedItemAmount: '10000' },
              { ...line(2, 2345, 1), quantity: { value: '1', measure: '0' }, depostedItemAmount: 0 },
            ],
          },
        }),
      ),
    });
    const st = await makeClient(gw.baseUrl).client.getOrderStatusExtended({ orderNumber: 'ORD-1-1' });
    expect(st.orderBundle).toEqual({
      cartItems: {
        items: [
          expect.objectContaining({ positionId: 1, quantity: { value: 2, measure: '0' }, depositedItemAmount: 10000 }),
          expect.objectContaining({ positionId: 2, quantity: { value: 1, measure: '0' }, depositedItemAmount: 0 }),
        ],
      },
    });
    expect(JSON.stringify(st)).not.toContain('buyer.canary');
  });

  it('is left out when it cannot be read, and the status still is', async () => {
    gw = await startMisbehavingGateway({ getOrderStatusExtended: replies.json(status({ cartItems: 'x' })) });
    const st = await makeClient(gw.baseUrl).client.getOrderStatusExtended({ orderNumber: 'ORD-1-1' });
    expect(st.orderStatus).toBe(2);
    expect(st).not.toHaveProperty('orderBundle');
  });
});

describe('getReceiptStatus', () => {
  const receipt = {
    receiptStatus: 1,
    uuid: 'c0a80101-0000-4000-8000-000000000001',
    shift_number: '12',
    fiscal_receipt_number: 7,
    receipt_datetime: 1748779300000,
    fn_number: '9999078900006364',
    fiscal_document_number: 88,
    fiscal_document_attribute: '3713381819',
    amount_total: '123.45',
    ofd_receipt_url: 'https://ofd.example/r/1',
    OFD: { inn: '7704211201', name: 'Test OFD', website: 'ofd.example' },
  };

  it('asks by order id (or uuid) and reads every receipt of the answer', async () => {
    gw = await startMisbehavingGateway({
      getReceiptStatus: (form) =>
        replies.json({ errorCode: '0', orderId: form.orderId, orderNumber: 'ORD-1-1', receipt: [receipt] }),
    });
    const { client } = makeClient(gw.baseUrl);
    const r = await client.getReceiptStatus({ orderId: 'o-1' });
    expect(gw.requests[0]!.form).toMatchObject({ orderId: 'o-1' });
    expect(r).toEqual({
      orderId: 'o-1',
      orderNumber: 'ORD-1-1',
      receipts: [
        {
          receiptStatus: 1,
          uuid: receipt.uuid,
          shiftNumber: 12,
          fiscalReceiptNumber: 7,
          receiptDatetime: 1748779300000,
          fnNumber: '9999078900006364',
          fiscalDocumentNumber: 88,
          fiscalDocumentAttribute: '3713381819',
          amountTotal: '123.45',
          ofdReceiptUrl: 'https://ofd.example/r/1',
          ofd: { inn: '7704211201', name: 'Test OFD', website: 'ofd.example' },
        },
      ],
    });
    await client.getReceiptStatus({ uuid: receipt.uuid });
    expect(gw.requests[1]!.form).toMatchObject({ uuid: receipt.uuid });
    expect(gw.requests[1]!.form).not.toHaveProperty('orderId');
  });

  it('reads one receipt object, the other date spelling, no receipts, and drops a link that is not http(s)', async () => {
    const answers = [
      { orderId: 'o-1', receipt: { receiptStatus: 3, receipt_date_time: '5', ofd_receipt_url: 'javascript:alert(1)' } },
      { orderId: 'o-1' },
    ];
    gw = await startMisbehavingGateway({ getReceiptStatus: (_f, ctx) => replies.json(answers[ctx.count - 1]) });
    const { client } = makeClient(gw.baseUrl);
    expect(await client.getReceiptStatus({ orderId: 'o-1' })).toEqual({
      orderId: 'o-1',
      receipts: [{ receiptStatus: 3, receiptDatetime: 5 }],
    });
    expect(await client.getReceiptStatus({ orderId: 'o-1' })).toEqual({ orderId: 'o-1', receipts: [] });
  });

  it("refuses an answer about another order, and a gateway's error is a rejection", async () => {
    gw = await startMisbehavingGateway({
      getReceiptStatus: (_f, ctx) =>
        ctx.count === 1
          ? replies.json({ orderId: 'someone-else', receipt: [] })
          : replies.rejected(1, 'Expected at least one of: orderId, orderNumber, uuid.'),
    });
    const { client } = makeClient(gw.baseUrl);
    await expect(client.getReceiptStatus({ orderId: 'o-1' })).rejects.toMatchObject({ code: 'GATEWAY_BAD_RESPONSE' });
    await expect(client.getReceiptStatus({ orderId: 'o-1' })).rejects.toMatchObject({
      code: 'GATEWAY_REJECTED',
      errorCode: 1,
    });
  });
});
