/**
 * Preloaded (node --import) into one of the two shops of the purchases figure: turns the `synchronous = NORMAL`
 * that openDatabase sets into FULL, so the bench compares both settings on the same build. Bench only.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
for (const name of ['better-sqlite3', 'better-sqlite3-napi']) {
  let Database;
  try {
    Database = require(name);
  } catch {
    continue;
  }
  const pragma = Database.prototype.pragma;
  Database.prototype.pragma = function (source, options) {
    return pragma.call(this, /^\s*synchronous\s*=/i.test(source) ? 'synchronous = FULL' : source, options);
  };
}
