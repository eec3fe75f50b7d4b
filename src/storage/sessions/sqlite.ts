import type session from 'express-session';
import type { SessionData, Store } from 'express-session';
import type { Database } from '../../orders/db.js';
import { sessionExpiresAt } from './expiry.js';

type SessionModule = typeof session;
type Callback<T = unknown> = (err?: unknown, value?: T) => void;

export interface SqliteSessionStoreOptions {
  /** How often expired rows are deleted; 0 disables the timer. Default 15 min. */
  cleanupIntervalMs?: number;
  now?: () => number;
  /** Lifetime of a session whose cookie has neither expires nor maxAge. Default 24 h. */
  defaultTtlMs?: number;
}

export type SqliteSessionStore = Store & {
  /** Stops the cleanup timer. Does not close the database (the caller owns it). */
  close(): void;
  /** Deletes expired sessions now; returns how many. */
  prune(): number;
};

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * A persistent express-session store on the shared SQLite file (table `sessions`, created by
 * the migrations), so a restart between Buy and the gateway's return loses nothing.
 * better-sqlite3 is synchronous; callbacks are still deferred like MemoryStore's, and every
 * error goes to the callback rather than being thrown into express-session.
 */
export function createSqliteSessionStore(
  sessionModule: SessionModule,
  db: Database,
  opts: SqliteSessionStoreOptions = {},
): SqliteSessionStore {
  const now = opts.now ?? Date.now;
  const defaultTtlMs = opts.defaultTtlMs ?? DAY_MS;
  const cleanupIntervalMs = opts.cleanupIntervalMs ?? 15 * 60 * 1000;
  const q = {
    get: db.prepare<[string, number], { data: string }>('SELECT data FROM sessions WHERE sid = ? AND expires > ?'),
    set: db.prepare(
      `INSERT INTO sessions (sid, expires, data) VALUES (?, ?, ?)
       ON CONFLICT (sid) DO UPDATE SET expires = excluded.expires, data = excluded.data`,
    ),
    destroy: db.prepare('DELETE FROM sessions WHERE sid = ?'),
    // An expired session is not revived by a touch.
    touch: db.prepare('UPDATE sessions SET expires = ? WHERE sid = ? AND expires > ?'),
    clear: db.prepare('DELETE FROM sessions'),
    length: db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM sessions WHERE expires > ?'),
    all: db.prepare<[number], { sid: string; data: string }>('SELECT sid, data FROM sessions WHERE expires > ?'),
    prune: db.prepare('DELETE FROM sessions WHERE expires <= ?'),
  };

  const expiresAt = (sess: SessionData): number => sessionExpiresAt(sess, now(), defaultTtlMs);

  // Run synchronously, report asynchronously (no Zalgo), never throw at the caller.
  function run<T>(cb: Callback<T> | undefined, work: () => T): void {
    let result: T;
    try {
      result = work();
    } catch (err) {
      if (cb) setImmediate(cb, err);
      return;
    }
    if (cb) setImmediate(cb, null, result);
  }

  class SqliteStore extends sessionModule.Store {
    private timer: NodeJS.Timeout | undefined;

    constructor() {
      super();
      if (cleanupIntervalMs > 0) {
        this.timer = setInterval(() => {
          try {
            this.prune();
          } catch (err) {
            // Expired rows are filtered on read anyway, so a failed sweep is retried next tick;
            // an 'error' emit without a listener would crash the process from a timer.
            if (this.listenerCount('error') > 0) this.emit('error', err);
          }
        }, cleanupIntervalMs);
        // A cleanup timer must not keep the process alive.
        this.timer.unref();
      }
    }

    get(sid: string, cb: (err: unknown, session?: SessionData | null) => void): void {
      run(cb as Callback<SessionData | null>, () => {
        const row = q.get.get(sid, now());
        return row ? (JSON.parse(row.data) as SessionData) : null;
      });
    }

    set(sid: string, sess: SessionData, cb?: (err?: unknown) => void): void {
      run(cb, () => {
        q.set.run(sid, expiresAt(sess), JSON.stringify(sess));
      });
    }

    destroy(sid: string, cb?: (err?: unknown) => void): void {
      run(cb, () => {
        q.destroy.run(sid);
      });
    }

    override touch(sid: string, sess: SessionData, cb?: (err?: unknown) => void): void {
      run(cb, () => {
        const t = now();
        q.touch.run(expiresAt(sess), sid, t);
      });
    }

    override clear(cb?: (err?: unknown) => void): void {
      run(cb, () => {
        q.clear.run();
      });
    }

    override length(cb: (err: unknown, length?: number) => void): void {
      run(cb as Callback<number>, () => q.length.get(now())?.n ?? 0);
    }

    override all(cb: (err: unknown, obj?: { [sid: string]: SessionData } | null) => void): void {
      run(cb as Callback<{ [sid: string]: SessionData }>, () => {
        const out: { [sid: string]: SessionData } = {};
        for (const row of q.all.all(now())) out[row.sid] = JSON.parse(row.data) as SessionData;
        return out;
      });
    }

    prune(): number {
      return q.prune.run(now()).changes;
    }

    close(): void {
      if (this.timer) clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  return new SqliteStore();
}
