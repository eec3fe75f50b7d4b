/**
 * The load balancer of compose.scale.yaml, deploy/nginx/shop.conf, run by the real nginx binary on loopback: only its
 * listen address and its two upstream addresses are rewritten, everything else is the file as shipped.
 *
 * Project policy, as for the browser and PostgreSQL/Redis suites: nginx missing on a developer machine → the suite is
 * skipped with a loud warning (apt-get install -y nginx); missing in CI (CI=true) → the suite fails.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './page-leaks.js';

export const SITE_CONF_FILE = 'deploy/nginx/shop.conf';

/**
 * NGINX_BIN when set (undefined if there is no such file), else nginx on PATH, /usr/sbin or /usr/local/sbin (Debian's
 * /usr/sbin is not on every user's PATH).
 */
export function findNginx(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.NGINX_BIN) return existsSync(env.NGINX_BIN) ? env.NGINX_BIN : undefined;
  const dirs = [...(env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/local/sbin'];
  return dirs
    .filter((dir) => path.isAbsolute(dir))
    .map((dir) => path.join(dir, 'nginx'))
    .find((file) => existsSync(file));
}

export const NGINX = findNginx();

export function nginxPlan(env: NodeJS.ProcessEnv = process.env, nginx = NGINX): 'run' | 'skip' | 'fail' {
  if (nginx) return 'run';
  return env.CI ? 'fail' : 'skip';
}

export function warnNginxSkipped(what: string): void {
  const line = '!'.repeat(78);
  process.stderr.write(
    [
      '',
      line,
      '!!  NGINX TESTS SKIPPED: no nginx binary on PATH, /usr/sbin or /usr/local/sbin (or NGINX_BIN)',
      `!!  skipped: ${what}`,
      '!!  to run them: apt-get install -y nginx   (CI installs it and fails without it)',
      line,
      '',
    ].join('\n'),
  );
}

export const NGINX_MISSING_IN_CI = 'CI is set and nginx is missing: .ci/run must install it (apt-get install -y nginx)';

/** Replaces the one line `re` matches; a config that no longer has exactly one such line fails the test. */
function replaceOne(text: string, re: RegExp, by: string): string {
  const count = text.match(new RegExp(re.source, 'gm'))?.length ?? 0;
  if (count !== 1) throw new Error(`${SITE_CONF_FILE}: expected exactly one line matching ${re}, found ${count}`);
  return text.replace(re, by);
}

/** The shipped file with only the addresses changed: the balancer's listen port, and the two shops. */
export function rewriteSiteConf(conf: string, listenPort: number, shopA: number, shopB: number): string {
  let out = replaceOne(conf, /^(\s*)listen 8080;/m, `$1listen 127.0.0.1:${listenPort};`);
  out = replaceOne(out, /^(\s*)server shop-a:3000 /m, `$1server 127.0.0.1:${shopA} `);
  out = replaceOne(out, /^(\s*)server shop-b:3000 /m, `$1server 127.0.0.1:${shopB} `);
  return out;
}

/**
 * What the official image's /etc/nginx/nginx.conf provides around conf.d/default.conf, with every path in a
 * throwaway prefix, and an access log naming the upstream(s) each request went to. One worker, so that the order of
 * the turns is predictable (the upstream's zone shares it between workers anyway).
 */
function mainConf(prefix: string): string {
  const p = (name: string) => path.join(prefix, name);
  return [
    // As root nginx would switch its workers to "nobody", who cannot write in the private prefix.
    process.getuid?.() === 0 ? 'user root root;' : '',
    'daemon off;',
    'worker_processes 1;',
    `pid ${p('nginx.pid')};`,
    `error_log ${p('error.log')} info;`,
    'events { worker_connections 256; }',
    'http {',
    "  log_format upstreams '$request_method $request_uri $status $upstream_addr';",
    `  access_log ${p('access.log')} upstreams;`,
    `  client_body_temp_path ${p('client_body')};`,
    `  proxy_temp_path ${p('proxy')};`,
    `  fastcgi_temp_path ${p('fastcgi')};`,
    `  uwsgi_temp_path ${p('uwsgi')};`,
    `  scgi_temp_path ${p('scgi')};`,
    `  include ${p('site.conf')};`,
    '}',
    '',
  ].join('\n');
}

function nginxArgs(prefix: string): string[] {
  return ['-p', prefix, '-c', path.join(prefix, 'nginx.conf'), '-e', path.join(prefix, 'error.log')];
}

/** Writes the configuration into a fresh prefix (the caller removes it) and runs `nginx -t` on it. */
export function prepareBalancer(
  listenPort: number,
  shopA: number,
  shopB: number,
): { prefix: string; test: string; ok: boolean } {
  if (!NGINX) throw new Error('nginx is not installed');
  const conf = readFileSync(path.join(REPO_ROOT, SITE_CONF_FILE), 'utf8');
  const prefix = mkdtempSync(path.join(os.tmpdir(), 'nginx-lb-'));
  writeFileSync(path.join(prefix, 'site.conf'), rewriteSiteConf(conf, listenPort, shopA, shopB));
  writeFileSync(path.join(prefix, 'nginx.conf'), mainConf(prefix));
  const result = spawnSync(NGINX, ['-t', ...nginxArgs(prefix)], { encoding: 'utf8' });
  return { prefix, test: `${result.stdout}${result.stderr}`, ok: result.status === 0 };
}

export interface Balancer {
  port: number;
  /** http://127.0.0.1:<port> */
  url: string;
  /** The access log so far, one line per request: "METHOD /uri STATUS upstream[, upstream]". */
  accessLog(): string[];
  stop(): Promise<void>;
}

/** A free loopback port: the OS picks it (port 0), then releases it for nginx to take. */
export async function freeLoopbackPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * nginx in front of the two loopback ports, listening on `port` (or a free one, retried if someone took it first),
 * resolved once its own /healthz answers.
 */
export async function startBalancer(upstreams: [number, number], port?: number): Promise<Balancer> {
  let lastError = '';
  for (let attempt = 0; attempt < (port === undefined ? 3 : 1); attempt++) {
    const listenPort = port ?? (await freeLoopbackPort());
    const { prefix, test, ok } = prepareBalancer(listenPort, ...upstreams);
    if (!ok) {
      rmSync(prefix, { recursive: true, force: true });
      throw new Error(`nginx -t refused the configuration:\n${test}`);
    }
    const child = spawn(NGINX as string, nginxArgs(prefix), { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(prefix, { recursive: true, force: true });
    };
    const url = `http://127.0.0.1:${listenPort}`;
    if (await answers(url, child)) {
      return {
        port: listenPort,
        url,
        accessLog: () => read(path.join(prefix, 'access.log')).split('\n').filter(Boolean),
        stop,
      };
    }
    lastError = `${stderr}${read(path.join(prefix, 'error.log'))}`;
    await stop();
    if (!/Address already in use/.test(lastError)) break;
  }
  throw new Error(`nginx did not start:\n${lastError}`);
}

function read(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** Polls the balancer's own /healthz until it answers, or the process ends, or 5 s pass. */
async function answers(url: string, child: ChildProcess): Promise<boolean> {
  const until = Date.now() + 5000;
  while (Date.now() < until && child.exitCode === null) {
    try {
      if ((await fetch(`${url}/healthz`)).status === 200) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return false;
}
