/** A buyer's cancel on the hosted page is kept by the sandbox that keeps its orders on disk. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { startSandbox, type RunningSandbox } from '../src/index.js';
import { CREDS, OPERATOR_TOKEN } from './helpers/sandbox-app.js';

describe('buyer cancel with a data folder', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sandbox-cancel-'));
  const running: RunningSandbox[] = [];
  afterAll(async () => {
    for (const sb of running) await sb.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async () => {
    const sb = await startSandbox({ port: 0, dataDir: dir, operatorToken: OPERATOR_TOKEN, callbacks: false });
    running.push(sb);
    return sb;
  };
  const api = async (sb: RunningSandbox, method: string, params: Record<string, string>) =>
    (await (
      await fetch(`${sb.gatewayUrl}${method}.do`, {
        method: 'POST',
        body: new URLSearchParams({ ...CREDS, ...params }),
      })
    ).json()) as Record<string, unknown>;

  it('when the buyer cancels and the sandbox restarts, then the order is still declined with -2014', async () => {
    const first = await start();
    const { orderId, formUrl } = (await api(first, 'register', {
      orderNumber: `cancel-${process.pid}`,
      amount: '1250',
      returnUrl: 'https://shop.test/return',
    })) as { orderId: string; formUrl: string };
    const res = await fetch(formUrl, {
      method: 'POST',
      body: new URLSearchParams({ mdOrder: orderId, op: 'cancel' }),
      redirect: 'manual',
    });
    expect(res.status).toBe(303);
    await first.close();
    running.splice(running.indexOf(first), 1);

    const second = await start();
    await expect(api(second, 'getOrderStatusExtended', { orderId })).resolves.toMatchObject({
      orderStatus: 6,
      actionCode: -2014,
    });
  });
});
