import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * Shared servers for the tests that need them: PostgreSQL (TEST_DATABASE_URL) and Redis (TEST_REDIS_URL).
 * `eval "$(scripts/test-services.sh start)"` starts throwaway ones on 127.0.0.1 and sets both variables; .ci/run
 * does the same. Project policy, as for the browser suites: unset on a developer machine → the suite is skipped
 * with a loud warning; unset in CI (CI=true) → the suite fails.
 */
export type ServiceKind = 'postgres' | 'redis';

const VARIABLE: Record<ServiceKind, string> = { postgres: 'TEST_DATABASE_URL', redis: 'TEST_REDIS_URL' };
const PROTOCOLS: Record<ServiceKind, readonly string[]> = {
  postgres: ['postgres:', 'postgresql:'],
  redis: ['redis:'],
};

/** What to do when a service is missing: a pure function of the environment, tested on its own. */
export function servicePlan(kind: ServiceKind, env: NodeJS.ProcessEnv = process.env): 'run' | 'skip' | 'fail' {
  if (env[VARIABLE[kind]]) return 'run';
  return env.CI ? 'fail' : 'skip';
}

/** Tests talk to loopback only: a URL naming any other host is refused rather than used. */
export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return false;
  }
  if (host === 'localhost' || host === '[::1]' || host === '::1') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function checkedUrl(kind: ServiceKind, url: string): string {
  const name = VARIABLE[kind];
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw new Error(`${name} is not a URL`);
  }
  if (!PROTOCOLS[kind].includes(protocol)) {
    throw new Error(`${name} must start with ${PROTOCOLS[kind].map((p) => `${p}//`).join(' or ')}`);
  }
  // The URL itself is never printed: it may carry a password.
  if (!isLoopbackUrl(url)) throw new Error(`${name} must point at a loopback address (127.0.0.1, ::1 or localhost)`);
  return url;
}

const warned = new Set<string>();

function warnSkipped(kind: ServiceKind, what: string): void {
  const key = `${kind}\u0000${what}`;
  if (warned.has(key)) return;
  warned.add(key);
  const line = '!'.repeat(78);
  process.stderr.write(
    [
      '',
      line,
      `!!  ${kind === 'postgres' ? 'POSTGRESQL' : 'REDIS'} TESTS SKIPPED: ${VARIABLE[kind]} is not set`,
      `!!  skipped: ${what}`,
      '!!  to run them: eval "$(scripts/test-services.sh start)"   (then npm test; CI always runs them)',
      line,
      '',
    ].join('\n'),
  );
}

/**
 * The URL of a test service, or undefined when it is not configured (after a loud warning naming `what` is
 * skipped). In CI a missing service throws, so the suite fails instead of passing without having run.
 */
export function serviceUrl(kind: ServiceKind, what = 'the tests that need it'): string | undefined {
  const plan = servicePlan(kind);
  if (plan === 'fail') {
    throw new Error(
      `${VARIABLE[kind]} is not set in CI: ${what} cannot run (.ci/run starts the servers with scripts/test-services.sh)`,
    );
  }
  if (plan === 'skip') {
    warnSkipped(kind, what);
    return undefined;
  }
  return checkedUrl(kind, process.env[VARIABLE[kind]] as string);
}

export function postgresUrl(what?: string): string | undefined {
  return serviceUrl('postgres', what);
}

export function redisUrl(what?: string): string | undefined {
  return serviceUrl('redis', what);
}

/** The same server and credentials as `url`, another database. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

/**
 * A new, empty PostgreSQL database on the TEST_DATABASE_URL server, for one test file or one test (jest runs files in
 * parallel, so nothing is shared). `drop()` removes it, closing any connection still open to it.
 */
export async function freshPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const base = serviceUrl('postgres');
  if (!base) throw new Error('freshPostgresDatabase: TEST_DATABASE_URL is not set (check serviceUrl first)');
  const name = `ledger_test_${randomBytes(6).toString('hex')}`;
  await admin(base, `CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8'`);
  let dropped = false;
  return {
    url: withDatabase(base, name),
    drop: async () => {
      if (dropped) return;
      dropped = true;
      await admin(base, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

async function admin(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
