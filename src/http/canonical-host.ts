import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { renderError } from './errors.js';

/** Paths answered on any host: health probes ask 127.0.0.1, and the gateway calls back from wherever it is. */
const ANY_HOST = new Set(['/healthz', '/payment/callback']);

/**
 * One address for the shop. Its cookies (session, browser key, CSRF) belong to PUBLIC_BASE_URL's host, so a buyer
 * who opened http://127.0.0.1:3000 while PUBLIC_BASE_URL is http://localhost:3000 would pay and then be told "we
 * can't show this order here". A GET or HEAD for another host is redirected to the same path and query on
 * PUBLIC_BASE_URL; any other method gets a 421 page naming the address to use (a form sent to the wrong host can't
 * be replayed by a redirect). The host is the one Express sees: X-Forwarded-Host counts only under `trust proxy`.
 * The redirect's target is always PUBLIC_BASE_URL's origin followed by a path, never anything the request names.
 */
export function canonicalHost(opts: { publicBaseUrl: string; logger: Logger }): RequestHandler {
  const base = new URL(opts.publicBaseUrl);
  const basePath = base.pathname.replace(/\/+$/, '');
  // The last Host value found to be PUBLIC_BASE_URL's: almost every request sends the same one, and parsing it as a
  // URL on every request was a measurable part of a page's CPU (docs/performance.md). Same string, same answer.
  let known: string | undefined;
  const canonical = (host: string | undefined): boolean => {
    if (host !== undefined && host === known) return true;
    if (!sameHost(host, base)) return false;
    known = host;
    return true;
  };
  return (req, res, next) => {
    if (ANY_HOST.has(req.path) || canonical(req.host)) return next();
    const target = `${base.origin}${basePath}${pathAndQuery(req.originalUrl)}`;
    if (req.method === 'GET' || req.method === 'HEAD') {
      opts.logger.debug({ host: req.host, path: req.path, to: base.origin }, 'request for another host: redirected');
      return res.redirect(302, target);
    }
    opts.logger.info(
      { host: req.host, method: req.method, path: req.path, to: base.origin },
      'request for another host: refused, PUBLIC_BASE_URL names the shop',
    );
    const home = `${base.origin}${basePath}/`;
    renderError(res, 421, 'errors.wrongHost', { params: { url: home }, homeUrl: home });
  };
}

/**
 * Only the path and query of what was asked, with one leading slash: an absolute-form target "http://other/x" gives
 * "/x", and "//other/x" or "/\\other/x" gives "/other/x". Not parsed as a URL relative to something: "//%5C" names
 * an authority no URL parser accepts, and it must still get its redirect, not an error.
 */
function pathAndQuery(target: string): string {
  let rest = target;
  if (!/^[/\\]/.test(rest)) {
    const parsed = URL.parse(rest);
    rest = parsed ? `${parsed.pathname}${parsed.search}` : '/';
  }
  return `/${rest.replace(/^[/\\]+/, '')}`;
}

/** Is `host` (a Host header, maybe with a port) the host of `base`? Case and the scheme's default port don't count. */
function sameHost(host: string | undefined, base: URL): boolean {
  if (!host) return false;
  try {
    const parsed = new URL(`${base.protocol}//${host}`);
    return parsed.host === base.host && parsed.pathname === '/' && !parsed.username && !parsed.password;
  } catch {
    return false;
  }
}
