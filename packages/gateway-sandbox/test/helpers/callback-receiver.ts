/** A local callback receiver on port 0 that records every request and answers a scripted status sequence. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedCallback {
  method: string;
  path: string;
  query: Record<string, string>;
}

export interface Receiver {
  url: string;
  received: ReceivedCallback[];
  /** Statuses for the next requests, in order; after they run out every request gets 200. */
  script(statuses: number[]): void;
  /** Runs `listener` as each request arrives (before it is answered); returns the unsubscribe function. */
  onCallback(listener: (callback: ReceivedCallback) => void): () => void;
  /** Resolves as soon as `count` requests have arrived (at once if they already have). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedCallback[]>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: ReceivedCallback[] = [];
  const listeners = new Set<(callback: ReceivedCallback) => void>();
  let statuses: number[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://receiver.test');
    const callback = {
      method: req.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      at: Date.now(),
    };
    received.push(callback);
    for (const listener of listeners) listener(callback);
    res.writeHead(statuses.shift() ?? 200, { 'content-type': 'text/plain' }).end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const onCallback = (listener: (callback: ReceivedCallback) => void) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  };
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    script: (s) => {
      statuses = [...s];
    },
    onCallback,
    waitFor(count, timeoutMs = 5000) {
      if (received.length >= count) return Promise.resolve(received);
      return new Promise((resolve, reject) => {
        // Only turns a missing callback into a readable failure; a callback that arrives resolves at once.
        const guard = setTimeout(() => {
          stop();
          reject(new Error(`expected ${count} callbacks, got ${received.length}`));
        }, timeoutMs);
        const stop = onCallback(() => {
          if (received.length < count) return;
          clearTimeout(guard);
          stop();
          resolve(received);
        });
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
