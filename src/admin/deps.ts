import type session from 'express-session';
import type { ShopDeps } from '../shop/deps.js';

/** What the back office needs: the shop's dependencies plus the session store it shares with the shop. */
export interface AdminDeps extends ShopDeps {
  sessionStore: session.Store;
  /** The clock of the idle timeout; tests may move it. Default Date.now. */
  now?: () => number;
  /** How the login's slow-down waits (src/admin/throttle.ts); tests may record instead. Default a timer. */
  sleep?: (ms: number) => Promise<void>;
}
