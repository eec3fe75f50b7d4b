import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/** The file, in its own folder under the shop's DATA_DIR, that keeps an embedded sandbox's generated credentials. */
export const CREDENTIALS_DIR = 'sandbox';
export const CREDENTIALS_FILE = 'merchant-credentials.json';

/** API credentials that replace the public demo ones of DEFAULT_MERCHANTS when the shop embeds the sandbox. */
export interface GeneratedCredentials {
  readonly userName: string;
  readonly password: string;
  readonly token: string;
}

/** A credentials file that exists but cannot be used; the message names the file and what to do. */
export class CredentialsFileError extends Error {
  override readonly name = 'CredentialsFileError';
}

const fileSchema = z
  .object({
    version: z.literal(1),
    userName: z.string().regex(/^[\x21-\x7e]{8,100}$/),
    password: z.string().regex(/^[\x21-\x7e]{16,200}$/),
    token: z.string().regex(/^[\x21-\x7e]{16,256}$/),
  })
  .strict();

/**
 * The embedded sandbox's merchant credentials, generated on the first start and kept in
 * `<dataDir>/sandbox/merchant-credentials.json` (folder 0700, file 0600), so a restart keeps working with the same
 * ones (and so does anyone who copied them from the file to call the sandbox themselves).
 *
 * A file that exists but cannot be read or parsed stops the start with an error naming it, rather than being
 * replaced: the file is written atomically (temporary file + rename), so a crash never leaves half of one, and a
 * broken file therefore means someone else changed it (a hand edit, another program, a shared DATA_DIR).
 * Overwriting it silently would hide that and change credentials people may have copied; deleting it is one command.
 */
export function keptMerchantCredentials(dataDir: string): { credentials: GeneratedCredentials; file: string } {
  const dir = path.join(dataDir, CREDENTIALS_DIR);
  const file = path.join(dir, CREDENTIALS_FILE);
  const existing = readKept(file);
  if (existing) {
    try {
      tighten(dir, 0o700);
      tighten(file, 0o600);
    } catch (err) {
      throw new CredentialsFileError(
        `cannot restrict the sandbox credentials file ${file} to its owner (${errorCode(err)}): fix its permissions`,
      );
    }
    return { credentials: existing, file };
  }
  const credentials: GeneratedCredentials = {
    userName: `sandbox-api-${randomBytes(6).toString('hex')}`,
    password: randomBytes(24).toString('base64url'),
    token: randomBytes(32).toString('base64url'),
  };
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    tighten(dir, 0o700);
    const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(temporary, `${JSON.stringify({ version: 1, ...credentials }, null, 2)}\n`, {
      mode: 0o600,
      flag: 'wx',
    });
    try {
      renameSync(temporary, file);
    } catch (err) {
      unlinkSync(temporary);
      throw err;
    }
  } catch (err) {
    throw new CredentialsFileError(
      `cannot write the sandbox credentials file ${file} (${errorCode(err)}): DATA_DIR must be writable`,
    );
  }
  return { credentials, file };
}

function readKept(file: string): GeneratedCredentials | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return undefined;
    throw new CredentialsFileError(
      `cannot read the sandbox credentials file ${file} (${errorCode(err)}): fix its permissions, or delete it to generate new credentials`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = fileSchema.safeParse(json);
  // Neither the parser's message nor the content: the file holds a password.
  if (!parsed.success)
    throw new CredentialsFileError(
      `the sandbox credentials file ${file} is not valid (expected {"version":1,"userName","password","token"}): delete it to generate new credentials`,
    );
  const { userName, password, token } = parsed.data;
  return { userName, password, token };
}

/** Takes group/other permissions away when a POSIX system shows any (a copy or an old umask may have added them). */
function tighten(target: string, mode: number): void {
  if (process.platform === 'win32') return;
  if ((statSync(target).mode & 0o777) !== mode) chmodSync(target, mode);
}

function errorCode(err: unknown): string {
  const code = typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
  return typeof code === 'string' ? code : 'error';
}
