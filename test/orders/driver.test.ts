import { describe, expect, it } from '@jest/globals';
import { driverFor, SQLITE_DRIVER, Sqlite } from '../../src/orders/driver.js';

describe('the SQLite driver choice', () => {
  it('uses better-sqlite3 12 on Node 20 and the Node-API build (13) from Node 22 on', () => {
    expect(driverFor('20.19.0')).toBe('better-sqlite3');
    expect(driverFor('22.12.0')).toBe('better-sqlite3-napi');
    expect(driverFor('24.21.0')).toBe('better-sqlite3-napi');
    expect(SQLITE_DRIVER).toBe(driverFor(process.versions.node));
  });

  it('loads a working driver on this Node', () => {
    const db = new Sqlite(':memory:');
    try {
      expect(db.prepare('SELECT 1 + 1 AS two').get()).toEqual({ two: 2 });
    } finally {
      db.close();
    }
  });
});
