import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { code as currencyByCode } from 'currency-codes';
import { z } from 'zod';
import { baseUrlProblem, DEFAULT_TIMEOUTS, originProblem, TAX_SYSTEMS } from './gateway/index.js';
import { isKnownCurrency } from './money.js';
import { loadSandboxConfig, SandboxConfigError, type SandboxConfig } from '@rbs-storefront/gateway-sandbox';

/**
 * The whole configuration, parsed once at start-up from the environment (and `.env` via dotenv in server.ts)
 * into one frozen object that is passed down; each setting is checked here only. Only the launchers (server.ts,
 * reconcile.ts, admin-hash.ts, the sandbox's server) read process.env (test/config-boundary.test.ts).
 */
/** Where the shop receives the gateway's callbacks (src/shop/routes.ts). */
export const CALLBACK_PATH = '/payment/callback';

export interface Config {
  readonly env: 'development' | 'production' | 'test';
  /** Compiled templates are kept (viewCacheOn): off only with NODE_ENV=development said explicitly (`npm run dev`). */
  readonly viewCache: boolean;
  readonly host: string;
  readonly port: number;
  /** Origin (and optional path) buyers use to reach the shop, without a trailing slash. returnUrl/failUrl come from it. */
  readonly publicBaseUrl: string;
  /** PUBLIC_BASE_URL is https://: cookies are Secure, and HSTS and upgrade-insecure-requests are sent. */
  readonly https: boolean;
  /**
   * CANONICAL_HOST: requests for another host than PUBLIC_BASE_URL's are redirected there (GET/HEAD) or refused
   * (src/http/canonical-host.ts). On by default; off by default with NODE_ENV=test, whose clients use ephemeral ports.
   */
  readonly canonicalHost: boolean;
  readonly gateway: GatewayConfig;
  readonly flow: 'one-phase' | 'two-phase';
  /** ISO 4217 numeric code, e.g. "978". */
  readonly currency: string;
  /** First signs new cookies; the others are still accepted (rotation). */
  readonly sessionSecrets: readonly string[];
  readonly dataDir: string;
  readonly trustProxy: number;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly orderLifetimeSecs: number;
  /** TAX_SYSTEM: the merchant's tax system (0..5), sent as register.do's taxSystem; undefined: not sent. */
  readonly taxSystem: number | undefined;
  readonly buyRateLimitPerMinute: number;
  /** Buy attempts per browser (its browser key) per minute, whatever address it comes from. */
  readonly buyRateLimitPerBrowser: number;
  /** The gateway's notifications at /payment/callback. */
  readonly callbacks: {
    readonly enabled: boolean;
    /**
     * The HMAC key callbacks are signed with, resolved here once; undefined when callbacks are off. A remote gateway:
     * GATEWAY_CALLBACK_KEY, shared with it; unset in development means unsigned callbacks are accepted (with a
     * warning). The embedded sandbox: its first merchant's own callbackKey (SANDBOX_MERCHANTS), else
     * GATEWAY_CALLBACK_KEY, else one generated for this run (shop and sandbox restart together).
     */
    readonly key: string | undefined;
    /**
     * GATEWAY_DYNAMIC_CALLBACK=on: sent as register.do's dynamicCallbackUrl (`${publicBaseUrl}/payment/callback`), for
     * a gateway that takes it (where the merchant's static callback URL is not set up); undefined when off.
     */
    readonly dynamicUrl: string | undefined;
  };
  readonly reconcile: {
    /** Pause between reconciler runs; 0 = no periodic job. */
    readonly intervalMs: number;
    /** Most orders asked about per run. */
    readonly batch: number;
    /** How long after payment an order is re-checked for refunds and reversals made elsewhere. */
    readonly recheckPaidForMs: number;
    /** How long after its Buy an open order is still asked about (RECONCILE_GIVE_UP_HOURS). */
    readonly giveUpAfterMs: number;
  };
  /** The back office at /admin; undefined (off) unless ADMIN_PASSWORD or ADMIN_PASSWORD_HASH is set. */
  readonly admin: AdminConfig | undefined;
  /** The Prometheus listener (GET /metrics), on its own port; undefined (no listener) unless METRICS_PORT is set. */
  readonly metrics: { readonly port: number; readonly host: string } | undefined;
  /**
   * Shared state for several instances (docs/decisions/0011-shared-state.md). DATABASE_URL (postgres://…): the order
   * ledger in PostgreSQL instead of DATA_DIR/shop.db. REDIS_URL (redis://…): sessions and rate-limit counters in Redis.
   * Both hold credentials: never logged, never shown.
   */
  readonly storage: { readonly databaseUrl: string | undefined; readonly redisUrl: string | undefined };
}

