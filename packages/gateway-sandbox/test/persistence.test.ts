/** The sandbox that keeps its orders on disk (SANDBOX_DATA_DIR standalone, DATA_DIR/sandbox embedded) across restarts. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { loadSandboxConfig, startSandbox, type RunningSandbox } from '../src/index.js';
import { openSandboxDatabase, SANDBOX_DB_FILE, SANDBOX_MIGRATIONS, SandboxDatabaseError } from '../src/database.js';
import { Sqlite } from '../src/sqlite.js';
import { payOnHostedPage } from './helpers/sandbox-buyer.js';
import { CREDS, OPERATOR_AUTH, OPERATOR_TOKEN } from './helpers/sandbox-app.js';

/** The schema version this build writes: its newest migration's. */
const LATEST = Math.max(...SANDBOX_MIGRATIONS.map((m) => m.version));

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sandbox-persist-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A logger that keeps every line as `message {fields}` text. */
function recordingLogger() {
  const lines: string[] = [];
  const write = (...args: unknown[]) => {
    const [first, second] = args;
    lines.push(typeof first === 'string' ? first : `${String(second)} ${JSON.stringify(first)}`);
  };
  return { lines, logger: { info: write, warn: write, error: write } };
}

async function start(dataDir: string | undefined, extra: Partial<Parameters<typeof startSandbox>[0]> = {}) {
  const { lines, logger } = recordingLogger();
  const sb = await startSandbox({
    port: 0,
    dataDir,
    operatorToken: OPERATOR_TOKEN,
    callbacks: false,
    logger,
    ...extra,
  });
  let closed = false;
  cleanups.push(() => (closed ? undefined : sb.close()));
  return {
    sb,
    lines,
    close: async () => {
      closed = true;
      await sb.close();
    },
  };
}

let n = 0;
async function api(sb: RunningSandbox, method: string, params: Record<string, string>) {
  const res = await fetch(`${sb.gatewayUrl}${method}.do`, {
    method: 'POST',
    body: new URLSearchParams({ ...CREDS, ...params }),
  });
  return (await res.json()) as Record<string, unknown> & { orderId?: string; formUrl?: string };
}
const register = (sb: RunningSandbox) =>
  api(sb, 'register', {
    orderNumber: `P-${process.pid}-${++n}`,
    amount: '150000',
    returnUrl: 'https://shop.test/return',
  });

