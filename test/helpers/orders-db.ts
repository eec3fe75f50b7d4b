import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type Database } from '../../src/orders/db.js';
import { createLedger, type SqliteLedger } from '../../src/orders/ledger.js';
import type { CreateOrderInput } from '../../src/orders/types.js';

/** A temp dir per test file; `cleanup()` closes every handle opened through it and removes the dir. */
export function tempDir(prefix = 'orders-test-') {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  const handles: Database[] = [];
  return {
    dir,
    file: (name = 'shop.sqlite') => path.join(dir, name),
    open(name = 'shop.sqlite'): Database {
      const db = openDatabase(path.join(dir, name));
      handles.push(db);
      return db;
    },
    cleanup() {
      for (const db of handles) if (db.open) db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function memoryLedger(now: () => number = Date.now): { db: Database; ledger: SqliteLedger } {
  const db = openDatabase(':memory:');
  return { db, ledger: createLedger(db, { now }) };
}

export function orderInput(overrides: Partial<CreateOrderInput> = {}): CreateOrderInput {
  return {
    items: [{ productId: 'mug', name: 'Mug', quantity: 2, unitAmount: 1250 }],
    amount: 2500,
    currency: '978',
    flow: 'one-phase',
    language: 'en',
    ...overrides,
  };
}

/** One notebook, a real catalog product (€9.90), as Buy would create it; for shop tests that seed the ledger. */
export function notebookOrder(overrides: Partial<CreateOrderInput> = {}): CreateOrderInput {
  return orderInput({
    items: [{ productId: 'notebook', name: 'Notebook', quantity: 1, unitAmount: 990 }],
    amount: 990,
    ...overrides,
  });
}
