import { Router, type RequestHandler } from 'express';
import { createActions } from './actions.js';
import { createAuth } from './auth.js';
import type { AdminDeps } from './deps.js';
import { createOrderPages } from './orders.js';
import { createAdminSession } from './session.js';

interface AdminRoute {
  method: 'get' | 'post';
  path: string;
  /** 'open': reachable without a login (the login itself); every other route needs one. */
  access: 'open' | 'login';
  handler: 'loginForm' | 'login' | 'logout' | 'home' | 'list' | 'view' | 'confirm' | 'act';
}

/** The back office's whole route table (under /admin). Every POST also needs a CSRF token (the login's: see auth.ts). */
export const ADMIN_ROUTES: readonly AdminRoute[] = [
  { method: 'get', path: '/login', access: 'open', handler: 'loginForm' },
  { method: 'post', path: '/login', access: 'open', handler: 'login' }, // throttled
  { method: 'post', path: '/logout', access: 'login', handler: 'logout' },
  { method: 'get', path: '/', access: 'login', handler: 'home' },
  { method: 'get', path: '/orders', access: 'login', handler: 'list' },
  { method: 'get', path: '/orders/:id', access: 'login', handler: 'view' },
  { method: 'get', path: '/orders/:id/:action', access: 'login', handler: 'confirm' }, // refresh|capture|void|refund
  { method: 'post', path: '/orders/:id/:action', access: 'login', handler: 'act' },
];

/** The back office, or, when it is not configured, a 404 page saying how to turn it on. */
export function adminRoutes(deps: AdminDeps): Router {
  const r = Router({ caseSensitive: true });
  const { admin } = deps.config;
  if (!admin) {
    r.use((_req, res) => void res.status(404).set('Cache-Control', 'no-store').render('admin/off'));
    return r;
  }
  const now = deps.now ?? Date.now;
  const { https } = deps.config;
  const s = createAdminSession({ admin, store: deps.sessionStore, secrets: deps.config.sessionSecrets, https, now });
  const auth = createAuth(deps, admin, now, s.forget);
  const orders = createOrderPages(deps);
  const actions = createActions(deps);
  const handlers: Record<AdminRoute['handler'], RequestHandler> = {
    loginForm: auth.loginForm,
    login: auth.login,
    logout: auth.logout,
    home: (_req, res) => res.redirect(303, '/admin/orders'),
    ...orders,
    ...actions,
  };

  // A page answering a POST can't be re-requested by a link: its language switch opens the order list instead.
  r.use((req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.locals.langUrl = (l: string) => `/admin/orders?lang=${encodeURIComponent(l)}`;
    }
    next();
  });
  r.use(s.middleware);
  for (const route of ADMIN_ROUTES) {
    const chain: RequestHandler[] = [];
    if (route.handler === 'login') chain.push(...auth.limits);
    if (route.access === 'login') chain.push(s.requireLogin);
    // The login form's token is a signed cookie (there is no session before a login); every other one, the session's.
    if (route.method === 'post') chain.push(route.handler === 'login' ? auth.loginCsrf : s.checkCsrf);
    r[route.method](route.path, ...chain, handlers[route.handler]);
  }
  return r;
}
