// The stop rule of src/http/drain.ts on a real http.Server and raw sockets: an idle keep-alive connection ends at
// once; a connection whose request is on its way (accepted but nothing read yet, or headers partly read) gets the
// arrival window, and its request is answered if it arrives within it; after the window every handler-less
// connection ends. The first kind was the cause of a 502 to a POST /buy during a rolling restart behind nginx.
import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { trackHandlers, type Drain } from '../../src/http/drain.js';

const ARRIVING_MS = 300;
let server: http.Server | undefined;
const sockets: net.Socket[] = [];

afterEach(async () => {
  sockets.splice(0).forEach((s) => s.destroy());
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

async function start(): Promise<{ port: number; drain: Drain }> {
  server = http.createServer((_req, res) => res.end('ok'));
  const drain = trackHandlers(server);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as net.AddressInfo).port, drain };
}

/** A raw client connection; `received` collects what the server sent, `closed` turns true when it ends. */
async function connect(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  sockets.push(socket);
  await new Promise((resolve) => socket.once('connect', resolve));
  const state = { received: '', closed: false };
  socket.on('data', (chunk) => (state.received += chunk.toString()));
  socket.on('error', () => undefined);
  socket.once('close', () => (state.closed = true));
  // The server has seen the connection once it answers anything, or after a turn of its loop.
  await new Promise((resolve) => setTimeout(resolve, 30));
  return { socket, state };
}

const request = (port: number) => `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: keep-alive\r\n\r\n`;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Calls closeIdle as the launcher does: at once, then every 50 ms, from a stop at `since`. */
function stopping(drain: Drain) {
  const since = Date.now();
  drain.closeIdle(since, ARRIVING_MS);
  const timer = setInterval(() => drain.closeIdle(since, ARRIVING_MS), 50);
  return () => clearInterval(timer);
}

describe('trackHandlers: what a stop ends', () => {
  it('ends an idle keep-alive connection at once', async () => {
    const { port, drain } = await start();
    const { socket, state } = await connect(port);
    socket.write(request(port));
    await pause(50);
    expect(state.received).toContain('200 OK');
    drain.closeIdle(Date.now(), ARRIVING_MS);
    await pause(30);
    expect(state.closed).toBe(true);
  });

  it('answers a request sent on a connection accepted before the stop whose bytes came just after it', async () => {
    const { port, drain } = await start();
    const { socket, state } = await connect(port);
    const done = stopping(drain);
    try {
      // The balancer's case: connected, then the request is written; the stop came in between.
      await pause(20);
      expect(state.closed).toBe(false);
      socket.write(request(port));
      await pause(60);
      expect(state.received).toContain('200 OK');
      // Answered, and now idle: ended by the next round.
      await pause(100);
      expect(state.closed).toBe(true);
    } finally {
      done();
    }
  });

  it('lets a request whose headers are partly read finish within the window', async () => {
    const { port, drain } = await start();
    const { socket, state } = await connect(port);
    socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAcc`);
    await pause(30);
    const done = stopping(drain);
    try {
      await pause(100);
      expect(state.closed).toBe(false);
      socket.write('ept: text/plain\r\n\r\n');
      await pause(60);
      expect(state.received).toContain('200 OK');
    } finally {
      done();
    }
  });

  it('lets the next request on a kept-alive connection arrive, when its first bytes came before the stop', async () => {
    const { port, drain } = await start();
    const { socket, state } = await connect(port);
    socket.write(request(port));
    await pause(50);
    state.received = '';
    socket.write('GET / HTTP/1.1\r\nHo');
    await pause(30);
    const done = stopping(drain);
    try {
      await pause(100);
      socket.write(`st: 127.0.0.1:${port}\r\n\r\n`);
      await pause(60);
      expect(state.received).toContain('200 OK');
    } finally {
      done();
    }
  });

  it('ends a connection that delivers no complete request within the window', async () => {
    const { port, drain } = await start();
    const silent = await connect(port);
    const half = await connect(port);
    half.socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAcc`);
    await pause(30);
    const done = stopping(drain);
    try {
      await pause(ARRIVING_MS - 100);
      expect([silent.state.closed, half.state.closed]).toEqual([false, false]);
      await pause(250);
      expect([silent.state.closed, half.state.closed]).toEqual([true, true]);
      expect(silent.state.received + half.state.received).toBe('');
    } finally {
      done();
    }
  });

  it('never ends a connection whose handler is running', async () => {
    let release: () => void = () => undefined;
    server = http.createServer((_req, res) => {
      release = () => res.end('late');
    });
    const drain = trackHandlers(server);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    const { socket, state } = await connect(port);
    socket.write(request(port));
    await pause(30);
    const since = Date.now() - 10 * ARRIVING_MS;
    drain.closeIdle(since, ARRIVING_MS);
    await pause(30);
    expect(state.closed).toBe(false);
    release();
    await pause(30);
    expect(state.received).toContain('late');
  });
});
