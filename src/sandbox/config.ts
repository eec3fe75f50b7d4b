import { z } from 'zod';
import type { CallbackOptions } from './callbacks/dispatcher.js';
import type { SandboxMerchant } from './types.js';

/** Standalone sandbox configuration from environment variables (only server.ts passes process.env in). */
export interface SandboxConfig {
  port: number;
  host: string;
  /** Absent only with SANDBOX_PORT=0, where the origin is known after listen(). */
  publicUrl?: string;
  merchants?: SandboxMerchant[];
  processingDelayMs?: number;
  callbacks?: CallbackOptions;
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

const merchantSchema = z
  .object({
    login: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, _ . - only'),
    userName: z.string().min(1).max(100),
    password: z.string().min(1).max(200),
    token: z.string().min(1).max(256).optional(),
    callbackUrl: z.url({ protocol: /^https?$/ }).optional(),
    callbackKey: z.string().min(1, 'must not be empty; omit it for unsigned callbacks').optional(),
    allowTwoPhase: z.boolean().default(true),
  })
  .strict();

const envSchema = z.object({
  SANDBOX_PORT: z.coerce.number().int().min(0).max(65535).default(3001),
  SANDBOX_HOST: z.string().min(1).default('127.0.0.1'),
  SANDBOX_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  SANDBOX_MERCHANTS: z
    .string()
    .transform((raw, ctx) => {
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be valid JSON' });
        return z.NEVER;
      }
    })
    .pipe(z.array(merchantSchema).min(1))
    .optional(),
  SANDBOX_PROCESSING_DELAY_MS: z.coerce.number().int().min(0).optional(),
  SANDBOX_CALLBACK_ATTEMPTS: z.coerce.number().int().min(1).max(20).optional(),
  SANDBOX_CALLBACK_RETRY_MS: z.coerce.number().int().min(0).max(3_600_000).optional(),
  SANDBOX_CALLBACK_TIMEOUT_MS: z.coerce.number().int().min(1).max(120_000).optional(),
});

export class SandboxConfigError extends Error {
  constructor(
    readonly keys: string[],
    detail: string,
  ) {
    super(`Invalid sandbox configuration: ${detail}`);
    this.name = 'SandboxConfigError';
  }
}

/** Parses the environment or throws a SandboxConfigError naming every bad key. Only SANDBOX_* keys are read. */
export function loadSandboxConfig(env: Env): SandboxConfig {
  const parsed = envSchema.safeParse(withoutBlanks(env));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => ({ key: i.path.map(String).join('.'), message: i.message }));
    const keys = [...new Set(problems.map((p) => p.key.split('.')[0] ?? p.key))];
    throw new SandboxConfigError(keys, problems.map((p) => `${p.key}: ${p.message}`).join('; '));
  }
  const e = parsed.data;
  return {
    port: e.SANDBOX_PORT,
    host: e.SANDBOX_HOST,
    ...publicUrlOf(e.SANDBOX_PUBLIC_URL, e.SANDBOX_PORT),
    ...(e.SANDBOX_MERCHANTS && { merchants: e.SANDBOX_MERCHANTS.map(stripUndefined) }),
    ...(e.SANDBOX_PROCESSING_DELAY_MS !== undefined && { processingDelayMs: e.SANDBOX_PROCESSING_DELAY_MS }),
    ...callbacksOf(e.SANDBOX_CALLBACK_ATTEMPTS, e.SANDBOX_CALLBACK_RETRY_MS, e.SANDBOX_CALLBACK_TIMEOUT_MS),
  };
}

function callbacksOf(maxAttempts?: number, retryBaseMs?: number, timeoutMs?: number): { callbacks?: CallbackOptions } {
  const callbacks: CallbackOptions = {
    ...(maxAttempts !== undefined && { maxAttempts }),
    ...(retryBaseMs !== undefined && { retryBaseMs }),
    ...(timeoutMs !== undefined && { timeoutMs }),
  };
  return Object.keys(callbacks).length > 0 ? { callbacks } : {};
}

function publicUrlOf(explicit: string | undefined, port: number): { publicUrl?: string } {
  if (explicit !== undefined) return { publicUrl: explicit.replace(/\/+$/, '') };
  return port === 0 ? {} : { publicUrl: `http://localhost:${port}` };
}

function stripUndefined(m: z.infer<typeof merchantSchema>): SandboxMerchant {
  return Object.fromEntries(Object.entries(m).filter(([, v]) => v !== undefined)) as unknown as SandboxMerchant;
}
