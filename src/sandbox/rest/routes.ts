import express, { type RequestHandler, type Router } from 'express';
import type { Refusal, SandboxEngine } from '../engine.js';
import type { SandboxMerchant, SandboxOrder } from '../types.js';
import { authenticate } from './auth.js';
import { errorBody, errorCodeValue, type MethodFamily } from './envelope.js';
import { messageLanguage, param, parseAmount, readParams, type Params } from './params.js';
import { parseRegister } from './register.js';
import { extendedStatus, legacyStatus } from './status.js';
import { message } from '../messages.js';

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
}

/** The REST API at /payment/rest/<method>.do (§3): one table, one dispatcher. */
export function createRestRouter(options: RestRouterOptions): Router {
  const { engine } = options;
  const router = express.Router();

  const register = (twoPhase: boolean) => (ctx: Ctx) => {
    const parsed = parseRegister(ctx.params, ctx.merchant, twoPhase, engine.clock.now());
    const created = parsed.ok ? engine.register(ctx.merchant, parsed.input) : parsed;
    if (!created.ok) return errorBody('register', created.code, created.messageId, ctx.language);
    const { order } = created;
    const page = `payment_${order.pageLang}.html`;
    const formUrl = `${options.publicUrl()}/payment/merchants/${encodeURIComponent(ctx.merchant.login)}/${page}?mdOrder=${order.id}`;
    return { orderId: order.id, formUrl };
  };

  /** Operations address an order by orderId; one of another merchant is "not found", never "forbidden". */
  const ownOrder = (ctx: Ctx, family: MethodFamily): SandboxOrder | Record<string, unknown> => {
    const orderId = param(ctx.params, 'orderId');
    if (orderId === undefined) return errorBody(family, 5, 'orderIdEmpty', ctx.language);
    const order = engine.get(orderId);
    if (!order || order.merchantLogin !== ctx.merchant.login) return errorBody(family, 6, 'orderNotFound', ctx.language);
    return order;
  };

  const operationResult = (ctx: Ctx, result: { ok: true } | Refusal) =>
    result.ok
      ? { errorCode: errorCodeValue('operation', 0), errorMessage: message('success', ctx.language) }
      : errorBody('operation', result.code, result.messageId, ctx.language);

  /** Shared amount/currency checks of deposit, reverse and refund. */
  const amountArg = (ctx: Ctx, order: SandboxOrder, required: boolean): number | undefined | Record<string, unknown> => {
    const currency = param(ctx.params, 'currency');
    if (currency !== undefined && currency !== order.currency) return errorBody('operation', 5, 'currencyMismatch', ctx.language);
    const raw = param(ctx.params, 'amount');
    if (raw === undefined) return required ? errorBody('operation', 5, 'amountEmpty', ctx.language) : undefined;
    return parseAmount(raw) ?? errorBody('operation', 5, 'amountInvalid', ctx.language);
  };

  const withOrder =
    (required: boolean | null, act: (ctx: Ctx, order: SandboxOrder, amount: number | undefined) => { ok: true } | Refusal) =>
    (ctx: Ctx) => {
      const order = ownOrder(ctx, 'operation');
      if (!isOrder(order)) return order;
      const amount = required === null ? undefined : amountArg(ctx, order, required);
      if (typeof amount === 'object') return amount;
      return operationResult(ctx, act(ctx, order, amount));
    };

  const findForStatus = (ctx: Ctx, family: MethodFamily): SandboxOrder | Record<string, unknown> => {
    const orderId = param(ctx.params, 'orderId');
    if (orderId !== undefined) return ownOrder(ctx, family);
    const orderNumber = param(ctx.params, 'orderNumber');
    if (orderNumber === undefined) return errorBody(family, 4, 'orderIdOrNumberEmpty', ctx.language);
    if (ctx.byToken) return errorBody(family, 4, 'tokenNeedsOrderId', ctx.language);
    return engine.findByNumber(ctx.merchant.login, orderNumber) ?? errorBody(family, 6, 'orderNotFound', ctx.language);
  };

  const methods: Record<string, MethodSpec> = {
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
        // §3.3: a missing orderId is errorCode 5 on the legacy method.
        if (param(ctx.params, 'orderId') === undefined) return errorBody('status', 5, 'orderIdEmpty', ctx.language);
        const order = ownOrder(ctx, 'status');
        return isOrder(order) ? legacyStatus(order, ctx.language) : order;
      },
    },
    deposit: { family: 'operation', handle: withOrder(true, (_c, o, amount) => engine.deposit(o, amount ?? 0)) },
    reverse: { family: 'operation', handle: withOrder(false, (_c, o, amount) => engine.reverse(o, amount)) },
    refund: {
      family: 'operation',
      handle: withOrder(true, (c, o, amount) => engine.refund(o, amount ?? 0, param(c.params, 'externalRefundId'))),
    },
    decline: {
      family: 'operation',
      handle: (ctx) => {
        const orderId = param(ctx.params, 'orderId');
        const orderNumber = param(ctx.params, 'orderNumber');
        if (orderId === undefined && orderNumber === undefined) return errorBody('operation', 5, 'orderIdOrNumberEmpty', ctx.language);
        const order = orderId !== undefined ? engine.get(orderId) : engine.findByNumber(ctx.merchant.login, orderNumber ?? '');
        if (!order || order.merchantLogin !== ctx.merchant.login) return errorBody('operation', 6, 'orderNotFound', ctx.language);
        return operationResult(ctx, engine.decline(order));
      },
    },
  };

  router.use('/payment/rest', express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 200 }));
  for (const mw of options.middleware ?? []) router.use('/payment/rest', mw);

  router.all('/payment/rest/:file', (req, res, next) => {
    const name = /^([A-Za-z]+)\.do$/.exec(req.params.file ?? '')?.[1];
    const spec = name !== undefined && Object.hasOwn(methods, name) ? methods[name] : undefined;
    if (!spec) return next();
    if (req.method !== 'GET' && req.method !== 'POST') {
      res.set('Allow', 'GET, POST').status(405).type('text/plain').send('Method Not Allowed');
      return;
    }
    const params = readParams(req);
    const language = messageLanguage(params);
    const auth = authenticate(params, options.merchants);
    const body = auth.ok
      ? spec.handle({ params, language, merchant: auth.merchant, byToken: auth.byToken })
      : errorBody(spec.family, auth.code, auth.messageId, language);
    res.set('Cache-Control', 'no-store').json(spec.capitalised ? capitalise(body) : body);
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
