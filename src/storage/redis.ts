import { MemoryStore, type Store as RateLimitStore, type IncrementResponse } from 'express-rate-limit';
import type session from 'express-session';
import type { Logger } from 'pino';
import { RedisStore as RedisRateLimitStore, type RedisReply } from 'rate-limit-redis';
import { createClient } from 'redis';
import type { ReadinessCheck } from '../metrics/readiness.js';
import { createRedisSessionStore } from './sessions/redis.js';

/**
 * Sessions and rate-limit counters in Redis (REDIS_URL), so several shop instances share them
 * (docs/decisions/0013-redis-sessions-and-rate-limits.md).
 *
 * Key layout, all under the optional global `keyPrefix`:
 * - `shop:sess:<sid>` — a session (and binding.ts's `browser:<id>` notes, which go through the same store), with a
 *   Redis TTL that follows the cookie like the SQLite store's expiry;
 * - `shop:rl:<limiter>:<client key>` — one rate limiter's counter, expiring with its window;
 * - `shop:cooldown:<key>` — `cooldown()`'s marks.
 */

export interface OpenRedisOptions {
  logger: Logger;
  /** Put before every key, e.g. `test-1a2b:` so tests or several shops can share one Redis. Default none. */
  keyPrefix?: string;
  /** How long one connection attempt's TCP/TLS handshake may take (its HELLO gets commandTimeoutMs more). Default 2000 ms. */
  connectTimeoutMs?: number;
  /**
   * How long one command may take before the call fails (and a page answers with the error page), even when Redis
   * accepted it and never answers. Default 2000 ms.
   */
  commandTimeoutMs?: number;
  /** Lifetime of a session whose cookie has neither expires nor maxAge, as in the SQLite store. Default 24 h. */
  defaultSessionTtlMs?: number;
  /**
   * Limiters (by name) that keep counting in this process's memory while Redis fails, instead of failing the request.
   * Default `['callback', 'return']`: a gateway callback and a buyer's return only trigger a status check against the
   * ledger, which does not need Redis, and that check has its own per-order single flight and cool-down
   * (docs/decisions/0013-redis-sessions-and-rate-limits.md).
   */
  failOpenLimiters?: readonly string[];
}