export interface AdminConfig {
  readonly user: string;
  /** Exactly one of the two is set. A plain password is hashed once at start-up (src/admin/password.ts). */
  readonly password: string | undefined;
  /** `scrypt$N$r$p$salt$hash` (base64), as printed by `npm run admin-hash`. */
  readonly passwordHash: string | undefined;
  /** A session unused for this long is over (rolling). */
  readonly idleMs: number;
}

/** The ADMIN_PASSWORD_HASH format: scrypt$N$r$p$saltBase64$hashBase64 (N a power of two). */
export const ADMIN_HASH_RE =
  /^scrypt\$(\d{1,8})\$(\d{1,3})\$(\d{1,3})\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

export type GatewayConfig =
  | {
      readonly mode: 'remote';
      readonly url: string;
      readonly auth: { readonly userName: string; readonly password: string } | { readonly token: string };
      /**
       * GATEWAY_PAYMENT_PAGE_ORIGIN: where formUrl must point when browsers reach the payment page at another address
       * than the shop reaches the API (a sandbox called by its compose service name); unset: GATEWAY_URL's origin.
       */
      readonly paymentPageOrigin?: string | undefined;
      readonly timeoutMs: number;
      readonly statusTimeoutMs: number;
    }
  | {
      /** GATEWAY_URL is unset: the shop starts the gateway sandbox in-process, set up by the SANDBOX_* keys. */
      readonly mode: 'sandbox';
      readonly sandbox: SandboxConfig;
      readonly timeoutMs: number;
      readonly statusTimeoutMs: number;
    };

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** A whole number in [min, max]; every failure says so, with the default as the example. */
const intIn = (min: number, max: number, def: number, message?: string) => {
  const error = message ?? `must be a whole number from ${min} to ${max}, e.g. ${def}`;
  return z.coerce.number({ error }).int({ error }).min(min, { error }).max(max, { error }).default(def);
};
const port = (def: number) => intIn(1, 65535, def, `must be a free TCP port number from 1 to 65535, e.g. ${def}`);
/**
 * An http(s) base URL, normalised by the WHATWG parser (so `HTTPS://Shop.Example` becomes `https://shop.example`).
 * A query, fragment or user:password would end up inside every URL built from it, so they are refused.
 */
const baseUrl = (example: string) =>
  z
    .url({ protocol: /^https?$/, error: `must be an http:// or https:// URL, e.g. ${example}` })
    .transform((u) => new URL(u))
    .refine((u) => !u.search && !u.hash, 'must not have a query or fragment')
    .refine((u) => !u.username && !u.password, 'must not contain credentials (use GATEWAY_USERNAME/GATEWAY_PASSWORD)');
const httpUrl = (example: string) => baseUrl(example).transform((u) => `${u.origin}${u.pathname}`.replace(/\/+$/, ''));
/** A setting checked by one of the gateway client's own rules (`problemOf`), refused in its words with an example. */
const clientRule = (problemOf: (raw: string) => string | undefined, example: string) =>
  z.string().superRefine((raw, ctx) => {
    const problem = problemOf(raw);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `${problem}, e.g. ${example}` });
  });
/**
 * GATEWAY_URL, normalised by the WHATWG parser. The trailing slash is the one people leave out: "…/payment/rest"
 * means the same base.
 */
