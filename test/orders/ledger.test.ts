import { it, expect } from '@jest/globals';
import {
  DuplicatePurchaseError,
  InvalidOrderError,
  InvalidTransitionError,
  OrderNotFoundError,
} from '../../src/orders/errors.js';
import { ORDER_NUMBER_PATTERN } from '../../src/orders/order-number.js';
import { describeLedgers, type AsyncLedger } from '../helpers/ledgers.js';
import { orderInput } from '../helpers/orders-db.js';

const FORM = { gatewayOrderId: 'gw-1', formUrl: 'https://pay.example/payment_en.html?mdOrder=gw-1' };

describeLedgers('createOrder', (open) => {
  it('when an order is created, then it is new with a server-generated orderNumber and a created event', async () => {
    const { ledger } = await open(() => Date.UTC(2026, 2, 1, 12));
    const o = await ledger.createOrder(orderInput());
    expect(o).toMatchObject({
      status: 'new',
      amount: 2500,
      currency: '978',
      flow: 'one-phase',
      language: 'en',
      gatewayOrderId: null,
      paidAt: null,
    });
    expect(o.orderNumber).toMatch(/^260301-1-[0-9A-Z]{8}$/);
    expect(await ledger.get(o.id)).toEqual(o);
    expect(await ledger.events(o.id)).toEqual([expect.objectContaining({ kind: 'created', outcome: 'ok' })]);
  });

  it('when 1000 orders are created, then all orderNumbers are distinct ASCII strings of at most 32 chars', async () => {
    const { ledger } = await open();
    const numbers: string[] = [];
    for (let i = 0; i < 1000; i += 1) numbers.push((await ledger.createOrder(orderInput())).orderNumber);
    expect(new Set(numbers).size).toBe(1000);
    for (const n of numbers) {
      expect(n.length).toBeLessThanOrEqual(32);
      expect(n).toMatch(/^[\x21-\x7e]+$/);
      expect(n).toMatch(ORDER_NUMBER_PATTERN);
    }
  });

  it('when the database is recreated (ids restart at 1), then new orderNumbers do not repeat old ones', async () => {
    const fixed = () => Date.UTC(2026, 2, 1);
    const seen = new Set<string>();
    for (let round = 0; round < 20; round += 1) {
      const { ledger } = await open(fixed);
      for (let i = 0; i < 5; i += 1) seen.add((await ledger.createOrder(orderInput())).orderNumber);
    }
    expect(seen.size).toBe(100);
  });

  it.each([
    ['a float amount', { amount: 25.5 }],
    ['a zero amount', { amount: 0, items: [{ productId: 'x', name: 'X', quantity: 1, unitAmount: 0 }] }],
    ['an unsafe integer amount', { amount: 2 ** 53 }],
    ['an amount different from the items total', { amount: 1 }],
    ['an alphabetic currency', { currency: 'EUR' }],
    ['a 2-digit currency', { currency: '97' }],
    ['no items', { items: [] }],
    [
      'a fractional quantity',
      { items: [{ productId: 'mug', name: 'Mug', quantity: 1.5, unitAmount: 1000 }], amount: 1500 },
    ],
    ['an unknown flow', { flow: 'three-phase' as never }],
    ['a bad language', { language: 'english' }],
    ['a non-ASCII purchaseKey', { purchaseKey: 'ключ' }],
  ])('when given %s, then it throws InvalidOrderError and writes nothing', async (_label, override) => {
    const { ledger } = await open();
    await expect(ledger.createOrder(orderInput(override))).rejects.toThrow(InvalidOrderError);
    expect(await ledger.listRecent(10)).toEqual([]);
  });

  it('when items carry extra fields, then only the declared item fields are stored', async () => {
    const { ledger } = await open();
    const item = { productId: 'mug', name: 'Mug', quantity: 1, unitAmount: 2500, secretNote: 'x' };
    const o = await ledger.createOrder(orderInput({ items: [item], amount: 2500 }));
    expect(o.items).toEqual([{ productId: 'mug', name: 'Mug', quantity: 1, unitAmount: 2500 }]);
    expect((await ledger.get(o.id))?.items).toEqual(o.items);
  });

  it('when the amount is large (still a safe integer), then it reads back exactly as a number', async () => {
    const { ledger } = await open();
    const big = 2 ** 40 + 7;
    const o = await ledger.createOrder(
      orderInput({ items: [{ productId: 'yacht', name: 'Yacht', quantity: 1, unitAmount: big }], amount: big }),
    );
    expect(await ledger.get(o.id)).toMatchObject({ amount: big });
    expect(typeof (await ledger.get(o.id))?.createdAt).toBe('number');
  });
});

