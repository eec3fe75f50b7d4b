import type pg from 'pg';
import { listFilter, recentLimit } from '../rules.js';
import { toEvent, toOrder, type EventRow, type OrderRow } from '../rows.js';
import type { Ledger } from '../types.js';
import type { Async } from './client.js';
import { isId, one, storable } from './writes.js';

type ReadMethods = Async<
  Pick<
    Ledger,
    | 'get'
    | 'findByGatewayOrderId'
    | 'findByOrderNumber'
    | 'events'
    | 'listRecent'
    | 'listOrders'
    | 'fulfilment'
    | 'unitsSold'
  >
>;

/** SQLite's LIKE folds ASCII letters only; PostgreSQL's ILIKE would fold more. Both sides are folded the same way. */
const FOLD = `'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'`;
const LIST_FILTER = `($1::text IS NULL OR status = $1)
  AND ($2::text IS NULL OR translate(order_number, ${FOLD}) LIKE $2 ESCAPE '\\'
       OR translate(gateway_order_id, ${FOLD}) LIKE $2 ESCAPE '\\')`;

/** The ledger's reads on PostgreSQL, on the pool (no transaction). A value no row can hold is not sent. */
export function createPostgresReads(pool: pg.Pool): ReadMethods {
  return {
    get: async (id) => (isId(id) ? one(pool, 'SELECT * FROM orders WHERE id = $1', [id]) : undefined),
    findByGatewayOrderId: async (orderId) =>
      storable(orderId) ? one(pool, 'SELECT * FROM orders WHERE gateway_order_id = $1', [orderId]) : undefined,
    findByOrderNumber: async (n) =>
      storable(n) ? one(pool, 'SELECT * FROM orders WHERE order_number = $1', [n]) : undefined,

    async events(orderId) {
      if (!isId(orderId)) return [];
      const sql = 'SELECT * FROM order_events WHERE order_id = $1 ORDER BY id';
      return (await pool.query<EventRow>(sql, [orderId])).rows.map(toEvent);
    },

    async listRecent(limit) {
      const sql = 'SELECT * FROM orders ORDER BY id DESC LIMIT $1';
      return (await pool.query<OrderRow>(sql, [recentLimit(limit)])).rows.map(toOrder);
    },

    async listOrders(query) {
      const { status, like } = listFilter(query);
      if (query.text !== undefined && !storable(query.text)) return { orders: [], total: 0 };
      const filter = [status, like];
      const [page, count] = await Promise.all([
        pool.query<OrderRow>(`SELECT * FROM orders WHERE ${LIST_FILTER} ORDER BY id DESC LIMIT $3 OFFSET $4`, [
          ...filter,
          query.limit,
          query.offset,
        ]),
        pool.query<{ n: number }>(`SELECT count(*) AS n FROM orders WHERE ${LIST_FILTER}`, filter),
      ]);
      return { orders: page.rows.map(toOrder), total: count.rows[0]?.n ?? 0 };
    },

    async fulfilment(orderId) {
      if (!isId(orderId)) return undefined;
      const sql = 'SELECT at, status FROM fulfilments WHERE order_id = $1';
      return (await pool.query<{ at: number; status: string }>(sql, [orderId])).rows[0];
    },

    async unitsSold(productId) {
      if (!storable(productId)) return 0;
      const sql = 'SELECT sold FROM product_sales WHERE product_id = $1';
      return (await pool.query<{ sold: number }>(sql, [productId])).rows[0]?.sold ?? 0;
    },
  };
}
