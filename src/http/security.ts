import helmet from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';

/**
 * Security headers. `form-action` must list the origin of the gateway's payment page (where formUrl points, which
 * may differ from the API's address): Chromium applies it to the redirect that follows a form POST, so
 * `POST /buy → 303 formUrl` would otherwise be silently blocked (docs/security.md rule 9).
 */
export function securityHeaders(opts: { paymentPageOrigin: string; https: boolean }): RequestHandler {
  return fixedHeaders(helmetFor(opts));
}

function helmetFor(opts: { paymentPageOrigin: string; https: boolean }) {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'none'"],
        'style-src': ["'self'"],
        'img-src': ["'self'"],
        'object-src': ["'none'"],
        'base-uri': ["'none'"],
        'frame-ancestors': ["'none'"],
        'form-action': ["'self'", opts.paymentPageOrigin],
        // Only over https: on plain http it would rewrite the sandbox's http form targets to https.
        ...(opts.https ? { 'upgrade-insecure-requests': [] } : {}),
      },
    },
    strictTransportSecurity: opts.https ? { maxAge: 15_552_000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'same-origin' },
  });
}

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/**
 * The headers helmet sets, asked of it once at start-up and then set by one loop per response. Helmet itself runs
 * a chain of a dozen middleware per request (about a tenth of a product page's CPU, docs/performance.md); with
 * every directive above a constant, each response got the very same headers anyway. Helmet stays the source of
 * truth: its output is recorded as is, and a helmet that answers asynchronously or touches the request is refused.
 */
export function fixedHeaders(middleware: Middleware): RequestHandler {
  const set = new Map<string, string | number | readonly string[]>();
  const removed = new Set<string>();
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      removed.delete(name.toLowerCase());
      set.set(name, value);
      return recorder;
    },
    removeHeader(name: string) {
      for (const key of set.keys()) if (key.toLowerCase() === name.toLowerCase()) set.delete(key);
      removed.add(name.toLowerCase());
    },
  };
  let called = false;
  const request = new Proxy(
    {},
    {
      get: () => {
        throw new Error('security headers: helmet read the request, so its headers are not constant');
      },
    },
  );
  middleware(request as IncomingMessage, recorder as unknown as ServerResponse, (err) => {
    if (err) throw err instanceof Error ? err : new Error('security headers failed');
    called = true;
  });
  if (!called) throw new Error('security headers: helmet did not answer synchronously');
  const headers = [...set];
  const gone = [...removed];
  return (_req, res, next) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    for (const name of gone) res.removeHeader(name);
    next();
  };
}

/** Every page but the static files: they carry form tokens or order data and must never be cached or replayed. */
export const noStore: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'no-store');
  next();
};
