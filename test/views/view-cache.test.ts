import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { loadConfig, viewCacheOn } from '../../src/config.js';
import { startShop, type TestShop } from '../helpers/shop.js';

// The CommonJS copy of ejs, the one Express loads with require() for res.render.
const ejs = createRequire(import.meta.url)('ejs') as typeof import('ejs');

describe('view cache', () => {
  let shop: TestShop;
  const reads: string[] = [];
  const original = ejs.fileLoader;
  beforeAll(async () => {
    shop = await startShop();
    ejs.clearCache();
    // Every template file ejs reads goes through fileLoader: count them.
    ejs.fileLoader = (file: string) => {
      reads.push(path.basename(file));
      return original(file);
    };
  });
  afterAll(async () => {
    ejs.fileLoader = original;
    await shop.close();
  });

  it('is on in every mode but an explicit NODE_ENV=development (npm run dev)', () => {
    expect(viewCacheOn(undefined)).toBe(true);
    expect(viewCacheOn('production')).toBe(true);
    expect(viewCacheOn('test')).toBe(true);
    expect(viewCacheOn('development')).toBe(false);
    // The launcher's environment decides, through the configuration (src/app.ts reads no process.env).
    const env = { DATA_DIR: shop.config.dataDir, SESSION_SECRET: shop.config.sessionSecrets[0] };
    expect(loadConfig(env).viewCache).toBe(true);
    expect(loadConfig({ ...env, NODE_ENV: 'test' }).viewCache).toBe(true);
    expect(loadConfig({ ...env, NODE_ENV: 'development' }).viewCache).toBe(false);
    expect(shop.app.get('view cache')).toBe(true);
  });

  it('reads and compiles the product template once for two renders', async () => {
    await request(shop.app).get('/products/notebook').expect(200);
    const first = reads.length;
    expect(reads).toContain('product.ejs');
    await request(shop.app).get('/products/notebook').expect(200);
    expect(reads.length).toBe(first);
    expect(reads.filter((f) => f === 'product.ejs')).toHaveLength(1);
  });
});
