import express, { type ErrorRequestHandler, type Request, type Response, type Router } from 'express';
import type { SandboxEngine } from '../engine.js';
import { message, type MessageId } from '../messages.js';
import { challengeUrl } from '../page/urls.js';
import { redactParams, type TrafficJournal } from '../traffic.js';
import type { PageLang, SandboxMerchant } from '../types.js';
import { merchantWallets, readWalletToken, type WalletId, type WalletTokenProblem } from '../wallets.js';
import { browserHints } from './record.js';
import { parseRegister } from './register.js';
import { extendedStatus } from './status.js';

/** The direct wallet endpoints (docs/gateway-reference.md §10): one per wallet. */
export const WALLET_PAYMENT_PATHS: Readonly<Record<WalletId, string>> = {
  applePay: '/payment/applepay/payment.do',
  googlePay: '/payment/google/payment.do',
  samsungPay: '/payment/samsung/payment.do',
};

/** Texts of the errors only these endpoints have: [English, Russian]. The register errors come from messages.ts. */
const WALLET_MESSAGES = {
  bodyInvalid: [
    'Wrong request format: the body must be a JSON object (Content-Type: application/json)',
    'Неверный формат запроса: тело должно быть JSON-объектом (Content-Type: application/json)',
  ],
  bodyTooLarge: ['Request body too large', 'Слишком большое тело запроса'],
  merchantEmpty: ['[merchant] is empty', '[merchant] не указан'],
  walletOff: ['This wallet is not enabled for the merchant', 'Этот кошелёк не подключён для продавца'],
  tokenEmpty: ['[paymentToken] is empty', '[paymentToken] не указан'],
  notBase64: ['[paymentToken] is not Base64', '[paymentToken] не в формате Base64'],
  unknownCard: [
    '[paymentToken] names no test card of this wallet',
    '[paymentToken] не называет тестовую карту этого кошелька',
  ],
  badAmount: [
    '[paymentToken] has an invalid amount or currencyCode',
    '[paymentToken] содержит неверные amount или currencyCode',
  ],
  amountMissing: [
    '[paymentToken] carries no amount (the sandbox reads it from the test token)',
    '[paymentToken] не содержит суммы (песочница берёт её из тестового токена)',
  ],
  typeInvalid: ['Invalid request parameter type', 'Неверный тип параметра запроса'],
  methodNotAllowed: ['Method not allowed: use POST', 'Метод не поддерживается: используйте POST'],
} as const satisfies Record<string, readonly [string, string]>;

type WalletMessageId = keyof typeof WALLET_MESSAGES;

/** An error answer: code, a technical description (English) and a message for the buyer (the request's language). */
function failure(code: number, id: WalletMessageId | MessageId, lang: PageLang): Record<string, unknown> {
  const pair = (WALLET_MESSAGES as Record<string, readonly [string, string]>)[id];
  const [en, localised] = pair
    ? [pair[0], lang === 'ru' ? pair[1] : pair[0]]
    : [message(id as MessageId, 'en'), message(id as MessageId, lang)];
  return { success: false, error: { code, description: en, message: localised } };
}

/** The fields that may be strings or numbers in the JSON body; the register checks then see them as text. */
const TEXT_FIELDS = ['orderNumber', 'amount', 'currencyCode', 'returnUrl', 'failUrl', 'description', 'language', 'ip'];
const TEXT_FIELD_ALIASES: Readonly<Record<string, string>> = { currencyCode: 'currency' };

export interface WalletPaymentRouterOptions {
  engine: SandboxEngine;
  merchants: readonly SandboxMerchant[];
  /** The sandbox's public origin: where the 3-D Secure page of a Google Pay plain card is. */
  publicUrl: () => string;
  callbackAllowed: (url: string, merchantLogin: string) => boolean;
  /** The integration journal every call is recorded in (traffic.ts), as a REST call is; none when absent. */
  journal?: TrafficJournal;
}

/** Where a call's start time is kept, for its journal entry's durationMs. */
const STARTED = 'sandboxWalletCallStarted';

