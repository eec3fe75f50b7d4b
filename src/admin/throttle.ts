import type { Request, RequestHandler, Response } from 'express';
import { rateLimit, type RateLimitInfo, type Store } from 'express-rate-limit';
import type { Logger } from 'pino';
import type { KnownDevices } from './device.js';

/** The window of every back-office login counter. */
export const LOGIN_WINDOW_MS = 15 * 60_000;
/** Failed logins per client address per window (browsers not known from an earlier login); then refused unheard. */
export const LOGIN_FAILURES_PER_ADDRESS = 5;
/** Failed logins per known browser per window: its own limit, which nobody else's failures fill. */
export const LOGIN_FAILURES_PER_DEVICE = 5;
/** Failed logins of unknown browsers, every address together, that cost no wait; the next attempt waits. */
export const ACCOUNT_FREE_FAILURES = 10;
/** The first delay of the slow-down; each further failure doubles it, up to ACCOUNT_MAX_DELAY_MS. */
export const ACCOUNT_FIRST_DELAY_MS = 1000;
export const ACCOUNT_MAX_DELAY_MS = 30_000;

/**
 * How long an attempt from an unknown browser waits before its password is checked, after `failures` failed logins
 * of unknown browsers in the window: nothing while fewer than ACCOUNT_FREE_FAILURES, then 1 s, 2 s, 4 s … at most 30 s.
 * A slow-down, never a lock-out: strangers' failures can make the operator wait half a minute on a new browser, not
 * 15 minutes, and the operator's known browser does not wait at all.
 */
export function accountDelayMs(failures: number): number {
  const over = failures - ACCOUNT_FREE_FAILURES + 1;
  if (over <= 0) return 0;
  return Math.min(ACCOUNT_FIRST_DELAY_MS * 2 ** Math.min(over - 1, 30), ACCOUNT_MAX_DELAY_MS);
}

/** Where each counter's state is read on the request (one property per limiter, so that none overwrites another). */
const ADDRESS = 'adminLoginAddress';
const DEVICE = 'adminLoginDevice';
const ACCOUNT = 'adminLoginAccount';
const info = (req: Request, property: string) => (req as Request & Record<string, RateLimitInfo | undefined>)[property];

/**
 * The limits in front of POST /admin/login. Only failures count (a successful login is taken back), so the operator's
 * own logins never use them up. A browser that logged in before (createKnownDevices) meets only its own limit; any
 * other meets the per-address limit and the account's slow-down. There is no counter that every address fills
 * together and that then refuses everyone: that would hand strangers a switch to lock the operator out.
 * `store(name)` gives shared counters (Redis, REDIS_URL) so that the limits hold across instances.
 */
export function createLoginThrottle(opts: {
  devices: KnownDevices;
  logger: Logger;
  store: (name: string) => { store?: Store };
  sleep: (ms: number) => Promise<void>;
}): RequestHandler[] {
  const { devices, logger } = opts;
  const known = new WeakMap<Request, string | undefined>();
  const deviceOf = (req: Request) => {
    if (!known.has(req)) known.set(req, devices.recognize(req));
    return known.get(req);
  };
  const common = {
    windowMs: LOGIN_WINDOW_MS,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    skipSuccessfulRequests: true,
  } as const;

  const refuse = (who: 'address' | 'device', property: string) => (req: Request, res: Response) => {
    // The counters' own clock (the stores use Date.now), not the back office's idle-timeout clock.
    const now = Date.now();
    const resetAt = info(req, property)?.resetTime?.getTime() ?? now + LOGIN_WINDOW_MS;
    const waitMs = Math.max(resetAt - now, 1000);
    logger.warn({ referenceId: res.locals.referenceId, by: who }, 'back-office login refused: too many failures');
    res
      .status(429)
      .set('Retry-After', String(Math.ceil(waitMs / 1000)))
      .render('admin/throttled', { who, waitText: waitText(waitMs, res.locals.lang), until: clockTime(resetAt) });
  };

  const perDevice = rateLimit({
    ...common,
    ...opts.store('admin-login-device'),
    limit: LOGIN_FAILURES_PER_DEVICE,
    identifier: 'admin-login-device',
    requestPropertyName: DEVICE,
    skip: (req) => deviceOf(req) === undefined,
    keyGenerator: (req) => deviceOf(req) ?? '',
    handler: refuse('device', DEVICE),
  });
  const perAddress = rateLimit({
    ...common,
    ...opts.store('admin-login'),
    limit: LOGIN_FAILURES_PER_ADDRESS,
    identifier: 'admin-login',
    requestPropertyName: ADDRESS,
    skip: (req) => deviceOf(req) !== undefined,
    handler: refuse('address', ADDRESS),
  });
  // A counter only (it never refuses): how many unknown browsers failed in the window, all addresses together.
  const perAccount = rateLimit({
    ...common,
    ...opts.store('admin-login-account'),
    limit: Number.MAX_SAFE_INTEGER,
    identifier: 'admin-login-account',
    requestPropertyName: ACCOUNT,
    standardHeaders: false,
    skip: (req) => deviceOf(req) !== undefined,
    keyGenerator: () => 'account',
  });
  const slowDown: RequestHandler = async (req, res, next) => {
    const used = deviceOf(req) === undefined ? info(req, ACCOUNT)?.used : undefined;
    // `used` counts this attempt too: the failures before it are one fewer.
    const delayMs = used === undefined ? 0 : accountDelayMs(used - 1);
    if (delayMs > 0) {
      logger.info({ referenceId: res.locals.referenceId, delayMs }, 'back-office login slowed down');
      await opts.sleep(delayMs);
    }
    next();
  };
  return [perDevice, perAddress, perAccount, slowDown];
}

/**
 * "14 minutes", "45 seconds" ("14 минут" in Russian; Intl knows each language's plural forms): the wait rounded up,
 * so that trying again at the time said always works.
 */
function waitText(ms: number, lang: string): string {
  const [unit, n] =
    ms < 60_000 ? (['second', Math.ceil(ms / 1000)] as const) : (['minute', Math.ceil(ms / 60_000)] as const);
  return new Intl.NumberFormat(lang, { style: 'unit', unit, unitDisplay: 'long' }).format(n);
}

/** The time of day in UTC, to the second ("15:42:07 UTC"). */
function clockTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 19)} UTC`;
}
