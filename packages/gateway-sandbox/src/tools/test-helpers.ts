import express, { type ErrorRequestHandler, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { findTestCard, findTestCardById, TEST_CARDS, TEST_CVC, TEST_OTP, type TestCardInfo } from '../cards.js';
import { callbackCopy, sendCallbackCopy, type CallbackCopy } from '../callbacks/copies.js';
import { callbackParams, DEFAULT_CALLBACK_TIMEOUT_MS, NOTIFIED } from '../callbacks/dispatcher.js';
import type { SandboxClock } from '../clock.js';
import type { PayOutcome, SandboxEngine } from '../engine.js';
import { faultProfileSchema, type FaultRegistry } from '../faults/profile.js';
import type { DeliveryOutcome, OrderJournal } from '../journal.js';
import { PROBES, type ProbeRegistry } from '../probes.js';
import { readCardForm } from '../page/card-form.js';
import { pageStepRecorder, returnAfter, type BuyerReturn } from '../page/return.js';
import { textsFor } from '../page/texts.js';
import type { PageStep, TrafficJournal } from '../traffic.js';
import type { SandboxMerchant, SandboxOrder } from '../types.js';
import { findWalletCard, merchantWallets, WALLETS, walletCards } from '../wallets.js';
import type { OperatorGate } from './operator.js';
import { receiptAnswer, settleReceipts } from '../receipts.js';

export interface TestHelpersRouterOptions {
  engine: SandboxEngine;
  clock: SandboxClock;
  journal: OrderJournal;
  faults: FaultRegistry;
  merchants: readonly SandboxMerchant[];
  operator: OperatorGate;
  /** The callback allow-list (callbacks/allow-list.ts): a helper's callback goes nowhere else either. */
  callbackAllowed: (url: string, merchantLogin: string) => boolean;
  /** Aborts a helper's callback request when the sandbox stops. */
  signal: AbortSignal;
  /** The integration journal the helpers' payments are recorded in as page steps (`via: 'test-helper'`); none when absent. */
  traffic?: TrafficJournal;
  /** The report card's probes, armed per merchant here (in memory). */
  probes: ProbeRegistry;
  /** The sandbox's origin, for the receipts' links (ofd_receipt_url). */
  publicUrl: () => string;
}

/** The helpers' base path; every route under it needs the operator token. */
export const TEST_HELPERS_PATH = '/sandbox/test';

/** The longest clock jump one call may ask for: a year, well past any page lifetime or retention. */
export const MAX_ADVANCE_SECS = 366 * 24 * 3600;
const DEFAULT_DECLINE_CARD = 'insufficient-funds';

/** A test card named by its PAN (spaces allowed) or its id (e.g. `3ds-challenge`). */
const cardSchema = z
  .string()
  .max(64)
  .transform((v, ctx) => {
    const card = findTestCardById(v) ?? findTestCard(v.replace(/[\s-]/g, ''));
    if (!card) {
      ctx.addIssue({ code: 'custom', message: `not a test card: one of ${TEST_CARDS.map((c) => c.pan).join(', ')}` });
      return z.NEVER;
    }
    return card;
  });
const otpSchema = z.string().regex(/^\d{1,12}$/, 'digits only');

const paySchema = z.object({ card: cardSchema.optional(), otp: otpSchema.optional() }).strict();
const declineSchema = z.object({ card: cardSchema.optional() }).strict();
/** A payment through a wallet (wallets.ts): the wallet, one of its test cards (default approved), an optional code. */
const walletSchema = z
  .object({
    wallet: z.enum(WALLETS),
    card: z.string().max(64).optional(),
    otp: otpSchema.optional(),
  })
  .strict()
  .transform((b, ctx) => {
    const card = findWalletCard(b.wallet, b.card ?? 'approved');
    if (!card) {
      const ids = walletCards(b.wallet).map((c) => c.id);
      ctx.addIssue({
        code: 'custom',
        path: ['card'],
        message: `not a test card of this wallet: one of ${ids.join(', ')}`,
      });
      return z.NEVER;
    }
    return { wallet: b.wallet, card, otp: b.otp };
  });
const threeDsSchema = z
  .object({ result: z.enum(['pass', 'fail']).optional(), otp: otpSchema.optional() })
  .strict()
  .refine((b) => (b.result === undefined) !== (b.otp === undefined), 'give either result (pass or fail) or otp');
const clockSchema = z.object({ advanceSecs: z.number().int().min(1).max(MAX_ADVANCE_SECS) }).strict();
export const CALLBACK_KINDS = ['resend', 'forged', 'unsigned', 'duplicate'] as const;
const callbackSchema = z.object({ kind: z.enum(CALLBACK_KINDS) }).strict();
const probesSchema = z.object({ probes: z.array(z.enum(PROBES)).min(1).max(PROBES.length).optional() }).strict();
const receiptsSchema = z.object({ settle: z.boolean().optional() }).strict();
const faultSchema = z
  .object({ fault: faultProfileSchema.omit({ remaining: true }), nextCalls: z.number().int().min(1).max(10_000) })
  .strict();

/**
 * Test helpers for a team's CI (SANDBOX_TEST_HELPERS=on; mounted only then): JSON endpoints that pay, decline or
 * finish 3-D Secure for an order without a browser, reset a merchant, move the clock, resend or forge a callback and
 * set a fault for the next N calls. Every change goes through the same engine path as the hosted page and the control
 * API; nothing here answers a secret (no checksum, key, password or token).
 */
export function createTestHelpersRouter(o: TestHelpersRouterOptions): Router {
  const router = express.Router();
  const noStore: express.RequestHandler = (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  };
  // A browser attaches cached Basic credentials to any site's form post or no-cors fetch, and these helpers change
  // orders at will: they take the operator token as a Bearer header only, which a cross-site page cannot set.
  const bearerOnly: express.RequestHandler = (req, res, next) => {
    if (!/^basic\s/i.test(req.get('authorization') ?? '')) return next();
    res.status(401).json({
      error: 'the test helpers take the operator token as "Authorization: Bearer <token>", not as Basic credentials',
    });
  };
  // A body that is not JSON would otherwise be read as {} (e.g. both probes armed): refused instead.
  const jsonOnly: express.RequestHandler = (req, res, next) => {
    const hasBody = Number(req.get('content-length') ?? 0) > 0 || req.get('transfer-encoding') !== undefined;
    if (!hasBody || req.is('application/json')) return next();
    res.status(415).json({ error: 'the test helpers take a JSON body (Content-Type: application/json)' });
  };
  router.use(TEST_HELPERS_PATH, noStore, bearerOnly, o.operator.require, express.json({ limit: '8kb' }), jsonOnly);
  const logins = new Set(o.merchants.map((m) => m.login));

  const order = (req: Request, res: Response): SandboxOrder | undefined => {
    const found = o.engine.get(String(req.params.mdOrder));
    if (!found) res.status(404).json({ error: 'unknown order (mdOrder)' });
    return found;
  };
  const merchantLogin = (req: Request, res: Response): string | undefined => {
    const login = String(req.params.login);
    if (logins.has(login)) return login;
    res.status(404).json({ error: 'unknown merchant login' });
    return undefined;
  };
  /** What an order looks like after a helper, as getOrderStatusExtended.do would report it. */
  const state = (found: SandboxOrder, outcome?: PayOutcome['kind'], back?: BuyerReturn) => ({
    mdOrder: found.id,
    ...(outcome !== undefined && { outcome }),
    orderStatus: found.status,
    actionCode: found.actionCode,
    // Where the hosted page would send the buyer back now (returnUrl or failUrl, with orderId and lang).
    ...(back && { returnUrl: back.url }),
  });
  const record = pageStepRecorder(o.traffic, o.clock);
  /**
   * A helper's card or 3-D Secure submit, journaled as the hosted page's step would be (`via: 'test-helper'`); the way
   * back to the shop, when the page would send the buyer there, is computed once for the journal and the answer.
   */
  const submitted = (req: Request, found: SandboxOrder, step: PageStep, outcome: PayOutcome) => {
    const back = returnAfter(found, found.pageLang, outcome.kind, o.probes);
    record(req, found, step, { outcome: outcome.kind, back, via: 'test-helper' });
    return state(found, outcome.kind, back);
  };
  const notPayable = (res: Response, found: SandboxOrder, what: string) =>
    res.status(409).json({ error: what, ...state(found) });

  /** The hosted page's submit: the same form checks (readCardForm) and the same engine.pay, with a test card. */
  const payWith = (req: Request, found: SandboxOrder, card: TestCardInfo): PayOutcome => {
    const now = o.clock.now();
    const d = new Date(now);
    const expiry = `${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String((d.getUTCFullYear() + 2) % 100).padStart(2, '0')}`;
    const form = readCardForm(
      { pan: card.pan, expiry, cvc: TEST_CVC, cardholder: 'TEST CARDHOLDER' },
      now,
      textsFor(found.pageLang),
    );
    if (!form.ok) throw new Error('a test card failed the card form checks');
    return o.engine.pay(found, form.card, req.ip);
  };

  router.post(`${TEST_HELPERS_PATH}/orders/:mdOrder/pay`, (req, res) => {
    const body = parse(paySchema, req, res);
    const found = body && order(req, res);
    if (!body || !found) return;
    if (found.status !== 0) return notPayable(res, found, 'the order is not waiting for a payment');
    const paid = submitted(req, found, 'card-submitted', payWith(req, found, body.card ?? defaultCard('approved')));
    if (paid.outcome !== 'challenge' || body.otp === undefined) return void res.json(paid);
    res.json(submitted(req, found, '3ds-submitted', o.engine.completeChallenge(found, body.otp)));
  });

  // As the simulated wallet sheet pays (page/wallet-sheet.ts): the wallet must be one the order's merchant offers.
  router.post(`${TEST_HELPERS_PATH}/orders/:mdOrder/wallet`, (req, res) => {
    const body = parse(walletSchema, req, res);
    const found = body && order(req, res);
    if (!body || !found) return;
    const merchant = o.engine.merchant(found.merchantLogin);
    if (!merchant || !merchantWallets(merchant).includes(body.wallet))
      return void res.status(409).json({ error: 'the order’s merchant does not offer this wallet', ...state(found) });
    if (found.status !== 0) return notPayable(res, found, 'the order is not waiting for a payment');
    const outcome = o.engine.payWithWallet(found, body.wallet, body.card, req.ip);
    const paid = submitted(req, found, 'wallet-submitted', outcome);
    if (paid.outcome !== 'challenge' || body.otp === undefined) return void res.json(paid);
    res.json(submitted(req, found, '3ds-submitted', o.engine.completeChallenge(found, body.otp)));
  });

  router.post(`${TEST_HELPERS_PATH}/orders/:mdOrder/decline`, (req, res) => {
    const body = parse(declineSchema, req, res);
    const found = body && order(req, res);
    if (!body || !found) return;
    const card = body.card ?? defaultCard(DEFAULT_DECLINE_CARD);
    if (card.scenario.kind !== 'decline')
      return void res.status(400).json({ error: 'card: not a declining test card' });
    if (found.status !== 0) return notPayable(res, found, 'the order is not waiting for a payment');
    res.json(submitted(req, found, 'card-submitted', payWith(req, found, card)));
  });

  router.post(`${TEST_HELPERS_PATH}/orders/:mdOrder/3ds`, (req, res) => {
    const body = parse(threeDsSchema, req, res);
    const found = body && order(req, res);
    if (!body || !found) return;
    if (found.status !== 5 || found.pending?.kind !== 'challenge')
      return notPayable(res, found, 'the order is not waiting for a 3-D Secure code');
    const otp = body.otp ?? (body.result === 'pass' ? TEST_OTP : '0'.repeat(TEST_OTP.length));
    res.json(submitted(req, found, '3ds-submitted', o.engine.completeChallenge(found, otp)));
  });

  router.post(`${TEST_HELPERS_PATH}/merchants/:login/reset`, (req, res) => {
    const login = merchantLogin(req, res);
    if (!login) return;
    const ids = o.engine.store.list({ merchantLogin: login }).map((x) => x.id);
    for (const id of ids) o.engine.store.delete(id);
    const faultsCleared = o.faults.clear(login);
    o.probes.clear(login);
    // The merchant's journal too: a suite that resets before each test gets a report card of that test alone.
    const deletedJournalEntries = o.traffic?.clear(login) ?? 0;
    res.json({ login, deletedOrders: ids.length, deletedJournalEntries, faultsCleared });
  });

  // The report card's probes, one-shot each, kept in memory (probes.ts): `{}` arms both.
  router.post(`${TEST_HELPERS_PATH}/merchants/:login/probes`, (req, res) => {
    const body = parse(probesSchema, req, res);
    const login = body && merchantLogin(req, res);
    if (!body || !login) return;
    res.json({ login, armed: o.probes.arm(login, body.probes ?? PROBES) });
  });

  router.post(`${TEST_HELPERS_PATH}/clock`, (req, res) => {
    const body = parse(clockSchema, req, res);
    if (!body) return;
    o.clock.advance(body.advanceSecs * 1000);
    // The sweep's own rules (expired pages and holds, settled processor waits), at once rather than on its next tick.
    const done = o.engine.sweep();
    res.json({
      now: new Date(o.clock.now()).toISOString(),
      advancedSecs: body.advanceSecs,
      expiredPages: done.expired,
      settledPayments: done.settled,
      releasedHolds: done.released,
      purgedOrders: done.purged,
    });
  });

  router.post(`${TEST_HELPERS_PATH}/orders/:mdOrder/callbacks`, async (req, res) => {
    const body = parse(callbackSchema, req, res);
    const found = body && order(req, res);
    if (!body || !found) return;
    const merchant = o.engine.merchant(found.merchantLogin);
    const last = o.journal
      .of(found)
      .operations.filter((r) => NOTIFIED.has(r.operation))
      .at(-1);
    const target = found.callbackUrl ?? merchant?.callbackUrl;
    if (!merchant || !last) return notPayable(res, found, 'the order has had no operation that is notified yet');
    if (!target) return notPayable(res, found, 'neither the order nor its merchant has a callback URL');
    const params = callbackParams({ merchant, order: found, ...last });
    const signing = body.kind === 'forged' || body.kind === 'unsigned' ? body.kind : 'signed';
    let copy: CallbackCopy;
    try {
      // The merchant's key only signs a resend or duplicate: one rule for "has a key" (an empty one is none).
      copy = callbackCopy(target, params, signing, merchant.callbackKey || undefined);
    } catch {
      // Only code can set such a URL (register.do and the configuration validate theirs): nothing to send to.
      return notPayable(res, found, 'the callback URL of the order or its merchant is not a valid URL');
    }
    if (!o.callbackAllowed(copy.url, merchant.login))
      return notPayable(res, found, "the callback URL is not allowed (the merchant's callback origins)");
    const sender = { journal: o.journal, clock: o.clock, signal: o.signal, timeoutMs: DEFAULT_CALLBACK_TIMEOUT_MS };
    const answers: { status?: number; error?: string }[] = [];
    for (let n = 1; n <= (body.kind === 'duplicate' ? 2 : 1); n += 1)
      answers.push(answerOf(await sendCallbackCopy(sender, found, copy, n)));
    // The URL without its checksum, as the journal keeps it: a checksum is never answered.
    res.json({ kind: body.kind, operation: last.operation, url: copy.url, signed: copy.signed, answers });
  });

  // Fiscal receipts (receipts.ts): the order's receipts as getReceiptStatus.do answers them; `settle` ends the wait.
  router.post(`${TEST_HELPERS_PATH}/orders/:mdOrder/receipts`, (req, res) => {
    const body = parse(receiptsSchema, req, res);
    const found = body && order(req, res);
    if (!body || !found) return;
    const now = o.clock.now();
    if (body.settle === true && settleReceipts(found, now) > 0) o.engine.store.save(found);
    res.json({
      mdOrder: found.id,
      orderNumber: found.orderNumber,
      receipt: (found.receipts ?? []).map((r) => receiptAnswer(found, r, now, o.publicUrl())),
    });
  });

  router.post(`${TEST_HELPERS_PATH}/merchants/:login/faults`, (req, res) => {
    const body = parse(faultSchema, req, res);
    const login = body && merchantLogin(req, res);
    if (!body || !login) return;
    o.faults.set(login, { ...body.fault, remaining: body.nextCalls });
    res.json({ login, faults: o.faults.get(login) ?? null });
  });

  router.use(TEST_HELPERS_PATH, (_req, res) => {
    res.status(404).json({ error: 'no such test helper (see docs/sandbox.md, Test helpers)' });
  });
  // A malformed or oversized JSON body: the body parser's 4xx, as JSON.
  const onError: ErrorRequestHandler = (err: unknown, _req, res, next) => {
    const status = typeof err === 'object' && err !== null && 'status' in err ? err.status : undefined;
    if (typeof status !== 'number' || status < 400 || status >= 500) return next(err);
    res.status(status).json({ error: status === 413 ? 'body too large' : 'the body is not valid JSON' });
  };
  router.use(TEST_HELPERS_PATH, onError);
  return router;
}

function defaultCard(id: string): TestCardInfo {
  const card = findTestCardById(id);
  if (!card) throw new Error(`no test card ${id}`);
  return card;
}

/** The body checked against `schema`, or a 400 naming each problem (and undefined). */
function parse<S extends z.ZodType>(schema: S, req: Request, res: Response): z.infer<S> | undefined {
  const parsed = schema.safeParse(req.body ?? {});
  if (parsed.success) return parsed.data;
  res.status(400).json({
    error: 'invalid request body',
    issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
  });
  return undefined;
}

function answerOf(outcome: DeliveryOutcome): { status?: number; error?: string } {
  if (outcome.kind === 'http') return { status: outcome.status };
  return { error: outcome.kind === 'error' ? outcome.message : outcome.kind };
}
