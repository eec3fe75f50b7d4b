import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient } from 'redis';

/** A key prefix of its own for one test file (or test), so files running in parallel never see each other's keys. */
export function testKeyPrefix(label = 'test'): string {
  return `${label}-${randomBytes(6).toString('hex')}:`;
}

/** A plain connection to the test Redis, to look at (and clean up) what the code under test wrote. */
export async function redisInspector(url: string) {
  const client = createClient({ url, socket: { reconnectStrategy: false } });
  client.on('error', () => undefined);
  await client.connect();
  async function keys(prefix: string): Promise<string[]> {
    const found: string[] = [];
    for await (const batch of client.scanIterator({ MATCH: `${escapeGlob(prefix)}*`, COUNT: 500 }))
      found.push(...batch);
    return found.sort();
  }
  return {
    keys,
    /** Milliseconds to live (-1 no expiry, -2 no such key). */
    pttl: (key: string) => client.pTTL(key),
    /** Deletes every key under `prefix`; returns how many. */
    async deleteAll(prefix: string): Promise<number> {
      const found = await keys(prefix);
      return found.length ? client.del(found) : 0;
    },
    close: () => client.close(),
  };
}

function escapeGlob(s: string): string {
  return s.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/** A free loopback port nothing listens on (it was just closed), for a "connection refused" case. */
export async function closedLoopbackPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A TCP relay on 127.0.0.1 (port 0) in front of a server, to play an outage without touching the shared server:
 * `down()` drops every connection and stops listening (refused), `up()` listens again on the same port, `stall()`
 * keeps connections open but forwards nothing more (a server that hangs).
 */
export async function startTcpProxy(targetUrl: string) {
  const target = new URL(targetUrl);
  const targetPort = Number(target.port || 6379);
  const targetHost = target.hostname.replace(/^\[|\]$/g, '');
  const sockets = new Set<net.Socket>();
  let stalled = false;

  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, targetHost);
    sockets.add(client).add(upstream);
    const forward = (from: net.Socket, to: net.Socket) =>
      from.on('data', (chunk) => {
        if (!stalled) to.write(chunk);
      });
    forward(client, upstream);
    forward(upstream, client);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  let listening = true;

  return {
    port,
    /** The target URL (with its credentials, if any) pointed at the relay. */
    url(base: string = targetUrl): string {
      const u = new URL(base);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    async down(): Promise<void> {
      for (const s of sockets) s.destroy();
      sockets.clear();
      if (!listening) return;
      listening = false;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    async up(): Promise<void> {
      stalled = false;
      if (listening) return;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => {
          server.off('error', reject);
          resolve();
        });
      });
      listening = true;
    },
    stall(): void {
      stalled = true;
    },
    close(): Promise<void> {
      return this.down();
    },
  };
}

/** redis-server on PATH (or REDIS_SERVER_BIN), for the tests that stop and restart a Redis of their own. */
export const REDIS_SERVER = process.env.REDIS_SERVER_BIN ?? 'redis-server';

export interface PrivateRedis {
  /** redis://127.0.0.1:<port>/0 */
  url: string;
  /** Stops the server as an operator would (SIGTERM): clients get refused connections until start(). */
  stop(): Promise<void>;
  /** Starts it again on the same port and folder, resolved once it accepts connections. */
  start(): Promise<void>;
  /** Stops it and removes its folder. */
  close(): Promise<void>;
}

/**
 * A redis-server of the test's own, on 127.0.0.1 and a free port with its own temporary folder, that the test may
 * stop and start again: a real Redis restart without touching the shared test server. With `persist` (default) it
 * writes a snapshot when stopped and reads it back at start, so what it held (sessions) survives the restart.
 */
export async function startPrivateRedis(opts: { persist?: boolean } = {}): Promise<PrivateRedis> {
  const dir = mkdtempSync(path.join(tmpdir(), 'private-redis-'));
  const port = await closedLoopbackPort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--daemonize', 'no'];
  args.push('--save', opts.persist === false ? '' : '3600 1', '--appendonly', 'no', '--logfile', '');
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  async function start(): Promise<void> {
    if (child) return;
    const started = spawn(REDIS_SERVER, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    exited = new Promise((resolve) => started.once('exit', () => resolve()));
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server did not start in 10 s:\n${out}`)), 10_000);
      started.once('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`cannot run ${REDIS_SERVER} (apt-get install -y redis-server): ${err.message}`));
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited at start:\n${out}`));
      });
      const onData = (chunk: Buffer) => {
        out += chunk.toString('utf8');
        if (!out.includes('Ready to accept connections')) return;
        clearTimeout(timer);
        started.stdout?.off('data', onData);
        resolve();
      };
      started.stdout?.on('data', onData);
      started.stderr?.on('data', onData);
    }).catch((err: unknown) => {
      started.kill('SIGKILL');
      child = undefined;
      throw err;
    });
    started.stdout?.resume();
    started.stderr?.resume();
  }

  async function stop(): Promise<void> {
    const running = child;
    if (!running) return;
    child = undefined;
    running.kill('SIGTERM');
    await exited;
  }

  await start();
  return {
    url: `redis://127.0.0.1:${port}/0`,
    stop,
    start,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
