// The one-shot launcher (src/reconcile.ts, `npm run reconcile`) as cron would run it: its JSON line says what the
// run asked about and what it skipped, and why.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from '@jest/globals';
import { openDatabase } from '../src/orders/db.js';
import { createLedger } from '../src/orders/ledger.js';
import { startMisbehavingGateway, type MisbehavingGateway } from './helpers/misbehaving-gateway.js';
import { notebookOrder } from './helpers/orders-db.js';
import { REPO_ROOT } from './helpers/page-leaks.js';

const cwd = mkdtempSync(path.join(tmpdir(), 'reconcile-'));
let gateway: MisbehavingGateway | undefined;
afterAll(async () => {
  await gateway?.close();
  rmSync(cwd, { recursive: true, force: true });
});

function runReconcile(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const tsx = pathToFileURL(path.join(REPO_ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
  const child = spawn(process.execPath, ['--import', tsx, path.join(REPO_ROOT, 'src/reconcile.ts')], {
    cwd,
    env: { PATH: process.env.PATH ?? '', TSX_TSCONFIG_PATH: path.join(REPO_ROOT, 'tsconfig.json'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

describe('npm run reconcile', () => {
  it('when another reconciler holds some due orders, then the JSON line counts them as skipped and says why', async () => {
    gateway = await startMisbehavingGateway({});
    const dataDir = path.join(cwd, 'data');
    const db = openDatabase(path.join(dataDir, 'shop.db'));
    // Five open orders, a minute old (due for their first look); three leased by a reconciler that then died.
    const ledger = createLedger(db, { now: () => Date.now() - 60_000 });
    for (let i = 0; i < 5; i += 1) {
      const { id } = ledger.createOrder(notebookOrder());
      ledger.markRegistered(id, { gatewayOrderId: `gw-${id}`, formUrl: `${gateway.origin}/pay?mdOrder=gw-${id}` });
    }
    const now = Date.now();
    const query = { openBefore: now, paidSince: now, checkedBefore: now, limit: 3 };
    const crashed = createLedger(db).leaseDue({ ...query, holder: 'crashed-host:1:abcd', leaseMs: 30_000 });
    expect(crashed).toHaveLength(3);
    db.close();

    const { code, stdout, stderr } = await runReconcile({
      NODE_ENV: 'development',
      DATA_DIR: dataDir,
      GATEWAY_URL: gateway.baseUrl,
      GATEWAY_USERNAME: 'reconcile-test',
      GATEWAY_PASSWORD: 'reconcile-test-password',
      RECONCILE_BATCH: '1',
      LOG_LEVEL: 'silent',
    });
    expect(stderr).toBe('');
    expect([0, 3]).toContain(code);
    const summary = JSON.parse(stdout.trim()) as Record<string, unknown>;
    expect(summary).toMatchObject({ checked: 1, skipped: { leased: 3, overBatch: 1, stopped: 0 } });
    const until = Date.parse((summary.skipped as { leasedUntil: string }).leasedUntil);
    expect(until).toBeGreaterThan(now);
    expect(until).toBeLessThanOrEqual(now + 30_000 + 5_000);
    expect(summary.skippedWhy).toEqual([
      expect.stringMatching(/^3 leased by another reconciler until \S+ \(running, or stopped less than a lease ago\)$/),
      '1 over RECONCILE_BATCH, left for the next run',
    ]);
  }, 60_000);
});
