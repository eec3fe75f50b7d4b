import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import session from 'express-session';
import type { Express } from 'express';
import { afterEach } from '@jest/globals';
import request from 'supertest';
import { createApp, type AppDeps } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import type { GatewayClient } from '../../src/gateway/index.js';
import { gatewayClientFor, remoteGatewayTarget } from '../../src/gateway-target.js';
import { isDatabaseUsable, openDatabase, type Database } from '../../src/orders/db.js';
import { createLedger, type SqliteLedger } from '../../src/orders/ledger.js';
import type { Ledger, Order } from '../../src/orders/types.js';
import { createPayments, type Payments, type PaymentsDeps } from '../../src/payments/index.js';
import { createSqliteSessionStore } from '../../src/storage/sessions/sqlite.js';
import {
  createSandboxTestClient,
  DEFAULT_MERCHANTS,
  startSandbox,
  type RunningSandbox,
  type SandboxTestClient,
} from '@rbs-storefront/gateway-sandbox';
import { createCatalog, type Catalog } from '../../src/shop/catalog.js';
import type { ShopDeps } from '../../src/shop/deps.js';
import {
  startMisbehavingGateway,
  type Behaviour,
  type MethodHandler,
  type MisbehavingGateway,
} from './misbehaving-gateway.js';
import { capturedLogger } from './logs.js';

export const SHOP_URL = 'http://shop.test';
export const TEST_SESSION_SECRET = 'test-session-secret-0123456789abcdef';

/** Reconciler options for a test's one `runOnce()`: every open order is due at once, none is given up on yet. */
export const RECONCILE_AT_ONCE = {
  intervalMs: 0,
  batch: 10,
  recheckPaidForMs: 0,
  pageLifetimeMs: 0,
  firstLookMs: 0,
  giveUpAfterMs: 3_600_000,
};

export interface TestShop {
  app: Express;
  config: Config;
  ledger: SqliteLedger;
  db: Database;
  /** The gateway the shop talks to; the real sandbox unless `gatewayUrl` was given. */
  sandbox?: RunningSandbox;
  gatewayUrl: string;
  /** What it was started with, for a restart on the same database. */
  options: StartShopOptions & { gatewayUrl: string };
  /** Every log line the shop wrote. */
  logs: string[];
  fulfilled: number[];
  /** What the app was built with (its `payments` among them). */
  deps: ShopDeps & { gateway: GatewayClient };
  /** The app's one `payments` (its per-order gate, settle, reconciler), to drive them directly. */
  payments: Payments;
  /** What `payments` was built from: for another one with other hooks, a failing gateway, a reconciler's options. */
  paymentsDeps: PaymentsDeps;
  /** Emits 'settled' (order, cause) after every attempt to bring an order up to date from the gateway. */
  settled: EventEmitter;
  close(): Promise<void>;
}

/**
 * A fresh shop with its own database in a temporary folder, talking to the real sandbox on port 0 (or to the
 * gateway at `gatewayUrl`, e.g. a misbehaving one).
 */
export interface StartShopOptions {
  gatewayUrl?: string;
  password?: string;
  env?: Record<string, string>;
  /** Sessions elsewhere than the shop's SQLite file (e.g. Redis); the caller closes it. */
  sessionStore?: session.Store;
  /** Rate-limit counters elsewhere than in memory (e.g. Redis, shared with another shop). */
  rateLimitStore?: ShopDeps['rateLimitStore'];
  /** The return page's cool-down shared with other shops (e.g. Redis); default per process. */
  cooldown?: PaymentsDeps['cooldown'];
  /** The options of `payments.reconciler` where they differ from the config's. */
  reconciler?: PaymentsDeps['reconciler'];
  /** How the back-office login's slow-down waits (e.g. recording the delays instead); default a timer. */
  adminSleep?: AppDeps['sleep'];
  /** The ledger the app uses instead of its SQLite file's (e.g. PostgreSQL); `shop.ledger` still reads the file. */
  appLedger?: Ledger;
  /** The catalog instead of the default one (e.g. one a test changes while a buyer's cart holds its products). */
  catalog?: Catalog;
}

