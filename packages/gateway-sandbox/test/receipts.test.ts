import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, describe, expect, it } from '@jest/globals';
import { createSandboxTestClient, startSandbox } from '../src/index.js';
import { isFiscalOrder, receiptAnswer, ReceiptIssuer } from '../src/receipts.js';
import { SqliteOrderStore } from '../src/store-sqlite.js';
import { FISCAL_AMOUNT, FISCAL_BUNDLE } from './helpers/fiscal-cart.js';
import {
  CREDS,
  makeSandbox,
  nextNumber,
  OPERATOR_AUTH,
  OPERATOR_TOKEN,
  payDirect,
  type TestSandbox,
} from './helpers/sandbox-app.js';

const DELAY = 60_000;

interface ReceiptBody {
  errorCode?: string;
  errorMessage?: string;
  orderId?: string;
  orderNumber?: string;
  receipt?: Record<string, unknown>[];
}

const receiptsOf = async (sb: TestSandbox, params: Record<string, string>) => {
  const res = await sb.call('getReceiptStatus', { ...CREDS, ...params });
  expect(res.status).toBe(200);
  return res.body as ReceiptBody;
};
const fiscalOrder = (sb: TestSandbox, params: Record<string, string> = {}, method = 'register') =>
  sb.register({ orderBundle: FISCAL_BUNDLE, ...params }, method);

