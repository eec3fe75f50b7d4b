import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import { createSandboxClock, type SandboxClock } from './clock.js';
import { CallbackAllowList } from './callbacks/allow-list.js';
import { sendForgedCallbacks } from './callbacks/copies.js';
import { CallbackDispatcher, callbackTimeoutMs, type CallbackOptions } from './callbacks/dispatcher.js';
import { SandboxEngine, type SweepResult } from './engine.js';
import { SandboxEvents, type SandboxListener } from './events.js';
import { OrderMagicState } from './faults/magic.js';
import { createFaultMiddleware } from './faults/middleware.js';
import { FaultRegistry } from './faults/profile.js';
import { OrderJournal } from './journal.js';
import { SANDBOX_OPENAPI } from './openapi.js';
import { createPageRouter } from './page/routes.js';
import { createWalletSheetRouter } from './page/wallet-sheet.js';
import { ASSETS_DIR, VIEWS_DIR } from './paths.js';
import { createRestRouter } from './rest/routes.js';
import { createWalletPaymentRouter } from './rest/wallet-payment.js';
import type { AuthThrottleOptions } from './rest/throttle.js';
import { ProbeRegistry } from './probes.js';
import { ReceiptIssuer } from './receipts.js';
import { createReceiptRouter } from './page/receipt.js';
import { OrderStore } from './store.js';
import { createControlRouter } from './tools/control.js';
import { createOperatorGate, generateOperatorToken, operatorTokenProblem } from './tools/operator.js';
import { createOrdersRouter } from './tools/orders.js';
import { createTestHelpersRouter } from './tools/test-helpers.js';
import { createJournalRouter } from './tools/journal-page.js';
import { createReportRouter } from './tools/report-page.js';
import type { GradeSettings } from './report/types.js';
import { TrafficJournal } from './traffic.js';
import { DEFAULT_MERCHANTS, type SandboxLogger, type SandboxMerchant } from './types.js';

export interface SandboxAppOptions {
  /** Origin the buyer's browser uses to reach the sandbox (formUrl is built from it). A function when known only after listen(). */
  publicUrl: string | (() => string);
  merchants?: readonly SandboxMerchant[];
  clock?: SandboxClock;
  logger?: SandboxLogger;
  /** How long the processor-wait card (4000 0000 0000 0002) stays in orderStatus 5. Default 15 s. */
  processingDelayMs?: number;
  /** Hard cap on stored orders per merchant. Default 50 000. Ignored when `store` is given (the store has its own). */
  maxOrders?: number;
  /**
   * Where the orders live. Default: a new in-memory OrderStore (lost on restart); startSandbox passes a
   * SqliteOrderStore (store-sqlite.ts) when given a data folder, together with its `journal`.
   */
  store?: OrderStore;
  /** The per-order history; default a new in-memory one. Pass the one that goes with a persistent `store`. */
  journal?: OrderJournal;
  /** How long an order stays after its expiry or last change before the sweep purges it. Default 1 h. */
  retentionMs?: number;
  /** Extension slot in front of /payment/rest/* (fault injection). */
  restMiddleware?: readonly RequestHandler[];
  /** Subscribes a listener to every operation (callbacks hook). More can be added with `events.on`. */
  onEvent?: SandboxListener;
  /** Callback delivery tuning (docs/gateway-reference.md §6), or false to send none. Default: on, 5 attempts from 1 s. */
  callbacks?: CallbackOptions | false;
  /**
   * Hosts every merchant's callbacks may go to, any port (SANDBOX_CALLBACK_HOSTS): host names or IP addresses. Each
   * merchant's own origins (its callbackUrl's, its callbackOrigins) are allowed anyway; nothing else is by default.
   */
  callbackHosts?: readonly string[];
  /**
   * The credential of the operator surface (orders view, fault switches page, control API), at least 16 characters,
   * none of the merchants' passwords or tokens. Default: a random one, readable as `SandboxApp.operatorToken`.
   */
  operatorToken?: string;
  /**
   * Failed authentication throttled per source address and per API user name (REST API), and per address (operator
   * token); false turns it off. Default on: 20 failures per address, 100 per user name, per 15 minutes.
   */
  authThrottle?: AuthThrottleOptions | false;
  /**
   * The test helpers under /sandbox/test/ (SANDBOX_TEST_HELPERS=on): pay, decline, 3-D Secure, reset, clock, callbacks
   * and faults over HTTP, for a team's CI, behind the operator token. Default off: the paths answer 404.
   */
  testHelpers?: boolean;
  /**
   * Whether the report card's "Arm the probes" button (POST /sandbox/report/:merchant/probes) works; the test
   * helpers' own route is governed by `testHelpers`. Default true; loadSandboxConfig turns it off in a production run.
   */
  armProbes?: boolean;
  /**
   * The integration journal (REST calls, hosted-page steps, callbacks; traffic.ts, GET /sandbox/journal). Default a
   * new in-memory one; startSandbox passes the one kept in the data folder's database.
   */
  integrationJournal?: TrafficJournal;
  /** Entries that default journal keeps per merchant, oldest dropped first. Default 5 000. */
  journalMaxPerMerchant?: number;
  /** false: nothing is recorded in the integration journal (it stays empty); for benchmarks. Default true. */
  recordJournal?: boolean;
  /** The report card's tunables (GET /sandbox/report/:merchant), over DEFAULT_GRADE_SETTINGS (report/types.ts). */
  gradeSettings?: Partial<GradeSettings>;
  /**
   * SANDBOX_HOLD_LIFETIME_SECS: how long an approved two-phase order's hold lives before the gateway releases it
   * (orderStatus 3, a `reversed` callback), counted from its authorization. Default 7 days (604 800 s).
   */
  holdLifetimeSecs?: number;
  /**
   * How long a fiscal receipt stays "sent" (receiptStatus 0 or 3) on the sandbox's clock before it is delivered or
   * fails (receipts.ts). Default 60 s; 0 settles it at once.
   */
  receiptDelayMs?: number;
}

