// staticFiles hands only public/'s own paths to express.static, so pages don't stat a file first.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import express from 'express';
import request from 'supertest';
import { staticFiles } from '../../src/http/static-files.js';

const PUBLIC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../public');

describe('staticFiles', () => {
  const app = express();
  let reachedRoutes = 0;
  app.use(staticFiles(PUBLIC, { index: false, maxAge: '1h' }));
  app.use((_req, res) => {
    reachedRoutes += 1;
    res.status(404).send('route');
  });

  it('serves the files under public/ as express.static does', async () => {
    const css = await request(app).get('/css/app.css').expect(200);
    expect(css.headers['cache-control']).toMatch(/max-age=3600/);
    expect(css.headers.etag).toBeDefined();
    await request(app).get('/favicon.ico').expect(200);
    await request(app).get('/%63ss/app.css').expect(200);
  });

  it('passes every other path to the routes without asking the disk', async () => {
    // serve-static (send) looks files up with fs.stat: count the calls.
    const stat = fs.stat;
    let stats = 0;
    (fs as { stat: unknown }).stat = (...args: Parameters<typeof fs.stat>) => {
      stats += 1;
      return stat(...args);
    };
    try {
      await request(app).get('/css/app.css').expect(200);
      expect(stats).toBe(1);
      const before = reachedRoutes;
      for (const p of ['/products/notebook', '/', '/checkout/return', '/css-not-a-folder/x', '/%zz']) {
        const res = await request(app).get(p);
        expect([p, res.text]).toEqual([p, 'route']);
      }
      expect(reachedRoutes - before).toBe(5);
      expect(stats).toBe(1);
    } finally {
      fs.stat = stat;
    }
  });

  it('a missing file under a public folder still falls through to the routes', async () => {
    const res = await request(app).get('/css/nope.css');
    expect(res.text).toBe('route');
  });
});
