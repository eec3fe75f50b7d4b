import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';

/** How long a browser stays known after its last successful login. */
export const KNOWN_DEVICE_MS = 90 * 24 * 60 * 60_000;

/**
 * The back office's "known device" cookie (in the spirit of OWASP's device cookies): set by a successful login, it
 * lets that browser log in again without meeting the limits that strangers' failures fill (per address, the account's
 * slow-down); it has a failure limit of its own instead. It proves nothing by itself: the password is still needed.
 * The value is a random id and an HMAC of the id and the user name under the session secret (any of them, so a
 * rotated secret keeps browsers known), HttpOnly, SameSite=Strict, on the back office's path (a __Host- cookie over
 * https), so no page script and no other site can read or send it.
 */
export function createKnownDevices(opts: { secrets: readonly string[]; https: boolean; user: string }) {
  const name = opts.https ? '__Host-admin_device' : 'admin_device';
  const path = opts.https ? '/' : '/admin';
  const sign = (secret: string, id: string) =>
    createHmac('sha256', secret).update(`admin-device\n${opts.user}\n${id}`).digest();

  /** The id of the known device this request comes from (hashed: it is a key of counters, not the cookie), if any. */
  function recognize(req: Request): string | undefined {
    const value = (req.cookies as Record<string, unknown> | undefined)?.[name];
    if (typeof value !== 'string' || value.length > 200) return undefined;
    const [id, mac, extra] = value.split('.');
    if (!id || !mac || extra !== undefined) return undefined;
    const sent = Buffer.from(mac, 'base64url');
    const valid = opts.secrets.some((secret) => {
      const expected = sign(secret, id);
      return sent.length === expected.length && timingSafeEqual(sent, expected);
    });
    return valid ? createHash('sha256').update(id).digest('base64url') : undefined;
  }

  /** After a successful login: the browser is known (again) for KNOWN_DEVICE_MS. A new id each time. */
  function remember(res: Response): void {
    const id = randomBytes(18).toString('base64url');
    const mac = sign(opts.secrets[0]!, id).toString('base64url');
    res.cookie(name, `${id}.${mac}`, {
      httpOnly: true,
      sameSite: 'strict',
      secure: opts.https,
      path,
      maxAge: KNOWN_DEVICE_MS,
    });
  }

  return { recognize, remember, cookieName: name };
}

export type KnownDevices = ReturnType<typeof createKnownDevices>;
