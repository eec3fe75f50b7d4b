import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from '@jest/globals';
import { ConfigError, DEV_SECRET_FILE, loadConfig, type Config } from '../src/config.js';
import { baseUrlProblem, DEFAULT_TIMEOUTS, originProblem } from '../src/gateway/index.js';
import { DEFAULT_MERCHANTS, type SandboxConfig } from '@rbs-storefront/gateway-sandbox';

const SECRET = 'a-test-session-secret-of-32-chars!!';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Every key the shop reads; SANDBOX_* only while GATEWAY_URL is unset. */
const EVERY_KEY = [
  'NODE_ENV',
  'DATABASE_URL',
  'REDIS_URL',
  'HOST',
  'PORT',
  'PUBLIC_BASE_URL',
  'CANONICAL_HOST',
  'TRUST_PROXY',
  'GATEWAY_URL',
  'GATEWAY_USERNAME',
  'GATEWAY_PASSWORD',
  'GATEWAY_TOKEN',
  'GATEWAY_TIMEOUT_MS',
  'GATEWAY_STATUS_TIMEOUT_MS',
  'PAYMENT_FLOW',
  'CURRENCY',
  'ORDER_LIFETIME_SECS',
  'TAX_SYSTEM',
  'BUY_RATE_LIMIT_PER_MINUTE',
  'BUY_RATE_LIMIT_PER_BROWSER',
  'GATEWAY_PAYMENT_PAGE_ORIGIN',
  'SESSION_SECRET',
  'SESSION_SECRET_PREVIOUS',
  'DATA_DIR',
  'LOG_LEVEL',
  'CALLBACKS',
  'GATEWAY_CALLBACK_KEY',
  'GATEWAY_DYNAMIC_CALLBACK',
  'RECONCILE_INTERVAL_SECS',
  'RECONCILE_BATCH',
  'RECONCILE_RECHECK_HOURS',
  'RECONCILE_GIVE_UP_HOURS',
  'ADMIN_USER',
  'ADMIN_PASSWORD',
  'ADMIN_PASSWORD_HASH',
  'ADMIN_IDLE_MINUTES',
  'METRICS_PORT',
  'METRICS_HOST',
  'SANDBOX_HOST',
  'SANDBOX_PORT',
  'SANDBOX_PUBLIC_URL',
  'SANDBOX_MERCHANTS',
  'SANDBOX_PROCESSING_DELAY_MS',
  'SANDBOX_CALLBACK_ATTEMPTS',
  'SANDBOX_CALLBACK_RETRY_MS',
  'SANDBOX_CALLBACK_TIMEOUT_MS',
  'SANDBOX_JOURNAL_MAX_ENTRIES',
  'SANDBOX_HOLD_LIFETIME_SECS',
  'SANDBOX',
  'SANDBOX_OPERATOR_TOKEN',
  'SANDBOX_CALLBACK_HOSTS',
  'SANDBOX_DEMO_CREDENTIALS',
  'SANDBOX_TEST_HELPERS',
  'SANDBOX_TEST_HELPERS_IN_PRODUCTION',
];
/**
 * Keys .env.example shows commented out (`# KEY=`): optional ones whose empty line would read as a setting, and the
 * URLs derived from PORT and SANDBOX_PORT, so that a copy with another PORT still works.
 */
const COMMENTED_KEYS = [
  'SANDBOX',
  'DATABASE_URL',
  'REDIS_URL',
  'SANDBOX_OPERATOR_TOKEN',
  'SANDBOX_CALLBACK_HOSTS',
  'SANDBOX_DEMO_CREDENTIALS',
  'SANDBOX_TEST_HELPERS',
  'SANDBOX_TEST_HELPERS_IN_PRODUCTION',
  'PUBLIC_BASE_URL',
  'SANDBOX_PUBLIC_URL',
  'GATEWAY_PAYMENT_PAGE_ORIGIN',
  'METRICS_PORT',
  'METRICS_HOST',
  'TAX_SYSTEM',
];
const OPERATOR_TOKEN = 'an-operator-token-0123456789';
const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'cfg-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function sandboxOf(config: Config): SandboxConfig {
  if (config.gateway.mode !== 'sandbox') throw new Error('expected the embedded sandbox');
  return config.gateway.sandbox;
}

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  throw new Error('expected a ConfigError');
}

