// The pooled random bytes behind request ids and browser keys: never the same bytes twice.
import { describe, expect, it } from '@jest/globals';
import { randomBytesPooled } from '../../src/http/random.js';

describe('randomBytesPooled', () => {
  it('hands out fresh bytes every time, across refills of the pool', () => {
    const seen = new Set<string>();
    // 4 096-byte pool: 2 000 draws of 32 bytes refill it more than 15 times.
    for (let i = 0; i < 2000; i += 1) {
      const b = randomBytesPooled(32);
      expect(b).toHaveLength(32);
      seen.add(b.toString('hex'));
    }
    expect(seen.size).toBe(2000);
  });

  it('returns a copy: changing it does not change later draws', () => {
    const a = randomBytesPooled(6);
    a.fill(0);
    expect(randomBytesPooled(6).equals(Buffer.alloc(6))).toBe(false);
  });

  it('refuses sizes it was not made for', () => {
    expect(() => randomBytesPooled(0)).toThrow(RangeError);
    expect(() => randomBytesPooled(257)).toThrow(RangeError);
  });
});
