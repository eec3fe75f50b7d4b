import { describe, expect, it } from '@jest/globals';
import { migrate } from '../../src/orders/db.js';
import { Sqlite } from '../../src/orders/driver.js';
import { createLedger } from '../../src/orders/ledger.js';
import { MIGRATIONS } from '../../src/orders/migrations.js';
import { describeLedgers, type OpenLedger } from '../helpers/ledgers.js';
import { orderInput } from '../helpers/orders-db.js';

const FORM = { gatewayOrderId: 'gw-1', formUrl: 'https://pay.example/payment_en.html?mdOrder=gw-1' };

async function paidOrder(open: OpenLedger, amount = 2500) {
  const { ledger } = await open();
  const { id } = await ledger.createOrder(orderInput());
  await ledger.markRegistered(id, FORM);
  await ledger.applyGatewayStatus(id, { orderStatus: 2, actionCode: 0, amounts: { deposited: amount, refunded: 0 } });
  return { ledger, id };
}

describeLedgers('amounts over time', (open) => {
  it('when paid, then the captured amount is recorded', async () => {
    const { ledger, id } = await paidOrder(open);
    expect(await ledger.get(id)).toMatchObject({ status: 'paid', depositedAmount: 2500, refundedAmount: 0 });
  });

  it('when refunded in parts, then partially_refunded, each part recorded, and refunded once nothing is left', async () => {
    const { ledger, id } = await paidOrder(open);
    const refund = (refunded: number) =>
      ledger.applyGatewayStatus(id, { orderStatus: 4, actionCode: 0, amounts: { deposited: 2500, refunded } });
    expect(await refund(500)).toMatchObject({
      changed: true,
      order: { status: 'partially_refunded', refundedAmount: 500 },
    });
    expect(await refund(1500)).toMatchObject({
      changed: true,
      order: { status: 'partially_refunded', refundedAmount: 1500 },
    });
    expect((await ledger.events(id)).at(-1)).toMatchObject({ kind: 'status', outcome: 'amounts' });
    expect(await refund(1500)).toMatchObject({ changed: false });
    expect(await refund(2500)).toMatchObject({ changed: true, order: { status: 'refunded', refundedAmount: 2500 } });
  });

  it('when a stale reply arrives (an older refund total, or "paid" after a refund), then nothing goes back', async () => {
    const { ledger, id } = await paidOrder(open);
    await ledger.applyGatewayStatus(id, {
      orderStatus: 4,
      actionCode: 0,
      amounts: { deposited: 2500, refunded: 1000 },
    });
    await ledger.applyGatewayStatus(id, { orderStatus: 4, actionCode: 0, amounts: { deposited: 2500, refunded: 400 } });
    await ledger.applyGatewayStatus(id, { orderStatus: 2, actionCode: 0, amounts: { deposited: 2500, refunded: 0 } });
    expect(await ledger.get(id)).toMatchObject({ status: 'partially_refunded', refundedAmount: 1000 });
  });

  it('when a two-phase hold is captured in part, then the captured amount is what was deposited', async () => {
    const { ledger } = await open();
    const { id } = await ledger.createOrder(orderInput({ flow: 'two-phase' }));
    await ledger.markRegistered(id, FORM);
    await ledger.applyGatewayStatus(id, { orderStatus: 1, actionCode: 0, amounts: { deposited: 0 } });
    await ledger.applyGatewayStatus(id, { orderStatus: 2, actionCode: 0, amounts: { deposited: 1800, refunded: 0 } });
    expect(await ledger.get(id)).toMatchObject({ status: 'paid', depositedAmount: 1800 });
  });

  it('when amounts are not non-negative integers, then nothing is written', async () => {
    const { ledger, id } = await paidOrder(open);
    for (const refunded of [-1, 1.5, Number.NaN]) {
      await expect(
        ledger.applyGatewayStatus(id, { orderStatus: 4, actionCode: 0, amounts: { deposited: 2500, refunded } }),
      ).rejects.toThrow(expect.objectContaining({ code: 'INVALID_ORDER' }));
    }
    expect((await ledger.get(id))?.status).toBe('paid');
  });
});

describe('migration 5 (rebuilds the orders table)', () => {
  it('when a version-4 database with orders and events is migrated, then nothing is lost and ids are never reused', () => {
    const db = new Sqlite(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(
      db,
      MIGRATIONS.filter((m) => m.version <= 4),
    );
    // Rows as a version-4 build wrote them (today's ledger can't run on the old schema).
    const insert = db.prepare(
      `INSERT INTO orders (order_number, items, amount, currency, flow, language, status, created_at, updated_at, paid_at)
       VALUES (?, '[{"productId":"mug","name":"Mug","quantity":2,"unitAmount":1250}]', 2500, '978', 'one-phase', 'en', ?, 1, 1, ?)`,
    );
    const kept = { id: Number(insert.run('N-1', 'paid', 1).lastInsertRowid) };
    db.prepare("INSERT INTO order_events (order_id, at, kind, outcome) VALUES (?, 1, 'fulfilled', 'paid')").run(
      kept.id,
    );
    db.prepare("INSERT INTO fulfilments (order_id, at, status) VALUES (?, 1, 'paid')").run(kept.id);
    const dropped = { id: Number(insert.run('N-2', 'registered', null).lastInsertRowid) };
    db.prepare('DELETE FROM orders WHERE id = ?').run(dropped.id);

    migrate(db);

    const ledger = createLedger(db);
    expect(ledger.get(kept.id)).toMatchObject({ status: 'paid', depositedAmount: 0, refundedAmount: 0 });
    expect(ledger.events(kept.id).map((e) => e.kind)).toEqual(['fulfilled']);
    expect(ledger.fulfilment(kept.id)?.status).toBe('paid');
    expect(ledger.createOrder(orderInput()).id).toBeGreaterThan(dropped.id);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(() =>
      db.prepare('INSERT INTO order_events (order_id, at, kind, outcome) VALUES (999, 0, ?, ?)').run('x', 'y'),
    ).toThrow(/FOREIGN KEY/);
    db.close();
  });
});
