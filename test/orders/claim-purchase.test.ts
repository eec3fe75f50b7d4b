import { afterAll, describe, expect, it } from '@jest/globals';
import { createLedger } from '../../src/orders/ledger.js';
import type { PurchasePolicy } from '../../src/orders/ledger.js';
import { memoryLedger, orderInput, tempDir } from '../helpers/orders-db.js';

const POLICY: PurchasePolicy = { abandonAfterMs: 17_000, reuseForMs: 900_000 };
const FORM = { gatewayOrderId: 'gw-1', formUrl: 'https://pay.example/payment_en.html?mdOrder=gw-1' };
const input = (key = 'browser:cart') => ({ ...orderInput(), purchaseKey: key });

/** A ledger whose clock the test moves by hand. */
function clockedLedger() {
  let t = Date.UTC(2026, 10, 30, 12);
  const { ledger } = memoryLedger(() => t);
  return { ledger, advance: (ms: number) => (t += ms) };
}

describe('claimPurchase', () => {
  it('when nothing is pending for the key, then a new order is created and its creator must register it', () => {
    const { ledger } = clockedLedger();
    const claim = ledger.claimPurchase(input(), POLICY);
    expect(claim).toEqual({ outcome: 'created', order: expect.objectContaining({ status: 'new' }) });
    expect(ledger.events(claim.order.id)).toEqual([expect.objectContaining({ kind: 'created' })]);
  });

  it('when the same purchase is being registered (double click), then it is in flight and no second order exists', () => {
    const { ledger, advance } = clockedLedger();
    const first = ledger.claimPurchase(input(), POLICY);
    advance(POLICY.abandonAfterMs - 1);
    const second = ledger.claimPurchase(input(), POLICY);
    expect(second).toEqual({ outcome: 'in_flight', order: first.order });
    expect(ledger.listRecent(10)).toHaveLength(1);
  });

  it('when the purchase is registered and its page is fresh (second tab), then it is reusable with its formUrl', () => {
    const { ledger, advance } = clockedLedger();
    const { order } = ledger.claimPurchase(input(), POLICY);
    ledger.markRegistered(order.id, FORM);
    advance(POLICY.reuseForMs - 1);
    const again = ledger.claimPurchase(input(), POLICY);
    expect(again).toMatchObject({ outcome: 'reusable', formUrl: FORM.formUrl, order: { id: order.id } });
    expect(ledger.listRecent(10)).toHaveLength(1);
  });

  it('when a registration was abandoned (its request died), then it is retired as register_unknown and a new order starts', () => {
    const { ledger, advance } = clockedLedger();
    const { order: orphan } = ledger.claimPurchase(input(), POLICY);
    advance(POLICY.abandonAfterMs);
    const claim = ledger.claimPurchase(input(), POLICY);
    expect(claim.outcome).toBe('created');
    expect(claim.order.id).not.toBe(orphan.id);
    expect(claim).toMatchObject({ retired: { id: orphan.id, status: 'register_unknown' } });
    expect(ledger.events(orphan.id).at(-1)).toMatchObject({
      kind: 'register_error',
      outcome: 'register_unknown',
      detail: { reason: 'abandoned before the gateway answered' },
    });
  });

  it('when the payment page went stale, then its key is released and a new order starts; the old one can still be paid once', () => {
    const { ledger, advance } = clockedLedger();
    const { order: old } = ledger.claimPurchase(input(), POLICY);
    ledger.markRegistered(old.id, FORM);
    advance(POLICY.reuseForMs);
    const claim = ledger.claimPurchase(input(), POLICY);
    expect(claim).toMatchObject({
      outcome: 'created',
      retired: { id: old.id, status: 'registered', purchaseKey: null },
    });
    expect(ledger.events(old.id).at(-1)).toMatchObject({ kind: 'purchase_key', outcome: 'released' });
    expect(ledger.applyGatewayStatus(old.id, { orderStatus: 2, actionCode: 0 }).fulfilled).toBe(true);
  });

  it('when the last attempt failed at the gateway, then the key is free and the next claim creates a new order', () => {
    const { ledger } = clockedLedger();
    const { order: failed } = ledger.claimPurchase(input(), POLICY);
    ledger.markRegisterFailed(failed.id, 'register_failed', { code: 'GATEWAY_REJECTED' });
    const claim = ledger.claimPurchase(input(), POLICY);
    expect(claim.outcome).toBe('created');
    expect(claim).not.toHaveProperty('retired');
    expect(claim.order.id).not.toBe(failed.id);
  });

  it('when different carts or browsers claim, then they do not block each other', () => {
    const { ledger } = clockedLedger();
    expect(ledger.claimPurchase(input('browser-a:mug'), POLICY).outcome).toBe('created');
    expect(ledger.claimPurchase(input('browser-a:tote'), POLICY).outcome).toBe('created');
    expect(ledger.claimPurchase(input('browser-b:mug'), POLICY).outcome).toBe('created');
  });

  it('when the input is invalid, then it throws and writes nothing', () => {
    const { ledger } = clockedLedger();
    expect(() => ledger.claimPurchase({ ...input(), amount: -1 }, POLICY)).toThrow(
      expect.objectContaining({ code: 'INVALID_ORDER' }),
    );
    expect(ledger.listRecent(10)).toHaveLength(0);
  });
});

describe('claimPurchase across connections (another shop process on the same file)', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('when one connection is registering a purchase, then the other sees it in flight and creates nothing', () => {
    const a = createLedger(tmp.open('claim.sqlite'));
    const b = createLedger(tmp.open('claim.sqlite'));
    const first = a.claimPurchase(input(), POLICY);
    expect(b.claimPurchase(input(), POLICY)).toMatchObject({ outcome: 'in_flight', order: { id: first.order.id } });
    a.markRegistered(first.order.id, FORM);
    expect(b.claimPurchase(input(), POLICY)).toMatchObject({ outcome: 'reusable', formUrl: FORM.formUrl });
    expect(b.listRecent(10)).toHaveLength(1);
  });
});