export interface RedisState {
  /** express-session store for the shop and the back office. The connection belongs to `close()`, not to the store. */
  sessionStore: session.Store & { close?(): void };
  /** A new express-rate-limit store for the limiter `name` (one per limiter; instances with one name share counts). */
  rateLimitStore: (name: string) => RateLimitStore;
  /** The `redis` readiness check: connected and answering PING. */
  readiness: ReadinessCheck;
  /**
   * Claims `key` for `ms` milliseconds across every instance (SET NX PX): true when this call claimed it, false when
   * an earlier claim is still running. Rejects when Redis fails.
   */
  cooldown: (key: string, ms: number) => Promise<boolean>;
  /** Quits the connection (or drops it while Redis is away), so the process can exit. */
  close: () => Promise<void>;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const LIMITER_NAME = /^[a-z0-9][a-z0-9-]*$/;

/** `host:port` of a Redis URL: what messages and logs may name. Never the username or password. */
export function redisAddress(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '6379'}`;
  } catch {
    return '(unparsable REDIS_URL)';
  }
}

/**
 * Connects to Redis and builds the stores on that one connection. Rejects, naming only host:port, when the first
 * connection fails; after that a lost connection is re-established with backoff while requests that need Redis fail
 * fast (the error page), and the outage is logged once.
 */
export async function openRedis(url: string, opts: OpenRedisOptions): Promise<RedisState> {
  const address = redisAddress(url);
  const secrets = credentialsOf(url);
  const scrub = (text: string): string => secrets.reduce((s, secret) => s.split(secret).join('***'), text);
  const log = opts.logger.child({ redis: address });
  const keyPrefix = opts.keyPrefix ?? '';
  const defaultTtlMs = opts.defaultSessionTtlMs ?? DAY_MS;
  const failOpen = new Set(opts.failOpenLimiters ?? ['callback', 'return']);
  const commandTimeoutMs = opts.commandTimeoutMs ?? 2_000;
  const connectTimeoutMs = opts.connectTimeoutMs ?? 2_000;
  const timed = <T>(work: Promise<T>) => withTimeout(work, commandTimeoutMs);

  let connected = false;
  let closing = false;
  let outage = false;
  let firstError: unknown;

  const client = createClient({
    url,
    socket: {
      connectTimeout: connectTimeoutMs,
      // Before the first connection: give up at once, so start-up fails with a clear message. After it: keep trying,
      // 100 ms doubling up to 5 s, with jitter so several instances don't reconnect in step.
      reconnectStrategy: (retries, cause) => {
        if (!connected) {
          firstError = cause;
          return false;
        }
        return Math.min(100 * 2 ** Math.min(retries, 10), 5_000) + Math.floor(Math.random() * 100);
      },
    },
    // While reconnecting, commands fail at once instead of waiting in a queue: a page gets its error page now.
    disableOfflineQueue: true,
    // node-redis times a command out only until it is written; `timed` covers the wait for the answer too.
    commandOptions: { timeout: commandTimeoutMs },
  });

  // An 'error' without a listener would crash the process; node-redis emits one per failed attempt, so only the
  // first of an outage is logged. Messages are socket or server errors; scrubbed anyway.
  client.on('error', (err: unknown) => {
    firstError ??= err;
    if (!connected || closing || outage) return;
    outage = true;
    log.error({ err: safeError(err, scrub) }, 'redis connection lost; sessions and rate limits fail until it is back');
  });
  client.on('ready', () => {
    if (outage) log.info('redis connection restored');
    outage = false;
  });

  try {
    // connectTimeout covers the TCP (and TLS) handshake only; a server that accepts and never answers HELLO is
    // caught by this one.
    await withTimeout(client.connect(), connectTimeoutMs + commandTimeoutMs, 'connection timed out');
  } catch (err) {
    if (client.isOpen) client.destroy();
    const reason = describe(firstError ?? err, scrub);
    throw new Error(`cannot connect to Redis at ${address} (REDIS_URL): ${reason}`);
  }
  connected = true;

  const sessionStore = createRedisSessionStore({
    client,
    prefix: `${keyPrefix}shop:sess:`,
    timed,
    defaultTtlMs,
  });

  const sendCommand = (...args: string[]) => timed<RedisReply>(client.sendCommand(args));

  function rateLimitStore(name: string): RateLimitStore {
    if (!LIMITER_NAME.test(name)) throw new Error(`rate limiter name must be lowercase letters, digits, '-': ${name}`);
    const store = new RepairingRateLimitStore({ sendCommand, prefix: `${keyPrefix}shop:rl:${name}:` });
    return failOpen.has(name) ? fallingBackToMemory(store) : store;
  }

  const readiness: ReadinessCheck = async () => client.isReady && (await timed(client.ping())) === 'PONG';

  async function cooldown(key: string, ms: number): Promise<boolean> {
    if (!Number.isInteger(ms) || ms <= 0) throw new RangeError('cooldown: ms must be a positive integer');
    const claimed = await timed(
      client.set(`${keyPrefix}shop:cooldown:${key}`, '1', { condition: 'NX', expiration: { type: 'PX', value: ms } }),
    );
    return claimed === 'OK';
  }

  async function close(): Promise<void> {
    if (closing) return;
    closing = true;
    if (client.isReady) {
      try {
        // QUIT waits for the answers still due; a Redis that stopped answering gets the socket dropped instead.
        await timed(client.close());
        return;
      } catch {
        // fall through
      }
    }
    if (client.isOpen) client.destroy();
  }

  return { sessionStore, rateLimitStore, readiness, cooldown, close };
}

/**
 * rate-limit-redis loads its scripts once, in init(); if Redis was away then, every later hit would fail on that
 * rejected load even after Redis is back. This one loads them again on the hit after a failure.
 */
class RepairingRateLimitStore extends RedisRateLimitStore {
  private failed = false;

  override async increment(key: string): Promise<IncrementResponse> {
    return this.repairing(() => super.increment(key));
  }

  override async get(key: string) {
    return this.repairing(() => super.get(key));
  }

  private async repairing<T>(work: () => Promise<T>): Promise<T> {
    if (this.failed) {
      this.failed = false;
      this.incrementScriptSha = this.loadIncrementScript();
      this.getScriptSha = this.loadGetScript();
      // Awaited (and reported) by `work`; here only kept from being an unhandled rejection.
      this.incrementScriptSha.catch(() => undefined);
      this.getScriptSha.catch(() => undefined);
    }
    try {
      return await work();
    } catch (err) {
      this.failed = true;
      throw err;
    }
  }
}

/** `work`, or a rejection once `ms` have passed without an answer (the command may still complete later). */
function withTimeout<T>(work: Promise<T>, ms: number, message = `redis command timed out after ${ms} ms`): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * A store whose failures are counted in this process's memory instead (the limit then holds per instance, not across
 * them) until the shared store answers again.
 */
function fallingBackToMemory(store: RateLimitStore): RateLimitStore {
  const local = new MemoryStore();
  return {
    init: (options) => {
      local.init(options);
      return store.init?.(options);
    },
    get: async (key) => {
      try {
        return await store.get?.(key);
      } catch {
        return local.get(key);
      }
    },
    increment: async (key) => {
      try {
        return await store.increment(key);
      } catch {
        return local.increment(key);
      }
    },
    decrement: async (key) => {
      try {
        await store.decrement(key);
      } catch {
        // a lost decrement only over-counts one request until the window ends
      }
    },
    resetKey: (key) => store.resetKey(key),
    localKeys: false,
    prefix: (store as RepairingRateLimitStore).prefix,
  };
}

/** The URL's username and password (decoded and as written), to scrub from any text that might echo them. */
function credentialsOf(url: string): string[] {
  try {
    const u = new URL(url);
    const parts = [u.password, u.username].filter((s) => s.length > 0);
    return [...new Set(parts.flatMap((s) => [s, safeDecode(s)]))].sort((a, b) => b.length - a.length);
  } catch {
    return [];
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** A short reason for a failed connection: the socket error's code, or the server's (scrubbed) answer. */
function describe(err: unknown, scrub: (s: string) => string): string {
  const e = err as { code?: unknown; message?: unknown; name?: unknown } | undefined;
  if (typeof e?.code === 'string') return e.code === 'ECONNREFUSED' ? 'connection refused' : e.code;
  if (e?.name === 'ConnectionTimeoutError') return 'connection timed out';
  if (typeof e?.message === 'string' && e.message) return scrub(e.message);
  return 'unknown error';
}

/** What of an error may be logged: its name, code and scrubbed message, no stack, cause or options. */
function safeError(err: unknown, scrub: (s: string) => string): { type: string; code?: string; message: string } {
  const e = err as { code?: unknown; message?: unknown; name?: unknown } | undefined;
  return {
    type: typeof e?.name === 'string' ? e.name : 'Error',
    ...(typeof e?.code === 'string' && { code: e.code }),
    message: scrub(typeof e?.message === 'string' ? e.message : String(err)),
  };
}
