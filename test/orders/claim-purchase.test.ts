import { expect, it } from '@jest/globals';
import type { PurchasePolicy } from '../../src/orders/ledger.js';
import { describeLedgers, type OpenLedger } from '../helpers/ledgers.js';
import { orderInput } from '../helpers/orders-db.js';

const POLICY: PurchasePolicy = { abandonAfterMs: 17_000, reuseForMs: 900_000 };
const FORM = { gatewayOrderId: 'gw-1', formUrl: 'https://pay.example/payment_en.html?mdOrder=gw-1' };
const input = (key = 'browser:cart') => ({ ...orderInput(), purchaseKey: key });

/** A ledger whose clock the test moves by hand. */
async function clockedLedger(open: OpenLedger) {
  let t = Date.UTC(2026, 10, 30, 12);
  const { ledger } = await open(() => t);
  return { ledger, advance: (ms: number) => (t += ms) };
}

describeLedgers('claimPurchase', (open) => {
  it('when nothing is pending for the key, then a new order is created and its creator must register it', async () => {
    const { ledger } = await clockedLedger(open);
    const claim = await ledger.claimPurchase(input(), POLICY);
    expect(claim).toEqual({ outcome: 'created', order: expect.objectContaining({ status: 'new' }) });
    expect(await ledger.events(claim.order.id)).toEqual([expect.objectContaining({ kind: 'created' })]);
  });

  it('when the same purchase is being registered (double click), then it is in flight and no second order exists', async () => {
    const { ledger, advance } = await clockedLedger(open);
    const first = await ledger.claimPurchase(input(), POLICY);
    advance(POLICY.abandonAfterMs - 1);
    const second = await ledger.claimPurchase(input(), POLICY);
    expect(second).toEqual({ outcome: 'in_flight', order: first.order });
    expect(await ledger.listRecent(10)).toHaveLength(1);
  });

  it('when the purchase is registered and its page is fresh (second tab), then it is reusable with its formUrl', async () => {
    const { ledger, advance } = await clockedLedger(open);
    const { order } = await ledger.claimPurchase(input(), POLICY);
    await ledger.markRegistered(order.id, FORM);
    advance(POLICY.reuseForMs - 1);
    const again = await ledger.claimPurchase(input(), POLICY);
    expect(again).toMatchObject({ outcome: 'reusable', formUrl: FORM.formUrl, order: { id: order.id } });
    expect(await ledger.listRecent(10)).toHaveLength(1);
  });

  it('when a registration was abandoned (its request died), then it is retired as register_unknown and a new order starts', async () => {
    const { ledger, advance } = await clockedLedger(open);
    const { order: orphan } = await ledger.claimPurchase(input(), POLICY);
    advance(POLICY.abandonAfterMs);
    const claim = await ledger.claimPurchase(input(), POLICY);
    expect(claim.outcome).toBe('created');
    expect(claim.order.id).not.toBe(orphan.id);
    expect(claim).toMatchObject({ retired: { id: orphan.id, status: 'register_unknown' } });
    expect((await ledger.events(orphan.id)).at(-1)).toMatchObject({
      kind: 'register_error',
      outcome: 'register_unknown',
      detail: { reason: 'abandoned before the gateway answered' },
    });
  });

  it('when the registering process is gone (same instance, restarted), then its claim is retired at once and a new order starts', async () => {
    const { ledger, advance } = await clockedLedger(open);
    const before = { ...POLICY, owner: { instance: 'host-a 127.0.0.1:3000', life: 'life-1' } };
    const after = { ...POLICY, owner: { instance: 'host-a 127.0.0.1:3000', life: 'life-2' } };
    const { order: orphan } = await ledger.claimPurchase(input(), before);
    advance(1_000);
    const claim = await ledger.claimPurchase(input(), after);
    expect(claim).toMatchObject({ outcome: 'created', retired: { id: orphan.id, status: 'register_unknown' } });
    expect((await ledger.events(orphan.id)).at(-1)).toMatchObject({
      kind: 'register_error',
      outcome: 'register_unknown',
      detail: { reason: 'the process registering it is gone (restarted)' },
    });
    // The new order is claimed by the new life: the same life asking again waits for it.
    expect(await ledger.claimPurchase(input(), after)).toEqual({ outcome: 'in_flight', order: claim.order });
  });

  it('when another instance (or this same process) holds the claim, then it stays in flight until abandonAfterMs', async () => {
    const { ledger, advance } = await clockedLedger(open);
    const a = { ...POLICY, owner: { instance: 'host-a 127.0.0.1:3000', life: 'life-1' } };
    const b = { ...POLICY, owner: { instance: 'host-b 127.0.0.1:3000', life: 'life-9' } };
    const { order } = await ledger.claimPurchase(input(), a);
    advance(POLICY.abandonAfterMs - 1);
    expect(await ledger.claimPurchase(input(), b)).toEqual({ outcome: 'in_flight', order });
    expect(await ledger.claimPurchase(input(), a)).toEqual({ outcome: 'in_flight', order });
    // A claim that names no owner (written before owners were recorded) is waited for too.
    expect(await ledger.claimPurchase(input('other'), POLICY)).toMatchObject({ outcome: 'created' });
    expect(await ledger.claimPurchase(input('other'), a)).toMatchObject({ outcome: 'in_flight' });
  });

  it('when the payment page went stale, then its key is released and a new order starts; the old one can still be paid once', async () => {
    const { ledger, advance } = await clockedLedger(open);
    const { order: old } = await ledger.claimPurchase(input(), POLICY);
    await ledger.markRegistered(old.id, FORM);
    advance(POLICY.reuseForMs);
    const claim = await ledger.claimPurchase(input(), POLICY);
    expect(claim).toMatchObject({
      outcome: 'created',
      retired: { id: old.id, status: 'registered', purchaseKey: null },
    });
    expect((await ledger.events(old.id)).at(-1)).toMatchObject({ kind: 'purchase_key', outcome: 'released' });
    expect((await ledger.applyGatewayStatus(old.id, { orderStatus: 2, actionCode: 0 })).fulfilled).toBe(true);
  });

  it('when the gateway no longer takes a registered order, then releasePurchase frees its key once; a new order is not touched', async () => {
    const { ledger } = await clockedLedger(open);
    const { order } = await ledger.claimPurchase(input(), POLICY);
    expect(await ledger.releasePurchase(order.id, { why: 'test' })).toEqual(order); // still 'new': no-op
    await ledger.markRegistered(order.id, FORM);
    expect(await ledger.releasePurchase(order.id, { why: 'gone' })).toMatchObject({ purchaseKey: null });
    await ledger.releasePurchase(order.id, {});
    const released = (await ledger.events(order.id)).filter((e) => e.kind === 'purchase_key');
    expect(released).toEqual([expect.objectContaining({ detail: { status: 'registered', why: 'gone' } })]);
    expect((await ledger.claimPurchase(input(), POLICY)).outcome).toBe('created');
  });

  it('when the last attempt failed at the gateway, then the key is free and the next claim creates a new order', async () => {
    const { ledger } = await clockedLedger(open);
    const { order: failed } = await ledger.claimPurchase(input(), POLICY);
    await ledger.markRegisterFailed(failed.id, 'register_failed', { code: 'GATEWAY_REJECTED' });
    const claim = await ledger.claimPurchase(input(), POLICY);
    expect(claim.outcome).toBe('created');
    expect(claim).not.toHaveProperty('retired');
    expect(claim.order.id).not.toBe(failed.id);
  });

  it('when different carts or browsers claim, then they do not block each other', async () => {
    const { ledger } = await clockedLedger(open);
    expect((await ledger.claimPurchase(input('browser-a:mug'), POLICY)).outcome).toBe('created');
    expect((await ledger.claimPurchase(input('browser-a:tote'), POLICY)).outcome).toBe('created');
    expect((await ledger.claimPurchase(input('browser-b:mug'), POLICY)).outcome).toBe('created');
  });

  it('when the input is invalid, then it throws and writes nothing', async () => {
    const { ledger } = await clockedLedger(open);
    await expect(ledger.claimPurchase({ ...input(), amount: -1 }, POLICY)).rejects.toThrow(
      expect.objectContaining({ code: 'INVALID_ORDER' }),
    );
    expect(await ledger.listRecent(10)).toHaveLength(0);
  });
});

describeLedgers('claimPurchase across instances (another shop process on the same database)', (open) => {
  it('when one instance is registering a purchase, then the other sees it in flight and creates nothing', async () => {
    const kit = await open();
    const a = kit.ledger;
    const b = await kit.another();
    const first = await a.claimPurchase(input(), POLICY);
    expect(await b.claimPurchase(input(), POLICY)).toMatchObject({
      outcome: 'in_flight',
      order: { id: first.order.id },
    });
    await a.markRegistered(first.order.id, FORM);
    expect(await b.claimPurchase(input(), POLICY)).toMatchObject({ outcome: 'reusable', formUrl: FORM.formUrl });
    expect(await b.listRecent(10)).toHaveLength(1);
  });

  it('when both instances claim the same purchase at the same moment, 20 times each, then exactly one order is created', async () => {
    const kit = await open();
    const b = await kit.another();
    const claims = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 ? kit.ledger : b).claimPurchase(input('race:cart'), POLICY)),
    );
    expect(claims.filter((c) => c.outcome === 'created')).toHaveLength(1);
    expect(claims.filter((c) => c.outcome === 'in_flight')).toHaveLength(39);
    expect(await kit.ledger.listRecent(100)).toHaveLength(1);
  });
});
