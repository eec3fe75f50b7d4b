import type { Database } from '../db.js';
import { InvalidTransitionError, OrderNotFoundError } from '../errors.js';
import { createEventLog, type EventLog } from '../events.js';
import { formatOrderNumber, randomBase32 } from '../order-number.js';
import { itemsJson, toOrder, type OrderRow } from '../rows.js';
import { casFrom, casTarget, createdEvent, type PlannedEvent, type Plan, type RowWrite } from '../rules.js';
import type { CreateOrderInput, Order } from '../types.js';
import { prepareOrderStatements, type OrderStatements } from './statements.js';

/** What the SQLite ledger's parts share: the statements, the event log, and the reads and writes of an order. */
export interface SqliteKit {
  db: Database;
  q: OrderStatements;
  log: EventLog;
  now: () => number;
  find: (row: OrderRow | undefined) => Order | undefined;
  /** The order, or OrderNotFoundError. */
  mustGet: (id: number) => Order;
  /** Writes a plan (src/orders/rules.ts) on `o`'s row; runs inside the caller's transaction. Answers the row after. */
  apply: (o: Order, plan: Plan, t: number) => Order;
  /** Writes a new 'new' order and its 'created' event; runs inside the caller's transaction. */
  insertOrder: (input: CreateOrderInput, t: number, owner?: string | null) => Order;
}

export function createSqliteKit(db: Database, now: () => number): SqliteKit {
  const q = prepareOrderStatements(db);
  const log = createEventLog(db);
  const find = (row: OrderRow | undefined) => (row ? toOrder(row) : undefined);
  const mustGet = (id: number): Order => {
    const o = find(q.byId.get(id));
    if (!o) throw new OrderNotFoundError(id);
    return o;
  };
  const writeEvents = (id: number, t: number, events: readonly PlannedEvent[]) => {
    for (const e of events) log.write(id, t, e.kind, e.outcome, e.detail);
  };

  /** The row write; answers the rows it changed (a compare-and-set that changed none lost: the row moved). */
  const write = (id: number, w: RowWrite, t: number): number => {
    const from = JSON.stringify(casFrom(w));
    switch (w.kind) {
      case 'register':
        return q.register.run(w.gatewayOrderId, w.formUrl, t, id, from).changes;
      case 'fail':
        return q.fail.run(w.status, t, id, from).changes;
      case 'move': {
        const { orderStatus, actionCode, deposited, refunded, paidAt } = w.fields;
        const gateway = { gatewayStatus: orderStatus, actionCode, deposited, refunded };
        return q.transition.run({ id, to: w.to, now: t, from, paidAt, ...gateway }).changes;
      }
      case 'refresh': {
        const { orderStatus, actionCode, deposited, refunded } = w.fields;
        return q.refresh.run({ id, gatewayStatus: orderStatus, actionCode, now: t, deposited, refunded }).changes;
      }
      case 'release':
        return q.release.run(t, id).changes;
      case 'adopt':
        return q.adopt.run(w.gatewayOrderId, t, id).changes;
    }
  };

  const apply = (o: Order, plan: Plan, t: number): Order => {
    if (plan.write) {
      const target = casTarget(plan.write);
      // Cannot happen under the write lock; if it did, nothing of the plan is kept (the transaction rolls back).
      if (write(o.id, plan.write, t) !== 1 && target)
        throw new InvalidTransitionError(o.id, mustGet(o.id).status, target);
    }
    if (plan.card) q.card.run(plan.card.maskedPan, plan.card.paymentWay, o.id);
    if (plan.fulfil) {
      q.fulfil.run(o.id, t, plan.fulfil.status);
      for (const [productId, quantity] of plan.fulfil.units) q.sell.run(productId, quantity);
    }
    writeEvents(o.id, t, plan.events);
    return plan.write ? mustGet(o.id) : o;
  };

  const insertOrder = (input: CreateOrderInput, t: number, owner: string | null = null): Order => {
    const { lastInsertRowid } = q.insert.run({
      // Placeholder satisfying UNIQUE until the id is known; replaced in the same transaction.
      orderNumber: `tmp-${randomBase32(20)}`,
      items: itemsJson(input.items),
      amount: input.amount,
      currency: input.currency,
      flow: input.flow,
      language: input.language,
      purchaseKey: input.purchaseKey ?? null,
      now: t,
      claimOwner: owner,
    });
    const id = Number(lastInsertRowid);
    q.setNumber.run(formatOrderNumber(id, t), id);
    writeEvents(id, t, [createdEvent(input)]);
    return mustGet(id);
  };

  return { db, q, log, now, find, mustGet, apply, insertOrder };
}