export interface SandboxApp {
  app: Express;
  engine: SandboxEngine;
  store: OrderStore;
  events: SandboxEvents;
  clock: SandboxClock;
  merchants: readonly SandboxMerchant[];
  /** Per-merchant fault switches (what the control API edits). */
  faults: FaultRegistry;
  /** Operations and callback deliveries per order (what the operations view shows). */
  journal: OrderJournal;
  /** Absent when created with `callbacks: false`. */
  callbacks?: CallbackDispatcher;
  /** Cancels pending callback retries, aborts in-flight deliveries and latency waits. */
  stop(): void;
  /** Applies due expiries/settlements and purges old orders; startSandbox runs it on a timer. */
  sweep(): SweepResult;
  /** The operator token in force (given or generated). A secret: never log it except where it is shown on purpose. */
  readonly operatorToken: string;
  /** Whether a callback of this merchant may be sent to this URL (the allow-list). */
  callbackAllowed(url: string, merchantLogin: string): boolean;
  /** Every REST call, hosted-page step and callback, per merchant, bounded: `integrationJournal.list({ ... })`. */
  integrationJournal: TrafficJournal;
  /** The report card's probes armed per merchant (POST /sandbox/test/merchants/:login/probes), in memory only. */
  probes: ProbeRegistry;
  /** The hold lifetime in force (holdLifetimeSecs), in ms: what the report card grades holds by. */
  readonly holdLifetimeMs: number;
}

