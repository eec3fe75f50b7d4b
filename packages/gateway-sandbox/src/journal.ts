import type { SandboxOperation, SandboxOrder } from './types.js';

/** One state change of an order, as the operations view lists it. */
export interface OperationRecord {
  at: number;
  operation: SandboxOperation;
  status: 1 | 0;
  amount: number;
}

/** What one callback delivery attempt did; the URL never carries the checksum and nothing carries the key. */
export type DeliveryOutcome =
  | { kind: 'http'; status: number }
  | { kind: 'error'; message: string }
  /** The callbacks=lost fault swallowed the notification: nothing was sent. */
  | { kind: 'lost' }
  /** Too many deliveries were pending; this one was never started. */
  | { kind: 'skipped'; reason: string };

export interface DeliveryRecord {
  at: number;
  operation: SandboxOperation;
  /** Callback URL with the gateway's parameters but without `checksum`. */
  url: string;
  signed: boolean;
  /** 1 for the notification itself, 2 for the copy sent by the callbacks=duplicated fault. */
  copy: number;
  attempt: number;
  outcome: DeliveryOutcome;
  /** True on the attempt after which the sandbox stops retrying without a 200. */
  gaveUp?: boolean;
  /** Not a genuine notification: sent with a forged checksum or none, by a probe or a test helper on purpose. */
  probe?: 'forged' | 'unsigned';
}

export interface JournalOptions {
  /** Per-order caps so a busy or looping order cannot grow memory without bound. */
  maxOperations?: number;
  maxDeliveries?: number;
  /**
   * Called with the order's whole (capped) history after every record, to keep it on disk (store-sqlite.ts).
   * Never throws into the caller: a failure is the persister's to report.
   */
  persist?: (order: Readonly<SandboxOrder>, history: JournalView) => void;
}

interface Entry {
  operations: OperationRecord[];
  deliveries: DeliveryRecord[];
  droppedOperations: number;
  droppedDeliveries: number;
}

export interface JournalView {
  operations: readonly OperationRecord[];
  deliveries: readonly DeliveryRecord[];
  /** Older operation records dropped because of the per-order cap. */
  droppedOperations: number;
  /** Older delivery records dropped because of the per-order cap. */
  droppedDeliveries: number;
}

/**
 * History per order for the operations view. Keyed weakly by the order object, so when the store
 * purges or evicts an order its history goes with it and the journal needs no purge of its own.
 * With a persistent store, `persist` writes each order's history next to the order (and the database row goes
 * with the order too), and `restore` puts it back after a restart.
 */
export class OrderJournal {
  readonly #entries = new WeakMap<object, Entry>();
  readonly #maxOperations: number;
  readonly #maxDeliveries: number;
  readonly #persist: JournalOptions['persist'];
  readonly #deliveryListeners: ((order: Readonly<SandboxOrder>, record: DeliveryRecord) => void)[] = [];

  constructor(options: JournalOptions = {}) {
    this.#maxOperations = options.maxOperations ?? 50;
    this.#maxDeliveries = options.maxDeliveries ?? 50;
    this.#persist = options.persist;
  }

  /** Puts back the history kept on disk for an order loaded after a restart (the caps apply again). */
  restore(order: Readonly<SandboxOrder>, history: JournalView): void {
    const operations = history.operations.slice(-this.#maxOperations);
    const deliveries = history.deliveries.slice(-this.#maxDeliveries);
    this.#entries.set(order, {
      operations,
      deliveries,
      droppedOperations: history.droppedOperations + history.operations.length - operations.length,
      droppedDeliveries: history.droppedDeliveries + history.deliveries.length - deliveries.length,
    });
  }

  recordOperation(order: Readonly<SandboxOrder>, record: OperationRecord): void {
    const entry = this.#entry(order);
    // The newest operations are the ones that explain the order's current state.
    entry.droppedOperations += appendBounded(entry.operations, record, this.#maxOperations);
    this.#persist?.(order, entry);
  }

  recordDelivery(order: Readonly<SandboxOrder>, record: DeliveryRecord): void {
    const entry = this.#entry(order);
    // The newest attempts are the ones someone debugging a receiver looks at.
    entry.droppedDeliveries += appendBounded(entry.deliveries, record, this.#maxDeliveries);
    this.#persist?.(order, entry);
    for (const listener of this.#deliveryListeners) listener(order, record);
  }

  /** Calls `listener` with every delivery record (the integration journal, traffic.ts, copies them). */
  onDelivery(listener: (order: Readonly<SandboxOrder>, record: DeliveryRecord) => void): void {
    this.#deliveryListeners.push(listener);
  }

  of(order: Readonly<SandboxOrder>): JournalView {
    return this.#entries.get(order) ?? { operations: [], deliveries: [], droppedOperations: 0, droppedDeliveries: 0 };
  }

  #entry(order: Readonly<SandboxOrder>): Entry {
    let entry = this.#entries.get(order);
    if (!entry) {
      entry = { operations: [], deliveries: [], droppedOperations: 0, droppedDeliveries: 0 };
      this.#entries.set(order, entry);
    }
    return entry;
  }
}

/** Appends, dropping the oldest item past `max`; returns how many were dropped (0 or 1). */
function appendBounded<T>(list: T[], item: T, max: number): number {
  list.push(item);
  if (list.length <= max) return 0;
  list.shift();
  return 1;
}
