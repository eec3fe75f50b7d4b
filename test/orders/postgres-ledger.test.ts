import { afterAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { openDatabase } from '../../src/orders/db.js';
import { MIGRATIONS } from '../../src/orders/migrations.js';
import { openPostgresLedger, type PostgresLedgerHandle } from '../../src/orders/postgres/ledger.js';
import { checkParity, migratePostgres, PG_MIGRATIONS } from '../../src/orders/postgres/migrations.js';
import { orderInput } from '../helpers/orders-db.js';
import { freshPostgresDatabase, serviceUrl } from '../helpers/services.js';

/** What only the PostgreSQL ledger has: migrations under concurrency, the pool, several instances (pools) racing. */

const FORM = { gatewayOrderId: 'gw-1', formUrl: 'https://pay.example/payment_en.html?mdOrder=gw-1' };
const POLICY = { abandonAfterMs: 60_000, reuseForMs: 60_000 };

describe('migration lists', () => {
  it('PostgreSQL has the same steps as SQLite, by version and name', () => {
    expect(PG_MIGRATIONS.map((m) => [m.version, m.name])).toEqual(MIGRATIONS.map((m) => [m.version, m.name]));
    expect(() => checkParity()).not.toThrow();
    expect(() => checkParity(MIGRATIONS, PG_MIGRATIONS.slice(0, -1))).toThrow(/do not match/);
  });
});

const url = serviceUrl('postgres', 'the PostgreSQL ledger tests (test/orders/postgres-ledger.test.ts)');

(url ? describe : describe.skip)('the PostgreSQL ledger', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  async function database() {
    const db = await freshPostgresDatabase();
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    cleanups.push(async () => {
      await admin.end();
      await db.drop();
    });
    return { url: db.url, admin };
  }

  async function opened(at: string, opts: Parameters<typeof openPostgresLedger>[1] = {}) {
    const handle = await openPostgresLedger(at, opts);
    cleanups.push(() => handle.close());
    return handle;
  }

  describe('migrations', () => {
    it('when four instances start at once on an empty database, then all start and each step is applied once', async () => {
      const { url: at, admin } = await database();
      const handles = await Promise.all(Array.from({ length: 4 }, () => opened(at, { poolSize: 2 })));
      const { rows } = await admin.query<{ version: number; name: string }>(
        'SELECT version, name FROM schema_migrations ORDER BY version',
      );
      expect(rows).toEqual(PG_MIGRATIONS.map(({ version, name }) => ({ version, name })));
      // every instance works on the one schema
      const order = await handles[0]!.ledger.createOrder(orderInput());
      expect(await handles[3]!.ledger.get(order.id)).toEqual(order);
    });

    it('when started again, then nothing is re-applied', async () => {
      const { url: at, admin } = await database();
      await (await opened(at)).close();
      const before = await admin.query<{ applied_at: Date }>(
        'SELECT applied_at FROM schema_migrations ORDER BY version',
      );
      await opened(at);
      const after = await admin.query<{ applied_at: Date }>(
        'SELECT applied_at FROM schema_migrations ORDER BY version',
      );
      expect(after.rows).toEqual(before.rows);
    });

    it('when the database is newer than this build, then start-up is refused with a clear error', async () => {
      const { url: at, admin } = await database();
      await (await opened(at)).close();
      await admin.query("INSERT INTO schema_migrations (version, name) VALUES (99, 'from the future')");
      await expect(openPostgresLedger(at)).rejects.toThrow(
        `database schema version 99 is newer than this build supports (${Math.max(...PG_MIGRATIONS.map((m) => m.version))})`,
      );
    });

    it('when a step fails, then it is rolled back whole and the database stays at the step before', async () => {
      const { admin } = await database();
      const broken = [
        { version: 1, name: 'one', sql: 'CREATE TABLE one (x INTEGER)' },
        { version: 2, name: 'two', sql: 'CREATE TABLE two (x INTEGER); SELECT no_such_function()' },
      ];
      await expect(migratePostgres(admin, broken)).rejects.toThrow(/no_such_function/);
      const versions = await admin.query('SELECT version FROM schema_migrations');
      expect(versions.rows).toEqual([{ version: 1 }]);
      const two = await admin.query("SELECT to_regclass('two') AS t");
      expect(two.rows).toEqual([{ t: null }]);
    });

    it('ends at the same tables and columns as the SQLite schema (sessions stay out)', async () => {
      const { url: at, admin } = await database();
      await opened(at);
      const sqlite = openDatabase(':memory:');
      const tables = ['orders', 'order_events', 'fulfilments', 'product_sales'];
      for (const table of tables) {
        const sqliteColumns = sqlite
          .prepare<[string], string>('SELECT name FROM pragma_table_info(?) ORDER BY cid')
          .pluck()
          .all(table);
        const { rows } = await admin.query<{ column_name: string }>(
          "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1",
          [table],
        );
        expect([table, rows.map((r) => r.column_name).sort()]).toEqual([table, [...sqliteColumns].sort()]);
      }
      sqlite.close();
      const sessions = await admin.query("SELECT to_regclass('sessions') AS t");
      expect(sessions.rows).toEqual([{ t: null }]);
    });
  });

  describe('the pool', () => {
    it('when the database answers, then healthCheck is true; after close it is false', async () => {
      const { url: at } = await database();
      const handle = await opened(at);
      expect(await handle.healthCheck()).toBe(true);
      await handle.close();
      await handle.close(); // twice is harmless
      expect(await handle.healthCheck()).toBe(false);
    });

    it('when the server drops an idle pooled connection, then onPoolError hears of it and the next call reconnects', async () => {
      const { url: at, admin } = await database();
      const errors: Error[] = [];
      const handle = await opened(at, { onPoolError: (err) => errors.push(err) });
      const { id } = await handle.ledger.createOrder(orderInput());
      const killed = await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'storefront-ledger' AND datname = current_database()",
      );
      expect(killed.rowCount).toBeGreaterThan(0);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(errors.length).toBeGreaterThan(0);
      expect((await handle.ledger.get(id))?.id).toBe(id);
    });

    it('when the server cannot be reached, then opening fails without printing the password', async () => {
      const secret = 'Sekret-Pa55-q9';
      const err = await openPostgresLedger(`postgres://shop:${secret}@127.0.0.1:1/shop`).catch((e: unknown) => e);
      // (an Error of Node's own realm, so not instanceof the test's Error)
      expect(err).toMatchObject({ code: 'ECONNREFUSED' });
      expect(`${String(err)} ${String((err as Error).stack)}`).not.toContain(secret);
    });

    it('when a stored number is beyond 2^53, then reading it fails instead of rounding money', async () => {
      const { url: at, admin } = await database();
      const { ledger } = await opened(at);
      const { id } = await ledger.createOrder(orderInput());
      await admin.query('UPDATE orders SET amount = 9007199254740993 WHERE id = $1', [id]);
      await expect(ledger.get(id)).rejects.toThrow(RangeError);
    });
  });

  describe('the purchase key backstop (a writer that skipped the key lock)', () => {
    /** Inserts a pending order for `key` in a transaction left open, as a writer without the lock would. */
    async function pendingInsertLeftOpen(admin: pg.Client, key: string) {
      await admin.query('BEGIN');
      await admin.query(
        `INSERT INTO orders (order_number, items, amount, currency, flow, language, status, purchase_key, created_at, updated_at)
         VALUES ('X-1', '[{"productId":"mug","name":"Mug","quantity":2,"unitAmount":1250}]', 2500, '978', 'one-phase',
                 'en', 'new', $1, $2, $2)`,
        [key, Date.now()],
      );
    }

    /** Waits until a ledger connection waits on a lock (its insert on the unique index), seen from another session. */
    async function untilLedgerBlocked(at: string) {
      const watcher = new pg.Client({ connectionString: at });
      await watcher.connect();
      try {
        for (let i = 0; i < 100; i += 1) {
          const { rowCount } = await watcher.query(
            "SELECT 1 FROM pg_stat_activity WHERE application_name = 'storefront-ledger' AND wait_event_type = 'Lock'",
          );
          if (rowCount) return;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        throw new Error('the ledger never waited on the unique index');
      } finally {
        await watcher.end();
      }
    }

    it('when a claim hits the unique index, then it runs once more and names the order that won', async () => {
      const { url: at, admin } = await database();
      const { ledger } = await opened(at);
      await pendingInsertLeftOpen(admin, 'sid:backstop');
      const claim = ledger.claimPurchase({ ...orderInput(), purchaseKey: 'sid:backstop' }, POLICY);
      await untilLedgerBlocked(at); // its insert waits on the index entry of the open transaction
      await admin.query('COMMIT');
      expect(await claim).toMatchObject({ outcome: 'in_flight', order: { orderNumber: 'X-1' } });
      expect(await ledger.listRecent(10)).toHaveLength(1);
    });

    it('when createOrder hits the unique index, then it throws DuplicatePurchaseError with the winner', async () => {
      const { url: at, admin } = await database();
      const { ledger } = await opened(at);
      await pendingInsertLeftOpen(admin, 'sid:backstop');
      const created = ledger.createOrder(orderInput({ purchaseKey: 'sid:backstop' })).catch((e: unknown) => e);
      await untilLedgerBlocked(at);
      await admin.query('COMMIT');
      expect(await created).toMatchObject({ code: 'DUPLICATE_PURCHASE', existing: { orderNumber: 'X-1' } });
    });
  });

  it('with a pool of one connection, many concurrent calls of every kind all complete (no call waits on itself)', async () => {
    const { url: at } = await database();
    const { ledger } = await opened(at, { poolSize: 1 });
    const { id } = await ledger.createOrder(orderInput());
    await ledger.markRegistered(id, FORM);
    const now = Date.now();
    const calls = await Promise.all([
      ...Array.from({ length: 5 }, () => ledger.claimPurchase({ ...orderInput(), purchaseKey: 'one' }, POLICY)),
      ...Array.from({ length: 5 }, () => ledger.applyGatewayStatus(id, { orderStatus: 2, actionCode: 0 })),
      ledger.leaseDue({ holder: 'h', leaseMs: 1000, openBefore: now, paidSince: 0, checkedBefore: now, limit: 10 }),
      ledger.listOrders({ limit: 10, offset: 0, text: 'x' }),
      ledger.recordEvent(id, 'note', 'ok'),
      ledger.events(id),
    ]);
    expect(calls).toHaveLength(14);
    expect(await ledger.fulfilment(id)).toMatchObject({ status: 'paid' });
  });

  describe('four instances (four pools) racing', () => {
    let handles: PostgresLedgerHandle[];
    const instances = async () => {
      const { url: at } = await database();
      handles = await Promise.all(Array.from({ length: 4 }, () => opened(at, { poolSize: 5 })));
      return handles.map((h) => h.ledger);
    };

    it('when all press Buy for the same purchase 10 times at once, then one order is created and the rest are in flight', async () => {
      const ledgers = await instances();
      const claims = await Promise.all(
        ledgers.flatMap((l) =>
          Array.from({ length: 10 }, () => l.claimPurchase({ ...orderInput(), purchaseKey: 'sid-9:cart' }, POLICY)),
        ),
      );
      expect(claims.filter((c) => c.outcome === 'created')).toHaveLength(1);
      expect(claims.filter((c) => c.outcome === 'in_flight')).toHaveLength(39);
      expect(await ledgers[0]!.listRecent(100)).toHaveLength(1);
    });

    it('when all apply "paid" 25 times at once, then exactly one fulfilment, one row and one count of units', async () => {
      const ledgers = await instances();
      const { id } = await ledgers[0]!.createOrder(orderInput());
      await ledgers[1]!.markRegistered(id, FORM);
      const results = await Promise.all(
        ledgers.flatMap((l) =>
          Array.from({ length: 25 }, () => l.applyGatewayStatus(id, { orderStatus: 2, actionCode: 0 })),
        ),
      );
      expect(results.filter((r) => r.fulfilled)).toHaveLength(1);
      const events = await ledgers[2]!.events(id);
      expect(events.filter((e) => e.kind === 'fulfilled')).toHaveLength(1);
      // One change; the 99 replies that found the order paid already are no events.
      expect(events.filter((e) => e.kind === 'status')).toHaveLength(1);
      expect(await ledgers[3]!.fulfilment(id)).toMatchObject({ status: 'paid' });
      expect(await ledgers[3]!.unitsSold('mug')).toBe(2);
    });

    it('when two orders selling the same products in opposite order are paid at once, then both are fulfilled', async () => {
      const ledgers = await instances();
      const mug = { productId: 'mug', name: 'Mug', quantity: 1, unitAmount: 100 };
      const tote = { productId: 'tote', name: 'Tote', quantity: 1, unitAmount: 100 };
      const ids: number[] = [];
      for (let i = 0; i < 20; i += 1) {
        const { id } = await ledgers[0]!.createOrder(
          orderInput({ items: i % 2 ? [mug, tote] : [tote, mug], amount: 200 }),
        );
        await ledgers[0]!.markRegistered(id, { ...FORM, gatewayOrderId: `gw-${id}` });
        ids.push(id);
      }
      const results = await Promise.all(
        ids.map((id, i) => ledgers[i % 4]!.applyGatewayStatus(id, { orderStatus: 2, actionCode: 0 })),
      );
      expect(results.every((r) => r.fulfilled)).toBe(true);
      expect(await ledgers[0]!.unitsSold('mug')).toBe(20);
      expect(await ledgers[0]!.unitsSold('tote')).toBe(20);
    });

    it('when all lease due orders at once, then no order is leased twice and every one is leased', async () => {
      const ledgers = await instances();
      const ids: number[] = [];
      for (let i = 0; i < 40; i += 1) {
        const { id } = await ledgers[0]!.createOrder(orderInput());
        await ledgers[0]!.markRegistered(id, { ...FORM, gatewayOrderId: `gw-${id}` });
        ids.push(id);
      }
      const now = Date.now();
      const due = { leaseMs: 60_000, openBefore: now + 1, paidSince: now, checkedBefore: now, limit: 5 };
      const runs = await Promise.all(
        ledgers.flatMap((l, i) => Array.from({ length: 3 }, (_, j) => l.leaseDue({ ...due, holder: `i${i}-${j}` }))),
      );
      const leased = runs.flat().map((o) => o.id);
      expect(new Set(leased).size).toBe(leased.length);
      expect(leased.sort((a, b) => a - b)).toEqual(ids);
    });
  });
});