describe('fiscal receipts: issued on payment, capture and refund', () => {
  it('when a cart order is paid, then a sale receipt is sent, and delivered with its fiscal data after the delay', async () => {
    const sb = makeSandbox();
    const { orderId } = await fiscalOrder(sb);
    expect((await receiptsOf(sb, { orderId })).receipt).toEqual([]);
    expect(payDirect(sb, orderId).kind).toBe('approved');

    const sent = await receiptsOf(sb, { orderId });
    expect(sent).toMatchObject({ errorCode: '0', orderId });
    expect(sent.receipt).toHaveLength(1);
    const [first] = sent.receipt ?? [];
    expect(first).toEqual({
      receiptStatus: 0,
      uuid: expect.stringMatching(/^[0-9a-f-]{36}$/),
      amount_total: '1500.00',
      ofd_receipt_url: '',
    });

    sb.clock.advance(DELAY - 1);
    expect((await receiptsOf(sb, { orderId })).receipt?.[0]?.receiptStatus).toBe(0);
    sb.clock.advance(1);
    const [delivered] = (await receiptsOf(sb, { orderId })).receipt ?? [];
    expect(delivered).toMatchObject({
      receiptStatus: 1,
      uuid: first?.uuid,
      amount_total: '1500.00',
      shift_number: expect.any(Number),
      fiscal_receipt_number: expect.any(Number),
      receipt_datetime: sb.clock.now(),
      fn_number: expect.stringMatching(/^\d{16}$/),
      ecr_registration_number: expect.stringMatching(/^\d{16}$/),
      fiscal_document_number: expect.any(Number),
      fiscal_document_attribute: expect.stringMatching(/^\d{10}$/),
      ofd_receipt_url: `http://gateway.test/sandbox/receipts/${String(first?.uuid)}`,
      OFD: { inn: expect.any(String), name: expect.any(String), website: 'gateway.test' },
    });
  });

  it('when an order has no cart, then it gets no receipt', async () => {
    const sb = makeSandbox();
    const { orderId } = await sb.register();
    payDirect(sb, orderId);
    expect(await receiptsOf(sb, { orderId })).toMatchObject({ errorCode: '0', orderId, receipt: [] });
    expect(sb.engine.get(orderId)?.receipts).toBeUndefined();
  });

  it('when a cart hold is captured and refunded, then a sale and a refund receipt follow', async () => {
    const sb = makeSandbox();
    const { orderId } = await fiscalOrder(sb, {}, 'registerPreAuth');
    payDirect(sb, orderId);
    // The hold is no sale yet.
    expect((await receiptsOf(sb, { orderId })).receipt).toEqual([]);
    const deposit = await sb.call('deposit', { ...CREDS, orderId, amount: '0' });
    expect(deposit.body.errorCode).toBe(0);
    const refund = await sb.call('refund', {
      ...CREDS,
      orderId,
      amount: String(FISCAL_AMOUNT),
      externalRefundId: 'r-1',
    });
    expect(refund.body.errorCode).toBe(0);
    // The same refund again is the same refund: no second receipt.
    await sb.call('refund', { ...CREDS, orderId, amount: String(FISCAL_AMOUNT), externalRefundId: 'r-1' });

    const sent = (await receiptsOf(sb, { orderId })).receipt ?? [];
    expect(sent.map((r) => [r.receiptStatus, r.amount_total])).toEqual([
      [0, '1500.00'],
      [3, '1500.00'],
    ]);
    sb.clock.advance(DELAY);
    const settled = (await receiptsOf(sb, { orderId })).receipt ?? [];
    expect(settled.map((r) => r.receiptStatus)).toEqual([1, 4]);
  });

  it('when a cart hold is reversed or a payment declined, then no receipt is issued', async () => {
    const sb = makeSandbox();
    const held = await fiscalOrder(sb, {}, 'registerPreAuth');
    payDirect(sb, held.orderId);
    await sb.call('reverse', { ...CREDS, orderId: held.orderId });
    const declined = await fiscalOrder(sb);
    payDirect(sb, declined.orderId, '2202205000060910');
    expect((await receiptsOf(sb, { orderId: held.orderId })).receipt).toEqual([]);
    expect((await receiptsOf(sb, { orderId: declined.orderId })).receipt).toEqual([]);
  });

  it('when a cart order is kept on disk, then its receipts survive a restart', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sandbox-receipts-'));
    try {
      const store = new SqliteOrderStore(dir);
      const sb = makeSandbox({ store });
      const { orderId } = await fiscalOrder(sb);
      payDirect(sb, orderId);
      store.close();
      const again = new SqliteOrderStore(dir);
      try {
        const order = again.get(orderId);
        expect(order && isFiscalOrder(order)).toBe(true);
        expect(order?.receipts).toHaveLength(1);
      } finally {
        again.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('getReceiptStatus.do: addressing and errors', () => {
  const sb = makeSandbox({
    merchants: [
      { login: 'demo-shop', ...CREDS, allowTwoPhase: true },
      { login: 'other', userName: 'other-api', password: 'other-pw', allowTwoPhase: true },
    ],
  });
  const paidWithRefund = async () => {
    const orderNumber = nextNumber();
    const { orderId } = await fiscalOrder(sb, { orderNumber });
    payDirect(sb, orderId);
    await sb.call('refund', { ...CREDS, orderId, amount: String(FISCAL_AMOUNT) });
    const receipts = (await receiptsOf(sb, { orderId })).receipt ?? [];
    return { orderId, orderNumber, uuids: receipts.map((r) => String(r.uuid)) };
  };

  it('when asked by orderNumber, by uuid, or by uuid and orderId, then it answers the documented receipts', async () => {
    const { orderId, orderNumber, uuids } = await paidWithRefund();
    expect(uuids).toHaveLength(2);
    const byNumber = await receiptsOf(sb, { orderNumber });
    expect(byNumber).toMatchObject({ errorCode: '0', orderId, orderNumber });
    expect(byNumber.receipt?.map((r) => r.uuid)).toEqual(uuids);
    // Only uuid: that receipt.
    const byUuid = await receiptsOf(sb, { uuid: uuids[1] ?? '' });
    expect(byUuid).toMatchObject({ errorCode: '0', orderId, orderNumber });
    expect(byUuid.receipt?.map((r) => [r.uuid, r.receiptStatus])).toEqual([[uuids[1], 3]]);
    // uuid and orderId: every receipt of the order.
    const both = await receiptsOf(sb, { uuid: uuids[1] ?? '', orderId });
    expect(both.receipt?.map((r) => r.uuid)).toEqual(uuids);
  });

  it('when no identifier is given, then it answers the documented error, in the language asked', async () => {
    expect(await receiptsOf(sb, {})).toEqual({
      errorCode: '1',
      errorMessage: 'Expected at least one of: orderId, orderNumber, uuid.',
    });
    expect((await receiptsOf(sb, { language: 'ru' })).errorMessage).toBe(
      'Ожидается хотя бы один из параметров: orderId, orderNumber, uuid.',
    );
  });

  it("when the order or receipt is unknown, another merchant's, or the uuid too long, then it is refused", async () => {
    const { orderId, uuids } = await paidWithRefund();
    const other = { userName: 'other-api', password: 'other-pw' };
    const asOther = async (params: Record<string, string>) =>
      (await sb.call('getReceiptStatus', { ...other, ...params })).body as ReceiptBody;
    expect(await asOther({ orderId })).toMatchObject({ errorCode: '6' });
    expect(await asOther({ uuid: uuids[0] ?? '' })).toEqual({ errorCode: '6', errorMessage: 'Receipt not found' });
    expect(await receiptsOf(sb, { uuid: '00000000-0000-4000-8000-000000000000' })).toMatchObject({ errorCode: '6' });
    expect(await receiptsOf(sb, { orderId: '00000000-0000-4000-8000-000000000000' })).toMatchObject({
      errorCode: '6',
    });
    expect(await receiptsOf(sb, { uuid: 'x'.repeat(37) })).toMatchObject({ errorCode: '5' });
    const wrongPassword = await sb.call('getReceiptStatus', { userName: CREDS.userName, password: 'nope', orderId });
    expect(wrongPassword.body).toMatchObject({ errorCode: '5' });
    expect(wrongPassword.body).not.toHaveProperty('receipt');
  });
});

describe('failed receipts: a magic value and a fault switch', () => {
  it('when the description says [sandbox:receipt=fail], then its sale ends in 2 and its refund in 5', async () => {
    const sb = makeSandbox();
    const { orderId } = await fiscalOrder(sb, { description: 'Boots [sandbox:receipt=fail]' });
    payDirect(sb, orderId);
    await sb.call('refund', { ...CREDS, orderId, amount: String(FISCAL_AMOUNT) });
    expect(((await receiptsOf(sb, { orderId })).receipt ?? []).map((r) => r.receiptStatus)).toEqual([0, 3]);
    sb.clock.advance(DELAY);
    const failed = (await receiptsOf(sb, { orderId })).receipt ?? [];
    expect(failed.map((r) => [r.receiptStatus, r.ofd_receipt_url])).toEqual([
      [2, ''],
      [5, ''],
    ]);
    expect(failed[0]).not.toHaveProperty('fn_number');
  });

  it("when the merchant's switch is set for one receipt, then the next receipt fails and the one after is delivered", async () => {
    const sb = makeSandbox();
    const put = await request(sb.app)
      .put('/sandbox/control/merchants/demo-shop/faults')
      .set(OPERATOR_AUTH)
      .send({ failReceipts: true, remaining: 1 });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ faults: { failReceipts: true, remaining: 1 } });
    // An order without a cart gets no receipt and so uses nothing of the switch.
    const plain = await sb.register();
    payDirect(sb, plain.orderId);
    expect(sb.faults.get('demo-shop')).toMatchObject({ failReceipts: true, remaining: 1 });

    const { orderId } = await fiscalOrder(sb);
    payDirect(sb, orderId);
    expect(sb.faults.get('demo-shop')).toBeUndefined();
    await sb.call('refund', { ...CREDS, orderId, amount: String(FISCAL_AMOUNT) });
    sb.clock.advance(DELAY);
    expect(((await receiptsOf(sb, { orderId })).receipt ?? []).map((r) => r.receiptStatus)).toEqual([2, 4]);
  });

  it('when the control page saves "Fiscal receipts fail", then the switch is on', async () => {
    const sb = makeSandbox();
    const page = await request(sb.app).get('/sandbox/control').set(OPERATOR_AUTH);
    const formKey = /name="formKey" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    expect(page.text).toContain('Fiscal receipts fail');
    const saved = await request(sb.app)
      .post('/sandbox/control')
      .set(OPERATOR_AUTH)
      .type('form')
      .send({ formKey, login: 'demo-shop', action: 'save', failReceipts: 'on' });
    expect(saved.status).toBe(200);
    expect(sb.faults.get('demo-shop')).toEqual({ failReceipts: true });
  });
});

describe('the receipt link page', () => {
  const sb = makeSandbox({ receiptDelayMs: 0 });
  afterAll(() => sb.stop());

  it('when a delivered receipt link is opened, then it shows the receipt, in English or Russian', async () => {
    const orderNumber = nextNumber();
    const { orderId } = await fiscalOrder(sb, { orderNumber });
    payDirect(sb, orderId);
    const [receipt] = (await receiptsOf(sb, { orderId })).receipt ?? [];
    expect(receipt?.receiptStatus).toBe(1);
    const url = new URL(String(receipt?.ofd_receipt_url));
    const en = await request(sb.app).get(url.pathname);
    expect(en.status).toBe(200);
    expect(en.type).toBe('text/html');
    expect(en.text).toContain('Receipt (simulated)');
    expect(en.text).toContain(orderNumber);
    expect(en.text).toContain('Sale');
    expect(en.text).toContain(String(receipt?.fn_number));
    const ru = await request(sb.app).get(url.pathname).query({ lang: 'ru' });
    expect(ru.text).toContain('Кассовый чек (имитация)');
    expect(ru.text).toContain('Приход');
  });

  it('when an unknown receipt link is opened, then it answers 404 with a page', async () => {
    const res = await request(sb.app).get('/sandbox/receipts/00000000-0000-4000-8000-000000000000');
    expect(res.status).toBe(404);
    expect(res.text).toContain('Receipt not found');
  });
});

describe('the receipt issuer on its own', () => {
  it("when a refund of part of a fiscal order is reported, then its receipt is for that part, in the currency's units", async () => {
    const sb = makeSandbox();
    const issuer = new ReceiptIssuer({ store: sb.store, clock: sb.clock, delayMs: 0, fails: () => false });
    const merchant = sb.merchants[0]!;
    for (const [currency, amount, total] of [
      ['643', 12_345, '123.45'],
      ['392', 12_345, '12345'],
    ] as const) {
      const { orderId } = await fiscalOrder(sb, { currency });
      const order = sb.engine.get(orderId)!;
      // Reported straight to this issuer: the sandbox's own one hears nothing (no operation really happened).
      issuer.handle({ merchant, order, operation: 'refunded', status: 1, amount });
      issuer.handle({ merchant, order, operation: 'refunded', status: 0, amount });
      issuer.handle({ merchant, order, operation: 'reversed', status: 1, amount });
      issuer.handle({ merchant, order, operation: 'approved', status: 1, amount });
      expect(order.receipts).toHaveLength(1);
      const [receipt] = order.receipts ?? [];
      expect(receipt).toMatchObject({ kind: 'refund', amount, fails: false });
      expect(receiptAnswer(order, receipt!, sb.clock.now(), 'http://gateway.test')).toMatchObject({
        receiptStatus: 4,
        amount_total: total,
      });
    }
    // An order without a cart: nothing, whatever is reported.
    const plain = await sb.register();
    issuer.handle({ merchant, order: sb.engine.get(plain.orderId)!, operation: 'deposited', status: 1, amount: 1 });
    expect(sb.engine.get(plain.orderId)?.receipts).toBeUndefined();
  });
});

describe('the receipts test helper and the typed client', () => {
  it("when the client asks for an order's receipts with settle, then they are delivered at once, and 404 for an unknown order", async () => {
    const sb = await startSandbox({ port: 0, testHelpers: true, operatorToken: OPERATOR_TOKEN, callbacks: false });
    try {
      const helpers = createSandboxTestClient({ baseUrl: sb.url, operatorToken: OPERATOR_TOKEN });
      const registered = await fetch(`${sb.gatewayUrl}register.do`, {
        method: 'POST',
        body: new URLSearchParams({
          ...CREDS,
          orderNumber: nextNumber(),
          amount: String(FISCAL_AMOUNT),
          returnUrl: 'https://shop.test/r',
          orderBundle: FISCAL_BUNDLE,
        }),
      });
      const { orderId } = (await registered.json()) as { orderId: string };
      expect(await helpers.receipts(orderId)).toMatchObject({ mdOrder: orderId, receipt: [] });
      await helpers.pay(orderId);
      expect((await helpers.receipts(orderId)).receipt.map((r) => r.receiptStatus)).toEqual([0]);
      const settled = await helpers.receipts(orderId, { settle: true });
      expect(settled.receipt).toEqual([
        expect.objectContaining({
          receiptStatus: 1,
          ofd_receipt_url: expect.stringContaining(`${sb.url}/sandbox/receipts/`),
        }),
      ]);
      // The merchant's own call sees the same, from the order as saved.
      const status = await fetch(`${sb.gatewayUrl}getReceiptStatus.do`, {
        method: 'POST',
        body: new URLSearchParams({ ...CREDS, orderId }),
      });
      expect(((await status.json()) as ReceiptBody).receipt?.[0]?.receiptStatus).toBe(1);
      await expect(helpers.receipts('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ status: 404 });
      await expect(helpers.receipts(orderId, { bogus: true } as { settle?: boolean })).rejects.toMatchObject({
        status: 400,
      });
    } finally {
      await sb.close();
    }
  });
});

describe("the operator's order page", () => {
  it('when a cart order has receipts, then its page lists them with their status and link; an order without a cart shows none', async () => {
    const sb = makeSandbox();
    const { orderId } = await fiscalOrder(sb);
    const empty = await request(sb.app).get(`/sandbox/orders/${orderId}`).set(OPERATOR_AUTH);
    expect(empty.text).toContain('Fiscal receipts');
    expect(empty.text).toContain('None yet');
    payDirect(sb, orderId);
    const uuid = sb.engine.get(orderId)?.receipts?.[0]?.uuid ?? '';
    const sent = await request(sb.app).get(`/sandbox/orders/${orderId}`).set(OPERATOR_AUTH);
    expect(sent.text).toContain('0 sent');
    expect(sent.text).toContain(`href="/sandbox/receipts/${uuid}"`);
    sb.clock.advance(DELAY);
    expect((await request(sb.app).get(`/sandbox/orders/${orderId}`).set(OPERATOR_AUTH)).text).toContain('1 delivered');
    const plain = await sb.register();
    const page = await request(sb.app).get(`/sandbox/orders/${plain.orderId}`).set(OPERATOR_AUTH);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('Fiscal receipts');
  });
});
