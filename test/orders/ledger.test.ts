import { describe, it, expect } from '@jest/globals';
import {
  DuplicatePurchaseError,
  InvalidOrderError,
  InvalidTransitionError,
  OrderNotFoundError,
} from '../../src/orders/errors.js';
import { ORDER_NUMBER_PATTERN } from '../../src/orders/order-number.js';
import { memoryLedger, orderInput } from '../helpers/orders-db.js';

const FORM = { gatewayOrderId: 'gw-1', formUrl: 'https://pay.example/payment_en.html?mdOrder=gw-1' };

describe('createOrder', () => {
  it('when an order is created, then it is new with a server-generated orderNumber and a created event', () => {
    const { ledger } = memoryLedger(() => Date.UTC(2026, 2, 1, 12));
    const o = ledger.createOrder(orderInput());
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
    expect(ledger.get(o.id)).toEqual(o);
    expect(ledger.events(o.id)).toEqual([expect.objectContaining({ kind: 'created', outcome: 'ok' })]);
  });

  it('when 1000 orders are created, then all orderNumbers are distinct ASCII strings of at most 32 chars', () => {
    const { ledger } = memoryLedger();
    const numbers = Array.from({ length: 1000 }, () => ledger.createOrder(orderInput()).orderNumber);
    expect(new Set(numbers).size).toBe(1000);
    for (const n of numbers) {
      expect(n.length).toBeLessThanOrEqual(32);
      expect(n).toMatch(/^[\x21-\x7e]+$/);
      expect(n).toMatch(ORDER_NUMBER_PATTERN);
    }
  });

  it('when the database is recreated (ids restart at 1), then new orderNumbers do not repeat old ones', () => {
    const fixed = () => Date.UTC(2026, 2, 1);
    const seen = new Set<string>();
    for (let round = 0; round < 20; round += 1) {
      const { ledger, db } = memoryLedger(fixed);
      for (let i = 0; i < 5; i += 1) seen.add(ledger.createOrder(orderInput()).orderNumber);
      db.close();
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
  ])('when given %s, then it throws InvalidOrderError and writes nothing', (_label, override) => {
    const { ledger } = memoryLedger();
    expect(() => ledger.createOrder(orderInput(override))).toThrow(InvalidOrderError);
    expect(ledger.listRecent(10)).toEqual([]);
  });

  it('when items carry extra fields, then only the declared item fields are stored', () => {
    const { ledger } = memoryLedger();
    const item = { productId: 'mug', name: 'Mug', quantity: 1, unitAmount: 2500, secretNote: 'x' };
    const o = ledger.createOrder(orderInput({ items: [item], amount: 2500 }));
    expect(o.items).toEqual([{ productId: 'mug', name: 'Mug', quantity: 1, unitAmount: 2500 }]);
  });
});

describe('purchaseKey guard (double click, two tabs)', () => {
  it('when a second order is created for a pending purchaseKey, then DuplicatePurchaseError carries the existing order', () => {
    const { ledger } = memoryLedger();
    const first = ledger.createOrder(orderInput({ purchaseKey: 'sid-1:cart-a' }));
    let caught: unknown;
    try {
      ledger.createOrder(orderInput({ purchaseKey: 'sid-1:cart-a' }));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(DuplicatePurchaseError);
    expect((caught as DuplicatePurchaseError).code).toBe('DUPLICATE_PURCHASE');
    expect((caught as DuplicatePurchaseError).existing.id).toBe(first.id);
    expect((caught as DuplicatePurchaseError).order).toEqual((caught as DuplicatePurchaseError).existing);
    expect(ledger.listRecent(10)).toHaveLength(1);
  });

  it('when the pending order is registered, then the key is still taken and the order keeps it with its formUrl', () => {
    const { ledger } = memoryLedger();
    const first = ledger.createOrder(orderInput({ purchaseKey: 'k' }));
    ledger.markRegistered(first.id, FORM);
    expect(() => ledger.createOrder(orderInput({ purchaseKey: 'k' }))).toThrow(DuplicatePurchaseError);
    expect(ledger.get(first.id)).toMatchObject({ purchaseKey: 'k', formUrl: FORM.formUrl });
  });

  it.each([
    [
      'register failed',
      (l: ReturnType<typeof memoryLedger>['ledger'], id: number) =>
        l.markRegisterFailed(id, 'register_failed', { errorCode: 5 }),
    ],
    [
      'register outcome unknown',
      (l: ReturnType<typeof memoryLedger>['ledger'], id: number) =>
        l.markRegisterFailed(id, 'register_unknown', { reason: 'timeout' }),
    ],
    [
      'paid',
      (l: ReturnType<typeof memoryLedger>['ledger'], id: number) => {
        l.markRegistered(id, FORM);
        l.applyGatewayStatus(id, { orderStatus: 2, actionCode: 0 });
      },
    ],
    [
      'declined',
      (l: ReturnType<typeof memoryLedger>['ledger'], id: number) => {
        l.markRegistered(id, FORM);
        l.applyGatewayStatus(id, { orderStatus: 6, actionCode: -2007 });
      },
    ],
  ])('when the first order ends as %s, then a new order with the same key is allowed', (_label, finish) => {
    const { ledger } = memoryLedger();
    const first = ledger.createOrder(orderInput({ purchaseKey: 'k' }));
    finish(ledger, first.id);
    const second = ledger.createOrder(orderInput({ purchaseKey: 'k' }));
    expect(second.id).not.toBe(first.id);
  });

  it('when different keys or no key are used, then orders do not block each other', () => {
    const { ledger } = memoryLedger();
    ledger.createOrder(orderInput({ purchaseKey: 'a' }));
    ledger.createOrder(orderInput({ purchaseKey: 'b' }));
    ledger.createOrder(orderInput());
    ledger.createOrder(orderInput());
    expect(ledger.listRecent(10)).toHaveLength(4);
  });
});

describe('register outcome', () => {
  it('when registered, then orderId and formUrl are stored and the order is findable by gateway orderId', () => {
    const { ledger } = memoryLedger();
    const o = ledger.createOrder(orderInput());
    const r = ledger.markRegistered(o.id, FORM);
    expect(r).toMatchObject({ status: 'registered', gatewayOrderId: 'gw-1', formUrl: FORM.formUrl });
    expect(ledger.findByGatewayOrderId('gw-1')?.id).toBe(o.id);
    expect(ledger.markRegistered(o.id, FORM)).toEqual(r); // a retried identical call is harmless
  });

  it('when markRegistered is called on an order that is not new, then InvalidTransitionError is thrown', () => {
    const { ledger } = memoryLedger();
    const o = ledger.createOrder(orderInput());
    ledger.markRegisterFailed(o.id, 'register_unknown', { reason: 'timeout' });
    expect(() => ledger.markRegistered(o.id, FORM)).toThrow(InvalidTransitionError);
    expect(ledger.get(o.id)?.status).toBe('register_unknown');
  });

  it('when markRegisterFailed is called after registration, then it is refused', () => {
    const { ledger } = memoryLedger();
    const o = ledger.createOrder(orderInput());
    ledger.markRegistered(o.id, FORM);
    expect(() => ledger.markRegisterFailed(o.id, 'register_failed', {})).toThrow(InvalidTransitionError);
  });

  it('when formUrl is not an http(s) URL, then markRegistered rejects it', () => {
    const { ledger } = memoryLedger();
    const o = ledger.createOrder(orderInput());
    expect(() => ledger.markRegistered(o.id, { gatewayOrderId: 'g', formUrl: 'javascript:alert(1)' })).toThrow(
      InvalidOrderError,
    );
  });

  it('when the order does not exist, then writes throw OrderNotFoundError', () => {
    const { ledger } = memoryLedger();
    expect(() => ledger.markRegistered(99, FORM)).toThrow(OrderNotFoundError);
    expect(() => ledger.applyGatewayStatus(99, { orderStatus: 2, actionCode: 0 })).toThrow(OrderNotFoundError);
    expect(() => ledger.recordEvent(99, 'callback', 'received')).toThrow(OrderNotFoundError);
    expect(ledger.get(99)).toBeUndefined();
  });
});

describe('listing', () => {
  it('when listing recent orders, then the newest come first and the limit applies', () => {
    const { ledger } = memoryLedger();
    const ids = Array.from({ length: 5 }, () => ledger.createOrder(orderInput()).id);
    expect(ledger.listRecent(3).map((o) => o.id)).toEqual(ids.slice(2).reverse());
  });

  it('when leasing due open orders, then only open orders created before the cut-off are returned, oldest first', () => {
    let t = 1_000_000;
    const { ledger } = memoryLedger(() => t);
    const registered = ledger.createOrder(orderInput());
    ledger.markRegistered(registered.id, FORM);
    const unknown = ledger.createOrder(orderInput());
    ledger.markRegisterFailed(unknown.id, 'register_unknown', { reason: 'timeout' });
    const processing = ledger.createOrder(orderInput());
    ledger.markRegistered(processing.id, { ...FORM, gatewayOrderId: 'gw-2' });
    ledger.applyGatewayStatus(processing.id, { orderStatus: 5, actionCode: 0 });
    const paid = ledger.createOrder(orderInput());
    ledger.markRegistered(paid.id, { ...FORM, gatewayOrderId: 'gw-3' });
    ledger.applyGatewayStatus(paid.id, { orderStatus: 2, actionCode: 0 });
    const failed = ledger.createOrder(orderInput());
    ledger.markRegisterFailed(failed.id, 'register_failed', {});
    t += 60_000;
    const fresh = ledger.createOrder(orderInput());
    ledger.markRegistered(fresh.id, { ...FORM, gatewayOrderId: 'gw-4' });

    // Open orders only: paid ones are excluded by a paidSince in the future.
    const query = { holder: 'h', leaseMs: 1, paidSince: t + 1, checkedBefore: t, limit: 10 };
    const stale = ledger.leaseDue({ ...query, openBefore: t - 30_000 });
    expect(stale.map((o) => o.id)).toEqual([registered.id, unknown.id, processing.id]);
  });
});
