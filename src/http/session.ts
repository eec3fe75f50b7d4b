import session from 'express-session';
import type { RequestHandler } from 'express';

declare module 'express-session' {
  interface SessionData {
    /** Local ids of the orders this browser created: the only orders whose details it may see. */
    orders: number[];
    /** The browser this session was made for (BrowserKey.id): a session planted from elsewhere doesn't match. */
    browser: string;
  }
}

/** __Host- over https: only this origin can set the cookie, so no sibling host can plant a session id. */
export const sessionCookieName = (https: boolean): string => (https ? '__Host-sid' : 'sid');

export function sessionMiddleware(opts: {
  store: session.Store;
  secrets: readonly string[];
  https: boolean;
}): RequestHandler {
  return session({
    name: sessionCookieName(opts.https),
    store: opts.store,
    secret: [...opts.secrets],
    resave: false,
    // Anonymous browsing creates no session: one exists only once an order is bound to the browser.
    saveUninitialized: false,
    cookie: {
      httpOnly: true,
      // Lax, not Strict: the buyer comes back from the gateway by a cross-site top-level GET and must keep the session.
      sameSite: 'lax',
      secure: opts.https ? true : 'auto',
      path: '/',
      maxAge: 24 * 60 * 60 * 1000,
    },
  });
}

/** express-session's callback API as promises (Express 5 forwards rejections to the error handler). */
export function regenerateSession(req: { session: session.Session }): Promise<void> {
  return new Promise((resolve, reject) => req.session.regenerate(settle(resolve, reject)));
}

export function saveSession(req: { session: session.Session }): Promise<void> {
  return new Promise((resolve, reject) => req.session.save(settle(resolve, reject)));
}

/** A node-style callback for a promise: stores hand back any value as the error, the promise rejects with an Error. */
function settle(resolve: () => void, reject: (err: Error) => void) {
  return (err: unknown) => {
    if (!err) resolve();
    else reject(err instanceof Error ? err : new Error('session store failed', { cause: err }));
  };
}
