import { describe, it, expect, afterAll } from '@jest/globals';
import { chmodSync, existsSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { migrate, openDatabase } from '../../src/orders/db.js';
import { Sqlite } from '../../src/orders/driver.js';
import { MIGRATIONS } from '../../src/orders/migrations.js';
import { createLedger } from '../../src/orders/ledger.js';
import { orderInput, tempDir } from '../helpers/orders-db.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const latest = Math.max(...MIGRATIONS.map((m) => m.version));
const tables = (db: ReturnType<typeof openDatabase>) =>
  db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];

describe('openDatabase / migrate', () => {
  it('when opening a fresh file in a missing folder, then creates the folder, applies every migration and records the version', () => {
    const file = path.join(tmp.dir, 'nested', 'deeper', 'fresh.sqlite');
    const db = openDatabase(file);
    try {
      expect(existsSync(file)).toBe(true);
      expect(db.pragma('user_version', { simple: true })).toBe(latest);
      expect(tables(db)).toEqual(expect.arrayContaining(['orders', 'order_events', 'sessions']));
    } finally {
      db.close();
    }
  });

  it('when opening a fresh file, then the folder is 0700 and the database, WAL and shared-memory files are 0600', () => {
    const folder = path.join(tmp.dir, 'private');
    const file = path.join(folder, 'shop.sqlite');
    const db = openDatabase(file);
    try {
      createLedger(db).createOrder(orderInput()); // a write, so the -wal file exists
      const mode = (f: string) => statSync(f).mode & 0o777;
      expect(mode(folder)).toBe(0o700);
      for (const f of [file, `${file}-wal`, `${file}-shm`]) expect([f, mode(f)]).toEqual([f, 0o600]);
    } finally {
      db.close();
    }
  });

  it('when a database file left readable by others is opened, then it is made 0600', () => {
    const file = path.join(tmp.dir, 'loose.sqlite');
    writeFileSync(file, '');
    chmodSync(file, 0o644);
    openDatabase(file).close();
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('when opening a file, then uses WAL with synchronous NORMAL, foreign keys and a 5 s busy timeout', () => {
    const db = tmp.open('pragmas.sqlite');
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(1); // 1 = NORMAL, 2 = FULL
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
  });

  it('when opening :memory:, then migrates without WAL', () => {
    const db = openDatabase(':memory:');
    expect(db.pragma('journal_mode', { simple: true })).toBe('memory');
    expect(db.pragma('user_version', { simple: true })).toBe(latest);
    db.close();
  });

  it('when migrate runs again (and the file is reopened), then nothing changes and no error is raised', () => {
    const db = tmp.open('rerun.sqlite');
    const ledger = createLedger(db);
    ledger.createOrder(orderInput());
    const schemaBefore = db.prepare('SELECT sql FROM sqlite_master ORDER BY name').pluck().all();
    migrate(db);
    migrate(db);
    db.close();
    const again = tmp.open('rerun.sqlite');
    expect(again.prepare('SELECT sql FROM sqlite_master ORDER BY name').pluck().all()).toEqual(schemaBefore);
    expect(again.pragma('user_version', { simple: true })).toBe(latest);
    expect(again.prepare('SELECT count(*) FROM orders').pluck().get()).toBe(1);
  });

  it('when an old database is at version 1, then only the newer migrations run', () => {
    const db = new Sqlite(':memory:');
    migrate(db, MIGRATIONS.slice(0, 1));
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    migrate(db);
    expect(tables(db)).toContain('sessions');
    const columns = db.prepare("SELECT name FROM pragma_table_info('orders')").pluck().all();
    expect(columns).toEqual(expect.arrayContaining(['checked_at', 'lease_until', 'lease_holder']));
    expect(db.pragma('user_version', { simple: true })).toBe(latest);
    db.close();
  });

  it('when a migration fails, then its changes and the version bump are rolled back together', () => {
    const db = openDatabase(':memory:');
    const broken = [
      ...MIGRATIONS,
      { version: latest + 1, name: 'broken', sql: 'CREATE TABLE half (x); SELECT * FROM nope;' },
    ];
    expect(() => migrate(db, broken)).toThrow();
    expect(tables(db)).not.toContain('half');
    expect(db.pragma('user_version', { simple: true })).toBe(latest);
    db.close();
  });

  it('when the file was written by a newer build, then opening refuses instead of guessing', () => {
    const file = tmp.file('future.sqlite');
    const db = openDatabase(file);
    db.pragma(`user_version = ${latest + 5}`);
    db.close();
    expect(() => openDatabase(file)).toThrow(/newer than this build/);
  });
});

describe('persistence', () => {
  it('when the database is closed and reopened, then orders, statuses and events are still there', () => {
    const file = tmp.file('persist.sqlite');
    const first = openDatabase(file);
    const ledger = createLedger(first);
    const o = ledger.createOrder(orderInput({ purchaseKey: 'sess-1:cart' }));
    ledger.markRegistered(o.id, { gatewayOrderId: 'gw-1', formUrl: 'https://pay.example/form?mdOrder=gw-1' });
    ledger.applyGatewayStatus(o.id, { orderStatus: 2, actionCode: 0 });
    first.close();

    const second = openDatabase(file);
    try {
      const reopened = createLedger(second);
      const back = reopened.findByOrderNumber(o.orderNumber);
      expect(back).toMatchObject({ id: o.id, status: 'paid', gatewayOrderId: 'gw-1', amount: 2500, currency: '978' });
      expect(back?.items).toEqual(orderInput().items);
      expect(reopened.events(o.id).map((e) => e.kind)).toEqual(['created', 'register', 'status', 'fulfilled']);
      // Paid again after the restart: still no second fulfilment.
      expect(reopened.applyGatewayStatus(o.id, { orderStatus: 2, actionCode: 0 }).fulfilled).toBe(false);
    } finally {
      second.close();
    }
  });
});