export function createSandboxApp(options: SandboxAppOptions): SandboxApp {
  const merchants = checkMerchants(options.merchants ?? DEFAULT_MERCHANTS);
  const allowList = CallbackAllowList.of(options.callbackHosts, merchants);
  const callbackAllowed = (url: string, merchantLogin: string) => allowList.allows(url, merchantLogin);
  const operatorToken = options.operatorToken ?? generateOperatorToken();
  const tokenProblem = operatorTokenProblem(operatorToken, merchants);
  if (tokenProblem) throw new Error(`sandbox operator token ${tokenProblem}`);
  const operator = createOperatorGate(operatorToken, options.authThrottle);
  const clock = options.clock ?? createSandboxClock();
  const publicUrl = typeof options.publicUrl === 'function' ? options.publicUrl : () => options.publicUrl as string;
  const origin = () => publicUrl().replace(/\/+$/, '');
  const store = options.store ?? new OrderStore({ maxOrders: options.maxOrders });
  const events = new SandboxEvents(options.logger);
  if (options.onEvent) events.on(options.onEvent);
  const engine = new SandboxEngine({
    store,
    clock,
    events,
    merchants,
    processingDelayMs: options.processingDelayMs,
    retentionMs: options.retentionMs,
    holdLifetimeSecs: options.holdLifetimeSecs,
  });

  const journal = options.journal ?? new OrderJournal();
  events.on((e) =>
    journal.recordOperation(e.order, { at: clock.now(), operation: e.operation, status: e.status, amount: e.amount }),
  );
  const traffic = options.integrationJournal ?? new TrafficJournal({ maxPerMerchant: options.journalMaxPerMerchant });
  const recording = options.recordJournal === false ? undefined : traffic;
  journal.onDelivery((order, d) =>
    recording?.record({
      kind: 'callback',
      at: d.at,
      merchant: order.merchantLogin,
      orderId: order.id,
      operation: d.operation,
      url: d.url,
      signed: d.signed,
      copy: d.copy,
      attempt: d.attempt,
      ...(d.outcome.kind === 'http' && { httpStatus: d.outcome.status }),
      outcome: d.outcome,
      ...(d.gaveUp && { gaveUp: true }),
      ...(d.probe && { probe: d.probe }),
    }),
  );
  const probes = new ProbeRegistry();
  const faults = new FaultRegistry();
  const magic = new OrderMagicState();
  const stopping = new AbortController();
  const callbacks =
    options.callbacks === false
      ? undefined
      : new CallbackDispatcher({
          clock,
          journal,
          logger: options.logger,
          // An order's own tag wins; otherwise the merchant's switch (which counts against its `remaining`).
          modeFor: (order) => magic.takeForCallback(order) ?? faults.takeForCallback(order.merchantLogin),
          allows: callbackAllowed,
          options: options.callbacks,
          // The forged-callbacks probe: a forged and an unsigned copy after the merchant's next answered callback.
          afterAnswered: async (event) => {
            if (!probes.take(event.merchant.login, 'forged-callbacks')) return;
            const sender = { journal, clock, signal: stopping.signal, timeoutMs: callbackTimeoutMs(options.callbacks) };
            await sendForgedCallbacks(sender, event, callbackAllowed);
          },
        });
  if (callbacks) events.on(callbacks.handle);
  // Fiscal receipts: issued from the engine's events; an order's magic value wins over its merchant's fault switch.
  const receipts = new ReceiptIssuer({
    store,
    clock,
    delayMs: options.receiptDelayMs,
    fails: (order) => magic.failsReceipts(order) || faults.takeForReceipt(order.merchantLogin),
  });
  events.on(receipts.handle);
  const faultMiddleware = createFaultMiddleware({
    registry: faults,
    magic,
    store,
    merchants,
    signal: stopping.signal,
    logger: options.logger,
  });

  const app = express();
  app.disable('x-powered-by');
  app.set('views', VIEWS_DIR);
  app.set('view engine', 'ejs');
  app.use(securityHeaders);
  app.use('/sandbox/assets', express.static(ASSETS_DIR, { fallthrough: false, maxAge: '1h' }));
  const restMiddleware = [faultMiddleware, ...(options.restMiddleware ?? [])];
  app.use(
    createRestRouter({
      engine,
      merchants,
      publicUrl: origin,
      middleware: restMiddleware,
      callbackAllowed,
      authThrottle: options.authThrottle,
      journal: recording,
    }),
  );
  // The direct wallet endpoints (JSON, the merchant named in the body, no password): register and pay in one call.
  app.use(createWalletPaymentRouter({ engine, merchants, publicUrl: origin, callbackAllowed, journal: recording }));
  // Public: buyers need the hosted page, the 3-D Secure page and the test-card list.
  app.use(createPageRouter({ engine, events, merchants, journal: recording, probes }));
  // Public too, as an OFD's receipt link is: the page each delivered receipt's ofd_receipt_url opens.
  app.use(createReceiptRouter({ engine, publicUrl: origin }));
  // Public too: the simulated wallet sheet a wallet button on the hosted page opens.
  app.use(createWalletSheetRouter({ engine, journal: recording, probes }));
  // The operator surface: every route in these two routers requires the operator token.
  app.use(createOrdersRouter({ engine, journal, merchants, operator }));
  app.use(createControlRouter({ registry: faults, merchants, operator }));
  if (options.testHelpers === true)
    app.use(
      createTestHelpersRouter({
        engine,
        clock,
        journal,
        faults,
        merchants,
        operator,
        callbackAllowed,
        signal: stopping.signal,
        traffic: recording,
        probes,
        publicUrl: origin,
      }),
    );
  app.use(createJournalRouter({ journal: traffic, merchants, operator }));
  // The report card: the merchant's journal graded against the named checks (report/), behind the operator token.
  app.use(
    createReportRouter({
      journal: traffic,
      merchants,
      clock,
      operator,
      ...(options.armProbes !== false && { probes }),
      gradeSettings: { holdLifetimeMs: engine.holdLifetimeMs, ...options.gradeSettings },
    }),
  );
  app.get('/', (_req, res) => res.redirect(302, '/sandbox/cards'));
  // For container health checks and load balancers in front of a standalone sandbox.
  // Public, like the API it describes: the OpenAPI 3.1 document (also committed as docs/sandbox-openapi.json).
  app.get('/sandbox/openapi.json', (_req, res) => res.json(SANDBOX_OPENAPI));
  app.get('/healthz', (_req, res) => res.set('Cache-Control', 'no-store').json({ status: 'ok' }));
  // Browsers ask for it on every page; an empty answer keeps their consoles free of 404s.
  app.get('/favicon.ico', (_req, res) => res.status(204).end());
  app.use((_req, res) => {
    res.status(404).type('text/plain').send('Not Found');
  });
  const onError: ErrorRequestHandler = (err: unknown, _req, res, _next) => {
    const status = clientErrorStatus(err) ?? 500;
    if (status >= 500) options.logger?.error({ err }, 'sandbox request failed');
    // The message is echoed only for client errors (e.g. a malformed body); never a stack.
    res
      .status(status)
      .type('text/plain')
      .send(status < 500 ? 'Bad Request' : 'Internal Server Error');
  };
  app.use(onError);

  const stop = () => {
    stopping.abort();
    callbacks?.stop();
  };
  return {
    app,
    engine,
    store,
    events,
    clock,
    merchants,
    faults,
    journal,
    callbacks,
    stop,
    sweep: () => engine.sweep(),
    operatorToken,
    callbackAllowed,
    integrationJournal: traffic,
    probes,
    holdLifetimeMs: engine.holdLifetimeMs,
  };
}

