import { listFilter, recentLimit } from '../rules.js';
import { toOrder } from '../rows.js';
import type { Ledger, Synchronous } from '../types.js';
import type { SqliteKit } from './writes.js';

type ReadMethods = Pick<
  Synchronous<Ledger>,
  | 'get'
  | 'findByGatewayOrderId'
  | 'findByOrderNumber'
  | 'events'
  | 'listRecent'
  | 'listOrders'
  | 'fulfilment'
  | 'unitsSold'
>;

/** The ledger's reads on SQLite: no transaction, no lock (each is one statement). */
export function createSqliteReads({ q, log, find }: SqliteKit): ReadMethods {
  return {
    get: (id) => find(q.byId.get(id)),
    findByGatewayOrderId: (orderId) => find(q.byGatewayId.get(orderId)),
    findByOrderNumber: (n) => find(q.byNumber.get(n)),
    events: (orderId) => log.list(orderId),
    listRecent: (limit) => q.recent.all(recentLimit(limit)).map(toOrder),
    listOrders(query) {
      const filter = listFilter(query);
      const page = { ...filter, limit: query.limit, offset: query.offset };
      return { orders: q.listPage.all(page).map(toOrder), total: q.listCount.get(filter) ?? 0 };
    },
    fulfilment: (orderId) => q.fulfilment.get(orderId),
    unitsSold: (productId) => q.unitsSold.get(productId) ?? 0,
  };
}
