import { randomBytes } from 'node:crypto';
import net from 'node:net';
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
