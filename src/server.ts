import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import dotenv from 'dotenv';
import { createApp } from './app.js';
import { ConfigError, keptDevPanelToken, loadConfig, type Config } from './config.js';
import { isLoopback } from './dev/routes.js';
import { gatewayClientFor, startGatewayTarget } from './gateway-target.js';
import { trackHandlers } from './http/drain.js';
import { createStdoutLogger, startupBanner, wantsHumanLogs } from './log.js';
import { createMetrics } from './metrics/index.js';
import { cached, checkGatewayCredentials, CREDENTIALS_CACHE_MS, type CredentialsVerdict } from './metrics/readiness.js';
import { startMetricsServer } from './metrics/server.js';
import { createCatalog } from './shop/catalog.js';
import { createPayments } from './payments/index.js';
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
  // Not fatal: behind a port mapping the public URL is only reachable from outside (see unreachable).
  const sandboxWarning =
    target.sandbox &&
    (await unreachable(target.sandbox.url, {
      key: 'SANDBOX_PUBLIC_URL',
      server: 'the embedded sandbox',
      listening: `SANDBOX_HOST=${sandboxSettings?.host ?? '?'} SANDBOX_PORT=${String(sandboxSettings?.port ?? '?')}`,
      follows: 'SANDBOX_PORT',
      effect: "buyers' browsers open the payment page there",
    }));
  if (sandboxWarning) logger.warn(sandboxWarning);
  const gateway = gatewayClientFor(target, config, {
    onCall: (e) => logger.debug({ gatewayCall: e }, 'gateway call'),
  });
  // Asked now (a harmless status call) and again by /readyz at most once a minute; the answer is awaited below.
  const gatewayCredentials = cached(() => checkGatewayCredentials(gateway), { cacheMs: CREDENTIALS_CACHE_MS });
  const credentialsAtStart = Promise.race([
    Promise.resolve(gatewayCredentials()),
    sleep(3_000, { verdict: 'unknown', error: 'no answer within 3 s' } as const, { ref: false }),
  ]);
  // Counted only when someone can read them: with METRICS_PORT unset there are no metrics and no listener.
  const metrics = config.metrics && createMetrics();
  const { ledger, rateLimitStore, cooldown } = storage;
  const catalog = createCatalog();
  // Once per process: returns, callbacks, the reconciler and the back office share its per-order gate.
  const fiscal = (productId: string) => catalog.get(productId)?.fiscal;
  const payments = createPayments({ config, ledger, gateway, logger, metrics, cooldown, fiscal });
  const deps = { config, logger, ledger, gateway, payments, catalog, metrics, rateLimitStore };
  const app = createApp({
    ...deps,
    sessionStore,
    healthCheck: storage.healthCheck,
    readinessChecks: storage.readinessChecks,
    gatewayCredentials,
  });
  const { reconciler } = payments;
  if (config.callbacks.enabled && config.callbacks.key === undefined) {
    logger.warn('GATEWAY_CALLBACK_KEY is unset: callbacks are accepted unsigned (development only)');
  }

  const server: Server = app.listen(config.port, config.host);
  const drain = trackHandlers(server);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
  } catch (err) {
    throw listenProblem(err, 'PORT', config.port, 'HOST', config.host) ?? err;
  }
  // The same rule for the shop's own public URL, when it names this machine (a copied .env with another port).
  const shopWarning =
    loopbackUrl(config.publicBaseUrl) &&
    (await unreachable(config.publicBaseUrl, {
      key: 'PUBLIC_BASE_URL',
      server: 'the shop',
      listening: `HOST=${config.host} PORT=${config.port}`,
      follows: 'PORT',
      effect: 'the start-up block names that address and every page redirects there',
    }));
  if (shopWarning) logger.warn(shopWarning);
  // Not fatal either: a bank's test gateway may be down at start, and /readyz keeps saying what it finds.
  const credentialsWarning = credentialsProblem(await credentialsAtStart, gateway.origin);
  if (credentialsWarning) logger.warn(credentialsWarning);
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
    // No new connections; idle keep-alive ones end now, and each busy one as soon as its answer is sent. A request in
    // progress (a Buy waiting for register.do, say) gets SHUTDOWN_GRACE_MS to finish, and one still arriving
    // ARRIVING_MS to reach a handler: behind a balancer, which rightly never resends a POST, cutting either would show
    // that buyer an error during a rolling restart. One turn of the event loop first, so that connections the kernel
    // has already completed are accepted and drained like the others, not reset with the listening socket.
    const since = Date.now();
    await new Promise((resolve) => setImmediate(resolve));
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    const idle = setInterval(() => drain.closeIdle(since, ARRIVING_MS), 50);
    const force = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
    drain.closeIdle(since, ARRIVING_MS);
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
  // The panel's token is logged here once, on purpose (as the sandbox's operator token is): its link needs it.
  const devPanelToken = config.env === 'production' ? undefined : keptDevPanelToken(config.dataDir);
  const devPanelUrl = devPanelToken && `${config.publicBaseUrl}/dev?token=${devPanelToken}`;
  if (devPanelUrl)
    logger.info(
      { url: `${config.publicBaseUrl}/dev`, deliberatelyLoggedDevPanelToken: devPanelToken },
      'developer panel on (this machine only): open /dev?token=<this token> once in the browser; the token is printed here once, on purpose',
    );
  if (config.admin) logger.info({ url: `${config.publicBaseUrl}/admin`, user: config.admin.user }, 'back office on');
  else logger.info('back office off: set ADMIN_PASSWORD_HASH (npm run admin-hash) to turn on /admin');
  // For the person who typed npm start: where to go, in plain lines, once (log collectors get the JSON above).
  if (terminal || config.env === 'development') {
    const banner = startupBanner({
      shopUrl: config.publicBaseUrl,
      sandboxUrl: target.sandbox?.url,
      sandboxOperator: target.sandboxOperator,
      gatewayOrigin: gateway.origin,
      admin: config.admin && { url: `${config.publicBaseUrl}/admin`, user: config.admin.user },
      devPanelUrl,
      dataDir: config.dataDir,
      warnings: [sandboxWarning, shopWarning, credentialsWarning].filter((w) => typeof w === 'string'),
    });
    print(banner);
  }
}