const gatewayUrl = z
  .string()
  .transform((raw) => {
    try {
      const u = new URL(raw);
      u.pathname = u.pathname.replace(/\/payment\/rest$/, '/payment/rest/');
      return u.href;
    } catch {
      return raw; // not a URL at all: baseUrlProblem says so
    }
  })
  .pipe(clientRule(baseUrlProblem, 'https://dev.bpsprocessing.ru/payment/rest/'))
  .transform((valid) => {
    const u = new URL(valid);
    return `${u.origin}${u.pathname}`; // without an empty "?" or "#"
  });
/**
 * A service address with its credentials in it (DATABASE_URL, REDIS_URL). The message never repeats the value: it may
 * hold a password.
 */
const serviceUrl = (protocols: readonly string[], example: string) =>
  z.string().refine(
    (value) => {
      try {
        const u = new URL(value);
        return protocols.includes(u.protocol) && u.hostname !== '';
      } catch {
        return false;
      }
    },
    { error: `must be a ${protocols.map((p) => `${p}//`).join(' or ')} URL with a host, e.g. ${example}` },
  );
/** One of a few words; the message lists them all. */
const oneOf = <const T extends readonly [string, ...string[]]>(values: T, hint = '') =>
  z.enum(values, { error: `must be ${values.slice(0, -1).join(', ')} or ${values.at(-1)}${hint}` });
/** ISO 4217 numeric; a letter code (EUR) gets its number as the example. */
const currency = z
  .string()
  .superRefine((value, ctx) => {
    if (/^\d{3}$/.test(value)) {
      if (!isKnownCurrency(value))
        ctx.addIssue({
          code: 'custom',
          message: `${value} is not an ISO 4217 currency number: e.g. 978 for EUR, 643 for RUB`,
        });
      return;
    }
    const known = /^[A-Za-z]{3}$/.test(value) ? currencyByCode(value.toUpperCase()) : undefined;
    ctx.addIssue({
      code: 'custom',
      message: known
        ? `must be an ISO 4217 numeric code, e.g. ${known.number} for ${known.code}`
        : 'must be an ISO 4217 numeric code, e.g. 978 for EUR, 643 for RUB, 840 for USD',
    });
  })
  .default('978');
const secret = z.string().min(32, 'must be at least 32 characters; generate one with: openssl rand -base64 32');

/** Blank values never reach it: loadConfig drops them first (withoutBlanks), so "unset" and "empty" are one case. */
const schema = z
  .object({
    NODE_ENV: oneOf(['development', 'production', 'test']).default('development'),
    HOST: z.string().default('127.0.0.1'),
    PORT: port(3000),
    PUBLIC_BASE_URL: httpUrl('http://localhost:3000 or https://shop.example').optional(),
    CANONICAL_HOST: oneOf(['on', 'off'], ' (default on)').optional(),
    GATEWAY_URL: gatewayUrl.optional(),
    GATEWAY_PAYMENT_PAGE_ORIGIN: clientRule(originProblem, 'http://127.0.0.1:3001')
      .transform((raw) => new URL(raw))
      .refine(
        (u) => u.pathname === '/' && !u.search && !u.hash,
        'must be an origin only, e.g. http://127.0.0.1:3001 (no path)',
      )
      .transform((u) => u.origin)
      .optional(),
    GATEWAY_USERNAME: z.string().optional(),
    GATEWAY_PASSWORD: z.string().optional(),
    GATEWAY_TOKEN: z.string().optional(),
    // The gateway client's own defaults (src/gateway/options.ts), stated there once.
    GATEWAY_TIMEOUT_MS: intIn(100, 120_000, DEFAULT_TIMEOUTS.operationMs),
    GATEWAY_STATUS_TIMEOUT_MS: intIn(100, 120_000, DEFAULT_TIMEOUTS.statusMs),
    /** The embedded gateway sandbox: on/off; unset means on outside production, and refused in production. */
    SANDBOX: z
      .enum(['on', 'off'], { error: 'must be on or off (unset: on, except with NODE_ENV=production)' })
      .optional(),
    PAYMENT_FLOW: oneOf(['one-phase', 'two-phase'], ' (register.do, or registerPreAuth.do then capture)').default(
      'one-phase',
    ),
    CURRENCY: currency,
    SESSION_SECRET: secret.optional(),
    SESSION_SECRET_PREVIOUS: secret.optional(),
    DATA_DIR: z.string().default('./data'),
    TRUST_PROXY: intIn(
      0,
      10,
      0,
      'must be the number of reverse proxies in front of the shop, from 0 to 10: 0 for none, 1 behind one nginx (not true/false)',
    ),
    LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    ORDER_LIFETIME_SECS: intIn(60, 86_400, 1200),
    // No default: unset means no taxSystem parameter (the gateway's merchant setting applies).
    TAX_SYSTEM: intIn(
      TAX_SYSTEMS.min,
      TAX_SYSTEMS.max,
      0,
      'must be the tax system code from 0 to 5: 0 general, 1 simplified (income), 2 simplified (income minus expense), 3, 4 or 5',
    )
      .unwrap()
      .optional(),
    BUY_RATE_LIMIT_PER_MINUTE: intIn(1, 10_000, 20),
    BUY_RATE_LIMIT_PER_BROWSER: intIn(1, 10_000, 10),
    CALLBACKS: oneOf(['on', 'off'], ' (default on)').default('on'),
    GATEWAY_DYNAMIC_CALLBACK: oneOf(['on', 'off'], ' (default off)').default('off'),
    GATEWAY_CALLBACK_KEY: z
      .string()
      .min(8, 'must be at least 8 characters (the key from the gateway console)')
      .optional(),
    RECONCILE_INTERVAL_SECS: intIn(0, 86_400, 60),
    RECONCILE_BATCH: intIn(1, 1000, 50),
    RECONCILE_RECHECK_HOURS: intIn(0, 24 * 30, 24),
    RECONCILE_GIVE_UP_HOURS: intIn(1, 24 * 30, 72),
    ADMIN_USER: z
      .string()
      .regex(/^[\x21-\x7e]{1,64}$/, 'must be 1-64 printable characters without spaces')
      .default('admin'),
    ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
    ADMIN_PASSWORD_HASH: z
      .string()
      .regex(ADMIN_HASH_RE, 'must be scrypt$N$r$p$salt$hash as printed by npm run admin-hash')
      .optional(),
    ADMIN_IDLE_MINUTES: intIn(1, 24 * 60, 30),
    // No default: unset means no metrics listener at all (docs/decisions/0010-metrics.md).
    METRICS_PORT: port(3002).unwrap().optional(),
    METRICS_HOST: z.string().default('127.0.0.1'),
    DATABASE_URL: serviceUrl(['postgres:', 'postgresql:'], 'postgres://shop:secret@127.0.0.1:5432/shop').optional(),
    REDIS_URL: serviceUrl(['redis:', 'rediss:'], 'redis://127.0.0.1:6379/0').optional(),
  })
  .superRefine((c, ctx) => {
    const issue = (key: string, message: string) => ctx.addIssue({ code: 'custom', path: [key], message });
    if (c.METRICS_PORT !== undefined && c.METRICS_PORT === c.PORT)
      issue(
        'METRICS_PORT',
        "must differ from PORT: metrics are served on their own listener, never on the shop's port",
      );
    if (c.GATEWAY_URL) {
      const hasPassword = c.GATEWAY_USERNAME !== undefined || c.GATEWAY_PASSWORD !== undefined;
      if (hasPassword && c.GATEWAY_TOKEN)
        issue('GATEWAY_TOKEN', 'give GATEWAY_USERNAME/GATEWAY_PASSWORD or GATEWAY_TOKEN, not both');
      if (!c.GATEWAY_TOKEN) {
        if (!c.GATEWAY_USERNAME)
          issue('GATEWAY_USERNAME', 'is required when GATEWAY_URL is set (or give GATEWAY_TOKEN)');
        if (!c.GATEWAY_PASSWORD)
          issue('GATEWAY_PASSWORD', 'is required when GATEWAY_URL is set (or give GATEWAY_TOKEN)');
      }
    }
    if (!c.GATEWAY_URL && c.GATEWAY_PAYMENT_PAGE_ORIGIN)
      issue(
        'GATEWAY_PAYMENT_PAGE_ORIGIN',
        'applies only with GATEWAY_URL (the embedded sandbox takes its page origin from SANDBOX_PUBLIC_URL)',
      );
    if (!c.GATEWAY_URL && c.SANDBOX === 'off')
      issue(
        'SANDBOX',
        'is off and GATEWAY_URL is unset: there is no gateway (set GATEWAY_URL, or SANDBOX=on for the demo)',
      );
    if (c.GATEWAY_URL && c.SANDBOX === 'on')
      issue('SANDBOX', 'is on, but GATEWAY_URL is set, so no sandbox would start: unset one of them');
    // The sandbox is an emulator: its test cards "pay" for anything and no money moves. A production shop that merely
    // forgot GATEWAY_URL must not quietly become one.
    if (!c.GATEWAY_URL && c.NODE_ENV === 'production' && c.SANDBOX === undefined)
      issue(
        'GATEWAY_URL',
        'is required when NODE_ENV=production: without it the shop would start the embedded gateway sandbox, an emulator whose test cards approve any "payment" while no money moves. Set GATEWAY_URL (and its credentials) for a real gateway, or SANDBOX=on to run the demo deliberately',
      );
    if (c.NODE_ENV === 'production' && !c.SESSION_SECRET)
      issue('SESSION_SECRET', 'is required when NODE_ENV=production');
    // Unsigned callbacks would let anyone make the shop ask the gateway about its orders: a demo convenience only.
    if (c.NODE_ENV === 'production' && c.GATEWAY_URL && c.CALLBACKS === 'on' && !c.GATEWAY_CALLBACK_KEY)
      issue('GATEWAY_CALLBACK_KEY', 'is required when NODE_ENV=production and CALLBACKS=on (or set CALLBACKS=off)');
    if (c.GATEWAY_DYNAMIC_CALLBACK === 'on' && c.CALLBACKS === 'off')
      issue('GATEWAY_DYNAMIC_CALLBACK', "needs CALLBACKS=on: it names the shop's callback URL, which is off");
    if (c.ADMIN_PASSWORD !== undefined && c.ADMIN_PASSWORD_HASH !== undefined)
      issue('ADMIN_PASSWORD', 'give ADMIN_PASSWORD or ADMIN_PASSWORD_HASH, not both');
    // A plain password in the environment ends up in process listings, dumps and CI logs: production takes the hash.
    else if (c.NODE_ENV === 'production' && c.ADMIN_PASSWORD !== undefined)
      issue('ADMIN_PASSWORD', 'is refused when NODE_ENV=production: set ADMIN_PASSWORD_HASH (npm run admin-hash)');
  });

type Env = Readonly<Record<string, string | undefined>>;

/**
 * A blank value is unset, the way docker-compose and .env.example pass optional variables: applied to the whole
 * environment once, before any schema sees it. The sandbox keeps its own copy of this rule (it shares no code with
 * the shop), so the embedded sandbox reads the same environment the same way.
 */
function withoutBlanks(env: Env): Record<string, string> {
  const present: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined && value.trim() !== '') present[key] = value;
  return present;
}

