// One gateway call: form-encoded POST with an explicit timeout, JSON parsed by us (so garbage becomes a
// typed error, not a got ParseError), envelope checked, then the method's own interpretation.
// Retries are our own loop rather than got's `retry` so that every attempt is validated and reported
// through onCall with its attempt number; got itself never retries.
import { got, RequestError, TimeoutError, type Got } from 'got';
import {
  GatewayBadResponseError,
  GatewayCause,
  GatewayError,
  GatewayHttpError,
  GatewayNetworkError,
  GatewayRejectedError,
  GatewayTimeoutError,
} from './errors.js';
import { redactValue, type Redactor } from './redact.js';
import { parseEnvelope } from './schemas.js';
import type { GatewayCallEvent, GatewayExchange, GatewayMethod } from './types.js';

export interface TransportConfig {
  baseUrl: string;
  connectMs: number;
  /** userName+password or token; merged into every form and nowhere else. */
  credentials: Readonly<Record<string, string>>;
  redact: Redactor;
  onCall?: (e: GatewayCallEvent) => void;
  /** Called once per HTTP attempt with the redacted request and answer (GatewayClient.onExchange). */
  onExchange?: (e: GatewayExchange) => void;
  /** Whether anyone listens to onExchange now: the redacted copies are made only then. Default: always. */
  exchangeWanted?: () => boolean;
}

export interface CallSpec<T> {
  method: GatewayMethod;
  form: Record<string, string>;
  timeoutMs: number;
  /** Reads have no side effect: their failures are never "outcome unknown" and they may be retried. */
  read: boolean;
  retries: number;
  retryDelayMs: number;
  /** Turns a processed (errorCode 0) JSON body into the result; throws GatewayError on a bad shape. */
  interpret: (json: unknown) => T;
}

export type CallFn = <T>(spec: CallSpec<T>) => Promise<T>;

// Failures that prove the request never left this machine, so even a write is safely "not done".
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);
const NOT_SENT_TIMEOUT_PHASES = new Set(['lookup', 'connect', 'secureConnect']);

export function createTransport(cfg: TransportConfig): CallFn {
  const http: Got = got.extend({
    prefixUrl: cfg.baseUrl,
    responseType: 'text',
    throwHttpErrors: false,
    followRedirect: false, // a redirect is not an API answer; never replay the credentials elsewhere
    retry: { limit: 0 },
    headers: { accept: 'application/json' },
  });

  async function attempt<T>(spec: CallSpec<T>, seen: Seen): Promise<T> {
    const { method, read } = spec;
    let response;
    try {
      response = await http.post(`${method}.do`, {
        form: { ...spec.form, ...cfg.credentials },
        timeout: { connect: cfg.connectMs, request: spec.timeoutMs },
      });
    } catch (e) {
      throw mapRequestError(e, method, read, cfg.redact);
    }
    const status = response.statusCode;
    seen.httpStatus = status;
    if (status < 200 || status >= 300) {
      throw new GatewayHttpError(`${method}: gateway answered HTTP ${status}`, {
        method,
        statusCode: status,
        outcomeUnknown: !read && status >= 500, // a 5xx may come after the gateway acted
      });
    }
    const json = parseJson(response.body, method, read, response.headers['content-type'], cfg.redact);
    seen.response = json;
    const envelope = parseEnvelope(json);
    if (!envelope.ok) {
      throw new GatewayBadResponseError(`${method}: invalid response envelope (${envelope.problem})`, {
        method,
        outcomeUnknown: !read,
      });
    }
    seen.errorCode = envelope.value.errorCode;
    if (!envelope.value.ok) {
      const { errorCode } = envelope.value;
      const errorMessage = cfg.redact(envelope.value.errorMessage);
      throw new GatewayRejectedError(
        `${method} rejected by the gateway: errorCode ${errorCode} ${JSON.stringify(errorMessage)}`,
        {
          method,
          errorCode,
          errorMessage,
        },
      );
    }
    return spec.interpret(json);
  }

  return async function call<T>(spec: CallSpec<T>): Promise<T> {
    for (let n = 1; ; n++) {
      const seen: Seen = {};
      const at = Date.now();
      const started = performance.now();
      try {
        const value = await attempt(spec, seen);
        emit(cfg, spec, at, seen, {
          method: spec.method,
          durationMs: performance.now() - started,
          ok: true,
          attempt: n,
        });
        return value;
      } catch (e) {
        const error = e instanceof GatewayError ? e : unexpected(e, spec, cfg.redact);
        emit(cfg, spec, at, seen, {
          method: spec.method,
          durationMs: performance.now() - started,
          ok: false,
          errorClass: error.code,
          attempt: n,
        });
        if (!spec.read || n > spec.retries || !isTransient(error)) throw error;
        await sleep(spec.retryDelayMs * 2 ** (n - 1));
      }
    }
  };
}

