import { readdirSync } from 'node:fs';
import express, { type RequestHandler } from 'express';

/**
 * `express.static` for the public folder, asked only for paths under one of its top-level entries (`/css/…`,
 * `/img/…`, `/favicon.ico`, …). Mounted in front of every route, serve-static otherwise stats a file for every page
 * before the page's route runs (about a tenth of a product page's CPU, docs/performance.md). The entries are read
 * once at start-up: a folder added to public/ later is served after a restart.
 */
export function staticFiles(dir: string, options: Parameters<typeof express.static>[1]): RequestHandler {
  const serve = express.static(dir, options);
  const entries = new Set(readdirSync(dir));
  return (req, res, next) => {
    const end = req.path.indexOf('/', 1);
    let first = end === -1 ? req.path.slice(1) : req.path.slice(1, end);
    if (first.includes('%')) {
      try {
        first = decodeURIComponent(first);
      } catch {
        return next();
      }
    }
    if (entries.has(first)) serve(req, res, next);
    else next();
  };
}
