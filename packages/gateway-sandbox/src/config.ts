import { z } from 'zod';
import { canonicalHostEntry, originOf } from './callbacks/allow-list.js';
import { MAX_CALLBACK_ATTEMPTS, MAX_RETRY_DELAY_MS, type CallbackOptions } from './callbacks/dispatcher.js';
import { DEFAULT_HOLD_LIFETIME_SECS, MAX_HOLD_LIFETIME_SECS } from './engine.js';
import { OPERATOR_TOKEN_RE } from './tools/operator.js';
import { DEFAULT_MERCHANTS, type SandboxMerchant } from './types.js';
import { WALLETS } from './wallets.js';

/**
 * The sandbox's settings from SANDBOX_* variables: parsed here once for both ways it runs, standalone
 * (src/server.ts) and embedded in the shop (src/config.ts calls loadSandboxConfig when GATEWAY_URL is unset).
 */
export interface SandboxConfig {
  readonly host: string;
  readonly port: number;
  /** Origin browsers use, no trailing slash. Absent only with SANDBOX_PORT=0, where it is known after listen(). */
  readonly publicUrl: string | undefined;
  /** DEFAULT_MERCHANTS unless SANDBOX_MERCHANTS is set. The embedded shop calls as the first one. */
  readonly merchants: readonly SandboxMerchant[];
  /**
   * False when SANDBOX_MERCHANTS is unset and `merchants` are the public demo ones: fine for a standalone sandbox
   * (which says so when it starts); the embedded shop replaces their credentials with generated ones.
   */
  readonly merchantsConfigured: boolean;
  /** SANDBOX_OPERATOR_TOKEN; unset means one is generated at start (outside production only). */
  readonly operatorToken: string | undefined;
  /**
   * SANDBOX_CALLBACK_HOSTS in canonical form: hosts every merchant's callbacks may go to (any port), besides each
   * merchant's own callback origins. Unset: only those.
   */
  readonly callbackHosts: readonly string[] | undefined;
  /** Unset means the engine's default (15 s). */
  readonly processingDelayMs: number | undefined;
  /** Unset fields mean the dispatcher's defaults. */
  readonly callbacks: Readonly<CallbackOptions>;
  /**
   * SANDBOX_DATA_DIR: the standalone sandbox keeps its orders in `<dir>/sandbox.db`; unset, in memory. The embedded
   * sandbox does not read it: it always keeps them under the shop's DATA_DIR (src/gateway-target.ts).
   */
  readonly dataDir: string | undefined;
  /** SANDBOX_TEST_HELPERS=on: the test helpers under /sandbox/test/ (docs/sandbox.md); with NODE_ENV=production only
   * when SANDBOX_TEST_HELPERS_IN_PRODUCTION=on allows them too. */
  readonly testHelpers: boolean;
  /**
   * Whether the report card's "Arm the probes" button works (SandboxAppOptions.armProbes): not with NODE_ENV=production
   * unless the test helpers are on (which production allows only with SANDBOX_TEST_HELPERS_IN_PRODUCTION=on).
   */
  readonly armProbes: boolean;
  /** SANDBOX_JOURNAL_MAX_ENTRIES: integration journal entries kept per merchant; unset, the journal's 5 000. */
  readonly journalMaxPerMerchant?: number | undefined;
  /** SANDBOX_HOLD_LIFETIME_SECS: how long a hold lives before the gateway releases it; unset, the engine's 7 days. */
  readonly holdLifetimeSecs?: number | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The one empty-string rule of every configuration parser: a blank value is unset, the way docker-compose and
 * .env.example pass optional variables. Applied to the whole environment once, before any schema sees it.
 */
export function withoutBlanks(env: Env): Record<string, string> {
  const present: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined && value.trim() !== '') present[key] = value;
  return present;
}

/** An http(s) origin a merchant's callbacks may go to: scheme, host and optional port, nothing after them. */
const callbackOriginSchema = z
  .string()
  .refine(isOrigin, 'must be an origin: http(s)://host[:port], no path, query or credentials');