/** Where a development session secret is kept so that sessions survive restarts. */
export const DEV_SECRET_FILE = 'session-secret';
/** Where the developer panel's token is kept (outside production), so that its cookie survives restarts. */
export const DEV_PANEL_TOKEN_FILE = 'dev-panel-token';

/**
 * The developer panel's opt-in token (src/dev/routes.ts), generated once and kept under DATA_DIR (0600): `npm run dev`
 * restarts on every edit, and a token kept with the other secrets keeps the developer's panel cookie valid. Asked only
 * where the panel exists (outside production): by createApp when it mounts the panel, and by the launcher, which
 * prints it. Not part of Config, so that reading the configuration writes nothing more.
 */
export function keptDevPanelToken(dataDir: string): string {
  return keptSecret(dataDir, DEV_PANEL_TOKEN_FILE);
}

/**
 * Whether compiled templates are kept: always, except with NODE_ENV=development said explicitly (as `npm run dev`
 * does), where an edited template shows on the next request. A plain `npm start` leaves NODE_ENV unset: cached.
 */
export function viewCacheOn(nodeEnv: string | undefined): boolean {
  return nodeEnv !== 'development';
}

/**
 * Validates the environment. Pure except for two things: in development, a missing SESSION_SECRET is generated once
 * and kept under DATA_DIR (mode 0600), so a demo needs no .env and its sessions survive restarts; and the embedded
 * sandbox's callback key, when nothing names one, is generated for this run (callbacks.key).
 */
