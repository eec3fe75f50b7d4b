/**
 * The shop calls the embedded sandbox where it listens, while buyers go to SANDBOX_PUBLIC_URL (docker run -p
 * 45911:3001 -e SANDBOX_PUBLIC_URL=http://127.0.0.1:45911: inside the container nothing listens on 45911). The
 * client's formUrl check (docs/security.md #7) then uses the payment page origin, not the API's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import session from 'express-session';
import request from 'supertest';
import { createApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createGatewayClient, GatewayForeignFormUrlError } from '../../src/gateway/index.js';
import { gatewayClientFor, startGatewayTarget, type GatewayTarget } from '../../src/gateway-target.js';
import type { Logger } from '../../src/log.js';
import { isDatabaseUsable, openDatabase } from '../../src/orders/db.js';
import { createLedger } from '../../src/orders/ledger.js';
import { createPayments } from '../../src/payments/index.js';
import { createSqliteSessionStore } from '../../src/storage/sessions/sqlite.js';
import { createCatalog } from '../../src/shop/catalog.js';
import { REGISTER } from '../helpers/gateway-client.js';
import { capturedLogger } from '../helpers/logs.js';
import { replies, startMisbehavingGateway } from '../helpers/misbehaving-gateway.js';
import { buy } from '../helpers/shop.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A loopback port nothing listens on: bound, read, closed. */
async function deadPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** The shop as server.ts builds it, embedded sandbox on port 0, buyers told to use `publicUrl`. */
async function embeddedShop(publicUrl: string) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'page-origin-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    SESSION_SECRET: 'a-test-session-secret-of-32-chars!!',
    PUBLIC_BASE_URL: 'http://shop.test',
    SANDBOX_PORT: '0',
    SANDBOX_PUBLIC_URL: publicUrl,
    CALLBACKS: 'off',
    LOG_LEVEL: 'debug',
  });
  const { logger } = capturedLogger(config.logLevel);
  const target = await startGatewayTarget(config, logger);
  cleanups.push(() => target.close());
  return { target, ...shopOn(dataDir, config, logger, target) };
}

/** The shop as server.ts builds it, on a database in `dataDir`, calling `target`: its gateway client and an agent. */
function shopOn(dataDir: string, config: Config, logger: Logger, target: GatewayTarget) {
  const db = openDatabase(path.join(dataDir, 'shop.db'));
  const sessionStore = createSqliteSessionStore(session, db);
  cleanups.push(() => {
    sessionStore.close();
    db.close();
  });
  const gateway = gatewayClientFor(target, config);
  const ledger = createLedger(db);
  const app = createApp({
    config,
    logger,
    ledger,
    gateway,
    payments: createPayments({ config, logger, ledger, gateway }),
    sessionStore,
    catalog: createCatalog(),
    healthCheck: () => isDatabaseUsable(db),
  });
  return { gateway, agent: request.agent(app) };
}

describe('the embedded sandbox behind a port mapping', () => {
  it('when SANDBOX_PUBLIC_URL is a port where nothing listens, Buy still 303s to a formUrl on that origin', async () => {
    const publicUrl = `http://127.0.0.1:${await deadPort()}`;
    const { target, gateway, agent } = await embeddedShop(publicUrl);

    expect(new URL(target.url).origin).not.toBe(publicUrl);
    expect(target.paymentPageOrigin).toBe(publicUrl);
    expect(gateway.paymentPageOrigin).toBe(publicUrl);
    const res = await buy(agent, 'notebook');
    expect(res.status).toBe(303);
    expect(new URL(res.headers.location!).origin).toBe(publicUrl);
    // The browser's form POST → 303 to the payment page is allowed by the CSP.
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toMatch(new RegExp(`form-action 'self' ${publicUrl.replace(/\./g, '\\.')}(;|$)`));
  });
});

