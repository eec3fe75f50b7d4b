import { doubleCsrf } from 'csrf-csrf';
import type { Request, RequestHandler, Response } from 'express';
import { fixedCookie } from './cookies.js';

/**
 * Signed double-submit CSRF tokens (csrf-csrf): the product page can carry a token without creating a session, so
 * anonymous browsing stays session-free. See docs/decisions/0002-csrf-double-submit.md. `cookie` and `purpose` make
 * another set of tokens (the back office's login form: cookie `admin_csrf`), which no shop token passes for.
 */
export function createCsrf(opts: { secrets: readonly string[]; https: boolean; cookie?: string; purpose?: string }) {
  const cookieName = `${opts.https ? '__Host-' : ''}${opts.cookie ?? 'csrf'}`;
  const purpose = opts.purpose ?? '';
  const cookieOptions = { sameSite: 'lax', secure: opts.https, httpOnly: true, path: '/' } as const;
  const setCookie = fixedCookie(cookieName, cookieOptions);
  const { doubleCsrfProtection, generateCsrfToken } = doubleCsrf({
    getSecret: () => [...opts.secrets],
    // Not bound to the session id: the session is regenerated on Buy, and a second tab must still be able to post.
    // (The purpose is signed into the token instead: a token of one set is no good for another.)
    getSessionIdentifier: () => purpose,
    cookieName,
    // Lax, not Strict: a Strict cookie is not sent on the return from the gateway, so the failure page would mint a
    // new one and break the Buy forms of every other open tab. Lax cookies still never go with a cross-site POST.
    cookieOptions,
    getCsrfTokenFromRequest: (req) => {
      const token = (req.body as Record<string, unknown> | undefined)?._csrf;
      return typeof token === 'string' ? token : undefined;
    },
  });
  const protect: RequestHandler = doubleCsrfProtection;
  return {
    protect,
    token: (req: Request, res: Response): string => {
      // csrf-csrf makes and signs the token and hands its cookie to res.cookie(); the cookie line itself is written
      // by fixedCookie, with the same attributes, for a fraction of res.cookie's cost (docs/performance.md).
      let value: string | undefined;
      const capture = { cookie: (_name: string, v: string) => void (value = v) };
      const token = generateCsrfToken(req, capture as unknown as Response);
      setCookie(res, value ?? token);
      return token;
    },
  };
}

export type Csrf = ReturnType<typeof createCsrf>;
