/**
 * Child process of bench/run.js: the sandbox under test and a bare Express baseline, both on port 0,
 * so the load generator (autocannon, in the parent) does not share their event loop.
 * Started with --expose-gc so heap figures are taken after a full collection.
 */
import http from 'node:http';
import express from 'express';
import { startSandbox } from '../dist/sandbox/index.js';

const listen = (app) =>
  new Promise((resolve) => {
    const server = http.createServer(app).listen(0, '127.0.0.1', () => resolve(server));
  });

const bare = express();
bare.use(express.urlencoded({ extended: false }));
bare.post('/x', (_req, res) => res.json({ ok: true }));
const bareServer = await listen(bare);

// Callbacks off: the benchmark measures the REST API, not delivery to a receiver that does not exist.
const sandbox = await startSandbox({ port: 0, callbacks: false });
// A second sandbox with a small cap for the memory check: 20k registers must not grow its heap.
const capped = await startSandbox({ port: 0, callbacks: false, maxOrders: 5_000 });

const heap = () => {
  globalThis.gc?.();
  globalThis.gc?.();
  return process.memoryUsage().heapUsed;
};

process.on('message', (msg) => {
  if (msg === 'heap')
    process.send({ heapUsed: heap(), cappedOrders: capped.sandbox.store.size, orders: sandbox.sandbox.store.size });
  if (msg === 'stop') {
    Promise.all([sandbox.close(), capped.close(), new Promise((r) => bareServer.close(r))]).then(() => process.exit(0));
    bareServer.closeAllConnections();
  }
});

process.send({
  ready: true,
  bareUrl: `http://127.0.0.1:${bareServer.address().port}`,
  sandboxUrl: sandbox.url,
  cappedUrl: capped.url,
  node: process.version,
});