describe('a remote gateway with GATEWAY_PAYMENT_PAGE_ORIGIN (compose.yaml)', () => {
  it('Buy 303s to a formUrl on that origin, and the CSP allows it', async () => {
    const page = `http://127.0.0.1:${await deadPort()}`;
    const gw = await startMisbehavingGateway({
      register: () =>
        replies.json({ orderId: 'r-1', formUrl: `${page}/payment/merchants/m/payment_en.html?mdOrder=r-1` }),
    });
    cleanups.push(() => gw.close());
    const dataDir = mkdtempSync(path.join(tmpdir(), 'page-origin-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const config = loadConfig({
      NODE_ENV: 'test',
      DATA_DIR: dataDir,
      SESSION_SECRET: 'a-test-session-secret-of-32-chars!!',
      PUBLIC_BASE_URL: 'http://shop.test',
      GATEWAY_URL: gw.baseUrl,
      GATEWAY_PAYMENT_PAGE_ORIGIN: page,
      GATEWAY_USERNAME: 'u-api',
      GATEWAY_PASSWORD: 'p',
      CALLBACKS: 'off',
    });
    const { logger } = capturedLogger('silent');
    const target = await startGatewayTarget(config, logger);
    expect(target).toMatchObject({ url: gw.baseUrl, paymentPageOrigin: page, sandbox: undefined });
    const res = await buy(shopOn(dataDir, config, logger, target).agent, 'notebook');
    expect(res.status).toBe(303);
    expect(new URL(res.headers.location!).origin).toBe(page);
    expect(String(res.headers['content-security-policy'])).toContain(`form-action 'self' ${page}`);
  });

  it('when formUrl is on another origin than expected, the log names GATEWAY_PAYMENT_PAGE_ORIGIN', async () => {
    const elsewhere = `http://127.0.0.1:${await deadPort()}`;
    const gw = await startMisbehavingGateway({
      register: () => replies.json({ orderId: 'r-2', formUrl: `${elsewhere}/payment/merchants/m/payment_en.html` }),
    });
    cleanups.push(() => gw.close());
    const dataDir = mkdtempSync(path.join(tmpdir(), 'page-origin-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const config = loadConfig({
      NODE_ENV: 'test',
      DATA_DIR: dataDir,
      SESSION_SECRET: 'a-test-session-secret-of-32-chars!!',
      PUBLIC_BASE_URL: 'http://shop.test',
      GATEWAY_URL: gw.baseUrl,
      GATEWAY_USERNAME: 'u-api',
      GATEWAY_PASSWORD: 'u-api-password',
      CALLBACKS: 'off',
    });
    const { logger, lines } = capturedLogger('info');
    const target = await startGatewayTarget(config, logger);
    expect((await buy(shopOn(dataDir, config, logger, target).agent, 'notebook')).status).toBe(502);
    const failed = lines
      .map((l) => JSON.parse(l) as { msg: string; message?: string })
      .find((l) => l.msg === 'register failed');
    expect(failed?.message).toBe(
      `register: formUrl is on ${elsewhere}, expected ${gw.origin} (GATEWAY_PAYMENT_PAGE_ORIGIN): if the gateway's payment page really is there, set GATEWAY_PAYMENT_PAGE_ORIGIN to that origin`,
    );
  });

  it.each([
    [{ GATEWAY_PAYMENT_PAGE_ORIGIN: 'http://127.0.0.1:3001/pay' }, /origin only/],
    [{ GATEWAY_PAYMENT_PAGE_ORIGIN: 'ftp://127.0.0.1' }, /http/],
    [{ GATEWAY_URL: '', GATEWAY_PAYMENT_PAGE_ORIGIN: 'http://127.0.0.1:3001' }, /only with GATEWAY_URL/],
  ])('refuses %j at start-up', (env, message) => {
    const base = {
      NODE_ENV: 'test',
      SESSION_SECRET: 'a-test-session-secret-of-32-chars!!',
      GATEWAY_URL: 'https://gw.example/payment/rest/',
      GATEWAY_TOKEN: 't',
      SANDBOX_PORT: '0',
    };
    expect(() => loadConfig({ ...base, ...env })).toThrow(message);
  });
});

describe('the client with a payment page origin', () => {
  it('accepts a formUrl on the payment page origin and refuses one on the API origin', async () => {
    const gw = await startMisbehavingGateway({
      register: (_f, ctx) => replies.json({ orderId: 'o-1', formUrl: `${ctx.origin}/pay?mdOrder=o-1` }),
    });
    cleanups.push(() => gw.close());
    const auth = { userName: 'u-api', password: 'p' };
    const page = 'https://pay.example';
    const onPage = await startMisbehavingGateway({
      register: () => replies.json({ orderId: 'o-2', formUrl: `${page}/pay?mdOrder=o-2` }),
    });
    cleanups.push(() => onPage.close());

    const client = createGatewayClient({ baseUrl: onPage.baseUrl, auth, paymentPageOrigin: `${page}/any/path` });
    expect(client.paymentPageOrigin).toBe(page);
    expect(client.origin).toBe(onPage.origin);
    await expect(client.register(REGISTER)).resolves.toEqual({ orderId: 'o-2', formUrl: `${page}/pay?mdOrder=o-2` });

    // #7 still holds: with a payment page origin set, even the API's own origin is foreign for formUrl.
    const strict = createGatewayClient({ baseUrl: gw.baseUrl, auth, paymentPageOrigin: page });
    await expect(strict.register(REGISTER)).rejects.toBeInstanceOf(GatewayForeignFormUrlError);
  });

  it('defaults the payment page origin to the API origin', () => {
    const client = createGatewayClient({ baseUrl: 'https://gw.example/payment/rest/', auth: { token: 't' } });
    expect(client.paymentPageOrigin).toBe('https://gw.example');
  });

  it.each([['not a url'], ['ftp://pay.example'], ['https://user:pw@pay.example']])(
    'refuses %s as a payment page origin at start-up',
    (paymentPageOrigin) => {
      expect(() =>
        createGatewayClient({ baseUrl: 'https://gw.example/payment/rest/', auth: { token: 't' }, paymentPageOrigin }),
      ).toThrow(TypeError);
    },
  );
});
