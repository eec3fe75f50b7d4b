import { openSandboxDatabase } from './database.js';
import { OrderJournal, type JournalOptions, type JournalView } from './journal.js';
import type { SqliteDatabase } from './sqlite.js';
import { OrderStore, type OrderStoreOptions } from './store.js';
import { TrafficJournal, type TrafficEntry, type TrafficJournalOptions } from './traffic.js';
import type { SandboxOrder } from './types.js';

interface OrderRow {
  data: string;
  journal: string | null;
}

/** The integration journal's entries are written in batches: at most this long after the first one is queued… */
export const TRAFFIC_FLUSH_MS = 100;
/** …or as soon as this many are queued. */
export const TRAFFIC_BATCH = 500;

/** The meta key under which close() notes how many callbacks it dropped, for the next start-up log. */
const DROPPED_CALLBACKS = 'callbacksDroppedAtLastStop';

/**
 * The order store kept on disk: the in-memory store (same Map, same cap, same purge) writing every change through
 * to SQLite, and loading every order back when it opens. Reads never touch the disk.
 *
 * One process per database: openSandboxDatabase takes SQLite's exclusive lock, so this memory copy is the truth.
 */
export class SqliteOrderStore extends OrderStore {
  readonly #db: SqliteDatabase;
  readonly #file: string;
  readonly #journals = new Map<string, JournalView>();
  readonly #droppedCallbacks: number;
  readonly #q: ReturnType<typeof prepare>;
  readonly #pendingTraffic: { entry: TrafficEntry; droppedSeq: number | undefined }[] = [];
  #trafficTimer: ReturnType<typeof setTimeout> | undefined;

