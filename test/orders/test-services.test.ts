import { afterAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { freshPostgresDatabase, isLoopbackUrl, servicePlan, serviceUrl } from '../helpers/services.js';

describe('test services policy (TEST_DATABASE_URL, TEST_REDIS_URL)', () => {
  it('when the variable is set, then the suites run (CI or not)', () => {
    expect(servicePlan('postgres', { TEST_DATABASE_URL: 'postgres://127.0.0.1/x' })).toBe('run');
    expect(servicePlan('redis', { TEST_REDIS_URL: 'redis://127.0.0.1:6390', CI: 'true' })).toBe('run');
  });

  it('when it is missing on a developer machine, then they are skipped; in CI they fail', () => {
    expect(servicePlan('postgres', {})).toBe('skip');
    expect(servicePlan('redis', { TEST_DATABASE_URL: 'postgres://127.0.0.1/x' })).toBe('skip');
    expect(servicePlan('postgres', { CI: 'true' })).toBe('fail');
    expect(servicePlan('redis', { CI: 'true', TEST_DATABASE_URL: 'postgres://127.0.0.1/x' })).toBe('fail');
  });

  it('only loopback URLs are accepted', () => {
    expect(isLoopbackUrl('postgres://postgres@127.0.0.1:54329/postgres')).toBe(true);
    expect(isLoopbackUrl('redis://localhost:6390')).toBe(true);
    expect(isLoopbackUrl('redis://[::1]:6390')).toBe(true);
    expect(isLoopbackUrl('postgres://db.example.com/shop')).toBe(false);
    expect(isLoopbackUrl('postgres://127.0.0.1.example.com/shop')).toBe(false);
    expect(isLoopbackUrl('not a url')).toBe(false);
  });
});

const url = serviceUrl('postgres', 'freshPostgresDatabase (test/orders/test-services.test.ts)');

(url ? describe : describe.skip)('freshPostgresDatabase', () => {
  const drops: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const drop of drops) await drop();
  });

  it('gives each caller its own empty database, and drop removes it even with a connection open', async () => {
    const a = await freshPostgresDatabase();
    const b = await freshPostgresDatabase();
    drops.push(a.drop, b.drop);
    expect(a.url).not.toBe(b.url);
    const client = new pg.Client({ connectionString: a.url });
    client.on('error', () => {}); // the forced drop ends this connection
    await client.connect();
    const { rows } = await client.query<{ n: string }>(
      "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'public'",
    );
    expect(Number(rows[0]?.n)).toBe(0);
    const name = new URL(a.url).pathname.slice(1);
    await a.drop();
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    const left = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    await admin.end();
    expect(left.rowCount).toBe(0);
    await client.end().catch(() => {});
  });
});
