import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';

/**
 * The SQLite driver for the running Node. better-sqlite3 12 wraps its objects with node::ObjectWrap, which on
 * Node ≥ 24.19 aborts the whole process when a garbage-collected Statement is finalised outside a JS context.
 * better-sqlite3 13 (Node-API, installed under the alias `better-sqlite3-napi`) is immune but needs Node ≥ 22 and
 * crashes on Node 20. Same API, so the rest of the code doesn't care which one it got.
 * See docs/decisions/0005-sqlite-driver-per-node-version.md.
 */
export function driverFor(nodeVersion: string): 'better-sqlite3' | 'better-sqlite3-napi' {
  return Number(nodeVersion.split('.')[0]) >= 22 ? 'better-sqlite3-napi' : 'better-sqlite3';
}

const require = createRequire(import.meta.url);
export const SQLITE_DRIVER = driverFor(process.versions.node);
export const Sqlite = require(SQLITE_DRIVER) as typeof BetterSqlite3;
