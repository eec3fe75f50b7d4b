import type { RequestHandler } from 'express';
import type { Store as RateLimitStore } from 'express-rate-limit';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { BrowserKey } from '../http/browser-key.js';
import type { Csrf } from '../http/csrf.js';
import type { ShopMetrics } from '../metrics/index.js';
import type { Ledger } from '../orders/ledger.js';
import type { Payments } from '../payments/index.js';
import type { Catalog } from './catalog.js';

/** What the storefront needs from the outside world. createApp's deps extend it (src/app.ts). */
export interface ShopDeps {
  config: Config;
  logger: Logger;
  /** Read only here (find an order, claim a purchase, record a callback): its payment state moves in `payments`. */
  ledger: Ledger;
  /** Registers and settles orders, one status call at a time per order (src/payments/), built by the launcher. */
  payments: Payments;
  catalog: Catalog;
  /** Prometheus counters and histograms (src/metrics/); absent = nothing is counted. */
  metrics?: ShopMetrics | undefined;
  /**
   * Where a rate limiter keeps its counters, by limiter name; absent = in this process's memory. With REDIS_URL every
   * instance counts in Redis, so a limit holds across instances (src/storage/).
   */
  rateLimitStore?: ((name: string) => RateLimitStore) | undefined;
}

/** ShopDeps plus the web pieces createApp builds for the shop's routes. */
export interface ShopRouteDeps extends ShopDeps {
  csrf: Csrf;
  /** The random HttpOnly per-browser cookie: recognises a repeated Buy and limits Buys per browser. */
  browserKey: BrowserKey;
  /** Mounted only where orders are bound or shown: browsing never reads or touches the session store. */
  session: RequestHandler;
}