/**
 * The hosted pages are a payment form: no framing, no third-party anything. form-action is left open
 * on purpose: Chromium applies it to the redirect after the POST, which goes to the shop's returnUrl.
 */
const securityHeaders: RequestHandler = (_req, res, next) => {
  res.set({
    'Content-Security-Policy':
      "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'",
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
  });
  next();
};

/** The 4xx status a body parser or router attached to its error (e.g. 413 for a large body), if any. */
function clientErrorStatus(err: unknown): number | undefined {
  const status = typeof err === 'object' && err !== null && 'status' in err ? err.status : undefined;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

function checkMerchants(merchants: readonly SandboxMerchant[]): readonly SandboxMerchant[] {
  if (merchants.length === 0) throw new Error('sandbox needs at least one merchant');
  for (const key of ['login', 'userName', 'token'] as const) {
    const values = merchants.map((m) => m[key]).filter((v): v is string => v !== undefined);
    if (new Set(values).size !== values.length) throw new Error(`sandbox merchants must have unique ${key} values`);
  }
  // An empty key would be recorded as "signed" while signing nothing: absent or non-empty, nothing between.
  const keyless = merchants.find((m) => m.callbackKey === '');
  if (keyless)
    throw new Error(`sandbox merchant ${keyless.login} has an empty callbackKey; omit it to send unsigned callbacks`);
  return merchants;
}
