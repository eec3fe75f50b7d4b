import { z } from 'zod';
import type { CallbackMode } from '../callbacks/dispatcher.js';

/** Fault switches of one merchant (or one order, from its magic description tags). */
export interface FaultProfile {
  /** Delay before the answer (or before the other faults). */
  latencyMs?: number;
  /** Answer with this HTTP status and an HTML body instead of the JSON. */
  httpStatus?: 500 | 502 | 429;
  /** Answer a truncated, unparseable JSON body with HTTP 200. */
  malformedJson?: boolean;
  /** Destroy the TCP connection without any answer. */
  reset?: boolean;
  /** errorCode / ErrorCode as a JSON number on every method (normally a string on register/status calls). */
  errorCodeAsNumber?: boolean;
  callbacks?: CallbackMode;
  /** The merchant's fiscal receipts end in failure (receiptStatus 2 for a sale, 5 for a refund; receipts.ts). */
  failReceipts?: boolean;
  /** REST methods (e.g. "getOrderStatusExtended") the REST faults apply to; default all. */
  methods?: string[];
  /** Apply to the next N affected calls or notifications, then clear; default unlimited. */
  remaining?: number;
}

export const MAX_LATENCY_MS = 120_000;

export const faultProfileSchema = z
  .object({
    latencyMs: z.number().int().min(0).max(MAX_LATENCY_MS).optional(),
    httpStatus: z.union([z.literal(500), z.literal(502), z.literal(429)]).optional(),
    malformedJson: z.boolean().optional(),
    reset: z.boolean().optional(),
    errorCodeAsNumber: z.boolean().optional(),
    callbacks: z.enum(['normal', 'lost', 'duplicated']).optional(),
    failReceipts: z.boolean().optional(),
    methods: z
      .array(
        z
          .string()
          .regex(/^[A-Za-z]{1,64}(\.do)?$/)
          .transform((m) => m.replace(/\.do$/, '')),
      )
      .max(20)
      .optional(),
    remaining: z.number().int().min(1).max(1_000_000).optional(),
  })
  .strict();

/** The REST part of a profile that applies to one call. */
export interface CallFaults {
  latencyMs?: number;
  httpStatus?: 500 | 502 | 429;
  malformedJson?: boolean;
  reset?: boolean;
  errorCodeAsNumber?: boolean;
}

const REST_KEYS = ['latencyMs', 'httpStatus', 'malformedJson', 'reset', 'errorCodeAsNumber'] as const;

export function restFaultsOf(profile: FaultProfile): CallFaults | undefined {
  const out: CallFaults = {};
  let any = false;
  for (const key of REST_KEYS) {
    const value = profile[key];
    if (value === undefined || value === false || value === 0) continue;
    (out as Record<string, unknown>)[key] = value;
    any = true;
  }
  return any ? out : undefined;
}

/** methods and remaining only narrow the switches; without a REST fault or a callback mode nothing would happen. */
export function hasActiveSwitch(profile: FaultProfile): boolean {
  return (
    restFaultsOf(profile) !== undefined ||
    (profile.callbacks !== undefined && profile.callbacks !== 'normal') ||
    profile.failReceipts === true
  );
}

export function appliesTo(profile: FaultProfile, method: string): boolean {
  return profile.methods === undefined || profile.methods.length === 0 || profile.methods.includes(method);
}

/**
 * Per-merchant fault profiles, set through the control API. One registry per sandbox instance,
 * so parallel sandboxes (and test files) never see each other's switches.
 */
export class FaultRegistry {
  readonly #profiles = new Map<string, FaultProfile>();

  get size(): number {
    return this.#profiles.size;
  }

  get(login: string): FaultProfile | undefined {
    return this.#profiles.get(login);
  }

  /** Stores a copy; a profile with no active switch clears the merchant instead, restoring the no-fault fast path. */
  set(login: string, profile: FaultProfile): void {
    if (!hasActiveSwitch(profile)) {
      this.#profiles.delete(login);
      return;
    }
    this.#profiles.set(login, { ...profile });
  }

  clear(login: string): boolean {
    return this.#profiles.delete(login);
  }

  /** REST faults for one call of `method`; counts one use of a `remaining` budget. */
  takeForCall(login: string, method: string): CallFaults | undefined {
    const profile = this.#profiles.get(login);
    if (!profile || !appliesTo(profile, method)) return undefined;
    const faults = restFaultsOf(profile);
    if (faults) this.#use(login, profile);
    return faults;
  }

  /** Callback mode for one notification; counts one use when it is not 'normal'. */
  takeForCallback(login: string): CallbackMode {
    const profile = this.#profiles.get(login);
    const mode = profile?.callbacks ?? 'normal';
    if (profile && mode !== 'normal') this.#use(login, profile);
    return mode;
  }

  /** Whether the merchant's next fiscal receipt fails; counts one use when it does. */
  takeForReceipt(login: string): boolean {
    const profile = this.#profiles.get(login);
    if (profile?.failReceipts !== true) return false;
    this.#use(login, profile);
    return true;
  }

  #use(login: string, profile: FaultProfile): void {
    if (profile.remaining === undefined) return;
    profile.remaining -= 1;
    if (profile.remaining <= 0) this.#profiles.delete(login);
  }
}
