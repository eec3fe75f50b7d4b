import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';

/**
 * The sandbox's own SQLite driver choice, the same one the shop makes (docs/decisions/0005): better-sqlite3 13
 * (installed as `better-sqlite3-napi`) from Node 22 on, 12 on Node 20. Kept here rather than imported, because the
 * sandbox shares no code with the shop.
 */
export function sandboxDriverFor(nodeVersion: string): 'better-sqlite3' | 'better-sqlite3-napi' {
  return Number(nodeVersion.split('.')[0]) >= 22 ? 'better-sqlite3-napi' : 'better-sqlite3';
}

const require = createRequire(import.meta.url);
export const Sqlite = require(sandboxDriverFor(process.versions.node)) as typeof BetterSqlite3;
export type SqliteDatabase = BetterSqlite3.Database;
