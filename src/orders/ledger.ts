/**
 * The ledger's front: the `Ledger` type, its typed errors, and the SQLite ledger's factory (src/orders/sqlite/). The
 * PostgreSQL ledger opens from src/orders/postgres/ledger.ts.
 */
export { createLedger, type SqliteLedger } from './sqlite/ledger.js';
export type { Ledger, PurchaseClaim, PurchasePolicy } from './types.js';
// The shop imports the typed errors next to the ledger.
export {
  DuplicatePurchaseError,
  InvalidOrderError,
  InvalidTransitionError,
  LedgerError,
  OrderNotFoundError,
} from './errors.js';