/** A config with the embedded sandbox's callback key, generated anew by each loadConfig, named by its shape only. */
function comparable(config: Config) {
  const { key } = config.callbacks;
  const generated = key !== undefined && /^[A-Za-z0-9_-]{43}$/.test(key);
  return { ...config, callbacks: { ...config.callbacks, key: generated ? '(generated)' : key } };
}

describe('loadConfig', () => {
  it('when nothing is set, starts a demo: sandbox gateway, defaults, and a generated secret kept under DATA_DIR', () => {
    const dataDir = path.join(tmp(), 'data');
    const config = loadConfig({ DATA_DIR: dataDir });
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(config.port).toBe(3000);
    expect(config.publicBaseUrl).toBe('http://localhost:3000');
    expect(config.https).toBe(false);
    expect(config.gateway.mode).toBe('sandbox');
    expect(config.flow).toBe('one-phase');
    expect(config.currency).toBe('978');
    expect(sandboxOf(config)).toEqual({
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
    const file = path.join(dataDir, DEV_SECRET_FILE);
    expect(readFileSync(file, 'utf8').trim()).toBe(config.sessionSecrets[0]);
    expect(statSync(file).mode & 0o077).toBe(0);
    // kept: a restart signs sessions with the same secret
    expect(loadConfig({ DATA_DIR: dataDir }).sessionSecrets[0]).toBe(config.sessionSecrets[0]);
  });

  it('tightens DATA_DIR and the kept session secret again when someone loosened them (0777, 0666)', () => {
    const dataDir = path.join(tmp(), 'data');
    loadConfig({ DATA_DIR: dataDir });
    const file = path.join(dataDir, DEV_SECRET_FILE);
    chmodSync(dataDir, 0o777);
    chmodSync(file, 0o666);
    loadConfig({ DATA_DIR: dataDir });
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // With SESSION_SECRET given, DATA_DIR (the ledger's folder) is still tightened.
    chmodSync(dataDir, 0o755);
    loadConfig({ DATA_DIR: dataDir, SESSION_SECRET: SECRET });
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
  });

  it.each([
    ['a path through a file (/dev/null/x)', '/dev/null/x'],
    ['a file', '/dev/null'],
  ])('when DATA_DIR is %s, says so naming DATA_DIR (not a raw ENOTDIR)', (_what, dataDir) => {
    const envs: Array<Record<string, string>> = [{ DATA_DIR: dataDir }, { DATA_DIR: dataDir, SESSION_SECRET: SECRET }];
    for (const env of envs)
      expect(problemsOf(env)).toEqual([
        `DATA_DIR: ${dataDir} cannot be used as the data folder (it, or a folder above it, is a file): set DATA_DIR to a folder this user may write, e.g. ./data`,
      ]);
  });

  it('takes GATEWAY_URL without its trailing slash', () => {
    const config = loadConfig({
      DATA_DIR: tmp(),
      SESSION_SECRET: SECRET,
      GATEWAY_URL: 'https://dev.bpsprocessing.ru/payment/rest',
      GATEWAY_USERNAME: 'api-user',
      GATEWAY_PASSWORD: 'api-password',
    });
    expect(config.gateway.mode === 'remote' && config.gateway.url).toBe('https://dev.bpsprocessing.ru/payment/rest/');
  });

  it('when only PORT is set, the public URL and the sandbox follow their ports', () => {
    const config = loadConfig({ DATA_DIR: tmp(), SESSION_SECRET: SECRET, PORT: '8080', SANDBOX_PORT: '8081' });
    expect(config.publicBaseUrl).toBe('http://localhost:8080');
    expect(sandboxOf(config).publicUrl).toBe('http://127.0.0.1:8081');
  });

  it('returns a deeply frozen object', () => {
    const config = loadConfig({ DATA_DIR: tmp(), SESSION_SECRET: SECRET });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.gateway)).toBe(true);
    expect(Object.isFrozen(config.sessionSecrets)).toBe(true);
    expect(Object.isFrozen(sandboxOf(config).merchants[0])).toBe(true);
    expect(Object.isFrozen(sandboxOf(config).callbacks)).toBe(true);
  });

  it('when a remote gateway is configured, takes its URL and password credentials', () => {
    const config = loadConfig({
      SESSION_SECRET: SECRET,
      GATEWAY_URL: 'https://dev.bpsprocessing.ru/payment/rest/',
      GATEWAY_USERNAME: 'shop-api',
      GATEWAY_PASSWORD: 'pw',
      PAYMENT_FLOW: 'two-phase',
      CURRENCY: '643',
      PUBLIC_BASE_URL: 'https://shop.example/',
    });
    expect(config.gateway).toMatchObject({
      mode: 'remote',
      url: 'https://dev.bpsprocessing.ru/payment/rest/',
      auth: { userName: 'shop-api', password: 'pw' },
    });
    expect(config.flow).toBe('two-phase');
    expect(config.currency).toBe('643');
    expect(config.publicBaseUrl).toBe('https://shop.example');
  });

  it('normalises URLs and refuses a query, fragment or credentials in them', () => {
    const config = loadConfig({
      SESSION_SECRET: SECRET,
      PUBLIC_BASE_URL: 'HTTPS://Shop.Example/store/',
      GATEWAY_URL: 'HTTPS://G.Example/payment/rest/',
      GATEWAY_TOKEN: 't',
    });
    expect(config.publicBaseUrl).toBe('https://shop.example/store');
    expect(config.https).toBe(true);
    expect(config.gateway).toMatchObject({ url: 'https://g.example/payment/rest/' });
    const keys = problemsOf({
      SESSION_SECRET: SECRET,
      PUBLIC_BASE_URL: 'https://shop.example/?a=1',
      GATEWAY_URL: 'https://user:pw@g.example/payment/rest/',
      GATEWAY_TOKEN: 't',
    }).map((p) => p.split(':')[0]);
    expect(keys).toEqual(['PUBLIC_BASE_URL', 'GATEWAY_URL']);
    const embedded = loadConfig({ SESSION_SECRET: SECRET, SANDBOX_PUBLIC_URL: 'HTTP://Gateway.Example:3001/' });
    expect(sandboxOf(embedded).publicUrl).toBe('http://gateway.example:3001');
    for (const bad of ['http://127.0.0.1:3001/#x', 'http://127.0.0.1:3001/?a=1', 'http://u:p@127.0.0.1:3001'])
      expect(problemsOf({ SESSION_SECRET: SECRET, SANDBOX_PUBLIC_URL: bad })).toEqual([
        expect.stringMatching(/^SANDBOX_PUBLIC_URL: /),
      ]);
  });

  it('accepts a token instead of a user name and password', () => {
    const config = loadConfig({
      SESSION_SECRET: SECRET,
      GATEWAY_URL: 'https://g.example/payment/rest/',
      GATEWAY_TOKEN: 'tok',
    });
    expect(config.gateway).toMatchObject({ mode: 'remote', auth: { token: 'tok' } });
  });

  it.each([
    ['CURRENCY', 'EUR', 'CURRENCY: must be an ISO 4217 numeric code, e.g. 978 for EUR'],
    ['CURRENCY', 'rub', 'CURRENCY: must be an ISO 4217 numeric code, e.g. 643 for RUB'],
    ['CURRENCY', 'euro', 'CURRENCY: must be an ISO 4217 numeric code, e.g. 978 for EUR, 643 for RUB, 840 for USD'],
    ['CURRENCY', '123', 'CURRENCY: 123 is not an ISO 4217 currency number: e.g. 978 for EUR, 643 for RUB'],
    ['PORT', 'eighty', 'PORT: must be a free TCP port number from 1 to 65535, e.g. 3000'],
    ['PORT', '70000', 'PORT: must be a free TCP port number from 1 to 65535, e.g. 3000'],
    [
      'PUBLIC_BASE_URL',
      'localhost:3000',
      'PUBLIC_BASE_URL: must be an http:// or https:// URL, e.g. http://localhost:3000',
    ],
    [
      'GATEWAY_URL',
      'https://g.example/',
      'GATEWAY_URL: must be the REST base URL, ending in /payment/rest/, e.g. https://',
    ],
    ['GATEWAY_URL', 'g.example', 'GATEWAY_URL: must be an http:// or https:// URL, e.g. https://'],
    ['TRUST_PROXY', 'true', 'TRUST_PROXY: must be the number of reverse proxies in front of the shop, from 0 to 10'],
    ['PAYMENT_FLOW', 'onephase', 'PAYMENT_FLOW: must be one-phase or two-phase'],
    ['LOG_LEVEL', 'verbose', 'LOG_LEVEL: must be fatal, error, warn, info, debug, trace or silent'],
    ['NODE_ENV', 'prod', 'NODE_ENV: must be development, production or test'],
    ['CALLBACKS', 'yes', 'CALLBACKS: must be on or off'],
    ['CANONICAL_HOST', 'true', 'CANONICAL_HOST: must be on or off'],
    ['RECONCILE_BATCH', '0', 'RECONCILE_BATCH: must be a whole number from 1 to 1000, e.g. 50'],
    ['GATEWAY_TIMEOUT_MS', '15s', 'GATEWAY_TIMEOUT_MS: must be a whole number from 100 to 120000, e.g. 15000'],
    ['SESSION_SECRET', 'short', 'SESSION_SECRET: must be at least 32 characters; generate one with: openssl rand'],
  ])('when %s=%s, the message says what is expected, with an example', (key, value, message) => {
    const credentials: Record<string, string> =
      key === 'GATEWAY_URL' ? { GATEWAY_USERNAME: 'u', GATEWAY_PASSWORD: 'p' } : {};
    const problems = problemsOf({ SESSION_SECRET: SECRET, DATA_DIR: tmp(), ...credentials, [key]: value });
    expect(problems).toEqual([expect.stringContaining(message)]);
  });

  it("when several values are bad, names every bad key at once, the sandbox's with the shop's", () => {
    const keys = problemsOf({
      PORT: 'eighty',
      PUBLIC_BASE_URL: 'not a url',
      PAYMENT_FLOW: 'three-phase',
      CURRENCY: '123',
      SESSION_SECRET: 'short',
      SANDBOX_PORT: '70000',
      SANDBOX_MERCHANTS: '[{"login":"m","userName":"u"}]',
      SANDBOX_PROCESSING_DELAY_MS: '-1',
      SANDBOX_CALLBACK_ATTEMPTS: '0',
      SANDBOX_CALLBACK_RETRY_MS: 'soon',
      SANDBOX_CALLBACK_TIMEOUT_MS: '0',
    }).map((p) => p.split(':')[0]);
    expect(keys.sort()).toEqual([
      'CURRENCY',
      'PAYMENT_FLOW',
      'PORT',
      'PUBLIC_BASE_URL',
      'SANDBOX_CALLBACK_ATTEMPTS',
      'SANDBOX_CALLBACK_RETRY_MS',
      'SANDBOX_CALLBACK_TIMEOUT_MS',
      'SANDBOX_MERCHANTS.0.password',
      'SANDBOX_PORT',
      'SANDBOX_PROCESSING_DELAY_MS',
      'SESSION_SECRET',
    ]);
  });

  it.each([
    'not a url',
    'ftp://g.example/payment/rest/',
    'https://u:p@g.example/payment/rest/',
    'https://g.example/payment/rest/?x=1',
    'https://g.example/payment/',
  ])("when GATEWAY_URL=%s, refuses it in the gateway client's own words (one rule)", (value) => {
    const problem = baseUrlProblem(value);
    expect(problem).toBeDefined();
    expect(problemsOf({ SESSION_SECRET: SECRET, DATA_DIR: tmp(), GATEWAY_URL: value, GATEWAY_TOKEN: 't' })).toEqual([
      `GATEWAY_URL: ${problem}, e.g. https://dev.bpsprocessing.ru/payment/rest/`,
    ]);
  });

  it.each(['not a url', 'ftp://pay.example', 'https://u:p@pay.example'])(
    "when GATEWAY_PAYMENT_PAGE_ORIGIN=%s, refuses it in the gateway client's own words (one rule)",
    (value) => {
      const problem = originProblem(value);
      expect(problem).toBeDefined();
      const env = { SESSION_SECRET: SECRET, DATA_DIR: tmp(), GATEWAY_URL: 'https://g.example/payment/rest/' };
      expect(problemsOf({ ...env, GATEWAY_TOKEN: 't', GATEWAY_PAYMENT_PAGE_ORIGIN: value })).toEqual([
        `GATEWAY_PAYMENT_PAGE_ORIGIN: ${problem}, e.g. http://127.0.0.1:3001`,
      ]);
    },
  );

  it('when GATEWAY_URL is bad, names it and not the SANDBOX_* keys, which a remote gateway does not use', () => {
    const keys = problemsOf({
      SESSION_SECRET: SECRET,
      GATEWAY_URL: 'https://g.example/api/',
      GATEWAY_TOKEN: 't',
      SANDBOX_PORT: '70000',
    }).map((p) => p.split(':')[0]);
    expect(keys).toEqual(['GATEWAY_URL']);
  });

  it('when GATEWAY_URL is set, ignores every SANDBOX_* key, even a bad one, and keeps no sandbox settings', () => {
    const config = loadConfig({
      SESSION_SECRET: SECRET,
      GATEWAY_URL: 'https://g.example/payment/rest/',
      GATEWAY_TOKEN: 't',
      SANDBOX_PORT: 'eighty',
      SANDBOX_HOST: '0.0.0.0',
      SANDBOX_PUBLIC_URL: 'not a url',
      SANDBOX_MERCHANTS: '{nope',
      SANDBOX_PROCESSING_DELAY_MS: '-1',
      SANDBOX_CALLBACK_ATTEMPTS: '0',
      SANDBOX_CALLBACK_RETRY_MS: 'soon',
      SANDBOX_CALLBACK_TIMEOUT_MS: '0',
    });
    expect(config.gateway.mode).toBe('remote');
    expect(config.gateway).not.toHaveProperty('sandbox');
  });

  it('when GATEWAY_URL is unset, takes the sandbox settings: merchants, processing delay, callback tuning', () => {
    const merchants = [{ login: 'm1', userName: 'm1-api', password: 'p', callbackUrl: 'http://127.0.0.1:3000/cb' }];
    const config = loadConfig({
      SESSION_SECRET: SECRET,
      SANDBOX_PORT: '0',
      SANDBOX_HOST: '::1',
      SANDBOX_MERCHANTS: JSON.stringify(merchants),
      SANDBOX_PROCESSING_DELAY_MS: '500',
      SANDBOX_CALLBACK_ATTEMPTS: '3',
      SANDBOX_CALLBACK_RETRY_MS: '250',
      SANDBOX_CALLBACK_TIMEOUT_MS: '2000',
    });
    expect(sandboxOf(config)).toEqual({
      host: '::1',
      // Known only once it listens: startSandbox then uses the address it got.
      publicUrl: undefined,
      port: 0,
      merchants: [{ ...merchants[0], allowTwoPhase: true }],
      merchantsConfigured: true,
      operatorToken: undefined,
      callbackHosts: undefined,
      processingDelayMs: 500,
      callbacks: { maxAttempts: 3, retryBaseMs: 250, timeoutMs: 2000 },
      testHelpers: false,
      armProbes: true,
    });
  });

  it('when GATEWAY_URL is set without credentials, names the missing ones', () => {
    const keys = problemsOf({ SESSION_SECRET: SECRET, GATEWAY_URL: 'https://g.example/payment/rest/' }).map(
      (p) => p.split(':')[0],
    );
    expect(keys).toEqual(expect.arrayContaining(['GATEWAY_USERNAME', 'GATEWAY_PASSWORD']));
  });

  it('rejects both a password and a token', () => {
    const keys = problemsOf({
      SESSION_SECRET: SECRET,
      GATEWAY_URL: 'https://g.example/payment/rest/',
      GATEWAY_USERNAME: 'u',
      GATEWAY_PASSWORD: 'p',
      GATEWAY_TOKEN: 't',
    }).map((p) => p.split(':')[0]);
    expect(keys).toEqual(['GATEWAY_TOKEN']);
  });

  it('in production, a missing SESSION_SECRET stops start-up instead of being generated', () => {
    const dataDir = tmp();
    expect(
      problemsOf({ NODE_ENV: 'production', DATA_DIR: dataDir, SANDBOX: 'on', SANDBOX_OPERATOR_TOKEN: OPERATOR_TOKEN }),
    ).toEqual(['SESSION_SECRET: is required when NODE_ENV=production']);
    expect(() => statSync(path.join(dataDir, DEV_SECRET_FILE))).toThrow();
  });

  it('by default, callbacks are on, signed with a key generated for the embedded sandbox, and the reconciler runs every minute', () => {
    const config = loadConfig({ DATA_DIR: tmp() });
    expect(config.callbacks).toEqual({
      enabled: true,
      key: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      dynamicUrl: undefined,
    });
    expect(config.reconcile).toEqual({
      intervalMs: 60_000,
      batch: 50,
      recheckPaidForMs: 24 * 3_600_000,
      giveUpAfterMs: 72 * 3_600_000,
    });
    const off = loadConfig({ DATA_DIR: tmp(), CALLBACKS: 'off', GATEWAY_CALLBACK_KEY: 'k-12345678' });
    expect(off.callbacks).toEqual({ enabled: false, key: undefined, dynamicUrl: undefined });
    expect(loadConfig({ DATA_DIR: tmp(), RECONCILE_INTERVAL_SECS: '0' }).reconcile.intervalMs).toBe(0);
  });

  it("the gateway timeouts default to the documented 15 s and 5 s (README), which are the client's own defaults", () => {
    const { gateway } = loadConfig({ DATA_DIR: tmp() });
    expect([gateway.timeoutMs, gateway.statusTimeoutMs]).toEqual([15_000, 5_000]);
    expect([DEFAULT_TIMEOUTS.operationMs, DEFAULT_TIMEOUTS.statusMs]).toEqual([15_000, 5_000]);
  });

  it('TAX_SYSTEM is unset by default (no taxSystem is sent), takes 0..5, and names the codes when wrong', () => {
    expect(loadConfig({ DATA_DIR: tmp() }).taxSystem).toBeUndefined();
    expect(loadConfig({ DATA_DIR: tmp(), TAX_SYSTEM: '0' }).taxSystem).toBe(0);
    expect(loadConfig({ DATA_DIR: tmp(), TAX_SYSTEM: '5' }).taxSystem).toBe(5);
    for (const bad of ['6', '-1', '1.5', 'usn']) {
      const problems = problemsOf({ DATA_DIR: tmp(), TAX_SYSTEM: bad });
      expect(problems).toEqual([expect.stringMatching(/^TAX_SYSTEM: must be the tax system code from 0 to 5/)]);
    }
  });

  it('in production with a real gateway, callbacks on without a key stop start-up, naming the way out', () => {
    const remote = {
      NODE_ENV: 'production',
      SESSION_SECRET: SECRET,
      GATEWAY_URL: 'https://g.example/payment/rest/',
      GATEWAY_TOKEN: 't',
    };
    expect(problemsOf(remote)).toEqual([
      'GATEWAY_CALLBACK_KEY: is required when NODE_ENV=production and CALLBACKS=on (or set CALLBACKS=off)',
    ]);
    expect(loadConfig({ ...remote, CALLBACKS: 'off' }).callbacks.enabled).toBe(false);
    expect(loadConfig({ ...remote, GATEWAY_CALLBACK_KEY: 'from-the-console' }).callbacks.key).toBe('from-the-console');
    expect(problemsOf({ ...remote, GATEWAY_CALLBACK_KEY: 'short' })[0]).toMatch(
      /^GATEWAY_CALLBACK_KEY: must be at least 8/,
    );
  });

  it("resolves the callback key once: a remote gateway has GATEWAY_CALLBACK_KEY or none; the embedded sandbox its merchant's, then GATEWAY_CALLBACK_KEY", () => {
    const remote = { DATA_DIR: tmp(), GATEWAY_URL: 'https://g.example/payment/rest/', GATEWAY_TOKEN: 't' };
    expect(loadConfig(remote).callbacks.key).toBeUndefined();
    expect(loadConfig({ ...remote, GATEWAY_CALLBACK_KEY: 'k-12345678' }).callbacks.key).toBe('k-12345678');
    const merchant = { login: 'm', userName: 'u', password: 'p', callbackKey: 'merchant-key' };
    const embedded = { DATA_DIR: tmp(), GATEWAY_CALLBACK_KEY: 'k-12345678' };
    expect(loadConfig(embedded).callbacks.key).toBe('k-12345678');
    expect(loadConfig({ ...embedded, SANDBOX_MERCHANTS: JSON.stringify([merchant]) }).callbacks.key).toBe(
      'merchant-key',
    );
    expect(loadConfig({ ...embedded, CALLBACKS: 'off' }).callbacks.key).toBeUndefined();
  });

  it('keeps a previous session secret for rotation, new one first', () => {
    const config = loadConfig({ SESSION_SECRET: SECRET, SESSION_SECRET_PREVIOUS: `old-${SECRET}` });
    expect(config.sessionSecrets).toEqual([SECRET, `old-${SECRET}`]);
  });

  it('error messages never echo a secret value', () => {
    const problems = problemsOf({
      SESSION_SECRET: 'tiny-secret-canary',
      GATEWAY_URL: 'https://g.example/payment/rest/',
      GATEWAY_TOKEN: 'tok',
      GATEWAY_PASSWORD: 'pw-canary',
    });
    expect(problems.join('\n')).not.toMatch(/canary/);
    for (const merchants of [
      '[{"login":"m","userName":"u","password":"pw-canary","token":""}]',
      '[{"login":"m","userName":"u","password":"pw-canary","extra":1}]',
      '[{"login":"m","userName":"u","password":"pw-canary"},{"login":"m","userName":"u","password":"pw-canary"}]',
      '[{"login":"m","userName":"u","password":"pw-canary",}]',
    ]) {
      const sandboxProblems = problemsOf({ SESSION_SECRET: SECRET, SANDBOX_MERCHANTS: merchants });
      expect(sandboxProblems.length).toBeGreaterThan(0);
      for (const problem of sandboxProblems) expect(problem).toMatch(/^SANDBOX_MERCHANTS/);
      expect(sandboxProblems.join('\n')).not.toMatch(/canary/);
    }
  });

  it('an empty or blank value means unset, for every key', () => {
    const dataDir = tmp();
    for (const blank of ['', '  ']) {
      const blanks = Object.fromEntries(EVERY_KEY.map((key) => [key, blank]));
      // Two keys at a time are given, so no secret is generated under the working directory's ./data.
      expect(comparable(loadConfig({ ...blanks, SESSION_SECRET: SECRET }))).toEqual(
        comparable(loadConfig({ SESSION_SECRET: SECRET })),
      );
      expect(comparable(loadConfig({ ...blanks, DATA_DIR: dataDir }))).toEqual(
        comparable(loadConfig({ DATA_DIR: dataDir })),
      );
    }
  });

  it('a copy of .env.example with another PORT and SANDBOX_PORT puts both URLs on those ports', () => {
    const example = readFileSync(path.join(ROOT, '.env.example'), 'utf8');
    const env = Object.fromEntries(
      [...example.matchAll(/^([A-Z][A-Z0-9_]*)=(.*)$/gm)].map((m) => [m[1]!, m[2]!.trim()] as const),
    );
    const config = loadConfig({ ...env, PORT: '3300', SANDBOX_PORT: '3301', DATA_DIR: tmp() });
    expect(config.publicBaseUrl).toBe('http://localhost:3300');
    expect(sandboxOf(config)).toMatchObject({ port: 3301, publicUrl: 'http://127.0.0.1:3301' });
  });

  it('EVERY_KEY is every key the shop and sandbox schemas read (so the .env.example check below is complete)', () => {
    const keysIn = (file: string) =>
      [...readFileSync(path.join(ROOT, file), 'utf8').matchAll(/^ {2,4}([A-Z][A-Z0-9_]+): /gm)].map((m) => m[1]!);
    // SANDBOX_DATA_DIR is the standalone sandbox's; the embedded one keeps its data under DATA_DIR.
    const read = [...keysIn('src/config.ts'), ...keysIn('packages/gateway-sandbox/src/config.ts')].filter(
      (k) => k !== 'SANDBOX_DATA_DIR',
    );
    expect([...new Set(read)].sort()).toEqual([...EVERY_KEY].sort());
  });

  it('.env.example lists every key, the optional sandbox safety keys commented out', () => {
    const example = readFileSync(path.join(ROOT, '.env.example'), 'utf8');
    const listed = [...example.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]);
    const commented = [...example.matchAll(/^# ([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]);
    expect(commented.sort()).toEqual([...COMMENTED_KEYS].sort());
    expect([...listed, ...commented].sort()).toEqual([...EVERY_KEY].sort());
  });
});

describe('SANDBOX: the embedded gateway sandbox on purpose only in production', () => {
  const production = { NODE_ENV: 'production', SESSION_SECRET: SECRET };

  it('when NODE_ENV=production and GATEWAY_URL is unset, start-up is refused unless SANDBOX=on, saying why and what to set', () => {
    const problems = problemsOf({ ...production, DATA_DIR: tmp() });
    expect(problems).toEqual([expect.stringMatching(/^GATEWAY_URL: is required when NODE_ENV=production/)]);
    expect(problems[0]).toContain('emulator');
    expect(problems[0]).toContain('approve any "payment"');
    expect(problems[0]).toContain('SANDBOX=on');
  });

  it('when NODE_ENV=production and SANDBOX=on, the sandbox runs, and needs SANDBOX_OPERATOR_TOKEN', () => {
    const dataDir = tmp();
    expect(problemsOf({ ...production, DATA_DIR: dataDir, SANDBOX: 'on' })).toEqual([
      expect.stringMatching(/^SANDBOX_OPERATOR_TOKEN: is required when NODE_ENV=production/),
    ]);
    const config = loadConfig({
      ...production,
      DATA_DIR: dataDir,
      SANDBOX: 'on',
      SANDBOX_OPERATOR_TOKEN: OPERATOR_TOKEN,
    });
    expect(sandboxOf(config).operatorToken).toBe(OPERATOR_TOKEN);
  });

  it('outside production, unset and on both mean the embedded sandbox', () => {
    expect(loadConfig({ SESSION_SECRET: SECRET }).gateway.mode).toBe('sandbox');
    expect(loadConfig({ SESSION_SECRET: SECRET, SANDBOX: 'on' }).gateway.mode).toBe('sandbox');
  });

  it('when SANDBOX=off and GATEWAY_URL is unset, there is no gateway: refused', () => {
    expect(problemsOf({ SESSION_SECRET: SECRET, SANDBOX: 'off' })).toEqual([
      expect.stringMatching(/^SANDBOX: is off and GATEWAY_URL is unset: there is no gateway/),
    ]);
  });

  it('when SANDBOX=off with GATEWAY_URL, the real gateway is used; SANDBOX=on with GATEWAY_URL is a contradiction', () => {
    const remote = { SESSION_SECRET: SECRET, GATEWAY_URL: 'https://g.example/payment/rest/', GATEWAY_TOKEN: 't' };
    expect(loadConfig({ ...remote, SANDBOX: 'off' }).gateway.mode).toBe('remote');
    expect(problemsOf({ ...remote, SANDBOX: 'on' })).toEqual([
      expect.stringMatching(/^SANDBOX: is on, but GATEWAY_URL is set/),
    ]);
  });

  it('when SANDBOX has any other value, it is refused, naming the key and the values it takes', () => {
    for (const value of ['yes', 'ON', 'true', '1'])
      expect(problemsOf({ SESSION_SECRET: SECRET, SANDBOX: value })).toEqual([
        'SANDBOX: must be on or off (unset: on, except with NODE_ENV=production)',
      ]);
  });
});