/** The journal's method names of the direct endpoints (its `method` filter takes them too). */
export const WALLET_PAYMENT_METHODS: Readonly<Record<WalletId, string>> = {
  applePay: 'applePayPayment',
  googlePay: 'googlePayPayment',
  samsungPay: 'samsungPayPayment',
};

/**
 * The request fields the journal keeps, the token redacted by name: never `email`, `phone` or `additionalParameters`
 * (which may carry them for the receipt), whatever else a body holds.
 */
const JOURNALED_FIELDS = [
  'merchant',
  'orderNumber',
  'amount',
  'currencyCode',
  'returnUrl',
  'failUrl',
  'description',
  'language',
  'preAuth',
  'dynamicCallbackUrl',
  'paymentToken',
];

/**
 * POST /payment/{applepay,google,samsung}/payment.do: a JSON body naming the merchant by `merchant` (no password),
 * which registers an order and pays it with the wallet's token in one call. `success` says the request was processed,
 * not that it was paid: an Apple Pay answer carries the order's status, the others are read with
 * getOrderStatusExtended. A body that is not JSON is HTTP 400 (413 too large, 415 not JSON); everything else is
 * HTTP 200 with `success: false` and `error {code, description, message}`, as the gateway answers.
 */
export function createWalletPaymentRouter(options: WalletPaymentRouterOptions): Router {
  const { engine } = options;
  const router = express.Router();
  const byLogin = new Map(options.merchants.map((m) => [m.login, m]));
  const paths = Object.values(WALLET_PAYMENT_PATHS);

  const walletOf = (path: string): WalletId | undefined =>
    (Object.keys(WALLET_PAYMENT_PATHS) as WalletId[]).find((w) => WALLET_PAYMENT_PATHS[w] === path);

  /** Sends the answer, and records the call in the journal as a REST call is recorded (rest/record.ts). */
  const answer = (req: Request, res: Response, http: number, body: Record<string, unknown>, request?: object) => {
    res.status(http).json(body);
    // The full path: under router.use(path, …) (the body parser's errors) req.path is relative to it.
    const wallet = walletOf(req.originalUrl.split('?')[0] ?? '');
    if (!options.journal || !wallet) return;
    const fields = (request ?? {}) as Record<string, unknown>;
    const login = typeof fields.merchant === 'string' && byLogin.has(fields.merchant) ? fields.merchant : null;
    const data = body.data as { orderId?: string } | undefined;
    const error = body.error as { code?: number; description?: string } | undefined;
    const status = body.orderStatus as { orderStatus?: number; actionCode?: number } | undefined;
    options.journal.record({
      kind: 'api',
      at: engine.clock.now(),
      merchant: login,
      ...(data?.orderId !== undefined && { orderId: data.orderId }),
      method: WALLET_PAYMENT_METHODS[wallet],
      params: redactParams(Object.fromEntries(JOURNALED_FIELDS.filter((f) => f in fields).map((f) => [f, fields[f]]))),
      answer: {
        httpStatus: http,
        ...(error && { errorCode: String(error.code), errorMessage: String(error.description).slice(0, 200) }),
        ...(status?.orderStatus !== undefined && { orderStatus: status.orderStatus }),
        ...(status?.actionCode !== undefined && { actionCode: status.actionCode }),
      },
      durationMs: Math.round((performance.now() - Number(res.locals[STARTED] ?? performance.now())) * 1000) / 1000,
      source: req.ip ?? '',
      browser: browserHints(req),
    });
  };

  router.all(paths, (req, res, next) => {
    res.locals[STARTED] = performance.now();
    res.set('Cache-Control', 'no-store');
    if (req.method === 'POST') return next();
    res.set('Allow', 'POST');
    answer(req, res, 405, failure(4, 'methodNotAllowed', 'en'));
  });
  router.use(paths, express.json({ limit: '16kb', strict: true }));

  for (const wallet of Object.keys(WALLET_PAYMENT_PATHS) as WalletId[])
    router.post(WALLET_PAYMENT_PATHS[wallet], (req, res) => {
      const body: unknown = req.body;
      if (typeof body !== 'object' || body === null || Array.isArray(body))
        return answer(req, res, req.is('application/json') ? 400 : 415, failure(4, 'bodyInvalid', 'en'));
      answer(req, res, 200, pay(wallet, body as Record<string, unknown>), body);
    });

  const pay = (wallet: WalletId, body: Record<string, unknown>) => {
    const lang: PageLang = body.language === 'ru' ? 'ru' : 'en';
    const login = typeof body.merchant === 'string' ? body.merchant : undefined;
    if (login === undefined || login === '') return failure(4, 'merchantEmpty', lang);
    const merchant = byLogin.get(login);
    if (!merchant) return failure(5, 'accessDenied', lang);
    if (!merchantWallets(merchant).includes(wallet)) return failure(5, 'walletOff', lang);

    const params: Record<string, string> = {};
    for (const name of TEXT_FIELDS) {
      const value = body[name];
      if (value === undefined || value === null) continue;
      if (typeof value !== 'string' && !(typeof value === 'number' && Number.isSafeInteger(value)))
        return failure(5, 'typeInvalid', lang);
      params[TEXT_FIELD_ALIASES[name] ?? name] = String(value);
    }
    if (body.additionalParameters !== undefined) params.jsonParams = JSON.stringify(body.additionalParameters);
    if (body.dynamicCallbackUrl !== undefined) {
      if (typeof body.dynamicCallbackUrl !== 'string') return failure(5, 'typeInvalid', lang);
      params.dynamicCallbackUrl = body.dynamicCallbackUrl;
    }
    if (body.preAuth !== undefined && typeof body.preAuth !== 'boolean') return failure(5, 'typeInvalid', lang);
    const twoPhase = body.preAuth === true;

    if (params.orderNumber === undefined) return failure(4, 'orderNumberEmpty', lang);
    if (typeof body.paymentToken !== 'string' || body.paymentToken === '') return failure(4, 'tokenEmpty', lang);
    const token = readWalletToken(wallet, body.paymentToken);
    if (!token.ok) return failure(5, token.problem satisfies WalletTokenProblem, lang);

    if (wallet === 'googlePay') {
      // Google Pay: the amount and the way back are the request's own (a plain card may need 3-D Secure).
      if (params.amount === undefined) return failure(4, 'amountEmpty', lang);
      if (params.returnUrl === undefined) return failure(4, 'returnUrlEmpty', lang);
    } else {
      // Apple Pay and Samsung Pay: the amount (and currency) come from the token; no page, so no way back is needed.
      if (token.content.amount === undefined) return failure(4, 'amountMissing', lang);
      params.amount = String(token.content.amount);
      if (token.content.currencyCode !== undefined) params.currency = token.content.currencyCode;
      params.returnUrl ??= `${options.publicUrl()}/`;
    }

    const parsed = parseRegister(params, merchant, twoPhase, engine.clock.now(), (url) =>
      options.callbackAllowed(url, merchant.login),
    );
    const created = parsed.ok ? engine.register(merchant, parsed.input) : parsed;
    if (!created.ok) return failure(created.code, created.messageId, lang);
    const { order } = created;
    // The caller is the merchant's server, not the buyer: the order's ip is only the one the request names.
    const outcome = engine.payWithWallet(order, wallet, token.content.card);
    const data: Record<string, unknown> = { orderId: order.id };
    if (outcome.kind === 'challenge') data.acsUrl = `${options.publicUrl()}${challengeUrl(order, order.pageLang)}`;
    return {
      success: true,
      data,
      ...(wallet === 'applePay' && { orderStatus: extendedStatus(order, lang) }),
    };
  };

  const onError: ErrorRequestHandler = (err: unknown, req, res, _next) => {
    const status = typeof err === 'object' && err !== null && 'status' in err ? Number(err.status) : 400;
    answer(req, res, status === 413 ? 413 : 400, failure(4, status === 413 ? 'bodyTooLarge' : 'bodyInvalid', 'en'));
  };
  router.use(paths, onError);
  return router;
}
