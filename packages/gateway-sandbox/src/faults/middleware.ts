import { setTimeout as sleep } from 'node:timers/promises';
import type { RequestHandler, Response } from 'express';
import { callAuth, callParams } from '../rest/call.js';
import { lookupOrder } from '../rest/lookup.js';
import { param } from '../rest/params.js';
import { noteBrokenAnswer } from '../rest/record.js';
import type { OrderStore } from '../store.js';
import type { SandboxLogger, SandboxMerchant, SandboxOrder } from '../types.js';
import type { OrderMagicState } from './magic.js';
import type { CallFaults, FaultRegistry } from './profile.js';

export interface FaultMiddlewareOptions {
  registry: FaultRegistry;
  magic: OrderMagicState;
  store: OrderStore;
  merchants: readonly SandboxMerchant[];
  /** Aborted on close: pending latency waits end and their connections are dropped. */
  signal: AbortSignal;
  logger?: SandboxLogger;
}

/**
 * Runs in the restMiddleware slot in front of /payment/rest/*: finds the faults of the calling merchant
 * (control API) and of the order the call is about (magic description tags) and applies them.
 * Unauthenticated calls are never faulted, so one merchant's switches cannot hit another's calls.
 */
export function createFaultMiddleware(options: FaultMiddlewareOptions): RequestHandler {
  const { registry, magic, store, merchants, signal, logger } = options;

  return async (req, res, next) => {
    const method = /^\/([A-Za-z]+)\.do$/.exec(req.path)?.[1];
    if (!method) return next();
    // Parsed and authenticated once per call: the REST router reuses both (rest/call.ts).
    const params = callParams(req, res);
    const isRegister = method === 'register' || method === 'registerPreAuth';
    const orderId = isRegister ? undefined : param(params, 'orderId');
    // Fast path (the benchmark's path): no merchant switches and no tagged order means no auth work here.
    if (registry.size === 0 && (isRegister || (orderId !== undefined && !hasMagic(store.get(orderId))))) return next();

    const auth = callAuth(req, res, merchants);
    if (!auth.ok) return next();
    const login = auth.merchant.login;
    // The bare store, not the engine: looking for faults must not apply expiries or settle orders.
    const found = isRegister ? undefined : lookupOrder(store, login, params, auth.byToken);
    const order = found?.ok ? found.order : undefined;
    const faults = merge(registry.takeForCall(login, method), order && magic.takeForCall(order));
    if (!faults) return next();
    logger?.info({ merchant: login, method, orderId: order?.id, faults }, 'sandbox fault injected');

    if (faults.latencyMs) {
      try {
        await sleep(faults.latencyMs, undefined, { signal });
      } catch {
        req.socket.destroy();
        return;
      }
    }
    if (faults.reset) {
      req.socket.destroy();
      return;
    }
    if (faults.httpStatus) {
      sendHttpFault(res, faults.httpStatus);
      return;
    }
    if (faults.malformedJson || faults.errorCodeAsNumber) patchJson(res, faults);
    next();
  };
}

function hasMagic(order: SandboxOrder | undefined): boolean {
  return order !== undefined && order.description.includes('[sandbox:');
}

/** Order tags win over the merchant's profile, field by field. */
function merge(merchant: CallFaults | undefined, order: CallFaults | undefined): CallFaults | undefined {
  if (!merchant) return order;
  if (!order) return merchant;
  return { ...merchant, ...order };
}

const STATUS_TEXT: Record<number, string> = {
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  429: 'Too Many Requests',
};

/** Like a real gateway or its proxy: an HTML error page, not the JSON envelope (docs/gateway-reference.md §1.3). */
function sendHttpFault(res: Response, status: 500 | 502 | 429): void {
  const text = STATUS_TEXT[status] ?? 'Error';
  if (status === 429) res.set('Retry-After', '1');
  res
    .status(status)
    .type('text/html')
    .send(`<html><head><title>${status} ${text}</title></head><body><h1>${status} ${text}</h1></body></html>`);
}

function patchJson(res: Response, faults: CallFaults): void {
  const original = res.json.bind(res);
  res.json = ((body: unknown) => {
    const out = faults.errorCodeAsNumber ? numericErrorCode(body) : body;
    if (!faults.malformedJson) return original(out);
    noteBrokenAnswer(res);
    const text = JSON.stringify(out);
    // Cut mid-document: valid UTF-8, invalid JSON, as a proxy that drops the end of a body would leave it.
    return res.type('application/json').send(text.slice(0, Math.max(1, Math.floor(text.length / 2))));
  }) as Response['json'];
}

function numericErrorCode(body: unknown): unknown {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  const out = { ...(body as Record<string, unknown>) };
  for (const key of ['errorCode', 'ErrorCode']) {
    const value = out[key];
    if (typeof value === 'string' && /^\d+$/.test(value)) out[key] = Number(value);
  }
  return out;
}
