import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { AuthThrottleOptions } from '../rest/throttle.js';
import type { SandboxMerchant } from '../types.js';

/** The operator token's bounds (SANDBOX_OPERATOR_TOKEN): long enough not to be guessed, and fit for a header. */
export const OPERATOR_TOKEN_RE = /^[\x21-\x7e]{16,256}$/;
export const OPERATOR_REALM = 'sandbox operator';

/** A fresh operator token: 32 random bytes, base64url (43 characters). */
export function generateOperatorToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Why `token` cannot be the operator token, or undefined. It must differ from every merchant password and token:
 * a merchant's credentials must never open the operator surface, not even by coincidence.
 */
export function operatorTokenProblem(token: string, merchants: readonly SandboxMerchant[]): string | undefined {
  if (!OPERATOR_TOKEN_RE.test(token)) return 'must be 16 to 256 printable ASCII characters without spaces';
  if (merchants.some((m) => m.password === token || m.token === token))
    return 'must differ from every merchant password and token';
  return undefined;
}

export interface OperatorGate {
  /** Express middleware: passes an operator request on, answers anything else 401 with a Basic challenge. */
  readonly require: RequestHandler;
  /**
   * The value the control page's form carries in a hidden field. A browser sends cached Basic credentials with a
   * cross-site form post too; a page from another site cannot read this value, so it cannot forge the post (CSRF).
   */
  readonly formKey: string;
  /** Constant-time check of a posted form key. */
  formKeyMatches(value: unknown): boolean;
}

/**
 * The operator credential of the tools (orders view, order detail, fault switches page and control API): the token as
 * `Authorization: Bearer <token>`, or as the password of HTTP Basic with any user name, so a browser can open the
 * pages. Compared in constant time (hashes of equal length), whatever the length of what was sent.
 */
export function createOperatorGate(token: string, throttle: AuthThrottleOptions | false = {}): OperatorGate {
  const expected = digest(token);
  // Wrong tokens per source address (the REST API's per-address limit and window): past it, every request from that
  // address is refused, the right token included, until the window ends.
  const windowMs = (throttle && throttle.windowMs) || 15 * 60_000;
  const limiter: RequestHandler | undefined =
    throttle === false
      ? undefined
      : rateLimit({
          windowMs,
          limit: throttle.perAddress ?? 20,
          standardHeaders: false,
          legacyHeaders: false,
          skipSuccessfulRequests: true,
          requestWasSuccessful: (_req, res) => res.statusCode !== 401,
          handler: (_req, res) => {
            res
              .status(429)
              .set({ 'Retry-After': String(Math.ceil(windowMs / 1000)), 'Cache-Control': 'no-store' })
              .type('text/plain')
              .send('Too many failed attempts with the sandbox operator token from this address: try again later.');
          },
        });
  const formKey = createHmac('sha256', token).update('sandbox control form').digest('base64url');
  const formDigest = digest(formKey);
  const check: RequestHandler = (req, res, next) => {
    const given = presentedToken(req.get('authorization'));
    if (given !== undefined && timingSafeEqual(digest(given), expected)) return next();
    res.status(401).set({ 'WWW-Authenticate': `Basic realm="${OPERATOR_REALM}"`, 'Cache-Control': 'no-store' });
    const wantsJson =
      req.originalUrl.startsWith('/sandbox/control/merchants/') ||
      req.originalUrl.startsWith('/sandbox/test/') ||
      req.path.endsWith('.json') ||
      !req.accepts('html');
    if (wantsJson) res.json({ error: 'unauthorized: the sandbox operator token is required' });
    else res.type('text/plain').send('Unauthorized: the sandbox operator token is required (see docs/sandbox.md).');
  };
  const require: RequestHandler = limiter
    ? (req, res, next) => limiter(req, res, (err?: unknown) => (err ? next(err) : check(req, res, next)))
    : check;
  return {
    require,
    formKey,
    formKeyMatches: (value) => typeof value === 'string' && timingSafeEqual(digest(value), formDigest),
  };
}

/** The token in a Bearer header, or the password of a Basic one; undefined for anything else. */
function presentedToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^(\S+)\s+(\S+)\s*$/.exec(header);
  if (!match) return undefined;
  const [, scheme = '', value = ''] = match;
  if (scheme.toLowerCase() === 'bearer') return value;
  if (scheme.toLowerCase() !== 'basic') return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
