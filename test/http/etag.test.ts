// Pages are no-store, so the shop does not hash them for an ETag (docs/performance.md); static files keep theirs.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { startShop, type TestShop } from '../helpers/shop.js';

describe('ETag', () => {
  let shop: TestShop;
  beforeAll(async () => {
    shop = await startShop();
  });
  afterAll(() => shop.close());

  it('is absent on pages, which are no-store', async () => {
    for (const path of ['/', '/products/notebook', '/no-such-page']) {
      const res = await request(shop.app).get(path);
      expect([path, res.headers['cache-control'], res.headers.etag]).toEqual([path, 'no-store', undefined]);
    }
  });

  it('is still sent with static files, which a browser may revalidate', async () => {
    const css = await request(shop.app).get('/css/app.css').expect(200);
    expect(css.headers.etag).toMatch(/^W\/"/);
    await request(shop.app).get('/css/app.css').set('If-None-Match', String(css.headers.etag)).expect(304);
  });
});
