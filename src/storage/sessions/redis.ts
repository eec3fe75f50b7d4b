import { RedisStore as RedisSessionStore } from 'connect-redis';
import type session from 'express-session';
import type { SessionData } from 'express-session';
import { sessionExpiresAt } from './expiry.js';

/** `work`, or a rejection once the command timeout has passed without an answer. */
export type Timed = <T>(work: Promise<T>) => Promise<T>;

export interface RedisSessionStoreOptions {
  /** The node-redis client; the connection belongs to its opener (`openRedis`), not to the store. */
  client: object;
  /** Put before every session id, e.g. `shop:sess:`. */
  prefix: string;
  /** Bounds the wait for each command a page sends. */
  timed: Timed;
  /** Lifetime of a session whose cookie has neither expires nor maxAge, as in the SQLite store. */
  defaultTtlMs: number;
}

/**
 * The express-session store on Redis (connect-redis), one key per session with a Redis TTL that follows the cookie
 * like the SQLite store's expiry (docs/decisions/0013-redis-sessions-and-rate-limits.md).
 */
export function createRedisSessionStore(opts: RedisSessionStoreOptions): session.Store {
  return new ShopSessionStore({
    client: withTimeouts(opts.client, SESSION_COMMANDS, opts.timed),
    prefix: opts.prefix,
    // Seconds, from the cookie like the SQLite store: expires, else maxAge, else the default. 0 or less deletes.
    ttl: (sess: SessionData) => {
      const now = Date.now();
      return Math.ceil((sessionExpiresAt(sess, now, opts.defaultTtlMs) - now) / 1000);
    },
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- connect-redis types its callbacks so
type StoreCallback = (err?: unknown, data?: any) => unknown;
const ignore: StoreCallback = () => undefined;

/**
 * connect-redis's store, whose calls made without a callback never turn a Redis failure into an unhandled
 * rejection (express-session always passes one; code that calls the store directly may not).
 */
class ShopSessionStore extends RedisSessionStore {
  override get(sid: string, cb?: StoreCallback) {
    return super.get(sid, cb ?? ignore);
  }
  override set(sid: string, sess: SessionData, cb?: StoreCallback) {
    return super.set(sid, sess, cb ?? ignore);
  }
  override touch(sid: string, sess: SessionData, cb?: StoreCallback) {
    return super.touch(sid, sess, cb ?? ignore);
  }
  override destroy(sid: string, cb?: StoreCallback) {
    return super.destroy(sid, cb ?? ignore);
  }
  override clear(cb?: StoreCallback) {
    return super.clear(cb ?? ignore);
  }
  override length(cb?: StoreCallback) {
    return super.length(cb ?? ignore);
  }
  override all(cb?: StoreCallback) {
    return super.all(cb ?? ignore);
  }
}

/** The commands connect-redis sends for a page (get, set, touch, destroy); its SCAN-based admin calls are not timed. */
const SESSION_COMMANDS = new Set<PropertyKey>(['get', 'set', 'expire', 'del', 'mGet']);

/** The client as connect-redis sees it: the listed commands fail after the command timeout. */
function withTimeouts<C extends object>(client: C, commands: ReadonlySet<PropertyKey>, timed: Timed): C {
  return new Proxy(client, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      const fn = value as (...args: unknown[]) => unknown;
      if (!commands.has(prop)) return fn.bind(target);
      return (...args: unknown[]) => timed(Promise.resolve(fn.apply(target, args)));
    },
  });
}