export function loadConfig(env: Env): Config {
  const present = withoutBlanks(env);
  const parsed = schema.safeParse(present);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`);
  // SANDBOX_* keys count only when the sandbox runs, i.e. without GATEWAY_URL and not refused by SANDBOX/NODE_ENV
  // (those refusals are the schema's); their problems join the others.
  const sandboxRuns =
    present.GATEWAY_URL === undefined &&
    present.SANDBOX !== 'off' &&
    (present.NODE_ENV !== 'production' || present.SANDBOX === 'on');
  let sandbox: SandboxConfig | undefined;
  if (sandboxRuns) {
    try {
      sandbox = loadSandboxConfig(present);
    } catch (err) {
      if (!(err instanceof SandboxConfigError)) throw err;
      problems.push(...err.problems);
    }
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const c = parsed.data;
  const dataDir = path.resolve(c.DATA_DIR);
  ownerOnlyDataDir(dataDir);
  const primarySecret = c.SESSION_SECRET ?? keptSecret(dataDir, DEV_SECRET_FILE);
  const publicBaseUrl = c.PUBLIC_BASE_URL ?? `http://localhost:${c.PORT}`;
  const timeouts = { timeoutMs: c.GATEWAY_TIMEOUT_MS, statusTimeoutMs: c.GATEWAY_STATUS_TIMEOUT_MS };
  // The schema guarantees GATEWAY_URL and its credentials whenever there is no sandbox.
  const gateway: GatewayConfig = sandbox
    ? { mode: 'sandbox', sandbox, ...timeouts }
    : {
        mode: 'remote',
        url: c.GATEWAY_URL ?? '',
        auth: c.GATEWAY_TOKEN
          ? { token: c.GATEWAY_TOKEN }
          : { userName: c.GATEWAY_USERNAME ?? '', password: c.GATEWAY_PASSWORD ?? '' },
        paymentPageOrigin: c.GATEWAY_PAYMENT_PAGE_ORIGIN,
        ...timeouts,
      };
  return deepFreeze({
    env: c.NODE_ENV,
    viewCache: viewCacheOn(present.NODE_ENV),
    host: c.HOST,
    port: c.PORT,
    publicBaseUrl,
    https: publicBaseUrl.startsWith('https://'),
    canonicalHost: (c.CANONICAL_HOST ?? (c.NODE_ENV === 'test' ? 'off' : 'on')) === 'on',
    gateway,
    flow: c.PAYMENT_FLOW,
    currency: c.CURRENCY,
    sessionSecrets: c.SESSION_SECRET_PREVIOUS ? [primarySecret, c.SESSION_SECRET_PREVIOUS] : [primarySecret],
    dataDir,
    trustProxy: c.TRUST_PROXY,
    logLevel: c.LOG_LEVEL,
    orderLifetimeSecs: c.ORDER_LIFETIME_SECS,
    taxSystem: c.TAX_SYSTEM,
    buyRateLimitPerMinute: c.BUY_RATE_LIMIT_PER_MINUTE,
    buyRateLimitPerBrowser: c.BUY_RATE_LIMIT_PER_BROWSER,
    callbacks: {
      enabled: c.CALLBACKS === 'on',
      key:
        c.CALLBACKS === 'off'
          ? undefined
          : sandbox
            ? (sandbox.merchants[0]?.callbackKey ?? c.GATEWAY_CALLBACK_KEY ?? randomBytes(32).toString('base64url'))
            : c.GATEWAY_CALLBACK_KEY,
      dynamicUrl: c.GATEWAY_DYNAMIC_CALLBACK === 'on' ? `${publicBaseUrl}${CALLBACK_PATH}` : undefined,
    },
    reconcile: {
      intervalMs: c.RECONCILE_INTERVAL_SECS * 1000,
      batch: c.RECONCILE_BATCH,
      recheckPaidForMs: c.RECONCILE_RECHECK_HOURS * 3_600_000,
      giveUpAfterMs: c.RECONCILE_GIVE_UP_HOURS * 3_600_000,
    },
    admin:
      c.ADMIN_PASSWORD === undefined && c.ADMIN_PASSWORD_HASH === undefined
        ? undefined
        : {
            user: c.ADMIN_USER,
            password: c.ADMIN_PASSWORD,
            passwordHash: c.ADMIN_PASSWORD_HASH,
            idleMs: c.ADMIN_IDLE_MINUTES * 60_000,
          },
    metrics: c.METRICS_PORT === undefined ? undefined : { port: c.METRICS_PORT, host: c.METRICS_HOST },
    storage: { databaseUrl: c.DATABASE_URL, redisUrl: c.REDIS_URL },
  });
}

