import { randomFillSync } from 'node:crypto';

/**
 * Random bytes for the request id and the browser key, drawn from a pool filled by the CSPRNG a few kilobytes at a
 * time. `randomBytes(n)` per request asks OpenSSL each time and showed up as several percent of a product page's
 * CPU (docs/performance.md); the pool asks once per ~4 KB. Every byte is handed out once and then overwritten, so
 * the values are exactly as unpredictable as `randomBytes` would make them (Node's own randomUUID() caches its
 * entropy the same way).
 */
const POOL_SIZE = 4096;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let offset = POOL_SIZE;

/** `n` fresh random bytes (n ≤ 256), copied out of the pool; the pool's copy is zeroed. */
export function randomBytesPooled(n: number): Buffer {
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new RangeError(`randomBytesPooled: ${n} bytes`);
  if (offset + n > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  const out = Buffer.from(pool.subarray(offset, offset + n));
  pool.fill(0, offset, offset + n);
  offset += n;
  return out;
}
