import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import session from 'express-session';
import type { RequestHandler, Response } from 'express';
import type { AdminConfig } from '../config.js';
import { renderError } from '../http/errors.js';

declare module 'express-session' {
  interface SessionData {
    /** Set only by a successful back-office login (never by the shop). */
    admin: { user: string; seenAt: number };
    /** The back office's CSRF token, bound to this session; a new one at every login. */
    adminCsrf: string;
  }
}

/**
 * The back office's cookie. Over https it is a __Host- cookie (only this origin can set it), which requires Path=/;
 * it still goes nowhere but to /admin routes' session middleware, and stays SameSite=Strict.
 */
export function adminCookie(https: boolean): { name: string; path: string } {
  return https ? { name: '__Host-admin_sid', path: '/' } : { name: 'admin_sid', path: '/admin' };
}

export const newCsrfToken = (): string => randomBytes(32).toString('base64url');

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * The back office's own session: its own cookie (adminCookie: admin_sid, path /admin, SameSite=Strict) on the shop's store, so a
 * buyer's `sid` never reaches these routes, and a buyer's session id in admin_sid finds no `admin` in it.
 */
export function createAdminSession(opts: {
  admin: AdminConfig;
  store: session.Store;
  secrets: readonly string[];
  https: boolean;
  now: () => number;
}) {
  const { admin, now } = opts;
  const cookie = adminCookie(opts.https);
  const forget = (res: Response): void => {
    res.clearCookie(cookie.name, { path: cookie.path });
  };
  const middleware = session({
    name: cookie.name,
    // express-session writes its session factory (with its cookie options) onto the store it is given, so a store
    // shared with the shop's session would make new and regenerated admin sessions get the shop's cookie (path /,
    // Lax, 24 h). A view of the same store with its own `generate` keeps the two apart; the rows are the same table.
    store: Object.create(opts.store) as session.Store,
    secret: [...opts.secrets],
    resave: false,
    saveUninitialized: false,
    // Every answer pushes the cookie's and the stored session's expiry out by the idle time.
    rolling: true,
    cookie: {
      path: cookie.path,
      httpOnly: true,
      sameSite: 'strict',
      secure: opts.https ? true : 'auto',
      maxAge: admin.idleMs,
    },
  });

  /** Logged in and active within the idle time; the store's expiry is the same limit, this check is the exact one. */
  const requireLogin: RequestHandler = (req, res, next) => {
    const who = req.session.admin;
    if (who && now() - who.seenAt <= admin.idleMs) {
      who.seenAt = now();
      res.locals.adminUser = who.user;
      res.locals.csrfToken = req.session.adminCsrf;
      next();
      return;
    }
    if (who) {
      // Idle too long: the whole session goes, its CSRF token with it.
      req.session.destroy(() => undefined);
      forget(res);
    }
    if (req.method === 'GET') res.redirect(303, `/admin/login${who ? '?expired=1' : ''}`);
    else renderError(res, 401, 'errors.badRequest');
  };

  /** Every POST carries the token of this very session (synchronizer token; see ADR 0008). */
  const checkCsrf: RequestHandler = (req, res, next) => {
    const sent = (req.body as Record<string, unknown> | undefined)?._csrf;
    const expected = req.session.adminCsrf;
    if (typeof sent === 'string' && expected !== undefined && timingSafeEqual(digest(sent), digest(expected))) {
      next();
      return;
    }
    renderError(res, 403, 'errors.csrf');
  };

  return { middleware, requireLogin, checkCsrf, forget };
}

export type AdminSession = ReturnType<typeof createAdminSession>;
