/**
 * The shop's start-up wiring without a process: loadConfig → startGatewayTarget → gateway client → createApp, as
 * server.ts composes them, with the embedded sandbox on port 0.
 */
import { EventEmitter, once } from 'node:events';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import session from 'express-session';
import request from 'supertest';
import { createApp } from '../src/app.js';
import { loadConfig, type Config } from '../src/config.js';
import { createGatewayClient, type GatewayClient } from '../src/gateway/index.js';
import { startGatewayTarget, type GatewayTarget } from '../src/gateway-target.js';
import { createLogger } from '../src/log.js';
import { isDatabaseUsable, openDatabase } from '../src/orders/db.js';
import { createLedger, type Ledger } from '../src/orders/ledger.js';
import type { Order } from '../src/orders/types.js';
import { createSqliteSessionStore } from '../src/orders/session-store.js';
import { DEFAULT_MERCHANTS, loadSandboxConfig, type RunningSandbox } from '../src/sandbox/index.js';
import { createCatalog } from '../src/shop/catalog.js';
import { createReconciler } from '../src/shop/reconciler.js';
import { buy } from './helpers/shop.js';
import { capturedLogger } from './helpers/logs.js';

const SECRET = 'a-test-session-secret-of-32-chars!!';
const PROCESSOR_WAIT_CARD = '4000000000000002';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface EmbeddedShop {
  target: GatewayTarget;
  sandbox: RunningSandbox;
  gateway: GatewayClient;
  shop: request.Agent;
  logs: string[];
  ledger: Ledger;
  config: Config;
  /** Emits 'settled' (order) after every attempt to bring an order up to date from the gateway. */
  settled: EventEmitter;
}

/**
 * The shop as server.ts builds it from `env`; GATEWAY_URL is left unset. With `listening`, the shop answers on a
 * loopback port (its PUBLIC_BASE_URL), so the sandbox can call it back.
 */
async function startEmbedded(env: Record<string, string> = {}, listening = false): Promise<EmbeddedShop> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'embedded-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  let handler: http.RequestListener = (_req, res) => res.writeHead(503).end();
  const server = http.createServer((req, res) => handler(req, res));
  if (listening) {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  }
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    SESSION_SECRET: SECRET,
    PUBLIC_BASE_URL: listening ? `http://127.0.0.1:${(server.address() as AddressInfo).port}` : 'http://shop.test',
    SANDBOX_PORT: '0',
    LOG_LEVEL: 'debug',
    ...env,
  });
  const { logger, lines: logs } = capturedLogger(config.logLevel);
  const target = await startGatewayTarget(config, logger);
  cleanups.push(() => target.close());
  if (!target.sandbox) throw new Error('expected the embedded sandbox');
  const db = openDatabase(path.join(dataDir, 'shop.db'));
  const sessionStore = createSqliteSessionStore(session, db);
  cleanups.push(() => {
    sessionStore.close();
    db.close();
  });
  const gateway = createGatewayClient({
    baseUrl: target.url,
    auth: target.auth,
    timeouts: { operationMs: config.gateway.timeoutMs, statusMs: config.gateway.statusTimeoutMs },
  });
  const ledger = createLedger(db);
  const settled = new EventEmitter();
  const app = createApp({
    config,
    logger,
    ledger,
    gateway,
    sessionStore,
    catalog: createCatalog(),
    healthCheck: () => isDatabaseUsable(db),
    callbackKey: target.callbackKey,
    onSettled: (order) => settled.emit('settled', order),
  });
  handler = app;
  return { target, sandbox: target.sandbox, gateway, shop: request.agent(app), logs, ledger, settled, config };
}

let orderCounter = 0;
async function registerOrder(gateway: GatewayClient) {
  orderCounter += 1;
  return gateway.register({
    orderNumber: `EMB-${process.pid}-${orderCounter}`,
    amount: 1250,
    currency: '978',
    returnUrl: 'http://shop.test/checkout/return',
  });
}

/** Pays through the sandbox's engine (no hosted page): the order's state is what these tests look at. */
function pay(sandbox: RunningSandbox, orderId: string, pan: string) {
  const order = sandbox.sandbox.engine.get(orderId);
  if (!order) throw new Error(`no sandbox order ${orderId}`);
  return sandbox.sandbox.engine.pay(order, { pan, expiration: '203012', cvc: '123', cardholderName: 'TEST BUYER' });
}

