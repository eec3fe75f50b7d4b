// Typed gateway errors. Callers branch on `instanceof` or `code`, never on message text.
// `cause` is always a small sanitized Error (name/code/message) built by us: got's own errors carry
// `options.form` with the password, so they must never end up inside an error that gets logged.

export type GatewayErrorCode =
  | 'GATEWAY_TIMEOUT'
  | 'GATEWAY_NETWORK'
  | 'GATEWAY_HTTP'
  | 'GATEWAY_BAD_RESPONSE'
  | 'GATEWAY_FOREIGN_FORM_URL'
  | 'GATEWAY_REJECTED';

export interface GatewayErrorInit {
  method: string;
  cause?: Error;
  /** True when the request may have been processed and we cannot tell (never for reads). */
  outcomeUnknown?: boolean;
}

/** A plain Error holding only what is safe to log about a lower-level failure. */
export class GatewayCause extends Error {
  override readonly name: string;
  readonly code: string | undefined;
  constructor(name: string, message: string, code?: string) {
    super(message);
    this.name = name;
    this.code = code;
  }
}

export abstract class GatewayError extends Error {
  abstract readonly code: GatewayErrorCode;
  readonly method: string;
  readonly outcomeUnknown: boolean;
  declare readonly cause: Error | undefined;

  constructor(message: string, init: GatewayErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.method = init.method;
    this.outcomeUnknown = init.outcomeUnknown ?? false;
  }
}

export class GatewayTimeoutError extends GatewayError {
  override readonly name = 'GatewayTimeoutError';
  readonly code = 'GATEWAY_TIMEOUT';
}

/** Connection reset, refused, DNS failure… */
export class GatewayNetworkError extends GatewayError {
  override readonly name = 'GatewayNetworkError';
  readonly code = 'GATEWAY_NETWORK';
}

/** The gateway (or a proxy in front of it) answered with a non-2xx status. */
export class GatewayHttpError extends GatewayError {
  override readonly name = 'GatewayHttpError';
  readonly code = 'GATEWAY_HTTP';
  readonly statusCode: number;
  constructor(message: string, init: GatewayErrorInit & { statusCode: number }) {
    super(message, init);
    this.statusCode = init.statusCode;
  }
}

/** Body is not JSON, or JSON that does not match what the method must return. */
export class GatewayBadResponseError extends GatewayError {
  override readonly name = 'GatewayBadResponseError';
  readonly code = 'GATEWAY_BAD_RESPONSE';
}

/**
 * register answered with a formUrl that is not a URL on the configured gateway origin (open-redirect guard).
 * The order does exist at the gateway; `orderId` lets the caller decline or reconcile it.
 */
export class GatewayForeignFormUrlError extends GatewayError {
  override readonly name = 'GatewayForeignFormUrlError';
  readonly code = 'GATEWAY_FOREIGN_FORM_URL';
  readonly orderId: string;
  constructor(message: string, init: GatewayErrorInit & { orderId: string }) {
    super(message, init);
    this.orderId = init.orderId;
  }
}

/** The gateway's errorCode for an order it does not know (docs/gateway-reference.md §1.3). */
export const ORDER_NOT_FOUND = 6;

/** The gateway processed the request and said no (errorCode ≠ 0 or success=false). */
export class GatewayRejectedError extends GatewayError {
  override readonly name = 'GatewayRejectedError';
  readonly code = 'GATEWAY_REJECTED';
  readonly errorCode: number;
  /** The gateway's own text, in the request language; for logs only, never for branching. */
  readonly errorMessage: string;
  constructor(message: string, init: GatewayErrorInit & { errorCode: number; errorMessage: string }) {
    super(message, init);
    this.errorCode = init.errorCode;
    this.errorMessage = init.errorMessage;
  }
}

export function isGatewayError(e: unknown): e is GatewayError {
  return e instanceof GatewayError;
}
