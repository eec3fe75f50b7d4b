import type { SandboxOrder } from './types.js';

export interface OrderStoreOptions {
  /**
   * Hard cap per merchant: beyond it that merchant's oldest orders are dropped so memory stays flat under any load.
   * Per merchant, so one merchant (or whoever holds its credentials) filling its cap never evicts another's orders.
   */
  maxOrders?: number;
}

/**
 * In-memory order store. Maps keep insertion order, which is creation order here,
 * so "oldest first" eviction and listing need no extra index (one Map of ids per merchant for its own cap).
 *
 * The orders handed out are the stored objects themselves: the engine changes them in place and then calls
 * `save(order)`. Here that is a no-op; the SQLite store (store-sqlite.ts), which keeps the same Map and writes
 * through to disk, writes the order there.
 */
export class OrderStore {
  readonly #byId = new Map<string, SandboxOrder>();
  readonly #byNumber = new Map<string, string>();
  /** Each merchant's order ids, oldest first: what its cap counts and evicts. */
  readonly #byMerchant = new Map<string, Set<string>>();
  readonly #maxOrders: number;

  constructor(options: OrderStoreOptions = {}) {
    this.#maxOrders = options.maxOrders ?? 50_000;
  }

  get size(): number {
    return this.#byId.size;
  }

  add(order: SandboxOrder): void {
    this.#byId.set(order.id, order);
    this.#byNumber.set(numberKey(order.merchantLogin, order.orderNumber), order.id);
    let mine = this.#byMerchant.get(order.merchantLogin);
    if (!mine) this.#byMerchant.set(order.merchantLogin, (mine = new Set()));
    mine.add(order.id);
    while (mine.size > this.#maxOrders) {
      const oldest = mine.values().next().value;
      if (oldest === undefined) break;
      this.delete(oldest);
    }
  }

  /** How many orders one merchant has stored (what its cap counts). */
  countOf(merchantLogin: string): number {
    return this.#byMerchant.get(merchantLogin)?.size ?? 0;
  }

  /** Called after every change to an order the store holds; the in-memory store already holds the change. */
  save(_order: SandboxOrder): void {}

  /** Where the orders are kept, for the start-up log: undefined = in memory only. */
  get file(): string | undefined {
    return undefined;
  }

  /** Releases what the store holds open (the SQLite store's database); the in-memory store has nothing to release. */
  close(): void {}

  get(id: string): SandboxOrder | undefined {
    return this.#byId.get(id);
  }

  findByNumber(merchantLogin: string, orderNumber: string): SandboxOrder | undefined {
    const id = this.#byNumber.get(numberKey(merchantLogin, orderNumber));
    return id === undefined ? undefined : this.#byId.get(id);
  }

  delete(id: string): boolean {
    const order = this.#byId.get(id);
    if (!order) return false;
    this.#byId.delete(id);
    this.#byNumber.delete(numberKey(order.merchantLogin, order.orderNumber));
    const mine = this.#byMerchant.get(order.merchantLogin);
    mine?.delete(id);
    if (mine?.size === 0) this.#byMerchant.delete(order.merchantLogin);
    return true;
  }

  /** Newest first, optionally for one merchant; for an operations page. */
  list(filter: { merchantLogin?: string; limit?: number } = {}): SandboxOrder[] {
    const all = [...this.#byId.values()].reverse();
    const mine = filter.merchantLogin ? all.filter((o) => o.merchantLogin === filter.merchantLogin) : all;
    return mine.slice(0, filter.limit ?? mine.length);
  }

  values(): IterableIterator<SandboxOrder> {
    return this.#byId.values();
  }

  /** Drops every order for which `isStale` says so; returns how many went. */
  purge(isStale: (order: SandboxOrder) => boolean): number {
    let purged = 0;
    for (const order of [...this.#byId.values()]) {
      if (isStale(order) && this.delete(order.id)) purged += 1;
    }
    return purged;
  }
}

function numberKey(merchantLogin: string, orderNumber: string): string {
  // A newline cannot appear in a login, so the key is unambiguous.
  return `${merchantLogin}\n${orderNumber}`;
}
