/**
 * Child process of bench/run.js for the heap figure: a sandbox capped at 5 000 orders on port 0, so that the load
 * generator (autocannon, in the parent) does not share its event loop. Started with --expose-gc so heap figures are
 * taken after a full collection. The other figures start their servers as `node dist/...` processes (bench/lib.js).
 */
import { startSandbox } from '@rbs-storefront/gateway-sandbox';

// Callbacks off: the benchmark measures the REST API, not delivery to a receiver that does not exist.
const capped = await startSandbox({ port: 0, callbacks: false, maxOrders: 5_000 });

const heap = () => {
  globalThis.gc?.();
  globalThis.gc?.();
  return process.memoryUsage().heapUsed;
};

process.on('message', (msg) => {
  if (msg === 'heap') process.send({ heapUsed: heap(), cappedOrders: capped.sandbox.store.size });
  if (msg === 'stop') capped.close().then(() => process.exit(0));
});

process.send({ ready: true, cappedUrl: capped.url, node: process.version });
