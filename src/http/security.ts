import helmet from 'helmet';
import type { RequestHandler } from 'express';

/**
 * Security headers. `form-action` must list the origin of the gateway's payment page (where formUrl points, which
 * may differ from the API's address): Chromium applies it to the redirect that follows a form POST, so
 * `POST /buy → 303 formUrl` would otherwise be silently blocked (docs/security.md rule 9).
 */
export function securityHeaders(opts: { paymentPageOrigin: string; https: boolean }): RequestHandler {
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

/** Every page but the static files: they carry form tokens or order data and must never be cached or replayed. */
export const noStore: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'no-store');
  next();
};
