import type { ServerResponse } from 'node:http';

/** The attributes the shop's own cookies use (a subset of res.cookie's options). */
export interface CookieOptions {
  readonly httpOnly: boolean;
  readonly secure: boolean;
  readonly sameSite: 'lax' | 'strict';
  readonly path: '/';
  /** Milliseconds, as for res.cookie; absent: a cookie for the browser session. */
  readonly maxAge?: number;
}

/** What a cookie value may hold here without encoding: the keys and tokens the shop makes (base64url, hex, '.'). */
const PLAIN_VALUE = /^[A-Za-z0-9._-]+$/;

/**
 * A writer for one cookie whose attributes never change: the same Set-Cookie line res.cookie() makes (same attribute
 * order, `Expires` alongside `Max-Age`), with the attributes put together once (and `Expires` once a second) instead
 * of on every page. res.cookie copied the options, made a Date and validated and serialized every attribute each
 * time: about 15–20 µs per cookie, and a product page sets two (docs/performance.md). A value that would need
 * encoding is refused: these cookies only ever carry keys and tokens the shop generated.
 */
export function fixedCookie(name: string, options: CookieOptions): (res: ServerResponse, value: string) => void {
  if (!PLAIN_VALUE.test(name)) throw new Error(`cookie name ${name} would need encoding`);
  const tail = `${options.httpOnly ? '; HttpOnly' : ''}${options.secure ? '; Secure' : ''}; SameSite=${
    options.sameSite === 'lax' ? 'Lax' : 'Strict'
  }`;
  const { maxAge } = options;
  let second = -1;
  let attributes = `; Path=${options.path}${tail}`;
  const attributesNow = (): string => {
    if (maxAge === undefined) return attributes;
    const now = Date.now();
    const s = Math.floor(now / 1000);
    if (s !== second) {
      second = s;
      const expires = new Date(now + maxAge).toUTCString();
      attributes = `; Max-Age=${Math.floor(maxAge / 1000)}; Path=${options.path}; Expires=${expires}${tail}`;
    }
    return attributes;
  };
  return (res, value) => {
    if (!PLAIN_VALUE.test(value)) throw new Error(`cookie ${name}: value would need encoding`);
    const line = `${name}=${value}${attributesNow()}`;
    const previous = res.getHeader('Set-Cookie');
    if (previous === undefined) res.setHeader('Set-Cookie', line);
    else res.setHeader('Set-Cookie', Array.isArray(previous) ? [...previous, line] : [String(previous), line]);
  };
}
