/**
 * /readyz: may this instance take traffic? Each check names itself in the 503 body, so an operator sees which one
 * failed; bodies carry check names and "ok", "failed" or a fixed phrase from the code (such as "credentials
 * rejected") only, never addresses, credentials or anything a dependency said.
 */
import { GatewayRejectedError, type GatewayClient } from '../gateway/index.js';

/** Why a check failed, in words an operator acts on; a fixed phrase, never data. */
export type FailureReason = 'credentials rejected';

/** One dependency's check: true when usable. A check that throws counts as failed. */
export type ReadinessCheck = () => boolean | Promise<boolean>;
/** A check that may say why it failed. */
export type ExplainedCheck = () => boolean | FailureReason | Promise<boolean | FailureReason>;

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, 'ok' | 'failed' | FailureReason>;
}

export async function runReadiness(checks: Readonly<Record<string, ExplainedCheck>>): Promise<ReadinessReport> {
  const names = Object.keys(checks);
  const results = await Promise.all(
    names.map(async (name) => {
      try {
        const result = await checks[name]!();
        return result === true ? 'ok' : result === 'credentials rejected' ? result : 'failed';
      } catch {
        return 'failed';
      }
    }),
  );
  const report: ReadinessReport = { ready: results.every((r) => r === 'ok'), checks: {} };
  names.forEach((name, i) => (report.checks[name] = results[i]!));
  return report;
}

export interface GatewayProbeOptions {
  /**
   * What to ask. The embedded sandbox: its /healthz (must answer 2xx). A remote gateway: a HEAD request to its
   * origin, without credentials and outside the /payment/rest API, so it costs the gateway nothing; any answer
   * below 500 proves it reachable (a 5xx is the gateway or its proxy saying it is down).
   */
  url: string;
  /** 'healthz': 2xx needed; 'origin': any status below 500. */
  kind: 'healthz' | 'origin';
  /** One probe's budget; default 2000 ms. */
  timeoutMs?: number;
  /** How long a result is reused: at most one probe per this period, however often /readyz is asked; default 10 s. */
  cacheMs?: number;
  now?: () => number;
  fetch?: typeof fetch;
}

/** A cached, de-duplicated reachability probe of the gateway: half of the `gateway` readiness check. */
export function createGatewayProbe(opts: GatewayProbeOptions): () => boolean | Promise<boolean> {
  const timeoutMs = opts.timeoutMs ?? 2_000;
  const doFetch = opts.fetch ?? fetch;

  async function probe(): Promise<boolean> {
    try {
      const res = await doFetch(opts.url, {
        method: opts.kind === 'healthz' ? 'GET' : 'HEAD',
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.body?.cancel();
      return opts.kind === 'healthz' ? res.ok : res.status < 500;
    } catch {
      return false;
    }
  }

  return cached(probe, { cacheMs: opts.cacheMs ?? 10_000, now: opts.now });
}

/**
 * `ask` at most once per `cacheMs`, however often the result is wanted, and once for concurrent wants: /readyz may
 * be polled every second by every balancer, and each probe costs the gateway something.
 */
export function cached<T>(
  ask: () => Promise<T>,
  opts: { cacheMs: number; now?: (() => number) | undefined },
): () => T | Promise<T> {
  const now = opts.now ?? Date.now;
  let last: { at: number; value: T } | undefined;
  let inFlight: Promise<T> | undefined;
  return () => {
    if (last !== undefined && now() - last.at < opts.cacheMs) return last.value;
    inFlight ??= ask()
      .then((value) => {
        last = { at: now(), value };
        return value;
      })
      // A failed ask is asked again next time, never kept as the answer.
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };
}

/** What the gateway said about the shop's credentials: accepted, rejected (errorCode 5), or no answer to tell. */
export type CredentialsVerdict =
  { verdict: 'accepted' } | { verdict: 'rejected' } | { verdict: 'unknown'; error: string };

/**
 * An order id no gateway can have (the nil UUID). Asking for its status is harmless: it reads nothing and changes
 * nothing, needs no order of ours, and works with a password and with a token (which can ask by orderId only).
 */
export const NO_SUCH_ORDER_ID = '00000000-0000-0000-0000-000000000000';

/**
 * Are the shop's gateway credentials accepted? One getOrderStatusExtended.do for an order that cannot exist
 * (docs/gateway-reference.md §1.2, §3.2): errorCode 5 is the gateway refusing who we are ("access denied"); any other
 * answer it processed, usually "no such order", means it accepted the credentials. No answer (down, timeout, 5xx)
 * tells nothing: "unknown", with the client's error code.
 */
export async function checkGatewayCredentials(
  gateway: Pick<GatewayClient, 'getOrderStatusExtended'>,
): Promise<CredentialsVerdict> {
  try {
    await gateway.getOrderStatusExtended({ orderId: NO_SUCH_ORDER_ID });
    return { verdict: 'accepted' };
  } catch (err) {
    if (err instanceof GatewayRejectedError) return { verdict: err.errorCode === 5 ? 'rejected' : 'accepted' };
    const code = (err as { code?: unknown }).code;
    return { verdict: 'unknown', error: typeof code === 'string' ? code : 'unexpected' };
  }
}

/**
 * The `gateway` readiness check: "credentials rejected" while the gateway refuses the shop's credentials (asked at
 * most once a minute: each ask is an API call), otherwise whether the gateway is reachable (`reachable`, asked every
 * 10 s and costing the gateway nothing). `credentials` is shared with the launcher, which asks it once at start.
 */
export function gatewayReadiness(
  reachable: () => boolean | Promise<boolean>,
  credentials: () => CredentialsVerdict | Promise<CredentialsVerdict>,
): ExplainedCheck {
  return async () => {
    const [up, said] = await Promise.all([reachable(), credentials()]);
    return said.verdict === 'rejected' ? 'credentials rejected' : up;
  };
}

/** How long a credentials verdict is reused. */
export const CREDENTIALS_CACHE_MS = 60_000;
