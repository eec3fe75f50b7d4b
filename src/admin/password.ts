import { randomBytes, scrypt, scryptSync, timingSafeEqual, createHash, type ScryptOptions } from 'node:crypto';
import { ADMIN_HASH_RE, type AdminConfig } from '../config.js';

/** scrypt cost for new hashes (N=2^15, r=8, p=1: about 32 MiB and 50-100 ms per check). */
const DEFAULTS = { N: 32_768, r: 8, p: 1 } as const;
const KEY_BYTES = 32;

interface ParsedHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

/** scrypt's working memory is 128·N·r bytes; node refuses above maxmem (32 MiB by default). */
const limits = (h: { N: number; r: number; p: number }): ScryptOptions => ({
  N: h.N,
  r: h.r,
  p: h.p,
  maxmem: 256 * h.N * h.r,
});

/** `scrypt$N$r$p$saltBase64$hashBase64`: the ADMIN_PASSWORD_HASH format (see docs/decisions/0008-back-office.md). */
export function hashPassword(password: string, cost: { N: number; r: number; p: number } = DEFAULTS): string {
  const salt = randomBytes(16);
  const hash = scryptSync(password.normalize('NFC'), salt, KEY_BYTES, limits(cost));
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64'), hash.toString('base64')].join('$');
}

export function parseHash(text: string): ParsedHash {
  const m = ADMIN_HASH_RE.exec(text);
  if (!m) throw new Error('not an scrypt$N$r$p$salt$hash string');
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const salt = Buffer.from(m[4] ?? '', 'base64');
  const hash = Buffer.from(m[5] ?? '', 'base64');
  // N must be a power of two above 1; tiny salts or hashes would make the check meaningless.
  if (N < 2 || (N & (N - 1)) !== 0 || r < 1 || p < 1 || salt.length < 8 || hash.length < 16) {
    throw new Error('scrypt parameters out of range');
  }
  return { N, r, p, salt, hash };
}

function derive(password: string, h: ParsedHash): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), h.salt, h.hash.length, limits(h), (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * The login check. A plain ADMIN_PASSWORD is hashed here, once, so both settings take the same path: one scrypt
 * per attempt and a constant-time compare, for a wrong user name as much as for a wrong password.
 */
export function createPasswordCheck(admin: AdminConfig): (user: string, password: string) => Promise<boolean> {
  const stored = parseHash(admin.passwordHash ?? hashPassword(admin.password ?? ''));
  const expectedUser = digest(admin.user);
  return async (user, password) => {
    const key = await derive(password, stored);
    const userOk = timingSafeEqual(digest(user), expectedUser);
    return timingSafeEqual(key, stored.hash) && userOk;
  };
}
