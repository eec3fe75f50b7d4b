// /healthz and /readyz must see a ledger that can no longer write. With the disk full every SQLite write fails
// ("database or disk is full") while every read still answers, so a read-only check stayed 200. Here the shop's data
// folder is a real filesystem that fills up: a small tmpfs mounted for this test (root only; CI runs as root). The
// probe itself rewrites one row in place: it neither grows the database nor leaves rows behind.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { createHealthCheck, openDatabase } from '../../src/orders/db.js';
import { createLedger } from '../../src/orders/ledger.js';
import { openPostgresLedger } from '../../src/orders/postgres/ledger.js';
import { startMisbehavingGateway, type MisbehavingGateway } from '../helpers/misbehaving-gateway.js';
import { notebookOrder } from '../helpers/orders-db.js';
import { freshPostgresDatabase, postgresUrl } from '../helpers/services.js';
import { freePort, startShopProcess, type ShopProcess } from '../helpers/shop-process.js';

const TMPFS_BYTES = 2 * 1024 * 1024;

/** Mounts a small tmpfs at `dir`; undefined when this process may not (not root), after a loud warning or, in CI, an error. */
function mountTmpfs(dir: string): (() => void) | undefined {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS_BYTES},mode=0700`, 'tmpfs', dir], { stdio: 'pipe' });
    return () => execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
  } catch (err) {
    const why = `cannot mount a tmpfs (${(err as Error).message.split('\n')[0]})`;
    if (process.env.CI) throw new Error(`the full-disk test must run in CI (as root): ${why}`);
    const line = '!'.repeat(78);
    process.stderr.write(`\n${line}\n!!  FULL-DISK TEST SKIPPED: ${why}\n!!  run it as root (CI does)\n${line}\n\n`);
    return undefined;
  }
}

/** Writes until the filesystem refuses (ENOSPC): what a full disk is. */
function fill(dir: string): void {
  const chunk = Buffer.alloc(16 * 1024, 1);
  for (let i = 0; ; i += 1) {
    try {
      writeFileSync(path.join(dir, `filler-${i}`), chunk);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOSPC') return;
      throw err;
    }
  }
}

async function statusOf(url: string): Promise<number> {
  const res = await fetch(url);
  await res.body?.cancel();
  return res.status;
}

async function until(check: () => Promise<boolean>, ms = 20_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('a full disk under the SQLite ledger', () => {
  const cwd = mkdtempSync(path.join(tmpdir(), 'full-disk-'));
  const mountPoint = path.join(cwd, 'disk');
  mkdirSync(mountPoint);
  const unmount = mountTmpfs(mountPoint);
  let gateway: MisbehavingGateway;
  let shop: ShopProcess;
  const dataDir = path.join(mountPoint, 'data');

  beforeAll(async () => {
    if (!unmount) return;
    gateway = await startMisbehavingGateway();
    const port = await freePort();
    shop = await startShopProcess(
      {
        NODE_ENV: 'development',
        HOST: '127.0.0.1',
        PORT: String(port),
        PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
        DATA_DIR: dataDir,
        GATEWAY_URL: gateway.baseUrl,
        GATEWAY_USERNAME: 'full-disk-test',
        GATEWAY_PASSWORD: 'full-disk-test-password',
        CALLBACKS: 'off',
        RECONCILE_INTERVAL_SECS: '0',
        LOG_LEVEL: 'info',
      },
      cwd,
    );
  }, 60_000);

  afterAll(async () => {
    await shop?.stop();
    await gateway?.close();
    unmount?.();
    rmSync(cwd, { recursive: true, force: true });
  });

  (unmount ? it : it.skip)(
    'healthz and readyz answer 503 while writes fail with "database or disk is full", and 200 again once space is back',
    async () => {
      expect(await statusOf(`${shop.url}/healthz`)).toBe(200);
      expect(await statusOf(`${shop.url}/readyz`)).toBe(200);

      fill(mountPoint);
      // What every request that writes now meets (a second connection on the same file, as the reconciler's would be).
      const db = openDatabase(path.join(dataDir, 'shop.db'));
      try {
        const ledger = createLedger(db);
        let full: unknown;
        for (let i = 0; i < 200 && full === undefined; i += 1) {
          try {
            ledger.createOrder(notebookOrder());
          } catch (err) {
            full = err;
          }
        }
        expect(String(full)).toMatch(/database or disk is full/);
      } finally {
        db.close();
      }

      expect(await until(async () => (await statusOf(`${shop.url}/healthz`)) === 503)).toBe(true);
      const ready = await fetch(`${shop.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ checks: { database: 'failed' } });

      rmSync(path.join(mountPoint, 'filler-0'));
      rmSync(path.join(mountPoint, 'filler-1'));
      expect(await until(async () => (await statusOf(`${shop.url}/readyz`)) === 200)).toBe(true);
      expect(await statusOf(`${shop.url}/healthz`)).toBe(200);
    },
    60_000,
  );
});

describe('the SQLite write probe', () => {
  it('rewrites one row in place: 500 probes leave one row and the same page count', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'write-probe-'));
    const db = openDatabase(path.join(dir, 'shop.db'));
    try {
      const check = createHealthCheck(db, { everyMs: 0 });
      expect(check()).toBe(true);
      const pages = db.pragma('page_count', { simple: true });
      for (let i = 0; i < 500; i += 1) expect(check()).toBe(true);
      db.pragma('wal_checkpoint(TRUNCATE)');
      expect(db.pragma('page_count', { simple: true })).toBe(pages);
      expect(db.prepare('SELECT id, writes FROM write_probe').all()).toEqual([{ id: 1, writes: 501 }]);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const pgBase = postgresUrl('the PostgreSQL write probe (test/storage/ledger-write-probe.test.ts)');

(pgBase ? describe : describe.skip)('a PostgreSQL ledger that no longer takes writes', () => {
  let database: Awaited<ReturnType<typeof freshPostgresDatabase>>;
  beforeAll(async () => {
    database = await freshPostgresDatabase();
  });
  afterAll(() => database?.drop());

  it('is reported by its readiness check when the database turns read-only', async () => {
    let t = Date.now();
    const handle = await openPostgresLedger(database.url, { now: () => t });
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      expect(await handle.healthCheck()).toBe(true);
      // The server goes read-only for this database (as a standby would be) and drops its sessions: the pool's next
      // connections start read-only. Reads still answer.
      const name = new URL(database.url).pathname.slice(1);
      await admin.query(`ALTER DATABASE ${name} SET default_transaction_read_only = on`);
      await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [name],
      );
      t += 10_000; // past the probe's period
      // The pool hears of its dropped connections asynchronously: a read may meet one before it is gone.
      let read: unknown;
      for (let i = 0; i < 20 && !Array.isArray(read); i += 1) {
        read = await handle.ledger.listRecent(1).catch(() => new Promise((resolve) => setTimeout(resolve, 100)));
      }
      expect(read).toEqual([]);
      expect(await handle.healthCheck()).toBe(false);
    } finally {
      await admin.end();
      await handle.close();
    }
  });
});