function isOrigin(raw: string): boolean {
  if (originOf(raw) === undefined) return false;
  const u = new URL(raw);
  return u.pathname === '/' && !u.search && !u.hash && !u.username && !u.password && !raw.endsWith('?');
}

const merchantSchema = z
  .object({
    login: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, _ . - only'),
    userName: z.string().min(1).max(100),
    password: z.string().min(1).max(200),
    token: z.string().min(1).max(256).optional(),
    callbackUrl: z.url({ protocol: /^https?$/ }).optional(),
    callbackOrigins: z.array(callbackOriginSchema).max(20).optional(),
    callbackKey: z.string().min(1, 'must not be empty; omit it for unsigned callbacks').optional(),
    allowTwoPhase: z.boolean().default(true),
    /** The wallets its hosted page and direct wallet endpoints offer (wallets.ts): unset all, [] none. */
    wallets: z
      .array(z.enum(WALLETS, { error: `must be one of: ${WALLETS.join(', ')}` }))
      .refine((list) => new Set(list).size === list.length, 'must not name a wallet twice')
      .optional(),
  })
  .strict();

const merchantsSchema = z
  .array(merchantSchema)
  .min(1)
  .superRefine((merchants, ctx) => {
    // The app refuses these too, but as a start-up crash; here they are named with the other bad settings.
    for (const key of ['login', 'userName', 'token'] as const) {
      const values = merchants.map((m) => m[key]).filter((v) => v !== undefined);
      if (new Set(values).size !== values.length)
        ctx.addIssue({ code: 'custom', message: `every merchant needs its own ${key}` });
    }
  });

/**
 * An http(s) origin (and optional path), normalised by the WHATWG parser, without a trailing slash. formUrl is built
 * from it, so a query, fragment or user:password would end up in every payment page address: they are refused.
 */
const publicUrlSchema = z
  .url({ protocol: /^https?$/ })
  .transform((raw) => new URL(raw))
  .refine((u) => !u.search && !u.hash, 'must not have a query or fragment')
  .refine((u) => !u.username && !u.password, 'must not contain credentials')
  .transform((u) => `${u.origin}${u.pathname}`.replace(/\/+$/, ''));

/** Comma-separated host names / IP addresses; empty items (a trailing comma) are skipped, at least one is needed. */
const callbackHostsSchema = z.string().transform((raw, ctx) => {
  const entries = raw
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  const hosts: string[] = [];
  for (const [index, entry] of entries.entries()) {
    const host = canonicalHostEntry(entry);
    if (host === undefined)
      ctx.addIssue({
        code: 'custom',
        message: `item ${index + 1} is not a host name or IP address (no scheme, port or path; comma-separated)`,
      });
    else hosts.push(host);
  }
  if (entries.length === 0) ctx.addIssue({ code: 'custom', message: 'must name at least one host' });
  return [...new Set(hosts)];
});

const HOLD_LIFETIME_RULE = `must be a whole number of seconds from 1 to ${MAX_HOLD_LIFETIME_SECS} (unset: ${DEFAULT_HOLD_LIFETIME_SECS}, 7 days)`;