/** A callback receiver on port 0: answers the first request with 500 and never answers the second. */
async function startFlakyReceiver(): Promise<string> {
  let requests = 0;
  const server = http.createServer((_req, res) => {
    requests += 1;
    if (requests === 1) res.writeHead(500).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/payment/callback`;
}

describe('the gateway the shop talks to', () => {
  it('when GATEWAY_URL is unset, the sandbox calls the shop back, signed, with nothing configured', async () => {
    const { target, sandbox, shop, ledger, settled, logs } = await startEmbedded({}, true);
    expect(target.callbackKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const bought = await buy(shop, 'coffee-beans');
    const orderId = new URL(bought.headers.location!).searchParams.get('mdOrder')!;
    const order = ledger.findByGatewayOrderId(orderId)!;

    // The buyer pays and closes the tab: only the callback can tell the shop.
    const paidSettled = once(settled, 'settled') as Promise<[Order]>;
    pay(sandbox, orderId, '4111111111111111');
    const [paid] = await paidSettled;

    expect(paid).toMatchObject({ id: order.id, status: 'paid' });
    expect(ledger.events(order.id).filter((e) => e.kind === 'callback')).toEqual([
      expect.objectContaining({ outcome: 'received', detail: expect.objectContaining({ operation: 'deposited' }) }),
    ]);
    expect(logs.join('')).not.toContain(target.callbackKey!);
  });

  it('when the sandbox loses the callback (fault switch), the reconciler makes the closed-tab order paid', async () => {
    const { sandbox, shop, ledger, gateway, config } = await startEmbedded({}, true);
    sandbox.sandbox.faults.set(sandbox.sandbox.merchants[0]!.login, { callbacks: 'lost' });
    const bought = await buy(shop, 'coffee-beans');
    const orderId = new URL(bought.headers.location!).searchParams.get('mdOrder')!;
    pay(sandbox, orderId, '4111111111111111');
    await sandbox.sandbox.callbacks?.idle();
    const order = ledger.findByGatewayOrderId(orderId)!;
    expect(order.status).toBe('registered');
    expect(ledger.events(order.id).filter((e) => e.kind === 'callback')).toEqual([]);

    const reconciler = createReconciler(
      { config, logger: createLogger({ level: 'silent' }), ledger, gateway, catalog: createCatalog() },
      { intervalMs: 0, batch: 10, recheckPaidForMs: 0, openAfterMs: 0 },
    );
    await reconciler.runOnce();
    expect(ledger.get(order.id)?.status).toBe('paid');
    expect(ledger.fulfilment(order.id)?.status).toBe('paid');
  });

  it('when callbacks are off, the embedded sandbox is not told to call the shop', async () => {
    const { target, sandbox } = await startEmbedded({ CALLBACKS: 'off' });
    expect(target.callbackKey).toBeUndefined();
    expect(sandbox.sandbox.merchants[0]).not.toHaveProperty('callbackUrl');
  });

  it('when GATEWAY_URL is unset and SANDBOX_MERCHANTS names a merchant, Buy registers the order as that merchant', async () => {
    const merchant = { login: 'corner-shop', userName: 'corner-api', password: 'corner-canary-password' };
    const { target, sandbox, shop, logs } = await startEmbedded({ SANDBOX_MERCHANTS: JSON.stringify([merchant]) });

    const bought = await buy(shop, 'coffee-beans');

    expect(bought.status).toBe(303);
    expect(bought.headers.location).toMatch(
      new RegExp(`^${sandbox.url}/payment/merchants/corner-shop/payment_en\\.html\\?mdOrder=`),
    );
    expect(target.auth).toEqual({ userName: 'corner-api', password: 'corner-canary-password' });
    expect(sandbox.sandbox.merchants.map((m) => m.login)).toEqual(['corner-shop']);
    expect(sandbox.sandbox.store.list({ merchantLogin: 'corner-shop' })).toHaveLength(1);
    const out = logs.join('');
    expect(out).toContain('embedded gateway sandbox started');
    expect(out).not.toContain('canary');
  });

  it('when no merchant is configured, the shop calls as the first default merchant', async () => {
    const { target, sandbox, gateway } = await startEmbedded();
    const merchant = DEFAULT_MERCHANTS[0]!;

    const { orderId } = await registerOrder(gateway);

    expect(target.auth).toEqual({ userName: merchant.userName, password: merchant.password });
    expect(sandbox.sandbox.engine.get(orderId)?.merchantLogin).toBe(merchant.login);
  });

  it('when SANDBOX_PORT is 0, the sandbox is reached at http://127.0.0.1:<its port>, the default public URL', async () => {
    const { target, sandbox } = await startEmbedded();
    expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(target.url).toBe(`${sandbox.url}/payment/rest/`);
  });

  it('when SANDBOX_PROCESSING_DELAY_MS is set, the processor-wait card waits that long, not the default 15 s', async () => {
    const { sandbox, gateway } = await startEmbedded({ SANDBOX_PROCESSING_DELAY_MS: '60000' });
    const { orderId } = await registerOrder(gateway);

    expect(pay(sandbox, orderId, PROCESSOR_WAIT_CARD).kind).toBe('processing');
    // The sandbox clock runs with real time too, so each step stays far from the 60 s mark.
    sandbox.clock.advance(30_000);
    expect((await gateway.getOrderStatusExtended({ orderId })).orderStatus).toBe(5);
    sandbox.clock.advance(30_000);
    expect((await gateway.getOrderStatusExtended({ orderId })).orderStatus).toBe(2);
  });

  it('when SANDBOX_CALLBACK_* are set, a callback gets that many attempts, each with that timeout', async () => {
    const callbackUrl = await startFlakyReceiver();
    const merchant = { login: 'cb-shop', userName: 'cb-api', password: 'cb-password', callbackUrl };
    const { sandbox, gateway } = await startEmbedded({
      SANDBOX_MERCHANTS: JSON.stringify([merchant]),
      SANDBOX_CALLBACK_ATTEMPTS: '2',
      // Not observable without a wall clock; it travels in the same options object as the two asserted below.
      SANDBOX_CALLBACK_RETRY_MS: '0',
      SANDBOX_CALLBACK_TIMEOUT_MS: '100',
    });
    const { orderId } = await registerOrder(gateway);

    expect(pay(sandbox, orderId, '4111111111111111').kind).toBe('approved');
    await sandbox.sandbox.callbacks?.idle();

    const order = sandbox.sandbox.engine.get(orderId)!;
    const deliveries = sandbox.sandbox.journal.of(order).deliveries;
    expect(deliveries.map((d) => [d.attempt, d.outcome, d.gaveUp])).toEqual([
      [1, { kind: 'http', status: 500 }, undefined],
      [2, { kind: 'error', message: 'no answer within 100 ms' }, true],
    ]);
  });

  it('when GATEWAY_URL is set, no sandbox starts and SANDBOX_* settings play no part', async () => {
    const config = loadConfig({
      SESSION_SECRET: SECRET,
      GATEWAY_URL: 'http://127.0.0.1:9/payment/rest/',
      GATEWAY_TOKEN: 'a-token',
      SANDBOX_PORT: 'not-a-port',
      SANDBOX_MERCHANTS: '[{"login":"x","userName":"u","password":"p"}]',
    });
    const target = await startGatewayTarget(config, createLogger({ level: 'silent' }));
    cleanups.push(() => target.close());

    expect(target).toMatchObject({ url: 'http://127.0.0.1:9/payment/rest/', auth: { token: 'a-token' } });
    expect(target.sandbox).toBeUndefined();
  });

  it('the sandbox settings the shop embeds are the standalone ones: same defaults, same parsing', () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'embedded-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const sandboxOf = (env: Record<string, string>) => {
      const { gateway } = loadConfig({ DATA_DIR: dataDir, ...env });
      if (gateway.mode !== 'sandbox') throw new Error('expected the embedded sandbox');
      return gateway.sandbox;
    };
    expect(sandboxOf({})).toEqual(loadSandboxConfig({}));
    expect(sandboxOf({})).toEqual({
      host: '127.0.0.1',
      port: 3001,
      publicUrl: 'http://127.0.0.1:3001',
      merchants: DEFAULT_MERCHANTS,
      processingDelayMs: undefined,
      callbacks: {},
    });
    const tuned = {
      SANDBOX_PORT: '4001',
      SANDBOX_HOST: '0.0.0.0',
      SANDBOX_PUBLIC_URL: 'http://127.0.0.1:4001/',
      SANDBOX_PROCESSING_DELAY_MS: '10',
      SANDBOX_CALLBACK_ATTEMPTS: '3',
    };
    expect(sandboxOf(tuned)).toEqual(loadSandboxConfig(tuned));
  });
});
