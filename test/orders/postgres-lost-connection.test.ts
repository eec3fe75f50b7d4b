// A connection that drops in the middle of a ledger transaction (the server ends the session: a restart, a failover,
// pg_terminate_backend) fails or repeats that one call; it never reaches the process as an unhandled 'error' event.
// The drop is made exact with a trigger that ends its own session while the transaction runs.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { createLedgerPool, openPostgresLedger, type PostgresLedgerHandle } from '../../src/orders/postgres/ledger.js';
import { orderInput } from '../helpers/orders-db.js';
import { freshPostgresDatabase, postgresUrl } from '../helpers/services.js';

const url = postgresUrl('the lost-connection tests (test/orders/postgres-lost-connection.test.ts)');

(url ? describe : describe.skip)('a PostgreSQL connection lost during a ledger transaction', () => {
  let database: Awaited<ReturnType<typeof freshPostgresDatabase>>;
  let admin: pg.Client;
  let handle: PostgresLedgerHandle;
  const poolErrors: Error[] = [];

  beforeAll(async () => {
    database = await freshPostgresDatabase();
    handle = await openPostgresLedger(database.url, { onPoolError: (err) => poolErrors.push(err) });
    admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    // A sequence counts the drops: nextval is not rolled back with the transaction the drop ends.
    await admin.query('CREATE TABLE drop_limit (n INT NOT NULL); CREATE SEQUENCE drop_count');
  });
  afterAll(async () => {
    await admin?.end();
    await handle?.close();
    await database?.drop();
  });

  /** The trigger: the next `times` inserted 'note' events end their own session, inside their transaction. */
  async function dropSessions(times: number) {
    await admin.query(`
      CREATE OR REPLACE FUNCTION drop_session() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.kind = 'note' AND nextval('drop_count') <= (SELECT n FROM drop_limit) THEN
          PERFORM pg_terminate_backend(pg_backend_pid());
          PERFORM pg_sleep(5);
        END IF;
        RETURN NEW;
      END $$;
      CREATE OR REPLACE TRIGGER drop_session BEFORE INSERT ON order_events
        FOR EACH ROW EXECUTE FUNCTION drop_session();
      ALTER SEQUENCE drop_count RESTART;
      DELETE FROM drop_limit;
    `);
    await admin.query('INSERT INTO drop_limit VALUES ($1)', [times]);
  }

  it('when it drops once before COMMIT, the call runs again on a new connection and succeeds once', async () => {
    const order = await handle.ledger.createOrder(orderInput());
    await dropSessions(1);
    await handle.ledger.recordEvent(order.id, 'note', 'ok');
    const notes = (await handle.ledger.events(order.id)).filter((e) => e.kind === 'note');
    expect(notes).toHaveLength(1);
    // Two attempts: the dropped one and the one that committed.
    expect((await admin.query('SELECT last_value::int AS n FROM drop_count')).rows[0]).toEqual({ n: 2 });
  });

  it('when it keeps dropping, the call fails with the server’s error, the process carries on, the pool recovers', async () => {
    const order = await handle.ledger.createOrder(orderInput());
    await dropSessions(10);
    await expect(handle.ledger.recordEvent(order.id, 'note', 'ok')).rejects.toThrow(
      /terminating connection|Connection terminated|not queryable/,
    );
    await dropSessions(0);
    expect((await handle.ledger.events(order.id)).filter((e) => e.kind === 'note')).toEqual([]);
    await handle.ledger.recordEvent(order.id, 'note', 'ok');
    expect(await handle.healthCheck()).toBe(true);
  });
});

(url ? describe : describe.skip)('the ledger pool: an error on a connection in no one’s hands', () => {
  it('never ends the process, and the connection is not handed out again', async () => {
    const database = await freshPostgresDatabase();
    const pool = createLedgerPool(database.url, { poolSize: 1 });
    try {
      const held = await pool.connect();
      // What node-postgres does when the server ends a session that is checked out but between queries, before
      // its holder listens (issue 2762 there): an 'error' event that, with no listener, Node throws.
      const lost = new Error('terminating connection due to administrator command');
      let thrown: unknown;
      try {
        held.emit('error', lost);
      } catch (err) {
        thrown = err;
      }
      held.release(lost);
      expect(thrown).toBeUndefined();
      const next = await pool.connect();
      try {
        expect(next).not.toBe(held);
        expect((await next.query<{ ok: number }>('SELECT 1 AS ok')).rows[0]?.ok).toBe(1);
      } finally {
        next.release();
      }
    } finally {
      await pool.end();
      await database.drop();
    }
  });
});
