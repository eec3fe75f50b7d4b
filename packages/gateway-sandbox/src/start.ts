import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RequestHandler } from 'express';
import { createSandboxApp, type SandboxApp, type SandboxAppOptions } from './app.js';
import { createSandboxClock } from './clock.js';
import type { CallbackOptions } from './callbacks/dispatcher.js';
import type { SandboxListener } from './events.js';
import { openPersistentOrders } from './store-sqlite.js';
import type { SandboxLogger, SandboxMerchant } from './types.js';

export interface StartSandboxOptions {
  port: number;
  host?: string;
  /** Origin browsers use; defaults to http://<host>:<actual port>. */
  publicUrl?: string;
  merchants?: readonly SandboxMerchant[];
  now?: () => number;
  logger?: SandboxLogger;
  processingDelayMs?: number;
  /** Period of the expiry/purge sweep. Default 30 s. */
  sweepIntervalMs?: number;
  retentionMs?: number;
  maxOrders?: number;
  restMiddleware?: readonly RequestHandler[];
  onEvent?: SandboxListener;
  callbacks?: CallbackOptions | false;
  /** SANDBOX_CALLBACK_HOSTS; see SandboxAppOptions.callbackHosts. */
  callbackHosts?: readonly string[];
  /** SANDBOX_OPERATOR_TOKEN; generated when absent (`sandbox.operatorToken`). */
  operatorToken?: string;
  /** See SandboxAppOptions.authThrottle. */
  authThrottle?: SandboxAppOptions['authThrottle'];
  /**
   * Folder for `sandbox.db` (created 0700): orders, their state and history survive a restart. Absent: in memory,
   * forgotten on close. The embedded shop passes DATA_DIR/sandbox; standalone, SANDBOX_DATA_DIR.
   */
  dataDir?: string;
  /** SANDBOX_TEST_HELPERS=on: see SandboxAppOptions.testHelpers. Default off. */
  testHelpers?: boolean;
  /** See SandboxAppOptions.armProbes. Default on; SANDBOX_* settings turn it off in a production run. */
  armProbes?: boolean;
  /** Integration journal entries kept per merchant (SandboxAppOptions.journalMaxPerMerchant). Default 5 000. */
  journalMaxPerMerchant?: number;
  /** See SandboxAppOptions.recordJournal. */
  recordJournal?: boolean;
  /** SANDBOX_HOLD_LIFETIME_SECS: see SandboxAppOptions.holdLifetimeSecs. Default 7 days. */
  holdLifetimeSecs?: number;
  /** See SandboxAppOptions.receiptDelayMs (fiscal receipts). Default 60 s. */
  receiptDelayMs?: number;
}

export interface RunningSandbox {
  /** Origin, no trailing slash. */
  url: string;
  /** `${url}/payment/rest/` */
  gatewayUrl: string;
  clock: { now(): number; advance(ms: number): void };
  close(): Promise<void>;
  /** The app's parts (store, events, engine) for tests and extensions. */
  sandbox: SandboxApp;
}

export async function startSandbox(opts: StartSandboxOptions): Promise<RunningSandbox> {
  const host = opts.host ?? '127.0.0.1';
  const server = http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = (opts.publicUrl ?? `http://${hostForUrl(host)}:${port}`).replace(/\/+$/, '');

  const clock = createSandboxClock(opts.now);
  let sandbox: SandboxApp;
  let kept: ReturnType<typeof openPersistentOrders> | undefined;
  try {
    kept =
      opts.dataDir === undefined
        ? undefined
        : openPersistentOrders(opts.dataDir, {
            maxOrders: opts.maxOrders,
            traffic: { maxPerMerchant: opts.journalMaxPerMerchant },
          });
    sandbox = createSandboxApp({
      store: kept?.store,
      journal: kept?.journal,
      integrationJournal: kept?.traffic,
      journalMaxPerMerchant: opts.journalMaxPerMerchant,
      recordJournal: opts.recordJournal,
      publicUrl: url,
      clock,
      merchants: opts.merchants,
      logger: opts.logger,
      processingDelayMs: opts.processingDelayMs,
      retentionMs: opts.retentionMs,
      maxOrders: opts.maxOrders,
      restMiddleware: opts.restMiddleware,
      onEvent: opts.onEvent,
      callbacks: opts.callbacks,
      callbackHosts: opts.callbackHosts,
      operatorToken: opts.operatorToken,
      authThrottle: opts.authThrottle,
      testHelpers: opts.testHelpers,
      armProbes: opts.armProbes,
      holdLifetimeSecs: opts.holdLifetimeSecs,
      receiptDelayMs: opts.receiptDelayMs,
    });
  } catch (err) {
    // Bad options (e.g. an operator token equal to a merchant password), a database in use: don't leave the port bound.
    kept?.store.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw err;
  }
  server.on('request', sandbox.app);

  const timer = setInterval(() => {
    try {
      sandbox.sweep();
    } catch (err) {
      opts.logger?.error({ err }, 'sandbox sweep failed');
    }
  }, opts.sweepIntervalMs ?? 30_000);
  // The sweep must never keep a process (or a jest worker) alive on its own.
  timer.unref();

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= new Promise<void>((resolve, reject) => {
      clearInterval(timer);
      // Callbacks in flight or waiting for a retry are not kept anywhere: a restart does not resend them.
      const dropped = sandbox.callbacks?.pending ?? 0;
      if (dropped > 0)
        opts.logger?.warn({ callbacks: dropped }, 'gateway sandbox stopping: pending callbacks dropped, never resent');
      // Pending callback retries and fault latency waits must not outlive the sandbox.
      sandbox.stop();
      server.close((err) => {
        // After the last request: nothing writes to the database any more.
        kept?.store.closeNoting(dropped);
        if (err) reject(err);
        else resolve();
      });
      // Keep-alive sockets would hold close() open for seconds; a stopping sandbox drops them.
      server.closeAllConnections();
    });
    return closing;
  };

  opts.logger?.info({ url, host, port }, 'gateway sandbox listening');
  if (opts.testHelpers === true)
    opts.logger?.warn(
      { testHelpers: `${url}/sandbox/test/` },
      'sandbox test helpers are on (SANDBOX_TEST_HELPERS): anyone with the operator token can pay, reset and forge',
    );
  if (kept) {
    const droppedCallbacks = kept.store.droppedCallbacksAtLastStop;
    opts.logger?.info(
      { file: kept.store.file, orders: kept.store.size, ...(droppedCallbacks > 0 && { droppedCallbacks }) },
      droppedCallbacks > 0
        ? 'gateway sandbox keeps its orders on disk (orders restored; callbacks pending at the last stop were dropped)'
        : 'gateway sandbox keeps its orders on disk (orders restored)',
    );
  } else {
    opts.logger?.info('gateway sandbox keeps its orders in memory only: a restart forgets them');
  }
  return { url, gatewayUrl: `${url}/payment/rest/`, clock, close, sandbox };
}

/** A wildcard bind address is not something a browser can open; loopback is. */
function hostForUrl(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