/**
 * How long requests in progress at SIGTERM may take to finish: under Docker's default 10 s before SIGKILL, and
 * enough for a Buy waiting on the gateway at its usual pace (GATEWAY_TIMEOUT_MS bounds the slowest).
 */
const SHUTDOWN_GRACE_MS = 8_000;

/**
 * How long, after SIGTERM, a connection without a running handler may take to deliver its request (one already sent
 * whose bytes were not read yet, or headers partly read) before it is ended. Idle keep-alive connections end at once.
 */
const ARRIVING_MS = 1_000;

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
 * Browsers are sent to public URLs: the embedded sandbox's payment page at SANDBOX_PUBLIC_URL, every page of the shop
 * at PUBLIC_BASE_URL. A .env copied with other ports leaves one pointing where nothing (or another copy) listens, and
 * the buyer ends on a browser error page; asking the server's /healthz there at start names both settings. Only a
 * warning: behind a port mapping (docker run -p 45911:3001) the public port answers outside the container only.
 */
async function unreachable(
  publicUrl: string,
  s: { key: string; server: string; listening: string; follows: string; effect: string },
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
  return `${s.key}=${publicUrl} does not reach ${s.server} from here, which listens on ${s.listening} (${why}): ${s.effect}. Unset ${s.key} (it then follows ${s.follows}) or make it point to that port; behind a port mapping (Docker) this is expected`;
}

/** What to tell the operator about the gateway's answer to the shop's credentials at start; undefined when fine. */
function credentialsProblem(said: CredentialsVerdict, origin: string): string | undefined {
  if (said.verdict === 'accepted') return undefined;
  if (said.verdict === 'rejected')
    return `the gateway at ${origin} refused the shop's credentials (errorCode 5, access denied): every Buy will fail until GATEWAY_USERNAME/GATEWAY_PASSWORD (or GATEWAY_TOKEN) are right; /readyz says "credentials rejected" meanwhile`;
  return `could not check the shop's credentials with the gateway at ${origin} (${said.error}): it may be down; /readyz tells when it answers`;
}

/** Whether a URL names this machine (a loopback address or localhost): only such a URL is asked at start. */
function loopbackUrl(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || isLoopback(host);
}

main().catch((err: unknown) => {
  if (err instanceof StartupError) process.stderr.write(`Cannot start: ${err.message}\n`);
  else process.stderr.write(`Failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
