import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { fixedCookie } from './cookies.js';
import { randomBytesPooled } from './random.js';

const KEY_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * A random, HttpOnly per-browser key that no page ever prints (unlike the CSRF token). It tells the shop that two
 * Buy requests come from the same browser (double click, second tab) and limits Buys per browser. It is issued with
 * every page that carries a Buy form, so a double click on the first Buy already finds it.
 */
export function createBrowserKey(opts: { https: boolean }) {
  // __Host-: only this very origin over https can set it (no Domain, Path=/), so no sibling host can plant one.
  const cookieName = opts.https ? '__Host-buyer' : 'buyer';
  const setCookie = fixedCookie(cookieName, {
    httpOnly: true,
    sameSite: 'lax',
    secure: opts.https,
    path: '/',
    maxAge: MAX_AGE_MS,
  });

  function read(req: Request): string | undefined {
    const v: unknown = req.cookies?.[cookieName];
    return typeof v === 'string' && KEY_PATTERN.test(v) ? v : undefined;
  }

  /** The browser's key; a new one (sent with this response) when it has none or a malformed one. */
  function ensure(req: Request, res: Response): string {
    const existing = read(req);
    if (existing) return existing;
    const key = randomBytesPooled(32).toString('base64url');
    setCookie(res, key);
    // Later reads in the same request (Buy's purchase key, the per-browser limit) see the same key.
    (req.cookies as Record<string, string>)[cookieName] = key;
    return key;
  }

  /** What the shop stores or compares: a digest, so the key itself is never written anywhere. */
  const id = (key: string): string => createHash('sha256').update(`browser\n${key}`).digest('base64url');

  return { cookieName, read, ensure, id };
}

export type BrowserKey = ReturnType<typeof createBrowserKey>;
