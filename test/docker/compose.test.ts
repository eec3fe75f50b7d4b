/**
 * compose.yaml and compose.scale.yaml, checked without a Docker engine: their structure (services, healthchecks,
 * volumes, loopback-only ports), and that the environment each gives its containers is one the shop and the sandbox
 * accept in production, with the shop's gateway settings matching the sandbox's merchant. The scale file's nginx
 * configuration is run for real in test/deploy/nginx-lb.test.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config.js';
import { loadSandboxConfig } from '@rbs-storefront/gateway-sandbox';

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

/**
 * The secrets compose.yaml's services need: each appears only as ${NAME:-} there (no value; the service refuses to
 * start without it) and as ${NAME:?message} in compose.scale.yaml, never with a value.
 */
const SECRETS = {
  SESSION_SECRET: 'compose-test-session-secret-0123456789',
  SANDBOX_OPERATOR_TOKEN: 'compose-test-operator-token-0123',
  GATEWAY_PASSWORD: 'compose+test/password=',
  GATEWAY_CALLBACK_KEY: 'compose-test-callback-key-0123456789',
};

/** A variable holding a secret: required, or defaulted to nothing, never given a value. */
const SECRET_NAME = /SECRET|TOKEN|PASSWORD|KEY/;

/**
 * Compose's interpolation for the forms these files use: ${NAME:?message} (required), ${NAME:-} (empty when unset)
 * and, for anything but a secret, ${NAME:-default}; anything else is refused.
 */
function interpolate(env: Record<string, string>, vars: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    out[key] = String(value).replace(/\$\{([A-Z_]+)([^}]*)\}/g, (_m, name: string, rest: string) => {
      if (rest === ':-') return vars[name] ?? '';
      if (rest.startsWith(':-') && !SECRET_NAME.test(name)) return vars[name] || rest.slice(2);
      if (!rest.startsWith(':?')) throw new Error(`${key}: \${${name}} must be required (:?), not defaulted`);
      const v = vars[name];
      if (v === undefined) throw new Error(`${key}: unknown variable ${name}`);
      return v;
    });
  }
  return out;
}

/** A list (ports, command) interpolated like an environment. */
const interpolateList = (list: readonly string[], vars: Record<string, string>) =>
  Object.values(interpolate(Object.fromEntries(list.map((v, i) => [String(i), v])), vars));