const envSchema = z.object({
  /** Read only to know whether SANDBOX_OPERATOR_TOKEN is required (production); the shop checks its values. */
  NODE_ENV: z.string().optional(),
  SANDBOX_PORT: z.coerce.number().int().min(0).max(65535).default(3001),
  SANDBOX_HOST: z.string().min(1).default('127.0.0.1'),
  SANDBOX_PUBLIC_URL: publicUrlSchema.optional(),
  SANDBOX_MERCHANTS: z
    .string()
    .transform((raw, ctx) => {
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        // Not the parser's message: it can quote the text around the error, and that may be a password.
        ctx.addIssue({ code: 'custom', message: 'must be valid JSON' });
        return z.NEVER;
      }
    })
    .pipe(merchantsSchema)
    .optional(),
  SANDBOX_PROCESSING_DELAY_MS: z.coerce.number().int().min(0).optional(),
  SANDBOX_CALLBACK_ATTEMPTS: z.coerce.number().int().min(1).max(MAX_CALLBACK_ATTEMPTS).optional(),
  SANDBOX_CALLBACK_RETRY_MS: z.coerce.number().int().min(0).max(MAX_RETRY_DELAY_MS).optional(),
  SANDBOX_CALLBACK_TIMEOUT_MS: z.coerce.number().int().min(1).max(120_000).optional(),
  SANDBOX_CALLBACK_HOSTS: callbackHostsSchema.optional(),
  SANDBOX_DATA_DIR: z.string().optional(),
  SANDBOX_JOURNAL_MAX_ENTRIES: z.coerce.number().int().min(1).max(100_000).optional(),
  SANDBOX_HOLD_LIFETIME_SECS: z.coerce
    .number({ error: HOLD_LIFETIME_RULE })
    .int({ error: HOLD_LIFETIME_RULE })
    .min(1, { error: HOLD_LIFETIME_RULE })
    .max(MAX_HOLD_LIFETIME_SECS, { error: HOLD_LIFETIME_RULE })
    .optional(),
  /** Standalone only (loadStandaloneSandboxConfig): whether the public demo merchant may be used. */
  SANDBOX_DEMO_CREDENTIALS: z
    .enum(['on', 'off'], { error: 'must be on or off (unset: on, except with NODE_ENV=production)' })
    .optional(),
  SANDBOX_TEST_HELPERS: z.enum(['on', 'off'], { error: 'must be on or off (unset: off)' }).optional(),
  SANDBOX_TEST_HELPERS_IN_PRODUCTION: z.enum(['on', 'off'], { error: 'must be on or off (unset: off)' }).optional(),
  SANDBOX_OPERATOR_TOKEN: z
    .string()
    .regex(OPERATOR_TOKEN_RE, 'must be 16 to 256 printable ASCII characters without spaces')
    .optional(),
});

/** The rules between keys, checked once every key parsed on its own. */
const checkedEnvSchema = envSchema.superRefine((e, ctx) => {
  const issue = (key: string, message: string) => ctx.addIssue({ code: 'custom', path: [key], message });
  const merchants = e.SANDBOX_MERCHANTS ?? DEFAULT_MERCHANTS;
  const token = e.SANDBOX_OPERATOR_TOKEN;
  if (token === undefined && e.NODE_ENV === 'production')
    issue(
      'SANDBOX_OPERATOR_TOKEN',
      'is required when NODE_ENV=production (16+ characters, e.g. openssl rand -base64 32): it opens the orders view and fault switches',
    );
  // Not only the merchants of SANDBOX_MERCHANTS: the demo ones too, whose password and token are public.
  // (A token of the wrong shape already has its problem: one message per key is enough.)
  if (
    token !== undefined &&
    OPERATOR_TOKEN_RE.test(token) &&
    merchants.some((m) => m.password === token || m.token === token)
  )
    issue('SANDBOX_OPERATOR_TOKEN', 'must differ from every merchant password and token');
  // The test helpers change orders at will: never in a production run unless a second setting says so.
  if (e.SANDBOX_TEST_HELPERS === 'on' && e.NODE_ENV === 'production' && e.SANDBOX_TEST_HELPERS_IN_PRODUCTION !== 'on')
    issue(
      'SANDBOX_TEST_HELPERS',
      'is refused when NODE_ENV=production: the test helpers pay, reset and forge at will; set SANDBOX_TEST_HELPERS_IN_PRODUCTION=on to allow them anyway',
    );
});

export class SandboxConfigError extends Error {
  override readonly name = 'SandboxConfigError';
  constructor(
    /** The variables at fault, e.g. SANDBOX_PORT. */
    readonly keys: readonly string[],
    /** One `KEY[.path]: message` line per problem; never a value, since SANDBOX_MERCHANTS holds passwords. */
    readonly problems: readonly string[],
  ) {
    super(`Invalid sandbox configuration: ${problems.join('; ')}`);
  }
}

/**
 * Parses the environment or throws a SandboxConfigError naming every bad key. Only SANDBOX_* keys are read, and
 * NODE_ENV (production requires SANDBOX_OPERATOR_TOKEN).
 */
