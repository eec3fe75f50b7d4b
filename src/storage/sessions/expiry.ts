import type { SessionData } from 'express-session';

/**
 * When a session ends, in ms since the epoch: its cookie's `expires`, else now + its `maxAge`, else now + the
 * default lifetime. The one rule both session stores (SQLite and Redis) keep.
 */
export function sessionExpiresAt(sess: SessionData, now: number, defaultTtlMs: number): number {
  const cookie = sess.cookie as Partial<SessionData['cookie']> | undefined;
  if (cookie?.expires) {
    const t = new Date(cookie.expires).getTime();
    if (Number.isFinite(t)) return t;
  }
  if (typeof cookie?.maxAge === 'number' && Number.isFinite(cookie.maxAge)) return now + cookie.maxAge;
  return now + defaultTtlMs;
}
