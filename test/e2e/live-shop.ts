import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import session from 'express-session';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createGatewayClient } from '../../src/gateway/index.js';
import { createLogger } from '../../src/log.js';
import { openDatabase } from '../../src/orders/db.js';
import { createLedger, type Ledger } from '../../src/orders/ledger.js';
import { createSqliteSessionStore } from '../../src/orders/session-store.js';
import { DEFAULT_MERCHANTS, startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { createCatalog } from '../../src/shop/catalog.js';

export interface LiveShop {
  /** http://localhost:<port> — the shop's public URL, also its PUBLIC_BASE_URL. */
  url: string;
  /** http://127.0.0.1:<port> — another *site* than the shop, as a real gateway is. */
  sandbox: RunningSandbox;
  ledger: Ledger;
  logs: string[];
  fulfilled: number[];
  close(): Promise<void>;
}

/**
 * The shop on a real listener, wired like test/helpers/shop.ts, but reachable by a browser. The server is created
 * and bound first because PUBLIC_BASE_URL (hence returnUrl) must carry the real port.
 */
export async function startLiveShop(): Promise<LiveShop> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'shop-e2e-'));
  const sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
  const server = http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  // localhost, not 127.0.0.1: the browser then treats shop and gateway as different sites (SameSite applies).
  const url = `http://localhost:${port}`;

  const merchant = DEFAULT_MERCHANTS[0]!;
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    SESSION_SECRET: 'e2e-session-secret-0123456789abcdef',
    PUBLIC_BASE_URL: url,
    GATEWAY_URL: sandbox.gatewayUrl,
    GATEWAY_USERNAME: merchant.userName,
    GATEWAY_PASSWORD: merchant.password,
    GATEWAY_TIMEOUT_MS: '3000',
    GATEWAY_STATUS_TIMEOUT_MS: '2000',
    LOG_LEVEL: 'debug',
    // Every test presses Buy a few times from one address; the limit is not what is being tested here.
    BUY_RATE_LIMIT_PER_MINUTE: '1000',
  });
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const logger = createLogger({ level: config.logLevel, destination });
  const db = openDatabase(path.join(dataDir, 'shop.db'));
  const sessionStore = createSqliteSessionStore(session, db);
  const ledger = createLedger(db);
  const fulfilled: number[] = [];
  const gateway = createGatewayClient({
    baseUrl: sandbox.gatewayUrl,
    auth: { userName: merchant.userName, password: merchant.password },
    timeouts: { operationMs: 3000, statusMs: 2000 },
    statusRetries: 1,
    onCall: (e) => logger.debug({ gatewayCall: e }, 'gateway call'),
  });
  const app = createApp({
    config,
    logger,
    ledger,
    gateway,
    sessionStore,
    catalog: createCatalog(),
    healthCheck: () => db.open,
    onFulfilled: (id) => fulfilled.push(id),
  });
  server.on('request', app);

  return {
    url,
    sandbox,
    ledger,
    logs,
    fulfilled,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // The browser keeps connections alive; without this close() waits for their idle timeout.
        server.closeAllConnections();
      });
      await sandbox.close();
      sessionStore.close();
      db.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
