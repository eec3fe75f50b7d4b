import type { RequestHandler } from 'express';
import type { Store as RateLimitStore } from 'express-rate-limit';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { GatewayClient } from '../gateway/index.js';
import type { BrowserKey } from '../http/browser-key.js';
import type { Csrf } from '../http/csrf.js';
import type { ShopMetrics } from '../metrics/index.js';
import type { Ledger } from '../orders/ledger.js';
import type { Order, StatusCause } from '../orders/types.js';
import type { Catalog } from './catalog.js';

/** What the storefront needs from the outside world. createApp's deps extend it (src/app.ts). */
export interface ShopDeps {
  config: Config;
  logger: Logger;
  ledger: Ledger;
  gateway: GatewayClient;
  catalog: Catalog;
  /** Called exactly once per order, when it first becomes paid (or authorized in two-phase): ship the goods here. */
  onFulfilled?: (orderId: number) => void;
  /** Called after every attempt to bring an order up to date from the gateway, whatever its outcome. */
  onSettled?: (order: Order, cause: StatusCause) => void;
  /** Prometheus counters and histograms (src/metrics/); absent = nothing is counted. */
  metrics?: ShopMetrics | undefined;
  /**
   * Where a rate limiter keeps its counters, by limiter name; absent = in this process's memory. With REDIS_URL every
   * instance counts in Redis, so a limit holds across instances (src/storage/).
   */
  rateLimitStore?: ((name: string) => RateLimitStore) | undefined;
  /**
   * Claims `key` for `ms` across every instance: true when this call got it (Redis SET NX PX with REDIS_URL). Absent,
   * a gate that uses it holds per process only. A rejection counts as got: the local gate still bounds the calls.
   */
  cooldown?: ((key: string, ms: number) => Promise<boolean>) | undefined;
}

/** ShopDeps plus the web pieces createApp builds for the shop's routes. */
export interface ShopRouteDeps extends ShopDeps {
  csrf: Csrf;
  /** The random HttpOnly per-browser cookie: recognises a repeated Buy and limits Buys per browser. */
  browserKey: BrowserKey;
  /** Mounted only where orders are bound or shown: browsing never reads or touches the session store. */
  session: RequestHandler;
}
