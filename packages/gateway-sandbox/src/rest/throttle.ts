import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { callParams } from './call.js';
import { param } from './params.js';

/**
 * Failed authentication of the REST API, slowed down without handing strangers a lock-out switch (docs/sandbox.md,
 * "Failed authentication"). Two counters, in memory, reset every window (express-rate-limit's MemoryStore, which
 * forgets a window's keys when it ends, so they stay bounded by what one window can bring):
 *
 * - per source address: after `perAddress` failures, every call from that address is refused until the window ends,
 *   right credentials included (an address guessing passwords gets no answer that tells a right one);
 * - per API user name: after `perName` failures from anywhere, calls naming that user are refused from every address
 *   that has not authenticated as that merchant before, so guessing one merchant's password from many addresses is
 *   slowed too, while the merchant's own shop, which has logged in from its address, keeps working.
 *
 * A refused call gets the documented answer for failed authentication (docs/gateway-reference.md §1.2: errorCode 5,
 * HTTP 200), worded to say it was throttled, and a Retry-After header.
 */
export interface AuthThrottleOptions {
  /** Failures per source address per window. Default 20. */
  perAddress?: number;
  /** Failures per API user name (from addresses it never authenticated from) per window. Default 100. */
  perName?: number;
  /** Default 15 minutes. */
  windowMs?: number;
}

export interface AuthThrottle {
  /** Goes in front of the REST methods (after the body parser, before anything that authenticates). */
  readonly middleware: readonly RequestHandler[];
  /** Records that this address authenticated as this merchant (it is then exempt from that name's counter). */
  succeeded(req: Request, userName: string | undefined): void;
}

/** Known-good (user name, address) pairs kept; the oldest are forgotten first. */
const MAX_KNOWN = 10_000;

export function createAuthThrottle(opts: {
  options: AuthThrottleOptions;
  /** True when this finished call authenticated (read from what the REST router worked out, never redone). */
  succeeded: (res: Response) => boolean;
  /** Answers a refused call in the REST envelope of its method. */
  refuse: (req: Request, res: Response, retryAfterSeconds: number) => void;
}): AuthThrottle {
  const windowMs = opts.options.windowMs ?? 15 * 60_000;
  const known = new Map<string, true>();
  const knownKey = (req: Request, userName: string) => `${userName}\n${address(req)}`;
  const common = {
    windowMs,
    standardHeaders: false,
    legacyHeaders: false,
    // Only failures count: a call that authenticated is taken back off the counter when it finishes.
    skipSuccessfulRequests: true,
    requestWasSuccessful: (_req: Request, res: Response) => opts.succeeded(res),
    handler: (req: Request, res: Response) => opts.refuse(req, res, Math.ceil(windowMs / 1000)),
  } as const;
  const perAddress = rateLimit({ ...common, limit: opts.options.perAddress ?? 20 });
  const perName = rateLimit({
    ...common,
    limit: opts.options.perName ?? 100,
    keyGenerator: (req, res) => `name:${userNameOf(req, res)}`,
    skip: (req, res) => {
      const userName = userNameOf(req, res);
      return userName === undefined || known.has(knownKey(req, userName));
    },
  });
  return {
    middleware: [perAddress, perName],
    succeeded: (req, userName) => {
      if (userName === undefined) return;
      const key = knownKey(req, userName);
      known.delete(key);
      known.set(key, true);
      if (known.size > MAX_KNOWN) known.delete(known.keys().next().value!);
    },
  };
}

function userNameOf(req: Request, res: Response): string | undefined {
  return param(callParams(req, res), 'userName');
}

function address(req: Request): string {
  return ipKeyGenerator(req.ip ?? '');
}