export function loadSandboxConfig(env: Env): SandboxConfig {
  return configOf(parseEnv(env));
}

/** What the standalone sandbox (server.ts) needs on top of the shared settings. */
export interface StandaloneSandboxConfig extends SandboxConfig {
  /**
   * True when the merchants are the public demo ones (SANDBOX_MERCHANTS unset): allowed outside production by default,
   * and with NODE_ENV=production only with SANDBOX_DEMO_CREDENTIALS=on (server.ts then warns at start).
   */
  readonly demoCredentials: boolean;
  readonly production: boolean;
}

/**
 * The standalone sandbox's settings: loadSandboxConfig's, plus the rule about the public demo merchant, whose
 * credentials docs/sandbox.md prints. It answers to them outside production unless SANDBOX_DEMO_CREDENTIALS=off, and
 * with NODE_ENV=production only when SANDBOX_DEMO_CREDENTIALS=on says so. (The embedded sandbox never uses them: the
 * shop gives the demo merchant generated credentials, src/gateway-target.ts.)
 */
export function loadStandaloneSandboxConfig(env: Env): StandaloneSandboxConfig {
  const e = parseEnv(env);
  const config = configOf(e);
  const production = e.NODE_ENV === 'production';
  const demoCredentials = !config.merchantsConfigured;
  const allowed = (e.SANDBOX_DEMO_CREDENTIALS ?? (production ? 'off' : 'on')) === 'on';
  if (demoCredentials && !allowed)
    throw new SandboxConfigError(
      ['SANDBOX_MERCHANTS'],
      [
        production
          ? 'SANDBOX_MERCHANTS: is required when NODE_ENV=production: the demo merchant’s credentials are public (docs/sandbox.md); set SANDBOX_DEMO_CREDENTIALS=on to accept them anyway'
          : 'SANDBOX_MERCHANTS: is required with SANDBOX_DEMO_CREDENTIALS=off (the demo merchant’s credentials are public)',
      ],
    );
  return { ...config, demoCredentials, production };
}

type ParsedEnv = z.infer<typeof envSchema>;

function parseEnv(env: Env): ParsedEnv {
  const parsed = checkedEnvSchema.safeParse(withoutBlanks(env));
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message }));
    const keys = [...new Set(issues.map((i) => i.path[0] ?? '(env)'))];
    throw new SandboxConfigError(
      keys,
      issues.map((i) => `${i.path.join('.')}: ${i.message}`),
    );
  }
  return parsed.data;
}

function configOf(e: ParsedEnv): SandboxConfig {
  return {
    host: e.SANDBOX_HOST,
    port: e.SANDBOX_PORT,
    // 127.0.0.1 rather than localhost: the hosted page then sits on another *site* than the shop, as a real gateway does.
    publicUrl: e.SANDBOX_PUBLIC_URL ?? (e.SANDBOX_PORT === 0 ? undefined : `http://127.0.0.1:${e.SANDBOX_PORT}`),
    merchants: e.SANDBOX_MERCHANTS ?? DEFAULT_MERCHANTS,
    merchantsConfigured: e.SANDBOX_MERCHANTS !== undefined,
    operatorToken: e.SANDBOX_OPERATOR_TOKEN,
    callbackHosts: e.SANDBOX_CALLBACK_HOSTS,
    processingDelayMs: e.SANDBOX_PROCESSING_DELAY_MS,
    callbacks: {
      maxAttempts: e.SANDBOX_CALLBACK_ATTEMPTS,
      retryBaseMs: e.SANDBOX_CALLBACK_RETRY_MS,
      timeoutMs: e.SANDBOX_CALLBACK_TIMEOUT_MS,
    },
    dataDir: e.SANDBOX_DATA_DIR,
    testHelpers: e.SANDBOX_TEST_HELPERS === 'on',
    armProbes: e.NODE_ENV !== 'production' || e.SANDBOX_TEST_HELPERS === 'on',
    journalMaxPerMerchant: e.SANDBOX_JOURNAL_MAX_ENTRIES,
    holdLifetimeSecs: e.SANDBOX_HOLD_LIFETIME_SECS,
  };
}
