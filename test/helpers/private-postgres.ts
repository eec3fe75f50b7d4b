/**
 * A PostgreSQL server of one test's own, for tests that must stop or restart the server (never the shared
 * TEST_DATABASE_URL one, which other test files use at the same time): initdb into a temp folder, one free loopback
 * port, trust authentication, no fsync. As root the cluster runs as the `postgres` user (PostgreSQL refuses root),
 * as scripts/test-services.sh does. Without the server's binaries the test is skipped loudly, or fails in CI.
 */
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './shop-process.js';

const run = promisify(execFile);

export interface PrivatePostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  url: string;
  /** pg_ctl restart: 'fast' ends every session with an error first, 'immediate' drops them like a crash. */
  restart(mode: 'fast' | 'immediate'): Promise<void>;
  stop(): Promise<void>;
  /** Stops the server (if running) and removes its folder. */
  close(): Promise<void>;
}

/** The folder holding pg_ctl and initdb, or undefined when PostgreSQL's server is not installed. */
export function postgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) {
    const dir = path.join(root, v, 'bin');
    if (existsSync(path.join(dir, 'pg_ctl')) && existsSync(path.join(dir, 'initdb'))) return dir;
  }
  return undefined;
}

/** 'run', or — without the binaries — 'skip' on a developer machine (after a loud warning) and 'fail' in CI. */
export function privatePostgresPlan(what: string): 'run' | 'skip' {
  if (postgresBin() !== undefined) return 'run';
  if (process.env.CI) throw new Error(`PostgreSQL's server binaries are missing in CI: ${what} cannot run`);
  const line = '!'.repeat(78);
  process.stderr.write(
    [
      '',
      line,
      '!!  POSTGRESQL RESTART TESTS SKIPPED: no pg_ctl/initdb under /usr/lib/postgresql/*/bin',
      `!!  skipped: ${what}`,
      '!!  to run them: apt-get install -y postgresql   (CI always runs them)',
      line,
      '',
    ].join('\n'),
  );
  return 'skip';
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = postgresBin();
  if (!bin) throw new Error('startPrivatePostgres: PostgreSQL server binaries not found');
  const dir = mkdtempSync(path.join(tmpdir(), 'private-pg-'));
  const data = path.join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
    chmodSync(dir, 0o700);
  }
  const asPg = (file: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', file, ...args]) : run(file, args);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50`;
  const pgCtl = (...args: string[]) =>
    asPg(path.join(bin, 'pg_ctl'), ['-D', data, '-l', path.join(dir, 'server.log'), '-w', '-t', '30', ...args]);
  await asPg(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-locale']);
  await pgCtl('start', '-o', options);
  let running = true;
  const stop = async () => {
    if (!running) return;
    await pgCtl('stop', '-m', 'fast');
    running = false;
  };
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async restart(mode) {
      await pgCtl('restart', '-m', mode, '-o', options);
      running = true;
    },
    stop,
    async close() {
      await stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
