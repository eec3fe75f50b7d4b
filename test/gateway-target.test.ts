/**
 * The shop's start-up wiring without a process: loadConfig → startGatewayTarget → gateway client → createApp, as
 * server.ts composes them, with the embedded sandbox on port 0.
 */
import { spawn } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import http from 'node:http';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from '@jest/globals';
import session from 'express-session';
import request from 'supertest';
import { createApp } from '../src/app.js';
import { loadConfig, type Config } from '../src/config.js';
import type { GatewayClient } from '../src/gateway/index.js';
import { gatewayClientFor, startGatewayTarget, type GatewayTarget } from '../src/gateway-target.js';
import { createLogger } from '../src/log.js';
import { isDatabaseUsable, openDatabase } from '../src/orders/db.js';
import { createLedger, type SqliteLedger } from '../src/orders/ledger.js';
import type { Order } from '../src/orders/types.js';
import { createSqliteSessionStore } from '../src/storage/sessions/sqlite.js';
import {
  CREDENTIALS_DIR,
  CREDENTIALS_FILE,
  CredentialsFileError,
  DEFAULT_MERCHANTS,
  loadSandboxConfig,
  OPERATOR_TOKEN_FILE,
  type RunningSandbox,
} from '@rbs-storefront/gateway-sandbox';
import { createCatalog } from '../src/shop/catalog.js';
import { createPayments } from '../src/payments/index.js';
import { buy, RECONCILE_AT_ONCE } from './helpers/shop.js';
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
  ledger: SqliteLedger;
  config: Config;
  /** Emits 'settled' (order) after every attempt to bring an order up to date from the gateway. */
  settled: EventEmitter;
}

/**
 * The shop as server.ts builds it from `env`; GATEWAY_URL is left unset. With `listening`, the shop answers on a
 * loopback port (its PUBLIC_BASE_URL), so the sandbox can call it back.
 */