describe('compose.yaml', () => {
  it('runs the shop and the sandbox from the one image, the shop once the sandbox is healthy', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['sandbox', 'shop']);
    for (const s of [shop, sandbox]) {
      expect(s.image).toBe('rbs-storefront');
      expect(s.build).toBe('.');
      expect(s.environment.NODE_ENV).toBe('production');
    }
    expect(sandbox.command).toEqual(['node', 'packages/gateway-sandbox/dist/server.js']);
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
    expect(interpolateList(shop.ports, {})).toEqual(['127.0.0.1:3000:3000']);
    expect(interpolateList(sandbox.ports, {})).toEqual(['127.0.0.1:3001:3001']);
  });

  it('publishes them on SHOP_PORT and SANDBOX_PUBLIC_PORT instead, every address following, still on 127.0.0.1', () => {
    const ports = { SHOP_PORT: '8000', SANDBOX_PUBLIC_PORT: '8001' };
    expect(interpolateList(shop.ports, ports)).toEqual(['127.0.0.1:8000:3000']);
    expect(interpolateList(sandbox.ports, ports)).toEqual(['127.0.0.1:8001:3001']);
    const shopConfig = loadConfig({
      ...interpolate(shop.environment, { ...SECRETS, ...ports }),
      DATA_DIR: '/nonexistent-never-written',
    });
    const sandboxConfig = loadSandboxConfig(interpolate(sandbox.environment, { ...SECRETS, ...ports }));
    expect(shopConfig.publicBaseUrl).toBe('http://localhost:8000');
    if (shopConfig.gateway.mode !== 'remote') throw new Error('expected a remote gateway');
    expect(shopConfig.gateway.paymentPageOrigin).toBe('http://127.0.0.1:8001');
    expect(sandboxConfig.publicUrl).toBe('http://127.0.0.1:8001');
    // Inside the containers nothing moves: the shop and the sandbox still listen on 3000 and 3001.
    expect([shopConfig.port, sandboxConfig.port]).toEqual([3000, 3001]);
    // No other 3000 or 3001 the browser would see.
    for (const value of [...Object.values(shop.environment), ...Object.values(sandbox.environment)])
      expect(String(value)).not.toMatch(/(127\.0\.0\.1|localhost):300[01]\b/);
  });

  it('asks compose for no secret (so `docker compose down` needs none), and each service refuses to start without its own, naming them', () => {
    expect(read('compose.yaml')).not.toMatch(/\$\{[A-Z_]+:\?/);
    const problems = (load: () => unknown): string[] => {
      try {
        load();
      } catch (err) {
        return (err as { problems?: string[] }).problems ?? [String(err)];
      }
      throw new Error('expected a refusal');
    };
    const shopProblems = problems(() =>
      loadConfig({ ...interpolate(shop.environment, {}), DATA_DIR: '/nonexistent-never-written' }),
    );
    for (const name of ['SESSION_SECRET', 'GATEWAY_PASSWORD', 'GATEWAY_CALLBACK_KEY'])
      expect(shopProblems.some((p) => p.startsWith(`${name}:`))).toBe(true);
    const sandboxProblems = problems(() => loadSandboxConfig(interpolate(sandbox.environment, {})));
    for (const key of ['SANDBOX_OPERATOR_TOKEN', 'SANDBOX_MERCHANTS.0.password', 'SANDBOX_MERCHANTS.0.callbackKey'])
      expect(sandboxProblems.some((p) => p.startsWith(`${key}:`))).toBe(true);
    // Only one secret missing is named alone.
    const { SESSION_SECRET: _unset, ...others } = SECRETS;
    expect(
      problems(() => loadConfig({ ...interpolate(shop.environment, others), DATA_DIR: '/nonexistent-never-written' })),
    ).toEqual(['SESSION_SECRET: is required when NODE_ENV=production']);
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

  it('publish every port on 127.0.0.1 only, in every doc and the Dockerfile (the README’s loopback rule)', () => {
    const docs = [
      'README.md',
      'Dockerfile',
      'compose.yaml',
      ...readdirSync(path.join(ROOT, 'docs'))
        .filter((f) => f.endsWith('.md'))
        .map((f) => `docs/${f}`),
    ];
    let mappings = 0;
    for (const file of docs) {
      for (const m of read(file).matchAll(/\s(?:-p|--publish)[\s=]+'?(\S+:\d+)/g)) {
        mappings++;
        expect([file, m[1]]).toEqual([file, expect.stringMatching(/^127\.0\.0\.1:/)]);
      }
    }
    expect(mappings).toBeGreaterThanOrEqual(8);
  });

  it('use in docs/docker-build-here.md only what a fresh machine has (no rsync)', () => {
    expect(read('docs/docker-build-here.md')).not.toMatch(/\brsync\b/);
  });

  it('make each README shell block that runs the image self-contained: it builds it and sets what it passes on', () => {
    const blocks = [...read('README.md').matchAll(/^```sh\n([\s\S]*?)^```/gm)].map((m) => m[1]!);
    const runs = blocks.filter((b) => /docker run /.test(b));
    expect(runs.length).toBeGreaterThanOrEqual(3);
    for (const block of runs) {
      expect(block).toContain('docker build -t rbs-storefront .');
      // A bare "-e NAME" passes this shell's value on: the block itself must set it.
      for (const [, name] of block.matchAll(/-e ([A-Z_]+)(?=\s)/g))
        expect([name, block]).toEqual([name, expect.stringMatching(new RegExp(`export ${name}=`))]);
      // The sandbox's payment page must be named where the browser reaches it.
      if (block.includes('gateway-sandbox/dist/server.js') || block.includes('SANDBOX=on'))
        expect(block).toContain('SANDBOX_PUBLIC_URL=http://127.0.0.1:3001');
    }
  });
});

describe('compose.scale.yaml: two shops behind nginx, sharing PostgreSQL and Redis', () => {
  interface ScaleService extends Partial<Omit<Service, 'healthcheck'>> {
    healthcheck?: Partial<Service['healthcheck']>;
  }
  const scale = parse(read('compose.scale.yaml'), { merge: true }) as {
    name: string;
    services: Record<string, ScaleService>;
    volumes: Record<string, unknown>;
  };
  const service = (name: string): ScaleService => {
    const s = scale.services[name];
    if (!s) throw new Error(`compose.scale.yaml has no service ${name}`);
    return s;
  };
  const SHOPS = ['shop-a', 'shop-b'] as const;
  /** The scale file's secrets: compose.yaml's four, and the two passwords that go into DATABASE_URL and REDIS_URL. */
  const SCALE_SECRETS = {
    ...SECRETS,
    POSTGRES_PASSWORD: '0123456789abcdef0123456789abcdef0123456789abcdef',
    REDIS_PASSWORD: 'fedcba9876543210fedcba9876543210fedcba9876543210',
  };
  const envOf = (name: string, vars: Record<string, string> = SCALE_SECRETS) =>
    interpolate(service(name).environment ?? {}, vars);
  const shopConfig = (name: string) => loadConfig({ ...envOf(name), DATA_DIR: '/nonexistent-never-written' });

  it('has the balancer, two shops, PostgreSQL, Redis and the sandbox, in a project of its own', () => {
    expect(Object.keys(scale.services).sort()).toEqual(['lb', 'postgres', 'redis', 'sandbox', 'shop-a', 'shop-b']);
    // Another project name: its containers and volumes never mix with compose.yaml's.
    expect(scale.name).toBe('rbs-storefront-scale');
    expect(Object.keys(scale.volumes).sort()).toEqual([
      'postgres-data',
      'redis-data',
      'sandbox-data',
      'shop-a-data',
      'shop-b-data',
    ]);
  });

  it('pins the official images by major version and runs the shops and the sandbox from the project image', () => {
    expect(service('lb').image).toMatch(/^nginx:\d+(-alpine)?$/);
    expect(service('postgres').image).toMatch(/^postgres:\d+$/);
    expect(service('redis').image).toMatch(/^redis:\d+$/);
    for (const name of [...SHOPS, 'sandbox']) {
      expect(service(name)).toMatchObject({ image: 'rbs-storefront', build: '.' });
      expect(service(name).environment?.NODE_ENV).toBe('production');
    }
    expect(service('sandbox').command).toEqual(['node', 'packages/gateway-sandbox/dist/server.js']);
    for (const name of SHOPS) expect(service(name).command).toBeUndefined();
  });

  it('publishes only the balancer and the sandbox’s payment page, on 127.0.0.1 unless SCALE_LB_ADDRESS is set', () => {
    const published = Object.entries(scale.services)
      .filter(([, s]) => s.ports !== undefined)
      .map(([name]) => name);
    expect(published.sort()).toEqual(['lb', 'sandbox']);
    expect(interpolateList(service('lb').ports ?? [], {})).toEqual(['127.0.0.1:8080:8080']);
    expect(interpolateList(service('lb').ports ?? [], { SCALE_LB_ADDRESS: '0.0.0.0' })).toEqual(['0.0.0.0:8080:8080']);
    // The sandbox approves any "payment": loopback, whatever is set.
    expect(service('sandbox').ports).toEqual(['127.0.0.1:3001:3001']);
    for (const s of Object.values(scale.services)) expect(s).not.toHaveProperty('network_mode');
  });

  it.each(SHOPS)(
    'gives %s a production configuration the shop accepts, behind one proxy, with shared state',
    (name) => {
      const config = shopConfig(name);
      expect(config.env).toBe('production');
      expect(config.trustProxy).toBe(1);
      expect(config.publicBaseUrl).toBe('http://localhost:8080');
      expect(config.callbacks).toEqual({ enabled: true, key: SECRETS.GATEWAY_CALLBACK_KEY });
      if (config.gateway.mode !== 'remote') throw new Error('the shops must use the sandbox service, not embed one');
      expect(new URL(config.gateway.url).host).toBe('sandbox:3001');
      expect(config.gateway.paymentPageOrigin).toBe('http://127.0.0.1:3001');
      const db = new URL(config.storage.databaseUrl ?? '');
      expect([db.protocol, db.username, db.password, db.host, db.pathname]).toEqual([
        'postgres:',
        'shop',
        SCALE_SECRETS.POSTGRES_PASSWORD,
        'postgres:5432',
        '/shop',
      ]);
      const redis = new URL(config.storage.redisUrl ?? '');
      expect([redis.protocol, redis.password, redis.host]).toEqual([
        'redis:',
        SCALE_SECRETS.REDIS_PASSWORD,
        'redis:6379',
      ]);
      // The public address follows SCALE_PUBLIC_URL when the balancer is published for other machines.
      const elsewhere = loadConfig({
        ...envOf(name, { ...SCALE_SECRETS, SCALE_PUBLIC_URL: 'https://shop.example' }),
        DATA_DIR: '/nonexistent-never-written',
      });
      expect(elsewhere.publicBaseUrl).toBe('https://shop.example');
    },
  );

  it('runs both shops with one environment (one SESSION_SECRET, one database, one Redis), a data volume each', () => {
    expect(envOf('shop-a')).toEqual(envOf('shop-b'));
    expect(shopConfig('shop-a').sessionSecrets).toEqual([SECRETS.SESSION_SECRET]);
    expect(shopConfig('shop-b').sessionSecrets).toEqual([SECRETS.SESSION_SECRET]);
    expect(service('shop-a').volumes).toEqual(['shop-a-data:/app/data']);
    expect(service('shop-b').volumes).toEqual(['shop-b-data:/app/data']);
    expect(envOf('shop-a').DATA_DIR).toBe('/app/data');
  });

  it('gives PostgreSQL and Redis the passwords the URLs carry; both keep a volume, Redis a snapshot (sessions survive a restart)', () => {
    expect(envOf('postgres')).toEqual({
      POSTGRES_USER: 'shop',
      POSTGRES_DB: 'shop',
      POSTGRES_PASSWORD: SCALE_SECRETS.POSTGRES_PASSWORD,
    });
    expect(service('postgres').volumes).toEqual(['postgres-data:/var/lib/postgresql/data']);
    const command = interpolateList(service('redis').command ?? [], SCALE_SECRETS);
    expect(command[0]).toBe('redis-server');
    expect(command.slice(1).join(' ')).toBe(
      `--save 300 1 --appendonly no --requirepass ${SCALE_SECRETS.REDIS_PASSWORD}`,
    );
    expect(envOf('redis')).toEqual({ REDISCLI_AUTH: SCALE_SECRETS.REDIS_PASSWORD });
    expect(service('redis').volumes).toEqual(['redis-data:/data']);
  });

  it('names every secret as a required variable, never a value', () => {
    const text = read('compose.scale.yaml');
    for (const name of Object.keys(SCALE_SECRETS)) expect(text).toMatch(new RegExp(`\\$\\{${name}:\\?`));
    for (const name of [...SHOPS, 'postgres', 'redis', 'sandbox']) expect(() => envOf(name, {})).toThrow();
    expect(() => interpolateList(service('redis').command ?? [], {})).toThrow();
    for (const value of Object.values(SCALE_SECRETS)) expect(text).not.toContain(value);
  });

  it('starts each service once what it needs is healthy, and checks the health of every one', () => {
    const healthy = (...names: string[]) =>
      Object.fromEntries(names.map((name) => [name, { condition: 'service_healthy' }]));
    for (const name of SHOPS) {
      expect(service(name).depends_on).toEqual(healthy('postgres', 'redis', 'sandbox'));
      expect(service(name).healthcheck?.test?.join(' ')).toContain('http://127.0.0.1:3000/healthz');
    }
    expect(service('lb').depends_on).toEqual(healthy('shop-a', 'shop-b'));
    expect(service('lb').healthcheck?.test?.join(' ')).toContain('http://127.0.0.1:8080/healthz');
    expect(service('sandbox').healthcheck?.test?.join(' ')).toContain('http://127.0.0.1:3001/healthz');
    expect(service('postgres').healthcheck?.test).toEqual(['CMD', 'pg_isready', '-U', 'shop', '-d', 'shop']);
    expect(service('redis').healthcheck?.test?.join(' ')).toContain('redis-cli ping');
    for (const s of Object.values(scale.services)) {
      expect(s.healthcheck?.retries).toBeGreaterThan(0);
      expect(s.healthcheck?.start_period).toMatch(/^\d+s$/);
    }
  });

  it('mounts deploy/nginx/shop.conf, which balances over both shops without stickiness on the published port', () => {
    expect(service('lb').volumes).toEqual(['./deploy/nginx/shop.conf:/etc/nginx/conf.d/default.conf:ro']);
    const conf = read('deploy/nginx/shop.conf');
    const servers = [...conf.matchAll(/^\s*server\s+([^\s{;]+)[^{;]*;/gm)].map((m) => m[1]);
    expect(servers).toEqual(['shop-a:3000', 'shop-b:3000']);
    expect(conf).toMatch(/^\s*listen 8080;/m);
    expect(conf).not.toMatch(/^\s*(ip_hash|hash|sticky|least_conn)\b/m);
    // A sent POST is resent only where the shop makes it safe to repeat (nginx-lb.test.ts runs what each one does).
    const resent = [...conf.matchAll(/^\s*location ([^{]+)\{([^}]*)\}/gm)]
      .filter((m) => /^\s*proxy_next_upstream\s[^;]*non_idempotent/m.test(m[2] ?? ''))
      .map((m) => m[1]?.trim());
    expect(resent).toEqual(['= /buy', '~ ^/admin/orders/[^/]+/(refresh|receipts|capture|void|refund)$']);
    expect(conf.match(/non_idempotent/g)).toHaveLength(resent.length);
  });

  it('has the sandbox call its merchant, the shops, back through the balancer, the only host it may call', () => {
    const sandboxConfig = loadSandboxConfig(envOf('sandbox'));
    const config = shopConfig('shop-a');
    if (config.gateway.mode !== 'remote') throw new Error('expected a remote gateway');
    expect(sandboxConfig.operatorToken).toBe(SECRETS.SANDBOX_OPERATOR_TOKEN);
    expect(sandboxConfig.merchants).toHaveLength(1);
    expect(sandboxConfig.merchants[0]).toMatchObject({
      ...config.gateway.auth,
      callbackUrl: 'http://lb:8080/payment/callback',
      callbackKey: SECRETS.GATEWAY_CALLBACK_KEY,
    });
    expect(sandboxConfig.callbackHosts).toEqual(['lb']);
    expect(sandboxConfig.publicUrl).toBe(config.gateway.paymentPageOrigin);
  });

  it('leaves compose.yaml alone: a plain `docker compose up` needs none of the new passwords', () => {
    const text = read('compose.yaml');
    const variables = new Set([...text.matchAll(/\$\{([A-Z_]+)/g)].map((m) => m[1]));
    expect([...variables].sort()).toEqual([...Object.keys(SECRETS), 'SANDBOX_PUBLIC_PORT', 'SHOP_PORT'].sort());
    expect(text).not.toMatch(/^\s*profiles:/m);
  });
});
