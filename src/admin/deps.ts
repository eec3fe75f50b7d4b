import type session from 'express-session';
import type { Store as RateLimitStore } from 'express-rate-limit';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { Ledger } from '../orders/types.js';
import type { Payments } from '../payments/index.js';

/** What the back office needs: the ledger to read, `payments` to act and settle, and the session store. */
export interface AdminDeps {
  config: Config;
  logger: Logger;
  /** Read here (orders, events) and used for the intents; an order's payment state moves only in `payments`. */
  ledger: Ledger;
  /** Capture, void, refund and the status calls after them, through the per-order gate (src/payments/). */
  payments: Payments;
  sessionStore: session.Store;
  /** Where the login's rate limiters keep their counters (shared with REDIS_URL); absent = in memory. */
  rateLimitStore?: ((name: string) => RateLimitStore) | undefined;
  /** The clock of the idle timeout; tests may move it. Default Date.now. */
  now?: () => number;
  /** How the login's slow-down waits (src/admin/throttle.ts); tests may record instead. Default a timer. */
  sleep?: (ms: number) => Promise<void>;
}
