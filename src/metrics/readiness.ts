/**
 * /readyz: may this instance take traffic? Each check names itself in the 503 body, so an operator sees which one
 * failed; bodies carry check names and "ok"/"failed" only, never addresses or credentials.
 */

/** One dependency's check: true when usable. A check that throws counts as failed. */
export type ReadinessCheck = () => boolean | Promise<boolean>;

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, 'ok' | 'failed'>;
}

export async function runReadiness(checks: Readonly<Record<string, ReadinessCheck>>): Promise<ReadinessReport> {
  const names = Object.keys(checks);
  const results = await Promise.all(
    names.map(async (name) => {
      try {
        return (await checks[name]!()) === true;
      } catch {
        return false;
      }
    }),
  );
  const report: ReadinessReport = { ready: results.every(Boolean), checks: {} };
  names.forEach((name, i) => (report.checks[name] = results[i] ? 'ok' : 'failed'));
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

/** A cached, de-duplicated reachability probe of the gateway: the `gateway` readiness check. */
export function createGatewayProbe(opts: GatewayProbeOptions): ReadinessCheck {
  const timeoutMs = opts.timeoutMs ?? 2_000;
  const cacheMs = opts.cacheMs ?? 10_000;
  const now = opts.now ?? Date.now;
  const doFetch = opts.fetch ?? fetch;
  let last: { at: number; ok: boolean } | undefined;
  let inFlight: Promise<boolean> | undefined;

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

  return () => {
    if (last !== undefined && now() - last.at < cacheMs) return last.ok;
    inFlight ??= probe().then((ok) => {
      last = { at: now(), ok };
      inFlight = undefined;
      return ok;
    });
    return inFlight;
  };
}
