/** The report card and the hold lifetime over a sandbox that keeps its orders and journal on disk, across a restart. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { createSandboxTestClient, startSandbox, type RunningSandbox } from '../src/index.js';
import { CREDS, OPERATOR_AUTH, OPERATOR_TOKEN, T0 } from './helpers/sandbox-app.js';

const DAY = 86_400_000;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

let now = T0;
async function start(dataDir: string): Promise<RunningSandbox> {
  const sb = await startSandbox({
    port: 0,
    dataDir,
    now: () => now,
    operatorToken: OPERATOR_TOKEN,
    callbacks: false,
    testHelpers: true,
  });
  cleanups.push(() => sb.close());
  return sb;
}

async function api(sb: RunningSandbox, method: string, params: Record<string, string>) {
  const res = await fetch(`${sb.gatewayUrl}${method}.do`, {
    method: 'POST',
    body: new URLSearchParams({ ...CREDS, ...params }),
  });
  return (await res.json()) as Record<string, unknown> & { orderId?: string };
}

async function report(sb: RunningSandbox) {
  const res = await fetch(`${sb.url}/sandbox/report/demo-shop.json`, { headers: OPERATOR_AUTH });
  expect(res.status).toBe(200);
  return (await res.json()) as { checks: { id: string; verdict: string; observed: number; failed: number }[] };
}

describe('the report card across a restart (SANDBOX_DATA_DIR)', () => {
  it('when the sandbox restarts, then the journal restored from disk grades the same, and a hold still expires', async () => {
    now = T0;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sandbox-report-restart-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const first = await start(dir);
    const helpers = createSandboxTestClient({ baseUrl: first.url, operatorToken: OPERATOR_TOKEN });
    const returnUrl = 'https://shop.test/return';
    const paid = await api(first, 'register', { orderNumber: 'R-1', amount: '150000', returnUrl });
    await helpers.pay(paid.orderId!);
    now += 1000;
    await api(first, 'getOrderStatusExtended', { orderNumber: 'R-1' });
    await api(first, 'refund', { orderId: paid.orderId!, amount: '50000', externalRefundId: 'rf-1' });
    await api(first, 'refund', { orderId: paid.orderId!, amount: '50000', externalRefundId: 'rf-1' });
    await api(first, 'register', { orderNumber: 'R-2', amount: '1500.50', returnUrl: 'http://shop.test/return' });
    const held = await api(first, 'registerPreAuth', { orderNumber: 'R-3', amount: '2000', returnUrl });
    await helpers.pay(held.orderId!);
    now += 1000;
    await api(first, 'getOrderStatusExtended', { orderId: held.orderId! });
    const before = await report(first);
    await first.close();

    const second = await start(dir);
    expect(await report(second)).toEqual(before);
    const verdicts = Object.fromEntries(before.checks.map((c) => [c.id, c.verdict]));
    expect(verdicts).toMatchObject({
      'amounts-minor-units': 'fail',
      'return-url-safe': 'fail',
      'refunds-sane': 'pass',
      'order-number-unique': 'pass',
      'holds-settled': 'not-observed',
    });

    // A week and a minute on, the restarted sandbox releases the hold it kept on disk, and the card says it expired.
    now += 7 * DAY + 60_000;
    second.sandbox.sweep();
    const status = await api(second, 'getOrderStatusExtended', { orderId: held.orderId! });
    expect(status.orderStatus).toBe(3);
    const after = await report(second);
    expect(after.checks.find((c) => c.id === 'holds-settled')).toMatchObject({ verdict: 'fail', failed: 1 });
  });
});
