import express, { type RequestHandler, type Router } from 'express';
import type { Refusal, SandboxEngine } from '../engine.js';
import { parseOperationItems } from '../cart.js';
import { refuse } from '../ledger.js';
import type { SandboxMerchant, SandboxOrder, SandboxReceipt } from '../types.js';
import { callAuth, callAuthenticated, callParams } from './call.js';
import { errorBody, errorCodeValue, type MethodFamily } from './envelope.js';
import { lookupOrder, own } from './lookup.js';
import { messageLanguage, param, parseAmount, type Params } from './params.js';
import { parseRegister } from './register.js';
import { createAuthThrottle, type AuthThrottleOptions } from './throttle.js';
import { createRestRecorder, noteAnswer } from './record.js';
import type { TrafficJournal } from '../traffic.js';
import { extendedStatus, legacyStatus } from './status.js';
import { message } from '../messages.js';
import { findReceipt, receiptAnswer } from '../receipts.js';

interface Ctx {
  params: Params;
  language: 'en' | 'ru';
  merchant: SandboxMerchant;
  byToken: boolean;
}

interface MethodSpec {
  family: MethodFamily;
  /** getOrderStatus.do spells its envelope ErrorCode/ErrorMessage. */
  capitalised?: boolean;
  handle: (ctx: Ctx) => Record<string, unknown>;
}

export interface RestRouterOptions {
  engine: SandboxEngine;
  merchants: readonly SandboxMerchant[];
  /** Origin the buyer's browser uses; read per request because it is known only after listen(). */
  publicUrl: () => string;
  /** Extension slot in front of every REST method (fault injection: latency, 5xx, bad JSON, resets). */
  middleware?: readonly RequestHandler[];
  /** The callback allow-list: register refuses a dynamicCallbackUrl it does not allow for the calling merchant. */
  callbackAllowed: (url: string, merchantLogin: string) => boolean;
  /** Failed authentication throttled (rest/throttle.ts); false turns it off. Default on, with its default limits. */
  authThrottle?: AuthThrottleOptions | false;
  /** The integration journal every call of a method is recorded in (traffic.ts); none when absent. */
  journal?: TrafficJournal;
}

/** Every method the REST API serves, as `<name>.do`; the method table below must have exactly these. */
export const REST_METHODS = [
  'register',
  'registerPreAuth',
  'getOrderStatusExtended',
  'getOrderStatus',
  'deposit',
  'reverse',
  'refund',
  'decline',
  'getReceiptStatus',
] as const;
export type RestMethod = (typeof REST_METHODS)[number];
const isRestMethod = (name: string): name is RestMethod => (REST_METHODS as readonly string[]).includes(name);

