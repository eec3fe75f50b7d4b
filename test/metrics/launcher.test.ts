// The real launcher (src/server.ts): METRICS_PORT opens a second listener for /metrics on METRICS_HOST; the shop's
// port never serves it; /readyz probes the embedded sandbox's /healthz.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config.js';
import { DEFAULT_MERCHANTS, startSandbox } from '@rbs-storefront/gateway-sandbox';
import { valueOf } from '../helpers/metrics.js';
import { jsonLogLines } from '../helpers/logs.js';
import { freePort, startShopProcess, type ShopProcess } from '../helpers/shop-process.js';

const cwd = mkdtempSync(path.join(tmpdir(), 'metrics-launcher-'));
const started: ShopProcess[] = [];
afterAll(async () => {
  for (const p of started) await p.stop();
  rmSync(cwd, { recursive: true, force: true });
});

function env(port: number, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'development',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATA_DIR: path.join(cwd, `data-${port}`),
    SANDBOX_PORT: '0',
    RECONCILE_INTERVAL_SECS: '0',
    LOG_LEVEL: 'info',
    ...extra,
  };
}

describe('METRICS_PORT', () => {
  it('serves /metrics on its own loopback listener, not on the shop’s port', async () => {
    const [port, metricsPort] = [await freePort(), await freePort()];
    const shop = await startShopProcess(env(port, { METRICS_PORT: String(metricsPort) }), cwd);
    started.push(shop);
    const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(valueOf(text, 'shop_orders_registered_total')).toBe(0);
    expect(valueOf(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    const onShopPort = await fetch(`${shop.url}/metrics`);
    await onShopPort.body?.cancel();
    expect(onShopPort.status).toBe(404);
    expect(shop.stdout()).toContain(`"url":"http://127.0.0.1:${metricsPort}/metrics"`);
    // The embedded sandbox is probed at its /healthz.
    const ready = await fetch(`${shop.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok', checks: { database: 'ok', gateway: 'ok' } });
    expect(await shop.stop()).toBe(0);
  });

  it('unset: no metrics listener is started', async () => {
    const port = await freePort();
    const shop = await startShopProcess(env(port), cwd);
    started.push(shop);
    expect(shop.stdout()).not.toContain('metrics listening');
    const onShopPort = await fetch(`${shop.url}/metrics`);
    await onShopPort.body?.cancel();
    expect(onShopPort.status).toBe(404);
    expect(await shop.stop()).toBe(0);
  });
});

describe('gateway credentials at start', () => {
  it('when the gateway refuses them (errorCode 5), the shop still starts, warns plainly, and /readyz says so', async () => {
    const sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
    try {
      const port = await freePort();
      const shop = await startShopProcess(
        env(port, {
          PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
          // Without its trailing slash, as people write it.
          GATEWAY_URL: sandbox.gatewayUrl.replace(/\/$/, ''),
          GATEWAY_USERNAME: DEFAULT_MERCHANTS[0]!.userName,
          GATEWAY_PASSWORD: 'a-wrong-password-for-this-test',
          CALLBACKS: 'off',
        }),
        cwd,
      );
      started.push(shop);
      const warning = jsonLogLines(shop.stdout()).find((l) => l.msg.includes("refused the shop's credentials"));
      expect(warning).toEqual({
        level: 40,
        msg: `the gateway at ${sandbox.url} refused the shop's credentials (errorCode 5, access denied): every Buy will fail until GATEWAY_USERNAME/GATEWAY_PASSWORD (or GATEWAY_TOKEN) are right; /readyz says "credentials rejected" meanwhile`,
        time: expect.any(Number),
      });
      expect(shop.stdout()).not.toContain('a-wrong-password-for-this-test');
      const ready = await fetch(`${shop.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({
        status: 'unavailable',
        checks: { database: 'ok', gateway: 'credentials rejected' },
      });
      expect(await shop.stop()).toBe(0);
    } finally {
      await sandbox.close();
    }
  }, 30_000);
});

describe('the METRICS_* settings', () => {
  const base = { DATA_DIR: cwd, SESSION_SECRET: 'metrics-config-test-secret-0123456789' };

  it('are off unless METRICS_PORT is set, and bind to 127.0.0.1 by default', () => {
    expect(loadConfig(base).metrics).toBeUndefined();
    expect(loadConfig({ ...base, METRICS_HOST: '0.0.0.0' }).metrics).toBeUndefined();
    expect(loadConfig({ ...base, METRICS_PORT: '3502' }).metrics).toEqual({ port: 3502, host: '127.0.0.1' });
    expect(loadConfig({ ...base, METRICS_PORT: '3502', METRICS_HOST: '127.0.0.2' }).metrics).toEqual({
      port: 3502,
      host: '127.0.0.2',
    });
  });

  it('refuse a bad port, or the shop’s own port', () => {
    expect(() => loadConfig({ ...base, METRICS_PORT: 'x' })).toThrow(/METRICS_PORT: must be a free TCP port/);
    expect(() => loadConfig({ ...base, PORT: '3500', METRICS_PORT: '3500' })).toThrow(
      /METRICS_PORT: must differ from PORT/,
    );
  });
});
