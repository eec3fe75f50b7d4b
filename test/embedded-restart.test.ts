/**
 * Issue 9 as a buyer met it: a payment page opened, the shop (with its embedded sandbox) restarted, Buy pressed
 * again on the same item. The embedded sandbox keeps its orders under DATA_DIR/sandbox/, so the page the shop stored
 * still works after the restart, and the shop sends the buyer back to it.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import session from 'express-session';
import request from 'supertest';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { gatewayClientFor, startGatewayTarget, type GatewayTarget } from '../src/gateway-target.js';
import { isDatabaseUsable, openDatabase } from '../src/orders/db.js';
import { createLedger } from '../src/orders/ledger.js';
import { createSqliteSessionStore } from '../src/storage/sessions/sqlite.js';
import { createPayments } from '../src/payments/index.js';
import { createCatalog } from '../src/shop/catalog.js';
import { capturedLogger } from './helpers/logs.js';
import { payOnHostedPage } from '../packages/gateway-sandbox/test/helpers/sandbox-buyer.js';
import { buy } from './helpers/shop.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A port free right now, so both starts of the sandbox listen (and build formUrl) on the same one. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

describe('the embedded sandbox across a restart of the shop', () => {
  it('when Buy is pressed again after the restart, then the buyer goes back to the stored page, and it takes the payment', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'embedded-restart-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const config = loadConfig({
      NODE_ENV: 'test',
      DATA_DIR: dataDir,
      SESSION_SECRET: 'a-test-session-secret-of-32-chars!!',
      PUBLIC_BASE_URL: 'http://shop.test',
      SANDBOX_PORT: String(await freePort()),
      CALLBACKS: 'off',
    });
    const { logger, lines } = capturedLogger('debug');
    const db = openDatabase(path.join(dataDir, 'shop.db'));
    const sessionStore = createSqliteSessionStore(session, db);
    cleanups.push(() => {
      sessionStore.close();
      db.close();
    });
    const ledger = createLedger(db);
    /** The shop as server.ts builds it, on the one database; `target` is this run's gateway (and sandbox). */
    const startShop = async () => {
      const target = await startGatewayTarget(config, logger);
      cleanups.push(() => target.close());
      const gateway = gatewayClientFor(target, config);
      const payments = createPayments({ config, logger, ledger, gateway });
      const deps = { config, logger, ledger, gateway, payments, catalog: createCatalog() };
      const app = createApp({ ...deps, sessionStore, healthCheck: () => isDatabaseUsable(db) });
      return { target, app };
    };

    const before = await startShop();
    const browser = request.agent(before.app);
    const first = await buy(browser, 'notebook');
    expect(first.status).toBe(303);
    expect(existsSync(path.join(dataDir, 'sandbox', 'sandbox.db'))).toBe(true);
    await before.target.close();

    const after: { target: GatewayTarget } = await startShop();
    const again = await buy(browser, 'notebook');
    expect(again.status).toBe(303);
    expect(again.headers.location).toBe(first.headers.location);
    expect(lines.join('\n')).toContain('"orders":1');
    const paid = await payOnHostedPage(again.headers.location!, { pan: '4111111111111111' });
    expect(paid.redirectUrl).toMatch(/^http:\/\/shop\.test\/checkout\/return\?orderId=/);
    const orderId = new URL(first.headers.location!).searchParams.get('mdOrder')!;
    expect(after.target.sandbox?.sandbox.engine.get(orderId)?.status).toBe(2);
  });
});