/** The REST API at /payment/rest/<method>.do (docs/gateway-reference.md §3): one table, one dispatcher. */
export function createRestRouter(options: RestRouterOptions): Router {
  const { engine } = options;
  const router = express.Router();

  const register = (twoPhase: boolean) => (ctx: Ctx) => {
    const parsed = parseRegister(ctx.params, ctx.merchant, twoPhase, engine.clock.now(), (url) =>
      options.callbackAllowed(url, ctx.merchant.login),
    );
    const created = parsed.ok ? engine.register(ctx.merchant, parsed.input) : parsed;
    if (!created.ok) return errorBody('register', created.code, created.messageId, ctx.language, created.detail);
    const { order } = created;
    const page = `payment_${order.pageLang}.html`;
    const formUrl = `${options.publicUrl()}/payment/merchants/${encodeURIComponent(ctx.merchant.login)}/${page}?mdOrder=${order.id}`;
    return { orderId: order.id, formUrl };
  };

  const orderOrError = (ctx: Ctx, family: MethodFamily, found: { ok: true; order: SandboxOrder } | Refusal) =>
    found.ok ? found.order : errorBody(family, found.code, found.messageId, ctx.language);

  /** Operations address an order by orderId; one of another merchant is "not found", never "forbidden". */
  const ownOrder = (ctx: Ctx, family: MethodFamily): SandboxOrder | Record<string, unknown> => {
    if (param(ctx.params, 'orderId') === undefined) return errorBody(family, 5, 'orderIdEmpty', ctx.language);
    return orderOrError(ctx, family, lookupOrder(engine, ctx.merchant.login, ctx.params, ctx.byToken));
  };

  const operationResult = (ctx: Ctx, result: { ok: true } | Refusal) =>
    result.ok
      ? { errorCode: errorCodeValue('operation', 0), errorMessage: message('success', ctx.language) }
      : errorBody('operation', result.code, result.messageId, ctx.language, result.detail);

  /** Shared amount/currency checks of deposit, reverse and refund. */
  const amountArg = (
    ctx: Ctx,
    order: SandboxOrder,
    required: boolean,
  ): number | undefined | Record<string, unknown> => {
    const currency = param(ctx.params, 'currency');
    if (currency !== undefined && currency !== order.currency)
      return errorBody('operation', 5, 'currencyMismatch', ctx.language);
    const raw = param(ctx.params, 'amount');
    if (raw === undefined) return required ? errorBody('operation', 5, 'amountEmpty', ctx.language) : undefined;
    return parseAmount(raw) ?? errorBody('operation', 5, 'amountInvalid', ctx.language);
  };

  const withOrder =
    (required: boolean, act: (ctx: Ctx, order: SandboxOrder, amount: number | undefined) => { ok: true } | Refusal) =>
    (ctx: Ctx) => {
      const order = ownOrder(ctx, 'operation');
      if (!isOrder(order)) return order;
      const amount = amountArg(ctx, order, required);
      if (typeof amount === 'object') return amount;
      return operationResult(ctx, act(ctx, order, amount));
    };

  const findForStatus = (ctx: Ctx, family: MethodFamily): SandboxOrder | Record<string, unknown> =>
    orderOrError(ctx, family, lookupOrder(engine, ctx.merchant.login, ctx.params, ctx.byToken));

  /** docs/gateway-reference.md §1.4/§3.6: externalRefundId is String[1..36]; longer ones are refused rather than stored. */
  const refundWith = (ctx: Ctx, order: SandboxOrder, amount: number | undefined): { ok: true } | Refusal => {
    const externalRefundId = param(ctx.params, 'externalRefundId');
    if (externalRefundId !== undefined && externalRefundId.length > 36) return refuse(5, 'externalRefundIdInvalid');
    const items = parseOperationItems(param(ctx.params, 'refundItems'), 'refundItems');
    if (!items.ok) return items;
    return engine.refund(order, amount ?? 0, externalRefundId, items.value);
  };

  /** deposit.do, with the capture's lines of a cart order (depositItems, docs/gateway-reference.md §8). */
  const depositWith = (ctx: Ctx, order: SandboxOrder, amount: number | undefined): { ok: true } | Refusal => {
    const items = parseOperationItems(param(ctx.params, 'depositItems'), 'depositItems');
    if (!items.ok) return items;
    return engine.deposit(order, amount ?? 0, items.value);
  };

  /**
   * getReceiptStatus.do (docs/gateway-reference.md §9): every receipt of the order named by orderId or orderNumber;
   * with only `uuid`, that one receipt.
   */
  const receiptStatus = (ctx: Ctx): Record<string, unknown> => {
    const uuid = param(ctx.params, 'uuid');
    const byOrder = param(ctx.params, 'orderId') !== undefined || param(ctx.params, 'orderNumber') !== undefined;
    if (!byOrder && uuid === undefined) return errorBody('status', 1, 'receiptIdEmpty', ctx.language);
    let order: SandboxOrder;
    let receipts: readonly SandboxReceipt[];
    if (byOrder) {
      const found = orderOrError(ctx, 'status', lookupOrder(engine, ctx.merchant.login, ctx.params, ctx.byToken));
      if (!isOrder(found)) return found;
      order = found;
      receipts = order.receipts ?? [];
    } else {
      if (uuid === undefined || uuid.length > 36) return errorBody('status', 5, 'receiptUuidInvalid', ctx.language);
      const found = findReceipt(engine.store, uuid, ctx.merchant.login);
      if (!found) return errorBody('status', 6, 'receiptNotFound', ctx.language);
      order = found.order;
      receipts = [found.receipt];
    }
    const now = engine.clock.now();
    return {
      errorCode: errorCodeValue('status', 0),
      errorMessage: message('success', ctx.language),
      orderNumber: order.orderNumber,
      orderId: order.id,
      receipt: receipts.map((r) => receiptAnswer(order, r, now, options.publicUrl())),
    };
  };

  const methods: Record<RestMethod, MethodSpec> = {
    register: { family: 'register', handle: register(false) },
    registerPreAuth: { family: 'register', handle: register(true) },
    getOrderStatusExtended: {
      family: 'status',
      handle: (ctx) => {
        const order = findForStatus(ctx, 'status');
        return isOrder(order) ? extendedStatus(order, ctx.language) : order;
      },
    },
    getOrderStatus: {
      family: 'status',
      capitalised: true,
      handle: (ctx) => {
        // docs/gateway-reference.md §3.3: a missing orderId is errorCode 5 on the legacy method.
        if (param(ctx.params, 'orderId') === undefined) return errorBody('status', 5, 'orderIdEmpty', ctx.language);
        const order = ownOrder(ctx, 'status');
        return isOrder(order) ? legacyStatus(order, ctx.language) : order;
      },
    },
    deposit: { family: 'operation', handle: withOrder(true, depositWith) },
    reverse: { family: 'operation', handle: withOrder(false, (_c, o, amount) => engine.reverse(o, amount)) },
    refund: { family: 'operation', handle: withOrder(true, refundWith) },
    decline: {
      family: 'operation',
      handle: (ctx) => {
        const orderId = param(ctx.params, 'orderId');
        const orderNumber = param(ctx.params, 'orderNumber');
        if (orderId === undefined && orderNumber === undefined)
          return errorBody('operation', 5, 'orderIdOrNumberEmpty', ctx.language);
        const order =
          orderId !== undefined
            ? ownOrder(ctx, 'operation')
            : orderOrError(
                ctx,
                'operation',
                own(engine.findByNumber(ctx.merchant.login, orderNumber ?? ''), ctx.merchant.login),
              );
        return isOrder(order) ? operationResult(ctx, engine.decline(order)) : order;
      },
    },
    getReceiptStatus: { family: 'status', handle: (ctx) => receiptStatus(ctx) },
  };

  const methodOf = (file: unknown) => {
    const name = typeof file === 'string' ? /^([A-Za-z]+)\.do$/.exec(file)?.[1] : undefined;
    return name !== undefined && isRestMethod(name) ? methods[name] : undefined;
  };

  // First of all, so that every call of a method is recorded: throttled, faulted, refused or answered. In the body
  // parser's layer rather than one of its own: one router layer fewer to pass on every call.
  const recordCall = options.journal
    ? createRestRecorder({
        journal: options.journal,
        clock: engine.clock,
        merchants: options.merchants,
        isMethod: (file) => methodOf(file) !== undefined,
      })
    : undefined;
  const parseBody = express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 200 });
  router.use(
    '/payment/rest',
    recordCall
      ? (req, res, next) => {
          recordCall(req, res);
          parseBody(req, res, next);
        }
      : parseBody,
  );
  const throttle =
    options.authThrottle === false
      ? undefined
      : createAuthThrottle({
          options: options.authThrottle ?? {},
          succeeded: callAuthenticated,
          refuse: (req, res, retryAfterSeconds) => {
            const spec = methodOf(req.params.file);
            const body = errorBody(
              spec?.family ?? 'register',
              5,
              'authThrottled',
              messageLanguage(callParams(req, res)),
            );
            res
              .set({ 'Cache-Control': 'no-store', 'Retry-After': String(retryAfterSeconds) })
              .json(noteAnswer(res, spec?.capitalised ? capitalise(body) : body));
          },
        });
  // Only the API's methods count (a 404 is no failed login); before the fault middleware, which authenticates.
  for (const mw of throttle?.middleware ?? [])
    router.use('/payment/rest/:file', (req, res, next) => (methodOf(req.params.file) ? mw(req, res, next) : next()));
  for (const mw of options.middleware ?? []) router.use('/payment/rest', mw);

  router.all('/payment/rest/:file', (req, res, next) => {
    const spec = methodOf(req.params.file);
    if (!spec) return next();
    if (req.method !== 'GET' && req.method !== 'POST') {
      res.set('Allow', 'GET, POST').status(405).type('text/plain').send('Method Not Allowed');
      return;
    }
    // The fault middleware may have parsed and authenticated this call already; both are reused.
    const params = callParams(req, res);
    const language = messageLanguage(params);
    const auth = callAuth(req, res, options.merchants);
    if (auth.ok) throttle?.succeeded(req, param(params, 'userName'));
    const body = auth.ok
      ? spec.handle({ params, language, merchant: auth.merchant, byToken: auth.byToken })
      : errorBody(spec.family, auth.code, auth.messageId, language);
    res.set('Cache-Control', 'no-store').json(noteAnswer(res, spec.capitalised ? capitalise(body) : body));
  });

  return router;
}

function isOrder(value: SandboxOrder | Record<string, unknown>): value is SandboxOrder {
  return typeof (value as SandboxOrder).id === 'string' && 'merchantLogin' in value;
}

function capitalise(body: Record<string, unknown>): Record<string, unknown> {
  if (!('errorCode' in body)) return body;
  const { errorCode, errorMessage, ...rest } = body;
  return { ErrorCode: errorCode, ErrorMessage: errorMessage, ...rest };
}
