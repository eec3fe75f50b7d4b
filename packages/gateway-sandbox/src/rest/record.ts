import type { Request, Response } from 'express';
import type { SandboxClock } from '../clock.js';
import { redactParams, type ApiAnswer, type BrowserHints, type TrafficJournal } from '../traffic.js';
import type { SandboxMerchant } from '../types.js';
import { callParams, knownCallAuth } from './call.js';
import { param } from './params.js';

const ANSWER = 'sandboxRestAnswer';

/** Notes the JSON body a REST call answers, for the journal; call right before sending it. */
export function noteAnswer(res: Response, body: Record<string, unknown>): Record<string, unknown> {
  res.locals[ANSWER] = body;
  return body;
}

/**
 * Forgets the noted answer: what goes out is not that JSON (a fault cuts the body), so the journal records the HTTP
 * status only, as for any body the handler did not note.
 */
export function noteBrokenAnswer(res: Response): void {
  delete res.locals[ANSWER];
}

/** Whether a request came with a browser's Origin / Referer header. */
export function browserHints(req: Request): BrowserHints {
  return { origin: req.get('origin') !== undefined, referer: req.get('referer') !== undefined };
}

/**
 * Records every call of a REST method in the journal once its answer is sent (or its connection dropped): called
 * first of all in the layer mounted at /payment/rest (routes.ts, before the body is parsed), so throttled calls,
 * faults and auth failures are recorded too, with no router layer of its own to pass. The answer is the body the
 * method's handler (or the throttle) noted with noteAnswer; a body sent by anything else (a fault's 5xx or broken
 * JSON) is recorded as its HTTP status only. Nothing is added to the response object itself (res.locals holds the
 * note), so the hot path keeps its object shapes.
 */
export function createRestRecorder(opts: {
  journal: TrafficJournal;
  clock: SandboxClock;
  merchants: readonly SandboxMerchant[];
  isMethod: (file: unknown) => boolean;
}): (req: Request, res: Response) => void {
  const { journal, clock, merchants } = opts;
  const byUserName = new Map(merchants.map((m) => [m.userName, m.login]));
  return (req, res) => {
    const file = fileOf(req.url);
    if (file === undefined || !opts.isMethod(file)) return;
    const started = performance.now();
    const at = clock.now();
    // on, not once: a response closes once, and once's wrapper and removal cost every call a little more.
    res.on('close', () => {
      const body: unknown = res.locals[ANSWER];
      const params = callParams(req, res);
      const auth = knownCallAuth(res);
      const userName = param(params, 'userName');
      const merchant = auth?.ok
        ? auth.merchant.login
        : userName === undefined
          ? null
          : (byUserName.get(userName) ?? null);
      // A status asked by orderNumber names its order in the answer's attributes (mdOrder): filed under that order.
      const orderId = stringField(body, 'orderId') ?? param(params, 'orderId')?.slice(0, 64) ?? answeredMdOrder(body);
      journal.record({
        kind: 'api',
        at,
        merchant,
        ...(orderId !== undefined && { orderId }),
        method: file.endsWith('.do') ? file.slice(0, -3) : file,
        ...(userName !== undefined && { userName: userName.slice(0, 100) }),
        params: redactParams(params),
        answer: summarise(res, body),
        durationMs: Math.round((performance.now() - started) * 1000) / 1000,
        source: sourceAddress(req),
        browser: browserHints(req),
      });
    });
  };
}

/**
 * The `<file>` of /payment/rest/<file> from the URL as seen under /payment/rest (`/register.do?…`), decoded, as the
 * router's `:file` parameter reads it; undefined when there is none or it does not decode (the router refuses those).
 */
function fileOf(url: string): string | undefined {
  const raw = FILE.exec(url)?.[1];
  if (raw === undefined) return undefined;
  if (!raw.includes('%')) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}
const FILE = /^\/([^/?]+)/;

/**
 * req.ip without its cost in the common case: with no X-Forwarded-For header, Express's answer is the socket's
 * address whatever `trust proxy` says (proxy-addr only walks the forwarded addresses), so that is read directly.
 */
function sourceAddress(req: Request): string {
  if (req.headers['x-forwarded-for'] === undefined) return req.socket.remoteAddress ?? '';
  return req.ip ?? '';
}

function summarise(res: Response, body: unknown): ApiAnswer {
  const answer: ApiAnswer = { httpStatus: res.writableFinished ? res.statusCode : 0 };
  if (typeof body !== 'object' || body === null || !res.writableFinished) return { ...answer, noJson: true };
  const errorCode = field(body, 'errorCode') ?? field(body, 'ErrorCode');
  if (typeof errorCode === 'string' || typeof errorCode === 'number') answer.errorCode = String(errorCode);
  const errorMessage = field(body, 'errorMessage') ?? field(body, 'ErrorMessage');
  if (typeof errorMessage === 'string') answer.errorMessage = errorMessage.slice(0, 200);
  const orderStatus = field(body, 'orderStatus') ?? field(body, 'OrderStatus');
  if (typeof orderStatus === 'number') answer.orderStatus = orderStatus;
  const actionCode = field(body, 'actionCode');
  if (typeof actionCode === 'number') answer.actionCode = actionCode;
  return answer;
}

function field(body: object, name: string): unknown {
  return (body as Record<string, unknown>)[name];
}

function stringField(body: unknown, name: string): string | undefined {
  const value = typeof body === 'object' && body !== null ? field(body, name) : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** getOrderStatusExtended's `attributes: [{name: 'mdOrder', value}]`, when the answer has it. */
function answeredMdOrder(body: unknown): string | undefined {
  const attributes = typeof body === 'object' && body !== null ? field(body, 'attributes') : undefined;
  if (!Array.isArray(attributes)) return undefined;
  for (const a of attributes as unknown[]) {
    if (typeof a === 'object' && a !== null && field(a, 'name') === 'mdOrder') {
      const value = field(a, 'value');
      return typeof value === 'string' ? value : undefined;
    }
  }
  return undefined;
}
