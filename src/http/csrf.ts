import { doubleCsrf } from 'csrf-csrf';
import type { Request, RequestHandler } from 'express';

/**
 * Signed double-submit CSRF tokens (csrf-csrf): the product page can carry a token without creating a session, so
 * anonymous browsing stays session-free. See docs/decisions/0002-csrf-double-submit.md.
 */
export function createCsrf(opts: { secrets: readonly string[]; https: boolean }) {
  const cookieName = opts.https ? '__Host-csrf' : 'csrf';
  const { doubleCsrfProtection, generateCsrfToken } = doubleCsrf({
    getSecret: () => [...opts.secrets],
    // Not bound to the session id: the session is regenerated on Buy, and a second tab must still be able to post.
    getSessionIdentifier: () => '',
    cookieName,
    // Lax, not Strict: a Strict cookie is not sent on the return from the gateway, so the failure page would mint a
    // new one and break the Buy forms of every other open tab. Lax cookies still never go with a cross-site POST.
    cookieOptions: { sameSite: 'lax', secure: opts.https, httpOnly: true, path: '/' },
    getCsrfTokenFromRequest: (req) => {
      const token = (req.body as Record<string, unknown> | undefined)?._csrf;
      return typeof token === 'string' ? token : undefined;
    },
  });
  const protect: RequestHandler = doubleCsrfProtection;
  return {
    protect,
    token: (req: Request, res: Parameters<typeof generateCsrfToken>[1]) => generateCsrfToken(req, res),
  };
}

export type Csrf = ReturnType<typeof createCsrf>;
