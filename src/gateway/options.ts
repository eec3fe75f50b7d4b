// Validation of GatewayClientOptions: misconfiguration fails at start-up with a TypeError, not mid-payment.
import type { GatewayAuth, GatewayClientOptions, GatewayTimeouts } from './types.js';

/**
 * The client's timeouts when its caller names none; the one statement of these defaults. The shop's settings
 * (GATEWAY_TIMEOUT_MS, GATEWAY_STATUS_TIMEOUT_MS in src/config.ts) default to these very values.
 */
export const DEFAULT_TIMEOUTS: Readonly<Required<GatewayTimeouts>> = Object.freeze({
  connectMs: 5000,
  operationMs: 15000,
  statusMs: 5000,
});

export interface ResolvedOptions {
  baseUrl: string;
  origin: string;
  /** formUrl must be on this origin; the origin of baseUrl unless paymentPageOrigin says otherwise. */
  paymentPageOrigin: string;
  /** Named when formUrl is elsewhere (GatewayClientOptions.paymentPageOriginSetting). */
  paymentPageOriginSetting: string | undefined;
  credentials: Readonly<Record<string, string>>;
  secrets: string[];
  connectMs: number;
  operationMs: number;
  statusMs: number;
  statusRetries: number;
  statusRetryDelayMs: number;
}

export function resolveOptions(opts: GatewayClientOptions): ResolvedOptions {
  const url = parseBaseUrl(opts.baseUrl);
  const { credentials, secrets } = resolveAuth(opts.auth);
  const t = opts.timeouts ?? {};
  return {
    baseUrl: url.href,
    origin: url.origin,
    paymentPageOrigin: opts.paymentPageOrigin === undefined ? url.origin : parseOrigin(opts.paymentPageOrigin),
    paymentPageOriginSetting: opts.paymentPageOriginSetting,
    credentials,
    secrets,
    connectMs: positive('timeouts.connectMs', t.connectMs ?? DEFAULT_TIMEOUTS.connectMs),
    operationMs: positive('timeouts.operationMs', t.operationMs ?? DEFAULT_TIMEOUTS.operationMs),
    statusMs: positive('timeouts.statusMs', t.statusMs ?? DEFAULT_TIMEOUTS.statusMs),
    statusRetries: count('statusRetries', opts.statusRetries ?? 2),
    statusRetryDelayMs: count('statusRetryDelayMs', opts.statusRetryDelayMs ?? 250),
  };
}

function parseBaseUrl(raw: string): URL {
  const problem = baseUrlProblem(raw);
  if (problem !== undefined) throw new TypeError(`gateway baseUrl ${problem}`);
  return new URL(raw);
}

function parseOrigin(raw: string): string {
  const problem = originProblem(raw);
  if (problem !== undefined) throw new TypeError(`gateway paymentPageOrigin ${problem}`);
  return new URL(raw).origin;
}

/**
 * What is wrong with a gateway REST base URL, in words; undefined when it will do. The one statement of this rule:
 * the client refuses such a baseUrl, and the shop refuses such a GATEWAY_URL with the same words (src/config.ts).
 */
export function baseUrlProblem(raw: string): string | undefined {
  const problem = originProblem(raw);
  if (problem !== undefined) return problem;
  const url = new URL(raw);
  if (url.search !== '' || url.hash !== '') return 'must not have a query or fragment';
  if (!url.pathname.endsWith('/payment/rest/')) return 'must be the REST base URL, ending in /payment/rest/';
  return undefined;
}

/**
 * What is wrong with a URL whose origin the client takes (paymentPageOrigin), in words; undefined when it will do.
 * The shop's GATEWAY_PAYMENT_PAGE_ORIGIN is refused with the same words (src/config.ts).
 */
export function originProblem(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an http:// or https:// URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http:// or https:// URL';
  // Credentials in the URL would end up in every log line that prints it.
  if (url.username !== '' || url.password !== '') return 'must not contain credentials';
  return undefined;
}

function resolveAuth(auth: GatewayAuth): { credentials: Record<string, string>; secrets: string[] } {
  const a = auth as Partial<Record<'userName' | 'password' | 'token', unknown>>;
  const hasPassword = a.userName !== undefined || a.password !== undefined;
  if (hasPassword && a.token !== undefined)
    throw new TypeError('gateway auth: give userName+password or token, not both');
  if (a.token !== undefined) {
    if (typeof a.token !== 'string' || a.token === '')
      throw new TypeError('gateway auth: token must be a non-empty string');
    return { credentials: { token: a.token }, secrets: [a.token] };
  }
  if (typeof a.userName !== 'string' || a.userName === '' || typeof a.password !== 'string' || a.password === '') {
    throw new TypeError('gateway auth: userName and password must be non-empty strings');
  }
  return { credentials: { userName: a.userName, password: a.password }, secrets: [a.password] };
}

function positive(name: string, v: number): number {
  if (!Number.isFinite(v) || v <= 0) throw new TypeError(`gateway ${name} must be a positive number`);
  return v;
}

function count(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 0) throw new TypeError(`gateway ${name} must be a non-negative integer`);
  return v;
}