function isTransient(e: GatewayError): boolean {
  if (e instanceof GatewayTimeoutError || e instanceof GatewayNetworkError) return true;
  return e instanceof GatewayHttpError && (e.statusCode >= 500 || e.statusCode === 429);
}

function mapRequestError(e: unknown, method: string, read: boolean, redact: Redactor): GatewayError {
  // Only name/code/message are copied: got's error objects hold `options.form`, i.e. the password.
  if (e instanceof TimeoutError) {
    const notSent = NOT_SENT_TIMEOUT_PHASES.has(e.event);
    return new GatewayTimeoutError(`${method}: gateway did not answer in time (${e.event})`, {
      method,
      cause: sanitize(e, redact),
      outcomeUnknown: !read && !notSent,
    });
  }
  if (e instanceof RequestError) {
    return new GatewayNetworkError(`${method}: network error ${e.code}`, {
      method,
      cause: sanitize(e, redact),
      outcomeUnknown: !read && !NOT_SENT_CODES.has(e.code),
    });
  }
  return new GatewayNetworkError(`${method}: request failed`, {
    method,
    cause: sanitize(e, redact),
    outcomeUnknown: !read,
  });
}

function parseJson(
  body: string,
  method: string,
  read: boolean,
  contentType: string | undefined,
  redact: Redactor,
): unknown {
  try {
    return JSON.parse(body.replace(/^\uFEFF/, ''));
  } catch (e) {
    // Node's JSON.parse message quotes the body; the cause is redacted, our own message only describes it.
    return badBody(
      `${method}: response is not JSON (${contentType ?? 'no content-type'}, ${body.length} chars)`,
      method,
      read,
      sanitize(e, redact),
    );
  }
}

function badBody(message: string, method: string, read: boolean, cause: Error): never {
  throw new GatewayBadResponseError(message, { method, cause, outcomeUnknown: !read });
}

function unexpected(e: unknown, spec: CallSpec<unknown>, redact: Redactor): GatewayError {
  // A bug in interpret() or a listener must still surface as a typed, credential-free error.
  return new GatewayBadResponseError(`${spec.method}: could not process the response`, {
    method: spec.method,
    cause: sanitize(e, redact),
    outcomeUnknown: !spec.read,
  });
}

export function sanitize(e: unknown, redact: Redactor): GatewayCause {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return new GatewayCause(e.name, redact(e.message), typeof code === 'string' ? code : undefined);
  }
  return new GatewayCause('Error', redact(String(e)));
}

/** What one attempt learnt before it ended, however it ended. */
interface Seen {
  httpStatus?: number;
  errorCode?: number;
  /** The parsed answer; only for onExchange, never for onCall (whose events go to the log). */
  response?: unknown;
}

function emit(
  cfg: TransportConfig,
  spec: CallSpec<unknown>,
  at: number,
  seen: Seen,
  base: Omit<GatewayCallEvent, 'httpStatus' | 'errorCode'>,
): void {
  const { response, ...codes } = seen;
  const event: GatewayCallEvent = { ...base, ...codes };
  try {
    cfg.onCall?.(event);
  } catch {
    // A broken metrics/log listener must not change what happened to a payment.
  }
  if (cfg.onExchange === undefined || cfg.exchangeWanted?.() === false) return;
  try {
    // spec.form never holds the credentials (they are merged into the POST only); redacted all the same.
    const exchange: GatewayExchange = {
      ...event,
      at,
      request: redactValue(spec.form, cfg.redact) as Record<string, string>,
      ...(response !== undefined && { response: redactValue(response, cfg.redact) }),
    };
    cfg.onExchange(exchange);
  } catch {
    // Nor a broken development tool.
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
