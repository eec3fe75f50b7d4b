import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { generateOperatorToken, OPERATOR_TOKEN_RE } from './tools/operator.js';

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
 */
export function keptMerchantCredentials(dataDir: string): { credentials: GeneratedCredentials; file: string } {
  const { value, file } = keptSecret(path.join(dataDir, CREDENTIALS_DIR), CREDENTIALS_FILE, {
    schema: fileSchema,
    what: 'sandbox credentials',
    shape: '{"version":1,"userName","password","token"}',
    generate: () => ({
      version: 1 as const,
      userName: `sandbox-api-${randomBytes(6).toString('hex')}`,
      password: randomBytes(24).toString('base64url'),
      token: randomBytes(32).toString('base64url'),
    }),
  });
  const { userName, password, token } = value;
  return { credentials: { userName, password, token }, file };
}

/** The file, next to the sandbox's other generated secrets, that keeps a generated operator token. */
export const OPERATOR_TOKEN_FILE = 'operator-token.json';

const operatorFileSchema = z
  .object({ version: z.literal(1), operatorToken: z.string().regex(OPERATOR_TOKEN_RE) })
  .strict();

/**
 * The sandbox's operator token when SANDBOX_OPERATOR_TOKEN is unset: generated on the first start and kept in
 * `<dir>/operator-token.json` (the sandbox's folder: DATA_DIR/sandbox embedded, SANDBOX_DATA_DIR standalone), under
 * the same rules as the merchant credentials, so the operator's bookmarks and scripts keep working after a restart.
 */
export function keptOperatorToken(dir: string): { token: string; file: string } {
  const { value, file } = keptSecret(dir, OPERATOR_TOKEN_FILE, {
    schema: operatorFileSchema,
    what: 'sandbox operator token',
    shape: '{"version":1,"operatorToken"}',
    generate: () => ({ version: 1 as const, operatorToken: generateOperatorToken() }),
  });
  return { token: value.operatorToken, file };
}

/**
 * A generated secret kept in `<dir>/<name>` (folder 0700, file 0600): read when it exists, generated and written
 * otherwise.
 *
 * A file that exists but cannot be read or parsed stops the start with an error naming it, rather than being
 * replaced: the file is written atomically (temporary file + rename), so a crash never leaves half of one, and a
 * broken file therefore means someone else changed it (a hand edit, another program, a shared DATA_DIR).
 * Overwriting it silently would hide that and change secrets people may have copied; deleting it is one command.
 */
function keptSecret<T>(
  dir: string,
  name: string,
  spec: { schema: z.ZodType<T>; what: string; shape: string; generate: () => T },
): { value: T; file: string } {
  const file = path.join(dir, name);
  const existing = readKept(file, spec);
  if (existing !== undefined) {
    try {
      tighten(dir, 0o700);
      tighten(file, 0o600);
    } catch (err) {
      throw new CredentialsFileError(
        `cannot restrict the ${spec.what} file ${file} to its owner (${errorCode(err)}): fix its permissions`,
      );
    }
    return { value: existing, file };
  }
  const value = spec.generate();
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    tighten(dir, 0o700);
    const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    try {
      renameSync(temporary, file);
    } catch (err) {
      unlinkSync(temporary);
      throw err;
    }
  } catch (err) {
    throw new CredentialsFileError(
      `cannot write the ${spec.what} file ${file} (${errorCode(err)}): its folder must be writable`,
    );
  }
  return { value, file };
}

function readKept<T>(file: string, spec: { schema: z.ZodType<T>; what: string; shape: string }): T | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return undefined;
    throw new CredentialsFileError(
      `cannot read the ${spec.what} file ${file} (${errorCode(err)}): fix its permissions, or delete it to generate a new one`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = spec.schema.safeParse(json);
  // Neither the parser's message nor the content: the file holds a secret.
  if (!parsed.success)
    throw new CredentialsFileError(
      `the ${spec.what} file ${file} is not valid (expected ${spec.shape}): delete it to generate a new one`,
    );
  return parsed.data;
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