async function startEmbedded(
  env: Record<string, string> = {},
  listening = false,
  dataDir = tempDir(),
): Promise<EmbeddedShop> {
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
  const gateway = gatewayClientFor(target, config);
  const ledger = createLedger(db);
  const settled = new EventEmitter();
  const app = createApp({
    config,
    logger,
    ledger,
    gateway,
    payments: createPayments({ config, logger, ledger, gateway, onSettled: (order) => settled.emit('settled', order) }),
    sessionStore,
    catalog: createCatalog(),
    healthCheck: () => isDatabaseUsable(db),
  });
  handler = app;
  return { target, sandbox: target.sandbox, gateway, shop: request.agent(app), logs, ledger, settled, config };
}

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'embedded-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
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
    const { config, sandbox, shop, ledger, settled, logs } = await startEmbedded({}, true);
    expect(config.callbacks.key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(sandbox.sandbox.merchants[0]?.callbackKey).toBe(config.callbacks.key);
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
    expect(logs.join('')).not.toContain(config.callbacks.key!);
  });

  it('when GATEWAY_DYNAMIC_CALLBACK=on, the embedded sandbox takes the dynamicCallbackUrl and calls the shop there', async () => {
    const { sandbox, shop, ledger, settled } = await startEmbedded({ GATEWAY_DYNAMIC_CALLBACK: 'on' }, true);
    const bought = await buy(shop, 'coffee-beans');
    expect(bought.status).toBe(303);
    const orderId = new URL(bought.headers.location!).searchParams.get('mdOrder')!;
    expect(sandbox.sandbox.engine.get(orderId)?.callbackUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/payment\/callback$/);
    const paidSettled = once(settled, 'settled') as Promise<[Order]>;
    pay(sandbox, orderId, '4111111111111111');
    const [paid] = await paidSettled;
    expect(paid).toMatchObject({ status: 'paid' });
    expect(ledger.events(paid.id).some((e) => e.kind === 'callback' && e.outcome === 'received')).toBe(true);
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

    const { reconciler } = createPayments({
      config,
      logger: createLogger({ level: 'silent' }),
      ledger,
      gateway,
      reconciler: RECONCILE_AT_ONCE,
    });
    await reconciler.runOnce();
    expect(ledger.get(order.id)?.status).toBe('paid');
    expect(ledger.fulfilment(order.id)?.status).toBe('paid');
  });

  it('when callbacks are off, the embedded sandbox is not told to call the shop', async () => {
    const { config, sandbox } = await startEmbedded({ CALLBACKS: 'off' });
    expect(config.callbacks.key).toBeUndefined();
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

  it('when no merchant is configured, the shop calls as the demo merchant with generated credentials, never the public ones', async () => {
    const { target, sandbox, gateway, logs } = await startEmbedded();
    const demo = DEFAULT_MERCHANTS[0]!;

    const { orderId } = await registerOrder(gateway);

    expect(sandbox.sandbox.engine.get(orderId)?.merchantLogin).toBe(demo.login);
    const auth = target.auth as { userName: string; password: string };
    expect(auth.userName).toMatch(/^sandbox-api-[0-9a-f]{12}$/);
    expect(auth.password).toMatch(/^[A-Za-z0-9_-]{32}$/);
    // The public demo credentials, in every form, are refused by the embedded sandbox.
    const publicOnes: Record<string, string>[] = [
      { userName: demo.userName, password: demo.password },
      { token: demo.token! },
      { userName: auth.userName, password: demo.password },
    ];
    for (const credentials of publicOnes) {
      const res = await fetch(`${target.url}getOrderStatusExtended.do`, {
        method: 'POST',
        body: new URLSearchParams({ ...credentials, orderId }),
      });
      expect(await res.json()).toMatchObject({ errorCode: '5' });
    }
    expect(sandbox.sandbox.merchants).toHaveLength(1);
    const out = logs.join('');
    expect(out).not.toContain(auth.password);
    expect(out).not.toContain(sandbox.sandbox.merchants[0]!.token);
  });

  it('the generated credentials are kept under DATA_DIR (folder 0700, file 0600) and reused by the next start', async () => {
    const dataDir = tempDir();
    const first = await startEmbedded({}, false, dataDir);
    const file = path.join(dataDir, CREDENTIALS_DIR, CREDENTIALS_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    const kept = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    expect(first.target.auth).toEqual({ userName: kept.userName, password: kept.password });
    expect(first.sandbox.sandbox.merchants[0]?.token).toBe(kept.token);
    await first.target.close();

    const second = await startEmbedded({}, false, dataDir);
    expect(second.target.auth).toEqual(first.target.auth);
    // An order registered by the restarted shop works with the kept credentials.
    const { orderId } = await registerOrder(second.gateway);
    expect(second.sandbox.sandbox.engine.get(orderId)).toBeDefined();
    // A different DATA_DIR is a different shop: other credentials.
    expect((await startEmbedded()).target.auth).not.toEqual(first.target.auth);
  });

  it('when the kept file has loose permissions, they are tightened to 0600', async () => {
    const dataDir = tempDir();
    await (await startEmbedded({}, false, dataDir)).target.close();
    const file = path.join(dataDir, CREDENTIALS_DIR, CREDENTIALS_FILE);
    chmodSync(file, 0o644);
    await startEmbedded({}, false, dataDir);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('when the kept file is corrupt, start-up stops with an error naming the file, without quoting it', async () => {
    const dataDir = tempDir();
    const file = path.join(dataDir, CREDENTIALS_DIR, CREDENTIALS_FILE);
    mkdirSync(path.dirname(file), { recursive: true });
    for (const content of [
      '{"version":1,"userName":"canary-user"',
      '{"version":1,"password":"canary-password-123456"}',
      '',
    ]) {
      writeFileSync(file, content, { mode: 0o600 });
      const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, SESSION_SECRET: SECRET, SANDBOX_PORT: '0' });
      const started = startGatewayTarget(config, createLogger({ level: 'silent' }));
      await expect(started).rejects.toThrow(CredentialsFileError);
      await started.catch((err: Error) => {
        expect(err.message).toContain(file);
        expect(err.message).toContain('delete it');
        expect(err.message).not.toContain('canary');
      });
      // The file is left for its owner to look at, not replaced.
      expect(readFileSync(file, 'utf8')).toBe(content);
    }
  });

  it('when SANDBOX_MERCHANTS is set, nothing is generated and no file is written', async () => {
    const dataDir = tempDir();
    const merchant = { login: 'own-shop', userName: 'own-api', password: 'own-password' };
    const { target } = await startEmbedded({ SANDBOX_MERCHANTS: JSON.stringify([merchant]) }, false, dataDir);
    expect(target.auth).toEqual({ userName: 'own-api', password: 'own-password' });
    expect(existsSync(path.join(dataDir, CREDENTIALS_DIR, CREDENTIALS_FILE))).toBe(false);
  });

  it('without SANDBOX_OPERATOR_TOKEN, a generated one is kept in DATA_DIR/sandbox (0600), reused on restart, never logged, and opens the tools', async () => {
    const dataDir = tempDir();
    const first = await startEmbedded({}, false, dataDir);
    const token = first.sandbox.sandbox.operatorToken;
    const file = path.join(dataDir, CREDENTIALS_DIR, OPERATOR_TOKEN_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ version: 1, operatorToken: token });
    expect(first.target.sandboxOperator).toEqual({
      pages: `${first.sandbox.url}/sandbox/orders`,
      reportCard: `${first.sandbox.url}/sandbox/report/demo-shop`,
      token,
      tokenFile: file,
    });
    const out = first.logs.join('');
    expect(out).not.toContain(token);
    expect(out).toContain(`"operatorTokenFile":"${file}"`);
    expect((await fetch(`${first.sandbox.url}/sandbox/orders`)).status).toBe(401);
    const opened = await fetch(`${first.sandbox.url}/sandbox/orders`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(opened.status).toBe(200);
    await first.target.close();
    const second = await startEmbedded({}, false, dataDir);
    expect(second.sandbox.sandbox.operatorToken).toBe(token);
  });

  it('when the kept operator token file is corrupt, start-up stops with an error naming the file, without quoting it', async () => {
    const dataDir = tempDir();
    const file = path.join(dataDir, CREDENTIALS_DIR, OPERATOR_TOKEN_FILE);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, '{"version":1,"operatorToken":"canary', { mode: 0o600 });
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, SESSION_SECRET: SECRET, SANDBOX_PORT: '0' });
    const started = startGatewayTarget(config, createLogger({ level: 'silent' }));
    await expect(started).rejects.toThrow(CredentialsFileError);
    await started.catch((err: Error) => {
      expect(err.message).toContain(file);
      expect(err.message).toContain('delete it');
      expect(err.message).not.toContain('canary');
    });
    expect(readFileSync(file, 'utf8')).toContain('canary');
  });

  it('with SANDBOX_OPERATOR_TOKEN set, the tools take that one and it never reaches the log', async () => {
    const operatorToken = 'configured-operator-canary-0123';
    const { sandbox, logs } = await startEmbedded({ SANDBOX_OPERATOR_TOKEN: operatorToken });
    expect(sandbox.sandbox.operatorToken).toBe(operatorToken);
    expect(logs.join('')).not.toContain('canary');
    expect(logs.join('')).not.toContain('deliberatelyLoggedOperatorToken');
    const res = await fetch(`${sandbox.url}/sandbox/control`, {
      headers: { authorization: `Basic ${Buffer.from(`op:${operatorToken}`).toString('base64')}` },
    });
    expect(res.status).toBe(200);
  });

  it('when SANDBOX_TEST_HELPERS=on, the embedded sandbox serves the test helpers (operator token); unset, 404', async () => {
    const operatorToken = 'configured-operator-canary-0123';
    const headers = { authorization: `Bearer ${operatorToken}`, 'content-type': 'application/json' };
    const off = await startEmbedded({ SANDBOX_OPERATOR_TOKEN: operatorToken });
    const offOrder = await registerOrder(off.gateway);
    const refused = await fetch(`${off.sandbox.url}/sandbox/test/orders/${offOrder.orderId}/pay`, {
      method: 'POST',
      headers,
      body: '{}',
    });
    expect(refused.status).toBe(404);

    const { sandbox, gateway, logs } = await startEmbedded({
      SANDBOX_OPERATOR_TOKEN: operatorToken,
      SANDBOX_TEST_HELPERS: 'on',
    });
    const { orderId } = await registerOrder(gateway);
    const res = await fetch(`${sandbox.url}/sandbox/test/orders/${orderId}/pay`, {
      method: 'POST',
      headers,
      body: '{}',
    });
    expect(await res.json()).toMatchObject({ mdOrder: orderId, outcome: 'approved', orderStatus: 2 });
    expect(logs.join('')).toContain('sandbox test helpers are on');
    expect(logs.join('')).not.toContain('canary');
  });

  it("when SANDBOX_CALLBACK_HOSTS leaves out the shop's own callback host, the sandbox still notifies the shop (its own origin)", async () => {
    const config = loadConfig({
      NODE_ENV: 'test',
      DATA_DIR: tempDir(),
      SESSION_SECRET: SECRET,
      SANDBOX_PORT: '0',
      PUBLIC_BASE_URL: 'http://127.0.0.1:3000',
      SANDBOX_CALLBACK_HOSTS: '127.0.0.2',
    });
    const target = await startGatewayTarget(config, createLogger({ level: 'silent' }));
    try {
      const { sandbox } = target.sandbox!;
      expect(sandbox.callbackAllowed('http://127.0.0.1:3000/payment/callback', 'demo-shop')).toBe(true);
      expect(sandbox.callbackAllowed('http://127.0.0.1:3001/payment/callback', 'demo-shop')).toBe(false);
      expect(sandbox.callbackAllowed('http://127.0.0.2:1/any', 'demo-shop')).toBe(true);
    } finally {
      await target.close();
    }
  });

  it('with NODE_ENV=production and SANDBOX=on, the sandbox starts with a warning that it is an emulator', async () => {
    const { logs } = await startEmbedded({
      NODE_ENV: 'production',
      SANDBOX: 'on',
      SANDBOX_OPERATOR_TOKEN: 'prod-operator-token-0123456789',
    });
    expect(logs.join('')).toMatch(/"level":40,.*SANDBOX=on with NODE_ENV=production/);
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
      merchantsConfigured: false,
      operatorToken: undefined,
      callbackHosts: undefined,
      processingDelayMs: undefined,
      callbacks: {},
      testHelpers: false,
      armProbes: true,
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

describe('the launcher (src/server.ts) in production without GATEWAY_URL', () => {
  it('when SANDBOX is not on, it refuses to start, exit code 1, saying why and naming GATEWAY_URL and SANDBOX=on', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'),
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', SESSION_SECRET: SECRET, DATA_DIR: tempDir() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const [code] = (await once(child, 'close')) as [number | null];
    expect(code).toBe(1);
    expect(out).toContain('Invalid configuration');
    expect(out).toMatch(/GATEWAY_URL: is required when NODE_ENV=production: .*emulator/);
    expect(out).toContain('SANDBOX=on');
    expect(out).not.toMatch(/\n\s+at /);
  }, 20_000);
});
