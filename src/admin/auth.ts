import type { RequestHandler, Response } from 'express';
import type { AdminConfig } from '../config.js';
import { createCsrf } from '../http/csrf.js';
import { regenerateSession, saveSession } from '../http/session.js';
import type { AdminDeps } from './deps.js';
import { createKnownDevices } from './device.js';
import { createPasswordCheck } from './password.js';
import { newCsrfToken } from './session.js';
import { createLoginThrottle } from './throttle.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Login page, login, logout. */
export function createAuth(deps: AdminDeps, admin: AdminConfig, now: () => number, forget: (res: Response) => void) {
  const { logger, config } = deps;
  const { https } = config;
  const check = createPasswordCheck(admin);
  const devices = createKnownDevices({ secrets: config.sessionSecrets, https, user: admin.user });
  // Shared counters when configured (REDIS_URL): a limit then holds across instances.
  const store = (name: string) => (deps.rateLimitStore ? { store: deps.rateLimitStore(name) } : {});
  const limits = createLoginThrottle({ devices, logger, store, sleep: deps.sleep ?? sleep });
  // The login form's CSRF token is a signed double-submit cookie, as on the shop's pages (ADR 0002), not a session:
  // anonymous requests write nothing, and a session is made only by a successful login.
  const loginCsrf = createCsrf({ secrets: config.sessionSecrets, https, cookie: 'admin_csrf', purpose: 'admin-login' });

  const loginForm: RequestHandler = (req, res) => {
    if (req.session.admin) {
      res.redirect(303, '/admin/orders');
      return;
    }
    res.render('admin/login', {
      csrfToken: loginCsrf.token(req, res),
      error: undefined,
      expired: req.query.expired === '1',
    });
  };

  const login: RequestHandler = async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const { user, password } = body;
    const ok =
      typeof user === 'string' &&
      typeof password === 'string' &&
      password.length <= 1024 &&
      (await check(user, password));
    if (!ok) {
      // Neither the name nor the password typed is logged: a password typed into the name field is still a secret.
      logger.info({ referenceId: res.locals.referenceId }, 'back-office login refused');
      res.status(401).render('admin/login', { csrfToken: loginCsrf.token(req, res), error: 'wrong', expired: false });
      return;
    }
    // A new session id at login: an id planted before it (fixation) is worth nothing after it.
    await regenerateSession(req);
    req.session.admin = { user: admin.user, seenAt: now() };
    req.session.adminCsrf = newCsrfToken();
    await saveSession(req);
    devices.remember(res);
    logger.info({ actor: admin.user }, 'back-office login');
    res.redirect(303, '/admin/orders');
  };

  const logout: RequestHandler = async (req, res) => {
    const actor = req.session.admin?.user;
    await new Promise<void>((resolve, reject) =>
      req.session.destroy((err) => (err ? reject(toError(err)) : resolve())),
    );
    forget(res);
    logger.info({ actor }, 'back-office logout');
    res.redirect(303, '/admin/login');
  };

  return { limits, loginCsrf: loginCsrf.protect, loginForm, login, logout };
}

const toError = (err: unknown) => (err instanceof Error ? err : new Error('session store failed', { cause: err }));