describeLedgers('purchaseKey guard (double click, two tabs)', (open) => {
  it('when a second order is created for a pending purchaseKey, then DuplicatePurchaseError carries the existing order', async () => {
    const { ledger } = await open();
    const first = await ledger.createOrder(orderInput({ purchaseKey: 'sid-1:cart-a' }));
    let caught: unknown;
    try {
      await ledger.createOrder(orderInput({ purchaseKey: 'sid-1:cart-a' }));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(DuplicatePurchaseError);
    expect((caught as DuplicatePurchaseError).code).toBe('DUPLICATE_PURCHASE');
    expect((caught as DuplicatePurchaseError).existing.id).toBe(first.id);
    expect((caught as DuplicatePurchaseError).order).toEqual((caught as DuplicatePurchaseError).existing);
    expect(await ledger.listRecent(10)).toHaveLength(1);
  });

  it('when the pending order is registered, then the key is still taken and the order keeps it with its formUrl', async () => {
    const { ledger } = await open();
    const first = await ledger.createOrder(orderInput({ purchaseKey: 'k' }));
    await ledger.markRegistered(first.id, FORM);
    await expect(ledger.createOrder(orderInput({ purchaseKey: 'k' }))).rejects.toThrow(DuplicatePurchaseError);
    expect(await ledger.get(first.id)).toMatchObject({ purchaseKey: 'k', formUrl: FORM.formUrl });
  });

  it.each([
    [
      'register failed',
      async (l: AsyncLedger, id: number) => {
        await l.markRegisterFailed(id, 'register_failed', { errorCode: 5 });
      },
    ],
    [
      'register outcome unknown',
      async (l: AsyncLedger, id: number) => {
        await l.markRegisterFailed(id, 'register_unknown', { reason: 'timeout' });
      },
    ],
    [
      'paid',
      async (l: AsyncLedger, id: number) => {
        await l.markRegistered(id, FORM);
        await l.applyGatewayStatus(id, { orderStatus: 2, actionCode: 0 });
      },
    ],
    [
      'declined',
      async (l: AsyncLedger, id: number) => {
        await l.markRegistered(id, FORM);
        await l.applyGatewayStatus(id, { orderStatus: 6, actionCode: -2007 });
      },
    ],
  ])('when the first order ends as %s, then a new order with the same key is allowed', async (_label, finish) => {
    const { ledger } = await open();
    const first = await ledger.createOrder(orderInput({ purchaseKey: 'k' }));
    await finish(ledger, first.id);
    const second = await ledger.createOrder(orderInput({ purchaseKey: 'k' }));
    expect(second.id).not.toBe(first.id);
  });

  it('when different keys or no key are used, then orders do not block each other', async () => {
    const { ledger } = await open();
    await ledger.createOrder(orderInput({ purchaseKey: 'a' }));
    await ledger.createOrder(orderInput({ purchaseKey: 'b' }));
    await ledger.createOrder(orderInput());
    await ledger.createOrder(orderInput());
    expect(await ledger.listRecent(10)).toHaveLength(4);
  });
});

describeLedgers('register outcome', (open) => {
  it('when registered, then orderId and formUrl are stored and the order is findable by gateway orderId', async () => {
    const { ledger } = await open();
    const o = await ledger.createOrder(orderInput());
    const r = await ledger.markRegistered(o.id, FORM);
    expect(r).toMatchObject({ status: 'registered', gatewayOrderId: 'gw-1', formUrl: FORM.formUrl });
    expect((await ledger.findByGatewayOrderId('gw-1'))?.id).toBe(o.id);
    expect((await ledger.findByOrderNumber(o.orderNumber))?.id).toBe(o.id);
    expect(await ledger.markRegistered(o.id, FORM)).toEqual(r); // a retried identical call is harmless
  });

  it('when markRegistered is called on an order that is not new, then InvalidTransitionError is thrown', async () => {
    const { ledger } = await open();
    const o = await ledger.createOrder(orderInput());
    await ledger.markRegisterFailed(o.id, 'register_unknown', { reason: 'timeout' });
    await expect(ledger.markRegistered(o.id, FORM)).rejects.toThrow(InvalidTransitionError);
    expect((await ledger.get(o.id))?.status).toBe('register_unknown');
  });

  it('when markRegisterFailed is called after registration, then it is refused', async () => {
    const { ledger } = await open();
    const o = await ledger.createOrder(orderInput());
    await ledger.markRegistered(o.id, FORM);
    await expect(ledger.markRegisterFailed(o.id, 'register_failed', {})).rejects.toThrow(InvalidTransitionError);
  });

  it('when formUrl is not an http(s) URL, then markRegistered rejects it', async () => {
    const { ledger } = await open();
    const o = await ledger.createOrder(orderInput());
    await expect(ledger.markRegistered(o.id, { gatewayOrderId: 'g', formUrl: 'javascript:alert(1)' })).rejects.toThrow(
      InvalidOrderError,
    );
  });

  it('when the order does not exist, then writes throw OrderNotFoundError', async () => {
    const { ledger } = await open();
    await expect(ledger.markRegistered(99, FORM)).rejects.toThrow(OrderNotFoundError);
    await expect(ledger.applyGatewayStatus(99, { orderStatus: 2, actionCode: 0 })).rejects.toThrow(OrderNotFoundError);
    await expect(ledger.recordEvent(99, 'callback', 'received')).rejects.toThrow(OrderNotFoundError);
    expect(await ledger.get(99)).toBeUndefined();
    expect(await ledger.findByGatewayOrderId('nope')).toBeUndefined();
    expect(await ledger.findByOrderNumber('nope')).toBeUndefined();
  });
});

describeLedgers('listing', (open) => {
  it('when listing recent orders, then the newest come first and the limit applies', async () => {
    const { ledger } = await open();
    const ids: number[] = [];
    for (let i = 0; i < 5; i += 1) ids.push((await ledger.createOrder(orderInput())).id);
    expect((await ledger.listRecent(3)).map((o) => o.id)).toEqual(ids.slice(2).reverse());
  });

  it('when the back office filters by status and part of a number, then the match is literal and ASCII-case-insensitive', async () => {
    const { ledger } = await open();
    const a = await ledger.createOrder(orderInput());
    await ledger.markRegistered(a.id, { ...FORM, gatewayOrderId: 'AbC%_x\\1' });
    const b = await ledger.createOrder(orderInput());
    await ledger.markRegistered(b.id, { ...FORM, gatewayOrderId: 'abcQQx\\2' });
    const c = await ledger.createOrder(orderInput());
    await ledger.markRegistered(c.id, { ...FORM, gatewayOrderId: 'ÄBC-3' });
    await ledger.createOrder(orderInput());
    const page = (q: { status?: 'registered' | 'new'; text?: string }) =>
      ledger.listOrders({ limit: 100, offset: 0, ...q }).then((p) => [p.orders.map((o) => o.id), p.total]);

    expect(await page({ text: 'abc' })).toEqual([[b.id, a.id], 2]);
    expect(await page({ text: '%_' })).toEqual([[a.id], 1]); // wildcards are characters here
    expect(await page({ text: 'x\\' })).toEqual([[b.id, a.id], 2]);
    expect(await page({ text: 'äbc' })).toEqual([[], 0]); // only ASCII letters fold, as in SQLite's LIKE
    expect(await page({ text: 'ÄBC' })).toEqual([[c.id], 1]);
    expect(await page({ text: a.orderNumber.toLowerCase() })).toEqual([[a.id], 1]);
    expect(await page({ status: 'new' })).toEqual([[c.id + 1], 1]);
    const first = await ledger.listOrders({ status: 'registered', limit: 2, offset: 1 });
    expect([first.orders.map((o) => o.id), first.total]).toEqual([[b.id, a.id], 3]);
    await expect(ledger.listOrders({ limit: 0, offset: 0 })).rejects.toThrow(InvalidOrderError);
    await expect(ledger.listOrders({ limit: 10, offset: -1 })).rejects.toThrow(InvalidOrderError);
    await expect(ledger.listOrders({ limit: 10, offset: 0, status: 'gone' as never })).rejects.toThrow(
      InvalidOrderError,
    );
  });

  it('when leasing due open orders, then only open orders created before the cut-off are returned, oldest first', async () => {
    let t = 1_000_000;
    const { ledger } = await open(() => t);
    const registered = await ledger.createOrder(orderInput());
    await ledger.markRegistered(registered.id, FORM);
    const unknown = await ledger.createOrder(orderInput());
    await ledger.markRegisterFailed(unknown.id, 'register_unknown', { reason: 'timeout' });
    const processing = await ledger.createOrder(orderInput());
    await ledger.markRegistered(processing.id, { ...FORM, gatewayOrderId: 'gw-2' });
    await ledger.applyGatewayStatus(processing.id, { orderStatus: 5, actionCode: 0 });
    const paid = await ledger.createOrder(orderInput());
    await ledger.markRegistered(paid.id, { ...FORM, gatewayOrderId: 'gw-3' });
    await ledger.applyGatewayStatus(paid.id, { orderStatus: 2, actionCode: 0 });
    const failed = await ledger.createOrder(orderInput());
    await ledger.markRegisterFailed(failed.id, 'register_failed', {});
    t += 60_000;
    const fresh = await ledger.createOrder(orderInput());
    await ledger.markRegistered(fresh.id, { ...FORM, gatewayOrderId: 'gw-4' });

    // Open orders only: paid ones are excluded by a paidSince in the future.
    const query = { holder: 'h', leaseMs: 1, paidSince: t + 1, checkedBefore: t, limit: 10 };
    const stale = await ledger.leaseDue({ ...query, openBefore: t - 30_000 });
    expect(stale.map((o) => o.id)).toEqual([registered.id, unknown.id, processing.id]);
  });
});
