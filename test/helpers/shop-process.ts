/**
 * The shop as `npm start` runs it: src/server.ts in a child process (through tsx, no build), configured only by its
 * environment, listening on a loopback port. For tests that must go through the production wiring in server.ts
 * (which store, which logger, which gateway client) rather than the test shop's copy of it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from './page-leaks.js';

const SERVER = path.join(REPO_ROOT, 'src/server.ts');
const TSX = pathToFileURL(path.join(REPO_ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
const START_TIMEOUT_MS = 15_000;

export interface ShopProcess {
  /** http://127.0.0.1:<port> */
  url: string;
  /** Everything the process wrote so far (its JSON log lines on stdout, warnings on stderr). */
  stdout(): string;
  stderr(): string;
  /** SIGTERM, as a container stop would send; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL, a crash: nothing in the process runs any more; resolves once it is gone. */
  kill(): Promise<void>;
  /** undefined while the process runs; its exit code (or the signal that ended it) once it has exited. */
  exited(): number | string | undefined;
}

/** A free loopback port (asked of the OS, then released for the child to take). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * The environment of a development shop on 127.0.0.1:`port` against a (fake) gateway at `gatewayUrl`: callbacks and
 * the reconciler off, info logs, credentials named after `name`. `extra` adds or overrides settings.
 */
export function gatewayShopEnv(
  port: number,
  dataDir: string,
  gatewayUrl: string,
  name: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    NODE_ENV: 'development',
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    DATA_DIR: dataDir,
    GATEWAY_URL: gatewayUrl,
    GATEWAY_USERNAME: name,
    GATEWAY_PASSWORD: `${name}-password`,
    CALLBACKS: 'off',
    RECONCILE_INTERVAL_SECS: '0',
    LOG_LEVEL: 'info',
    ...extra,
  };
}

/**
 * Starts src/server.ts with exactly `env` (plus PATH), in `cwd` (a folder without a .env file, so dotenv adds
 * nothing), and resolves once it logs that it listens. `env` must set PORT and HOST=127.0.0.1.
 */
export async function startShopProcess(env: Record<string, string>, cwd: string): Promise<ShopProcess> {
  if (!env.PORT || env.HOST !== '127.0.0.1') throw new Error('startShopProcess needs PORT and HOST=127.0.0.1');
  return startTsProcess(SERVER, env, cwd, '"shop listening"', `http://127.0.0.1:${env.PORT}`);
}

/**
 * The standalone sandbox as `npm run sandbox` runs it (packages/gateway-sandbox/src/server.ts), the same way. `env` must set
 * SANDBOX_PORT and SANDBOX_HOST=127.0.0.1.
 */
export async function startSandboxProcess(env: Record<string, string>, cwd: string): Promise<ShopProcess> {
  if (!env.SANDBOX_PORT || env.SANDBOX_HOST !== '127.0.0.1')
    throw new Error('startSandboxProcess needs SANDBOX_PORT and SANDBOX_HOST=127.0.0.1');
  const script = path.join(REPO_ROOT, 'packages/gateway-sandbox/src/server.ts');
  return startTsProcess(script, env, cwd, '"gateway sandbox listening"', `http://127.0.0.1:${env.SANDBOX_PORT}`);
}

async function startTsProcess(
  script: string,
  env: Record<string, string>,
  cwd: string,
  readyLine: string,
  url: string,
): Promise<ShopProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', TSX, script], {
    cwd,
    env: { PATH: process.env.PATH ?? '', TSX_TSCONFIG_PATH: path.join(REPO_ROOT, 'tsconfig.json'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${path.basename(script)} did not start within ${START_TIMEOUT_MS} ms\n${out}\n${err}`));
    }, START_TIMEOUT_MS);
    const onData = () => {
      if (!out.includes(readyLine)) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      resolve();
    };
    child.stdout?.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${path.basename(script)} exited with ${String(code)} before listening\n${out}\n${err}`));
    });
  });

  let stopping: Promise<number | null> | undefined;
  return {
    url,
    stdout: () => out,
    stderr: () => err,
    stop() {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        return exited;
      })();
      return stopping;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    exited: () => child.exitCode ?? child.signalCode ?? undefined,
  };
}

/** Just enough of a browser's cookie jar for one origin: remembers Set-Cookie values, sends them back. */
export class CookieJar {
  readonly #cookies = new Map<string, string>();

  store(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair?.indexOf('=') ?? -1;
      if (pair && eq > 0) this.#cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }

  header(): string {
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  /** A request with the jar's cookies that does not follow redirects; the answer's cookies go into the jar. */
  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.#cookies.size > 0) headers.set('cookie', this.header());
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    this.store(res);
    return res;
  }
}
