import type { Server } from 'node:http';
import dotenv from 'dotenv';
import { createApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { gatewayClientFor, startGatewayTarget } from './gateway-target.js';
import { createStdoutLogger, startupBanner, wantsHumanLogs } from './log.js';
import { createMetrics } from './metrics/index.js';
import { startMetricsServer } from './metrics/server.js';
import { createCatalog } from './shop/catalog.js';
import { createReconciler } from './shop/reconciler.js';
import { halfShared, openStorage, StorageError, type Storage } from './storage/index.js';

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
  const terminal = process.stdout.isTTY === true;
  const { logger, print } = createStdoutLogger({ level: config.logLevel, human: wantsHumanLogs(config.env, terminal) });
  let storage: Storage;
  try {
    storage = await openStorage(config, logger);
  } catch (err) {
    throw err instanceof StorageError ? new StartupError(err.message) : err;
  }
  const { sessionStore } = storage;
  const halfway = halfShared(config);
  if (halfway) logger.warn(halfway);
  logger.info(storage.where, 'storage');

  const sandboxSettings = config.gateway.mode === 'sandbox' ? config.gateway.sandbox : undefined;
  let target: Awaited<ReturnType<typeof startGatewayTarget>>;
  try {
    target = await startGatewayTarget(config, logger);
  } catch (err) {
    throw listenProblem(err, 'SANDBOX_PORT', sandboxSettings?.port, 'SANDBOX_HOST', sandboxSettings?.host) ?? err;
  }
  // Not fatal: behind a port mapping the public URL is only reachable from outside (see sandboxUnreachable).
  const sandboxWarning = target.sandbox && (await sandboxUnreachable(target.sandbox.url, sandboxSettings));
  if (sandboxWarning) logger.warn(sandboxWarning);
  const gateway = gatewayClientFor(target, config, {
    onCall: (e) => logger.debug({ gatewayCall: e }, 'gateway call'),
  });
  const { callbackKey } = target;
  // Counted only when someone can read them: with METRICS_PORT unset there are no metrics and no listener.
  const metrics = config.metrics && createMetrics();
  const { ledger, rateLimitStore, cooldown } = storage;
  const catalog = createCatalog();
  const deps = { config, logger, ledger, gateway, catalog, callbackKey, metrics, rateLimitStore, cooldown };
  const app = createApp({
    ...deps,
    sessionStore,
    healthCheck: storage.healthCheck,
    readinessChecks: storage.readinessChecks,
  });
  const reconciler = createReconciler(deps, { ...config.reconcile, pageLifetimeMs: config.orderLifetimeSecs * 1000 });
  if (config.callbacks.enabled && callbackKey === undefined) {
    logger.warn('GATEWAY_CALLBACK_KEY is unset: callbacks are accepted unsigned (development only)');
  }

  const server: Server = app.listen(config.port, config.host);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
  } catch (err) {
    throw listenProblem(err, 'PORT', config.port, 'HOST', config.host) ?? err;
  }
  let metricsServer: Server | undefined;
  if (config.metrics && metrics) {
    const { port, host } = config.metrics;
    try {
      metricsServer = await startMetricsServer({ registry: metrics.registry, port, host });
    } catch (err) {
      throw listenProblem(err, 'METRICS_PORT', port, 'METRICS_HOST', host) ?? err;
    }
    logger.info({ url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/metrics` }, 'metrics listening');
  }
  // Before anything says the shop is up: a stop signal from then on finds its handler.
  reconciler.start();

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // At once, not after the requests: a reconciler run stops before its next order and frees its other leases.
    const reconcilerStopped = reconciler.stop();
    // No new connections; idle keep-alive ones end now, and each busy one as soon as its answer is sent. A request
    // in progress (a Buy waiting for register.do, say) gets SHUTDOWN_GRACE_MS to finish: behind a balancer, which
    // rightly never resends a POST, cutting it would show that buyer an error during a rolling restart.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    const idle = setInterval(() => server.closeIdleConnections(), 100);
    const force = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
    server.closeIdleConnections();
    await closed;
    clearInterval(idle);
    clearTimeout(force);
    // A scrape is short and repeatable: its keep-alive connections are ended at once.
    metricsServer?.closeAllConnections();
    await new Promise<void>((resolve) => (metricsServer ? metricsServer.close(() => resolve()) : resolve()));
    await reconcilerStopped;
    await target.close();
    await storage.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  logger.info({ url: config.publicBaseUrl, flow: config.flow, gateway: config.gateway.mode }, 'shop listening');
  if (config.admin) logger.info({ url: `${config.publicBaseUrl}/admin`, user: config.admin.user }, 'back office on');
  else logger.info('back office off: set ADMIN_PASSWORD_HASH (npm run admin-hash) to turn on /admin');
  // For the person who typed npm start: where to go, in plain lines, once (log collectors get the JSON above).
  if (terminal || config.env === 'development') {
    const banner = startupBanner({
      shopUrl: config.publicBaseUrl,
      sandboxUrl: target.sandbox?.url,
      gatewayOrigin: gateway.origin,
      admin: config.admin && { url: `${config.publicBaseUrl}/admin`, user: config.admin.user },
      dataDir: config.dataDir,
      warnings: sandboxWarning ? [sandboxWarning] : [],
    });
    print(banner);
  }
}

/**
 * How long requests in progress at SIGTERM may take to finish: under Docker's default 10 s before SIGKILL, and
 * enough for a Buy waiting on the gateway at its usual pace (GATEWAY_TIMEOUT_MS bounds the slowest).
 */
const SHUTDOWN_GRACE_MS = 8_000;

/** A start-up failure whose message says what to change: printed as is, without a stack. */
class StartupError extends Error {
  override readonly name = 'StartupError';
}

/** A listen() failure in words that name the setting to change; undefined for any other error. */
function listenProblem(
  err: unknown,
  portKey: 'PORT' | 'SANDBOX_PORT' | 'METRICS_PORT',
  port: number | undefined,
  hostKey: 'HOST' | 'SANDBOX_HOST' | 'METRICS_HOST',
  host: string | undefined,
): StartupError | undefined {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const other = portKey === 'PORT' ? 'SANDBOX_PORT' : 'PORT';
  if (code === 'EADDRINUSE')
    return new StartupError(
      `${portKey}=${String(port)} is in use: set ${portKey} (or ${other}) to a free port. Another copy of the shop may still be running.`,
    );
  if (code === 'EACCES')
    return new StartupError(
      `${portKey}=${String(port)} needs special privileges here: set ${portKey} to a port above 1023`,
    );
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
    return new StartupError(
      `${hostKey}=${String(host)} is not an address of this machine: set ${hostKey} to 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)`,
    );
  return undefined;
}

/**
 * Buyers' browsers open the embedded sandbox's payment page at SANDBOX_PUBLIC_URL. A .env copied with other ports
 * leaves it pointing where nothing (or another sandbox) listens, and the first Buy ends on a browser error page;
 * asking the sandbox's /healthz there at start names both settings. Only a warning: behind a port mapping
 * (docker run -p 45911:3001) the public port answers outside the container only.
 */
async function sandboxUnreachable(
  publicUrl: string,
  settings: { port: number; host: string } | undefined,
): Promise<string | undefined> {
  let why: string;
  try {
    const res = await fetch(`${publicUrl}/healthz`, { redirect: 'manual', signal: AbortSignal.timeout(3_000) });
    await res.body?.cancel();
    if (res.ok) return undefined;
    why = `it answered HTTP ${res.status}`;
  } catch (err) {
    const cause = (err as { cause?: { code?: unknown } }).cause;
    why = typeof cause?.code === 'string' ? cause.code : err instanceof Error ? err.name : 'no answer';
  }
  const listening = `SANDBOX_HOST=${settings?.host ?? '?'} SANDBOX_PORT=${String(settings?.port ?? '?')}`;
  return `SANDBOX_PUBLIC_URL=${publicUrl} does not reach the embedded sandbox from here, which listens on ${listening} (${why}): buyers' browsers open the payment page there. Unset SANDBOX_PUBLIC_URL (it then follows SANDBOX_PORT) or make it point to that port; behind a port mapping (Docker) this is expected`;
}

main().catch((err: unknown) => {
  if (err instanceof StartupError) process.stderr.write(`Cannot start: ${err.message}\n`);
  else process.stderr.write(`Failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