/**
 * A generated secret kept under DATA_DIR (mode 0600), so that it survives restarts. A kept file someone loosened
 * (0666) is tightened again.
 */
function keptSecret(dataDir: string, name: string): string {
  const file = path.join(dataDir, name);
  try {
    const existing = readFileSync(file, 'utf8').trim();
    if (existing.length >= 32) {
      ownerOnly(file, 0o600);
      return existing;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw dataDirProblem(dataDir, err);
  }
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 }); // it holds secrets and the ledger
    const secret = randomBytes(32).toString('base64url');
    writeFileSync(file, `${secret}\n`, { mode: 0o600 });
    return secret;
  } catch (err) {
    throw dataDirProblem(dataDir, err);
  }
}

/**
 * DATA_DIR holds the secrets and the ledger: when it exists, it is made owner-only again (0700) if someone loosened
 * it. One that doesn't exist yet is created (0700) by whatever first keeps something there. A path that cannot be a
 * folder is a configuration error naming DATA_DIR, not a raw ENOTDIR later.
 */
function ownerOnlyDataDir(dataDir: string): void {
  try {
    if (!statSync(dataDir).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
    ownerOnly(dataDir, 0o700);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw dataDirProblem(dataDir, err);
  }
}

/** Takes group and world access away from `target` (mode `mode`) if it has any. */
function ownerOnly(target: string, mode: 0o600 | 0o700): void {
  if ((statSync(target).mode & 0o077) !== 0) chmodSync(target, mode);
}

function dataDirProblem(dataDir: string, err: unknown): ConfigError {
  const code = (err as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOTDIR' || code === 'EEXIST'
      ? 'it, or a folder above it, is a file'
      : code === 'EACCES' || code === 'EPERM'
        ? 'this user may not create or change it'
        : code === 'EROFS'
          ? 'it is on a read-only file system'
          : (code ?? (err instanceof Error ? err.message : String(err)));
  return new ConfigError([
    `DATA_DIR: ${dataDir} cannot be used as the data folder (${why}): set DATA_DIR to a folder this user may write, e.g. ./data`,
  ]);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