describe('a sandbox with a data folder', () => {
  it('when it restarts, then the order registered before is paid on its payment page, and paid and refunded orders keep state, amounts and history', async () => {
    const dir = tempDir();
    const first = await start(dir);
    const unpaid = await register(first.sb);
    const refunded = await register(first.sb);
    const paid = await payOnHostedPage(refunded.formUrl!, { pan: '4111111111111111' });
    expect(paid.redirectUrl).toMatch(/^https:\/\/shop\.test\/return\?orderId=/);
    expect(await api(first.sb, 'refund', { orderId: refunded.orderId!, amount: '50000' })).toMatchObject({
      errorCode: 0,
    });
    await first.close();

    const second = await start(dir);
    expect(second.lines.join('\n')).toContain('"orders":2');
    // The page address the shop stored before the restart, on the restarted sandbox (port 0 gave it another port).
    const formUrl = unpaid.formUrl!.replace(first.sb.url, second.sb.url);
    const outcome = await payOnHostedPage(formUrl, { pan: '4111111111111111' });
    expect(outcome.redirectUrl).toBe(`https://shop.test/return?orderId=${unpaid.orderId}&lang=en`);
    expect(await api(second.sb, 'getOrderStatusExtended', { orderId: unpaid.orderId! })).toMatchObject({
      orderStatus: 2,
      cardAuthInfo: { maskedPan: '411111**1111' },
    });
    expect(await api(second.sb, 'getOrderStatusExtended', { orderId: refunded.orderId! })).toMatchObject({
      orderStatus: 4,
      paymentAmountInfo: { depositedAmount: 150000, refundedAmount: 50000 },
    });
    // Its number is still taken: a duplicate is refused as before the restart.
    const number = (await api(second.sb, 'getOrderStatusExtended', { orderId: refunded.orderId! }))
      .orderNumber as string;
    expect(
      await api(second.sb, 'register', { orderNumber: number, amount: '1', returnUrl: 'https://shop.test/return' }),
    ).toMatchObject({ errorCode: '1' });
    const history = second.sb.sandbox.journal.of(second.sb.sandbox.engine.get(refunded.orderId!)!);
    expect(history.operations.map((op) => op.operation)).toEqual(['deposited', 'refunded']);
    const page = await request(second.sb.url).get(`/sandbox/orders/${refunded.orderId}`).set(OPERATOR_AUTH);
    expect(page.text).toContain('refunded');
  });

  it('when it restarts after the sweep purged an order, then the purged order stays gone', async () => {
    const dir = tempDir();
    let now = Date.UTC(2030, 0, 1);
    const first = await start(dir, { now: () => now, retentionMs: 1000 });
    const { orderId } = await register(first.sb);
    now += 1200 * 1000 + 1000;
    expect(first.sb.sandbox.sweep()).toMatchObject({ purged: 1 });
    await first.close();
    const second = await start(dir, { now: () => now });
    expect(second.sb.sandbox.store.size).toBe(0);
    expect(await api(second.sb, 'getOrderStatusExtended', { orderId: orderId! })).toMatchObject({ errorCode: '6' });
  });

  it('when it restarts with a lower maxOrders, then only the newest orders are kept', async () => {
    const dir = tempDir();
    const first = await start(dir);
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) ids.push((await register(first.sb)).orderId!);
    await first.close();
    const second = await start(dir, { maxOrders: 2 });
    expect(second.sb.sandbox.store.list().map((o) => o.id)).toEqual([ids[2], ids[1]]);
    await second.close();
    const third = await start(dir);
    expect(third.sb.sandbox.store.size).toBe(2);
  });

  it('creates the folder 0700 and the database 0600, with its schema version in PRAGMA user_version', async () => {
    const dir = path.join(tempDir(), 'nested', 'sandbox');
    const { close } = await start(dir);
    const file = path.join(dir, SANDBOX_DB_FILE);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    await close();
    const db = new Sqlite(file);
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(LATEST);
    } finally {
      db.close();
    }
  });

  it('when the database comes from a newer build, then start-up stops and says so', async () => {
    const dir = tempDir();
    openSandboxDatabase(dir).db.close();
    const db = new Sqlite(path.join(dir, SANDBOX_DB_FILE));
    db.pragma('user_version = 99');
    db.close();
    await expect(start(dir)).rejects.toThrow(`schema version 99 is newer than this build supports (${LATEST})`);
  });

  it('when a second sandbox opens the same folder, then it refuses to start instead of keeping a second copy', async () => {
    const dir = tempDir();
    await start(dir);
    const err = await start(dir).catch((e: unknown) => e);
    expect(String(err)).toContain('in use by another process');
    expect(err).toBeInstanceOf(SandboxDatabaseError);
  });

  it('when it stops with callbacks pending, then it says so, and the next start says they were dropped', async () => {
    const dir = tempDir();
    // A receiver that never answers: the callback stays in flight until the sandbox stops.
    let arrived!: () => void;
    const reached = new Promise<void>((resolve) => (arrived = resolve));
    const receiver = http.createServer(() => arrived());
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    cleanups.push(() => {
      receiver.closeAllConnections();
      return new Promise<void>((r) => receiver.close(() => r()));
    });
    const callbackUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/cb`;
    const first = await start(dir, { callbackHosts: ['127.0.0.1'], callbacks: { timeoutMs: 60_000 } });
    const { orderId } = await api(first.sb, 'register', {
      orderNumber: `CB-${++n}`,
      amount: '100',
      returnUrl: 'https://shop.test/return',
      dynamicCallbackUrl: callbackUrl,
    });
    const order = first.sb.sandbox.engine.get(orderId!)!;
    first.sb.sandbox.engine.pay(order, {
      pan: '4111111111111111',
      expiration: '203012',
      cvc: '123',
      cardholderName: 'A B',
    });
    await reached;
    await first.close();
    expect(first.lines.join('\n')).toContain('pending callbacks dropped, never resent');
    const second = await start(dir);
    expect(second.lines.join('\n')).toContain('"droppedCallbacks":1');
    await second.close();
    const third = await start(dir);
    expect(third.lines.join('\n')).not.toContain('droppedCallbacks');
  });

  it('without a data folder, it keeps orders in memory, says so, and a restart forgets them', async () => {
    const first = await start(undefined);
    expect(first.lines).toContain('gateway sandbox keeps its orders in memory only: a restart forgets them');
    const { orderId } = await register(first.sb);
    await first.close();
    const second = await start(undefined);
    expect(await api(second.sb, 'getOrderStatusExtended', { orderId: orderId! })).toMatchObject({ errorCode: '6' });
  });

  it('reads SANDBOX_DATA_DIR; unset or blank means in memory', () => {
    expect(loadSandboxConfig({ SANDBOX_DATA_DIR: '/srv/sandbox' }).dataDir).toBe('/srv/sandbox');
    expect(loadSandboxConfig({}).dataDir).toBeUndefined();
    expect(loadSandboxConfig({ SANDBOX_DATA_DIR: '  ' }).dataDir).toBeUndefined();
  });
});