export async function startShop(opts: StartShopOptions = {}): Promise<TestShop> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'shop-'));
  let sandbox: RunningSandbox | undefined;
  let gatewayUrl = opts.gatewayUrl;
  if (!gatewayUrl) {
    // With its test helpers on (operator token required): sandboxHelpers(shop) pays without driving the page.
    sandbox = await startSandbox({ port: 0, host: '127.0.0.1', testHelpers: true });
    gatewayUrl = sandbox.gatewayUrl;
  }
  return buildShop({ ...opts, gatewayUrl, dataDir, sandbox, owner: true });
}

/**
 * The same shop after a restart: a new process (app, connections) on the same database and gateway, optionally
 * with other settings such as rotated session secrets, or other session and rate-limit stores (another instance on
 * the same Redis). Close it before the original.
 */
export function restartShop(
  shop: TestShop,
  env: Record<string, string> = {},
  stores: Pick<StartShopOptions, 'sessionStore' | 'rateLimitStore' | 'cooldown'> = {},
): TestShop {
  return buildShop({
    ...shop.options,
    ...stores,
    env: { ...shop.options.env, ...env },
    dataDir: shop.config.dataDir,
    sandbox: shop.sandbox,
    owner: false,
  });
}

function buildShop(
  opts: StartShopOptions & { gatewayUrl: string; dataDir: string; sandbox: RunningSandbox | undefined; owner: boolean },
): TestShop {
  const { dataDir, sandbox, gatewayUrl } = opts;
  const merchant = DEFAULT_MERCHANTS[0]!;
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    SESSION_SECRET: TEST_SESSION_SECRET,
    PUBLIC_BASE_URL: SHOP_URL,
    GATEWAY_URL: gatewayUrl,
    GATEWAY_USERNAME: merchant.userName,
    GATEWAY_PASSWORD: opts.password ?? merchant.password,
    GATEWAY_TIMEOUT_MS: '1500',
    GATEWAY_STATUS_TIMEOUT_MS: '1000',
    LOG_LEVEL: 'debug',
    ...opts.env,
  });
  const { logger, lines: logs } = capturedLogger(config.logLevel);
  const db = openDatabase(path.join(dataDir, 'shop.db'));
  const ownSessionStore = opts.sessionStore ? undefined : createSqliteSessionStore(session, db);
  const sessionStore = opts.sessionStore ?? ownSessionStore!;
  const ledger = createLedger(db);
  const fulfilled: number[] = [];
  const settled = new EventEmitter();
  if (config.gateway.mode !== 'remote') throw new Error('test shops always name their gateway');
  const gateway: GatewayClient = gatewayClientFor(remoteGatewayTarget(config.gateway), config, {
    statusRetries: 1,
    statusRetryDelayMs: 20,
    onCall: (e) => logger.debug({ gatewayCall: e }, 'gateway call'),
  });
  const catalog = opts.catalog ?? createCatalog();
  const paymentsDeps: PaymentsDeps = {
    config,
    logger,
    ledger: opts.appLedger ?? ledger,
    gateway,
    fiscal: (productId) => catalog.get(productId)?.fiscal,
    onFulfilled: (id) => fulfilled.push(id),
    onSettled: (order, cause) => settled.emit('settled', order, cause),
    ...(opts.cooldown && { cooldown: opts.cooldown }),
    ...(opts.reconciler && { reconciler: opts.reconciler }),
  };
  const payments = createPayments(paymentsDeps);
  const deps = {
    config,
    logger,
    ledger: paymentsDeps.ledger,
    gateway,
    payments,
    catalog,
    ...(opts.rateLimitStore && { rateLimitStore: opts.rateLimitStore }),
  };
  const app = createApp({
    ...deps,
    sessionStore,
    healthCheck: () => isDatabaseUsable(db),
    ...(opts.adminSleep && { sleep: opts.adminSleep }),
  });
  let closed = false;
  return {
    options: { ...opts, gatewayUrl },
    app,
    deps,
    payments,
    paymentsDeps,
    config,
    ledger,
    db,
    sandbox,
    gatewayUrl,
    logs,
    fulfilled,
    settled,
    async close() {
      if (closed) return;
      closed = true;
      ownSessionStore?.close();
      db.close();
      if (!opts.owner) return;
      await sandbox?.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * For a suite whose tests each start a shop against their own scripted gateway: returns `start`, and closes both
 * after every test. `beforeClose` runs first, e.g. to check what the shop logged.
 */
export function scriptedShopPerTest(opts: { beforeClose?: (shop: TestShop) => void } = {}) {
  let current: { gateway: MisbehavingGateway; shop: TestShop } | undefined;
  afterEach(async () => {
    const ending = current;
    current = undefined;
    if (!ending) return;
    try {
      opts.beforeClose?.(ending.shop);
    } finally {
      await ending.shop.close();
      await ending.gateway.close();
    }
  });
  return async function start(
    behaviour: MethodHandler | Behaviour = {},
    shopOpts: Omit<StartShopOptions, 'gatewayUrl'> = {},
  ): Promise<{ gateway: MisbehavingGateway; shop: TestShop }> {
    const gateway = await startMisbehavingGateway(behaviour);
    try {
      current = { gateway, shop: await startShop({ ...shopOpts, gatewayUrl: gateway.baseUrl }) };
    } catch (err) {
      await gateway.close();
      throw err;
    }
    return current;
  };
}

/** The value of a cookie the response sets, if it sets it. */
export function cookieValue(res: request.Response, name: string): string | undefined {
  return setCookie(res, name)
    ?.split(';')[0]
    ?.slice(name.length + 1);
}

/** The whole Set-Cookie line (value and attributes) for a cookie the response sets. */
export function setCookie(res: request.Response, name: string): string | undefined {
  const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  return cookies.find((c) => c.startsWith(`${name}=`));
}

export function csrfTokenFrom(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m?.[1]) throw new Error('no CSRF token in the page');
  return m[1];
}

/** Opens a product page and presses Buy, as a browser would; returns the response to POST /buy. */
export async function buy(agent: request.Agent, productId: string, quantity: number | string = 1) {
  const page = await agent.get(`/products/${productId}`).expect(200);
  const token = csrfTokenFrom(page.text);
  return agent
    .post('/buy')
    .type('form')
    .send({ _csrf: token, productId, quantity: String(quantity) });
}

/** A double click: the same Buy form (one page load, one token) posted twice at the same moment. */
export async function buyTwiceAtOnce(agent: request.Agent, productId: string, quantity = 1) {
  const page = await agent.get(`/products/${productId}`).expect(200);
  const form = { _csrf: csrfTokenFrom(page.text), productId, quantity: String(quantity) };
  const post = () => agent.post('/buy').type('form').send(form);
  const [a, b] = await Promise.all([post(), post()]);
  return { a, b, again: post };
}

/** The shop-relative part of a return URL the gateway sent the buyer to. */
export function shopPath(url: string): string {
  const u = new URL(url);
  if (u.origin !== SHOP_URL) throw new Error(`not a shop URL: ${url}`);
  return `${u.pathname}${u.search}`;
}

/** Resolves with the order once the shop has finished asking the gateway about it (after a callback, say). */
export function nextSettled(shop: TestShop, orderId: number): Promise<Order> {
  return new Promise((resolve) => {
    const listener = (order: Order) => {
      if (order.id !== orderId) return;
      shop.settled.off('settled', listener);
      resolve(order);
    };
    shop.settled.on('settled', listener);
  });
}

/**
 * The typed client of the shop's own sandbox's test helpers (packages/gateway-sandbox, "Test helpers"): pays, declines
 * or answers 3-D Secure for an order without the hosted page, for tests about the shop rather than the page.
 */
export function sandboxHelpers(shop: TestShop): SandboxTestClient {
  if (!shop.sandbox)
    throw new Error('sandboxHelpers: this shop talks to a gateway of its own, not startShop’s sandbox');
  return createSandboxTestClient({ baseUrl: shop.sandbox.url, operatorToken: shop.sandbox.sandbox.operatorToken });
}
