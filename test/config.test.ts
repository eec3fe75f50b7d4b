import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { ConfigError, DEV_SECRET_FILE, loadConfig } from '../src/config.js';

const SECRET = 'a-test-session-secret-of-32-chars!!';
const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'cfg-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('when nothing is set, starts a demo: sandbox gateway, defaults, and a generated secret kept under DATA_DIR', () => {
    const dataDir = tmp();
    const config = loadConfig({ DATA_DIR: dataDir });
    expect(config.port).toBe(3000);
    expect(config.publicBaseUrl).toBe('http://localhost:3000');
    expect(config.gateway.mode).toBe('sandbox');
    expect(config.flow).toBe('one-phase');
    expect(config.currency).toBe('978');
    expect(config.sandbox).toEqual({ host: '127.0.0.1', port: 3001, publicUrl: 'http://127.0.0.1:3001' });
    const file = path.join(dataDir, DEV_SECRET_FILE);
    expect(readFileSync(file, 'utf8').trim()).toBe(config.sessionSecrets[0]);
    expect(statSync(file).mode & 0o077).toBe(0);
    // kept: a restart signs sessions with the same secret
    expect(loadConfig({ DATA_DIR: dataDir }).sessionSecrets[0]).toBe(config.sessionSecrets[0]);
  });

  it('when only PORT is set, the public URL and the sandbox follow their ports', () => {
    const config = loadConfig({ DATA_DIR: tmp(), SESSION_SECRET: SECRET, PORT: '8080', SANDBOX_PORT: '8081' });
    expect(config.publicBaseUrl).toBe('http://localhost:8080');
    expect(config.sandbox.publicUrl).toBe('http://127.0.0.1:8081');
  });

  it('returns a deeply frozen object', () => {
    const config = loadConfig({ DATA_DIR: tmp(), SESSION_SECRET: SECRET });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.gateway)).toBe(true);
    expect(Object.isFrozen(config.sessionSecrets)).toBe(true);
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
    expect(config.gateway).toMatchObject({ url: 'https://g.example/payment/rest/' });
    const keys = problemsOf({
      SESSION_SECRET: SECRET,
      PUBLIC_BASE_URL: 'https://shop.example/?a=1',
      GATEWAY_URL: 'https://user:pw@g.example/payment/rest/',
      GATEWAY_TOKEN: 't',
      SANDBOX_PUBLIC_URL: 'http://127.0.0.1:3001/#x',
    }).map((p) => p.split(':')[0]);
    expect(keys).toEqual(expect.arrayContaining(['PUBLIC_BASE_URL', 'GATEWAY_URL', 'SANDBOX_PUBLIC_URL']));
  });

  it('accepts a token instead of a user name and password', () => {
    const config = loadConfig({
      SESSION_SECRET: SECRET,
      GATEWAY_URL: 'https://g.example/payment/rest/',
      GATEWAY_TOKEN: 'tok',
    });
    expect(config.gateway).toMatchObject({ mode: 'remote', auth: { token: 'tok' } });
  });

  it('when several values are bad, names every bad key at once', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      PUBLIC_BASE_URL: 'not a url',
      GATEWAY_URL: 'https://g.example/api/',
      PAYMENT_FLOW: 'three-phase',
      CURRENCY: '123',
      SANDBOX_PORT: '70000',
      SESSION_SECRET: 'short',
    });
    const keys = problems.map((p) => p.split(':')[0]);
    expect(keys).toEqual(
      expect.arrayContaining([
        'PORT',
        'PUBLIC_BASE_URL',
        'GATEWAY_URL',
        'PAYMENT_FLOW',
        'CURRENCY',
        'SANDBOX_PORT',
        'SESSION_SECRET',
      ]),
    );
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
    expect(problemsOf({ NODE_ENV: 'production', DATA_DIR: dataDir })).toEqual([
      'SESSION_SECRET: is required when NODE_ENV=production',
    ]);
    expect(() => statSync(path.join(dataDir, DEV_SECRET_FILE))).toThrow();
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
  });
});
