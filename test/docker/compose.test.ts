/**
 * compose.yaml, checked without a Docker engine: its structure (services, healthchecks, volumes, loopback-only
 * ports), and that the environment it gives each container is one the shop and the sandbox accept in production,
 * with the shop's gateway settings matching the sandbox's merchant.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config.js';
import { loadSandboxConfig } from '../../src/sandbox/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

interface Service {
  image?: string;
  build?: string;
  command?: string[];
  environment: Record<string, string>;
  ports: string[];
  volumes: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck: { test: string[]; interval: string; timeout: string; retries: number; start_period: string };
}
interface Compose {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
}

// Merge keys (<<) as compose resolves them; YAML 1.2 leaves them off by default.
const compose = parse(read('compose.yaml'), { merge: true }) as Compose;
const { shop, sandbox } = compose.services as { shop: Service; sandbox: Service };

/** The secrets compose must be given: each appears only as ${NAME:?message}, never with a value. */
const SECRETS = {
  SESSION_SECRET: 'compose-test-session-secret-0123456789',
  SANDBOX_OPERATOR_TOKEN: 'compose-test-operator-token-0123',
  GATEWAY_PASSWORD: 'compose+test/password=',
  GATEWAY_CALLBACK_KEY: 'compose-test-callback-key-0123456789',
};

/** Compose's interpolation for the forms this file uses: ${NAME:?message} (required); anything else is refused. */
function interpolate(env: Record<string, string>, vars: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    out[key] = String(value).replace(/\$\{([A-Z_]+)([^}]*)\}/g, (_m, name: string, rest: string) => {
      if (!rest.startsWith(':?')) throw new Error(`${key}: \${${name}} must be required (:?), not defaulted`);
      const v = vars[name];
      if (v === undefined) throw new Error(`${key}: unknown variable ${name}`);
      return v;
    });
  }
  return out;
}

describe('compose.yaml', () => {
  it('runs the shop and the sandbox from the one image, the shop once the sandbox is healthy', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['sandbox', 'shop']);
    for (const s of [shop, sandbox]) {
      expect(s.image).toBe('rbs-storefront');
      expect(s.build).toBe('.');
      expect(s.environment.NODE_ENV).toBe('production');
    }
    expect(sandbox.command).toEqual(['node', 'dist/sandbox/server.js']);
    expect(shop.command).toBeUndefined();
    expect(shop.depends_on).toEqual({ sandbox: { condition: 'service_healthy' } });
  });

  it.each([
    ['shop', 3000],
    ['sandbox', 3001],
  ] as const)('gives %s a healthcheck on its own /healthz, with a start period', (name, port) => {
    const { healthcheck } = compose.services[name]!;
    expect(healthcheck.test[0]).toBe('CMD');
    expect(healthcheck.test.join(' ')).toContain(`http://127.0.0.1:${port}/healthz`);
    expect(healthcheck).toMatchObject({ interval: expect.any(String), timeout: expect.any(String) });
    expect(healthcheck.retries).toBeGreaterThan(0);
    expect(healthcheck.start_period).toMatch(/^\d+s$/);
  });

  it('keeps each service’s data in its own named volume', () => {
    expect(Object.keys(compose.volumes).sort()).toEqual(['sandbox-data', 'shop-data']);
    expect(shop.volumes).toEqual(['shop-data:/app/data']);
    expect(shop.environment.DATA_DIR).toBe('/app/data');
    expect(sandbox.volumes).toEqual(['sandbox-data:/app/data']);
    expect(sandbox.environment.SANDBOX_DATA_DIR).toBe('/app/data');
  });

  it('publishes the shop on 3000 and the sandbox on 3001, on 127.0.0.1 only', () => {
    expect(shop.ports).toEqual(['127.0.0.1:3000:3000']);
    expect(sandbox.ports).toEqual(['127.0.0.1:3001:3001']);
  });

  it('names every secret as a required variable, never a value', () => {
    const text = read('compose.yaml');
    for (const name of Object.keys(SECRETS)) expect(text).toMatch(new RegExp(`\\$\\{${name}:\\?`));
    // Interpolating with nothing set fails for each service: there is no built-in secret.
    expect(() => interpolate(shop.environment, {})).toThrow();
    expect(() => interpolate(sandbox.environment, {})).toThrow();
  });

  it('gives the shop every setting production requires, pointing at the sandbox service by name', () => {
    const env = interpolate(shop.environment, SECRETS);
    const config = loadConfig({ ...env, DATA_DIR: '/nonexistent-never-written' });
    expect(config.env).toBe('production');
    expect(config.sessionSecrets).toEqual([SECRETS.SESSION_SECRET]);
    expect(config.callbacks).toEqual({ enabled: true, key: SECRETS.GATEWAY_CALLBACK_KEY });
    expect(config.publicBaseUrl).toBe('http://localhost:3000');
    if (config.gateway.mode !== 'remote') throw new Error('the shop must use the sandbox service, not embed one');
    expect(new URL(config.gateway.url).host).toBe('sandbox:3001');
    expect(config.gateway.auth).toEqual({ userName: 'compose-shop-api', password: SECRETS.GATEWAY_PASSWORD });
  });

  it('gives the sandbox a valid production set-up whose merchant is the shop, calling it back signed', () => {
    const sandboxConfig = loadSandboxConfig(interpolate(sandbox.environment, SECRETS));
    const shopConfig = loadConfig({
      ...interpolate(shop.environment, SECRETS),
      DATA_DIR: '/nonexistent-never-written',
    });
    if (shopConfig.gateway.mode !== 'remote') throw new Error('expected a remote gateway');
    expect(sandboxConfig.operatorToken).toBe(SECRETS.SANDBOX_OPERATOR_TOKEN);
    expect(sandboxConfig.merchantsConfigured).toBe(true);
    const [merchant] = sandboxConfig.merchants;
    expect(merchant).toMatchObject({
      ...shopConfig.gateway.auth,
      callbackUrl: 'http://shop:3000/payment/callback',
      callbackKey: SECRETS.GATEWAY_CALLBACK_KEY,
    });
    // The browser pays where the sandbox is published, and the shop accepts formUrl only there.
    expect(sandboxConfig.publicUrl).toBe('http://127.0.0.1:3001');
    expect(shopConfig.gateway.paymentPageOrigin).toBe('http://127.0.0.1:3001');
    expect(sandboxConfig.port).toBe(3001);
  });
});

describe('the Dockerfile and the Docker docs', () => {
  it('gives the image’s HEALTHCHECK a start period', () => {
    expect(read('Dockerfile')).toMatch(/^HEALTHCHECK .*--start-period=\d+s/m);
  });

  it('name one image, rbs-storefront, and give every docker run in the README a data volume', () => {
    const files = ['README.md', 'Dockerfile', 'docs/docker-build-here.md'];
    for (const file of files) {
      for (const m of read(file).matchAll(/-t (\S+) \./g)) expect([file, m[1]]).toEqual([file, 'rbs-storefront']);
    }
    const runs = [...read('README.md').matchAll(/docker run [^`]*?rbs-storefront/gs)].map((m) => m[0]);
    expect(runs.length).toBeGreaterThanOrEqual(3);
    for (const run of runs) expect(run).toMatch(/-v [a-z-]+:\/app\/data /);
  });

  it('keep this machine’s paths out of docs/docker-build-here.md', () => {
    expect(read('docs/docker-build-here.md')).not.toMatch(/\/tmp\//);
  });
});
