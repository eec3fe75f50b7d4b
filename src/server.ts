import type { Server } from 'node:http';
import path from 'node:path';
import dotenv from 'dotenv';
import session from 'express-session';
import { createApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createGatewayClient } from './gateway/index.js';
import { startGatewayTarget } from './gateway-target.js';
import { createLogger } from './log.js';
import { isDatabaseUsable, openDatabase } from './orders/db.js';
import { createLedger } from './orders/ledger.js';
import { createSqliteSessionStore } from './orders/session-store.js';
import { createCatalog } from './shop/catalog.js';
import { createReconciler } from './shop/reconciler.js';

/** The shop's launcher: reads the environment, listens, handles signals and exits (like reconcile.ts, sandbox/server.ts). */
async function main(): Promise<void> {
  dotenv.config({ quiet: true });
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nSee .env.example for every setting.\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger({ level: config.logLevel });
  const db = openDatabase(path.join(config.dataDir, 'shop.db'));
  const sessionStore = createSqliteSessionStore(session, db);

  const target = await startGatewayTarget(config, logger);
  const gateway = createGatewayClient({
    baseUrl: target.url,
    paymentPageOrigin: target.paymentPageOrigin,
    auth: target.auth,
    timeouts: { operationMs: config.gateway.timeoutMs, statusMs: config.gateway.statusTimeoutMs },
    onCall: (e) => logger.debug({ gatewayCall: e }, 'gateway call'),
  });
  const { callbackKey } = target;
  const deps = { config, logger, ledger: createLedger(db), gateway, catalog: createCatalog(), callbackKey };
  const app = createApp({ ...deps, sessionStore, healthCheck: () => isDatabaseUsable(db) });
  const reconciler = createReconciler(deps, { ...config.reconcile, openAfterMs: config.orderLifetimeSecs * 1000 });
  if (config.callbacks.enabled && callbackKey === undefined) {
    logger.warn('GATEWAY_CALLBACK_KEY is unset: callbacks are accepted unsigned (development only)');
  }

  const server: Server = app.listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  logger.info({ url: config.publicBaseUrl, flow: config.flow, gateway: config.gateway.mode }, 'shop listening');
  if (config.admin) logger.info({ url: `${config.publicBaseUrl}/admin`, user: config.admin.user }, 'back office on');
  else logger.info('back office off: set ADMIN_PASSWORD_HASH (npm run admin-hash) to turn on /admin');
  reconciler.start();

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // Keep-alive connections would hold close() open; a payment page round trip is short, so end them now.
    server.closeIdleConnections();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    setTimeout(() => server.closeAllConnections(), 250).unref();
    await closed;
    await reconciler.stop();
    await target.close();
    sessionStore.close();
    db.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`Failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
