/**
 * Preloaded (node --expose-gc --import) into the shop of the memory figure, started with an IPC channel: on the
 * message "memory" it runs two full collections and answers with process.memoryUsage(). Nothing else changes in the
 * shop. Bench only.
 */
process.on('message', (msg) => {
  if (msg !== 'memory') return;
  globalThis.gc?.();
  globalThis.gc?.();
  process.send?.({ memory: process.memoryUsage(), gc: typeof globalThis.gc === 'function' });
});
// The channel must not keep a shop alive that was told to stop.
process.channel?.unref();