  /** Opens `<dir>/sandbox.db` (':memory:' for a throw-away database) and loads the orders it keeps. */
  constructor(dir: string, options: OrderStoreOptions = {}) {
    super(options);
    const { db, file } = openSandboxDatabase(dir);
    this.#db = db;
    this.#file = file;
    this.#q = prepare(db);
    try {
      const rows = db.prepare<[], OrderRow>('SELECT data, journal FROM orders ORDER BY seq').all();
      // super.add, not this.add: the rows are on disk already. The cap applies, in case it was lowered meanwhile.
      db.transaction(() => {
        for (const row of rows) {
          const order = parseOrder(row.data, file);
          super.add(order);
          if (row.journal !== null) this.#journals.set(order.id, parseJournal(row.journal, file));
        }
      }).immediate();
      const dropped = this.#q.getMeta.get(DROPPED_CALLBACKS);
      this.#droppedCallbacks = dropped === undefined ? 0 : Number(dropped);
      this.#q.deleteMeta.run(DROPPED_CALLBACKS);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  override get file(): string {
    return this.#file;
  }

  /** Callbacks that were still pending when the previous run stopped: not resent (docs/sandbox.md, Persistence). */
  get droppedCallbacksAtLastStop(): number {
    return this.#droppedCallbacks;
  }

  /** The history kept for an order loaded at open, for OrderJournal.restore. */
  restoredJournal(id: string): JournalView | undefined {
    return this.#journals.get(id);
  }

  override add(order: SandboxOrder): void {
    if (!this.#db.open) return super.add(order);
    this.#db
      .transaction(() => {
        this.#q.insert.run(order.id, order.merchantLogin, order.orderNumber, JSON.stringify(order));
        // Eviction past the cap deletes rows through this.delete, in the same transaction.
        super.add(order);
      })
      .immediate();
  }

  override save(order: SandboxOrder): void {
    if (this.#db.open) this.#q.update.run(JSON.stringify(order), order.id);
  }

  /** OrderJournal's `persist`: the order's capped history, next to the order (a purged order's is gone with it). */
  saveJournal(order: Readonly<SandboxOrder>, history: JournalView): void {
    if (!this.#db.open) return;
    const { operations, deliveries, droppedOperations, droppedDeliveries } = history;
    this.#q.journal.run(JSON.stringify({ operations, deliveries, droppedOperations, droppedDeliveries }), order.id);
  }

  override delete(id: string): boolean {
    const deleted = super.delete(id);
    this.#journals.delete(id);
    if (this.#db.open) this.#q.delete.run(id);
    return deleted;
  }

  override purge(isStale: (order: SandboxOrder) => boolean): number {
    if (!this.#db.open) return super.purge(isStale);
    return this.#db.transaction(() => super.purge(isStale)).immediate();
  }

  /** The integration journal's entries kept on disk, oldest first (parsed; a row that does not parse is an error). */
  trafficEntries(): TrafficEntry[] {
    return this.#q.trafficAll.all().map((row) => parseEntry(row.data, this.#file));
  }

  /**
   * TrafficJournal's `persist`: the entry (and the deletion of the one its merchant's bound dropped) is queued and
   * written with the others of the same batch in one transaction: a batch is written TRAFFIC_FLUSH_MS after its
   * first entry, or as soon as it holds TRAFFIC_BATCH entries, whichever comes first, and close() writes what is
   * queued. So a busy REST path pays one commit per batch, not one per call (or per event-loop turn, as before:
   * bench/journal-cost.js counts the difference). A crash (not a stop) loses at most the last batch: those entries
   * were listed but are not on disk, and after the restart the journal carries on after the last seq written.
   */
  appendTraffic(entry: TrafficEntry, droppedSeq: number | undefined): void {
    if (!this.#db.open) return;
    this.#pendingTraffic.push({ entry, droppedSeq });
    if (this.#pendingTraffic.length >= TRAFFIC_BATCH) this.#flushTraffic();
    else if (this.#trafficTimer === undefined)
      this.#trafficTimer = setTimeout(() => this.#flushTraffic(), TRAFFIC_FLUSH_MS);
  }

  #flushTraffic(): void {
    clearTimeout(this.#trafficTimer);
    this.#trafficTimer = undefined;
    const pending = this.#pendingTraffic.splice(0);
    if (!this.#db.open || pending.length === 0) return;
    try {
      this.#db.transaction(() => {
        for (const { entry, droppedSeq } of pending) {
          this.#q.trafficInsert.run(entry.seq, entry.merchant ?? '', JSON.stringify(entry));
          if (droppedSeq !== undefined) this.#q.trafficDelete.run(droppedSeq);
        }
      })();
    } catch {
      // Thrown, it would stop the sandbox (a timer) or fail a call already answered. The entries stay in memory; counted.
      this.trafficWriteFailures += pending.length;
    }
  }

  /** Journal entries that could not be written to the database (they are still listed until the next restart). */
  trafficWriteFailures = 0;

  /** Deletes entries the journal no longer keeps (a bound lowered since they were written). */
  deleteTraffic(seqs: readonly number[]): void {
    if (!this.#db.open || seqs.length === 0) return;
    this.#db.transaction(() => {
      for (const seq of seqs) this.#q.trafficDelete.run(seq);
    })();
  }

  /** Deletes journal entries, those still queued for the next batch too (it is written first). */
  forgetTraffic(seqs: readonly number[]): void {
    if (!this.#db.open) return;
    this.#flushTraffic();
    this.deleteTraffic(seqs);
  }

  /** Notes callbacks dropped by this stop, for the next start-up log, and closes the database. */
  closeNoting(droppedCallbacks: number): void {
    if (!this.#db.open) return;
    this.#flushTraffic();
    if (droppedCallbacks > 0) this.#q.setMeta.run(DROPPED_CALLBACKS, String(droppedCallbacks));
    this.#db.close();
  }

  override close(): void {
    this.closeNoting(0);
  }
}

function prepare(db: SqliteDatabase) {
  return {
    insert: db.prepare('INSERT INTO orders (id, merchant_login, order_number, data) VALUES (?, ?, ?, ?)'),
    update: db.prepare('UPDATE orders SET data = ? WHERE id = ?'),
    journal: db.prepare('UPDATE orders SET journal = ? WHERE id = ?'),
    delete: db.prepare('DELETE FROM orders WHERE id = ?'),
    getMeta: db.prepare<[string], string>('SELECT value FROM meta WHERE key = ?').pluck(),
    setMeta: db.prepare(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    ),
    deleteMeta: db.prepare('DELETE FROM meta WHERE key = ?'),
    trafficAll: db.prepare<[], { data: string }>('SELECT data FROM journal_entries ORDER BY seq'),
    trafficInsert: db.prepare('INSERT INTO journal_entries (seq, merchant, data) VALUES (?, ?, ?)'),
    trafficDelete: db.prepare('DELETE FROM journal_entries WHERE seq = ?'),
  };
}

/** Rows are written by this store only; one that does not parse means the file was changed by something else. */
function parseOrder(data: string, file: string): SandboxOrder {
  const order = parseJson(data, file) as Partial<SandboxOrder>;
  if (typeof order.id !== 'string' || typeof order.merchantLogin !== 'string' || typeof order.orderNumber !== 'string')
    throw new Error(`the sandbox database ${file} holds an order it cannot read: delete the file to start empty`);
  return order as SandboxOrder;
}

function parseJournal(data: string, file: string): JournalView {
  const view = parseJson(data, file) as Partial<JournalView>;
  return {
    operations: Array.isArray(view.operations) ? view.operations : [],
    deliveries: Array.isArray(view.deliveries) ? view.deliveries : [],
    droppedOperations: typeof view.droppedOperations === 'number' ? view.droppedOperations : 0,
    droppedDeliveries: typeof view.droppedDeliveries === 'number' ? view.droppedDeliveries : 0,
  };
}

function parseEntry(data: string, file: string): TrafficEntry {
  const entry = parseJson(data, file) as Partial<TrafficEntry>;
  if (typeof entry.seq !== 'number' || typeof entry.kind !== 'string')
    throw new Error(
      `the sandbox database ${file} holds a journal entry it cannot read: delete the file to start empty`,
    );
  return entry as TrafficEntry;
}

function parseJson(data: string, file: string): unknown {
  try {
    return JSON.parse(data) as unknown;
  } catch {
    throw new Error(`the sandbox database ${file} holds a row it cannot read: delete the file to start empty`);
  }
}

/**
 * The store and journal of a sandbox that keeps its orders in `<dir>/sandbox.db`, the journal writing each order's
 * history next to it and the histories kept on disk put back. For createSandboxApp's `store` and `journal`.
 */
export function openPersistentOrders(
  dir: string,
  options: OrderStoreOptions & JournalOptions & { traffic?: TrafficJournalOptions } = {},
): { store: SqliteOrderStore; journal: OrderJournal; traffic: TrafficJournal } {
  const store = new SqliteOrderStore(dir, options);
  const journal = new OrderJournal({ ...options, persist: (order, history) => store.saveJournal(order, history) });
  for (const order of store.values()) {
    const history = store.restoredJournal(order.id);
    if (history) journal.restore(order, history);
  }
  const traffic = new TrafficJournal({
    ...options.traffic,
    persist: {
      append: (entry, dropped) => store.appendTraffic(entry, dropped),
      forget: (seqs) => store.forgetTraffic(seqs),
    },
  });
  store.deleteTraffic(traffic.restore(store.trafficEntries()));
  return { store, journal, traffic };
}
