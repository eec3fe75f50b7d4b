import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { GatewayError, GatewayRejectedError } from '../gateway/index.js';
import { HttpError } from '../http/errors.js';
import type { MessageKey } from '../http/i18n.js';
import { currencyInfo } from '../money.js';
import {
  claimRunning,
  isMoneyAction,
  type Intent,
  type IntentAnswer,
  type IntentRefusal,
  type MoneyAction,
} from '../orders/intents.js';
import type { LocalStatus, Order } from '../orders/types.js';
import { afterUnknown, allowed, capturable, isAction, refundable, type AdminAction } from './actions-policy.js';
import { parseMajorAmount, toMajorString } from './amount.js';
import { partsOfLines, spreadAmount, type LinePart } from '../payments/index.js';
import { LINES_STEP, parseChosenLines, recordedParts, refundLines } from './lines.js';
import type { AdminDeps } from './deps.js';
import { loadOrder } from './orders.js';

const TITLES: Record<AdminAction, MessageKey> = {
  refresh: 'admin.confirm.title.refresh',
  capture: 'admin.confirm.title.capture',
  void: 'admin.confirm.title.void',
  refund: 'admin.confirm.title.refund',
  receipts: 'admin.confirm.title.receipts',
};

/** The confirmation form's one-time token field. */
export const INTENT_FIELD = 'intent';
/** A confirmation form is good for this long; an older one is refused (nothing done) and a new one shown. */
export const INTENT_VALID_MS = 60 * 60_000;

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Whether an amount is the whole order's, which the gateway takes without a cart: a capture of the whole hold, a
 * first refund of everything captured. Any other amount on an order with lines goes with its cart.
 */
function whole(order: Order, action: AdminAction, amount: number): boolean {
  if (order.items.length === 0) return true;
  if (action === 'capture') return amount === order.amount;
  return order.refundedAmount === 0 && amount === order.depositedAmount && order.depositedAmount === order.amount;
}

/** Largest amount the action may move, minor units; undefined for actions without an amount. */
function ceiling(order: Order, action: AdminAction): number | undefined {
  if (action === 'capture') return capturable(order);
  if (action === 'refund') return refundable(order);
  return undefined;
}

const REFUSALS: Record<IntentRefusal, MessageKey> = {
  unknown: 'admin.intent.unknown',
  expired: 'admin.intent.expired',
  stale: 'admin.intent.stale',
  unresolved: 'admin.intent.unresolved',
  other_order: 'admin.intent.otherOrder',
  other_amount: 'admin.intent.otherAmount',
};

/** A notice on the confirm page: a message key and its parameters, translated for the browser it is shown to. */
interface Notice {
  key: MessageKey;
  /** The order's status the text names, shown in the page's language. */
  status?: LocalStatus;
}

/** What a submit of a confirmation form answers; repeats of one form in this process share it. */
type Reply =
  | { redirect: string }
  /** `sameForm`: the page's form carries the submitted token again (an unknown outcome is rechecked, never redone). */
  | { status: number; order: Order; extra: Record<string, unknown>; sameForm?: boolean };

/**
 * Confirm pages (GET) and the actions themselves (POST). Each action asks the gateway, then settles the order from
 * getOrderStatusExtended like any return or callback: the ledger moves only by what the gateway then reports.
 * Capture, void and refund are intents (src/orders/intents.ts): each confirm page carries a one-time token, the
 * submit claims it in the ledger before the gateway is called, and a repeat of the same form gets the first outcome.
 */
export function createActions(deps: AdminDeps) {
  const { ledger, logger, payments } = deps;
  // After the back office's own call, a status call that started before it would not show it: each starts after.
  const settle = payments.settleFresh;
  const now = deps.now ?? Date.now;
  // Its request is over by then, so a claim still pending this long lost it (a crash, a restart). The longest request
  // is a recheck: the status read (up to three tries, the client's default retries) and then the call itself.
  const { timeoutMs, statusTimeoutMs } = deps.config.gateway;
  const policy = { issuedForMs: INTENT_VALID_MS, pendingForMs: 3 * statusTimeoutMs + 2 * timeoutMs + 10_000 };
  const running = new Map<string, Promise<Reply>>();

  async function target(req: Request): Promise<{ order: Order; action: AdminAction }> {
    const { action } = req.params;
    if (!isAction(action)) throw new HttpError(404, 'errors.notFound');
    return { order: await loadOrder(deps, req.params.id), action };
  }

  /** A new one-time token for a confirmation form of `action` on `order`; only its hash is stored. */
  async function issue(order: Order, action: MoneyAction, actor: string): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    const forgetIssuedBefore = now() - INTENT_VALID_MS;
    await ledger.issueIntent({
      tokenHash: hashToken(token),
      ref: randomUUID(),
      orderId: order.id,
      action,
      actor,
      forgetIssuedBefore,
    });
    return token;
  }

  async function page(
    res: Response,
    status: number,
    order: Order,
    action: AdminAction,
    extra: Record<string, unknown>,
    sameToken?: string,
    sameIsLines = false,
  ): Promise<void> {
    const max = ceiling(order, action);
    const ok = allowed(order, action);
    // Every form of a money action shown gets its own token (the one submitted may be used up), except after an
    // unknown outcome: submitting that form again must recheck its intent, not start a second one.
    const intentToken =
      ok && isMoneyAction(action)
        ? ((sameIsLines ? undefined : sameToken) ?? (await issue(order, action, String(res.locals.adminUser))))
        : undefined;
    // A refund may also name lines (lines.ts): their own form, with its own one-time token.
    const lines = action === 'refund' ? refundLines(order, await ledger.events(order.id)) : undefined;
    const linesToken = !ok
      ? undefined
      : sameIsLines
        ? sameToken
        : lines?.some((l) => l.left > 0)
          ? await issue(order, 'refund', String(res.locals.adminUser))
          : undefined;
    const { t } = res.locals;
    const { notice, ...rest } = extra as { notice?: Notice };
    const named = notice?.status === undefined ? undefined : { status: t(`admin.status.${notice.status}`) };
    res.status(status).render('admin/confirm', {
      title: res.locals.t(TITLES[action]),
      order,
      action,
      allowed: ok,
      max,
      currencyCode: currencyInfo(order.currency)?.code ?? order.currency,
      amountText: max === undefined ? undefined : toMajorString(max, order.currency),
      error: undefined,
      refusal: undefined,
      unknown: false,
      intentToken,
      intentField: INTENT_FIELD,
      lines,
      linesToken,
      linesError: undefined,
      linesValues: {},
      ...rest,
      notice: notice === undefined ? undefined : t(notice.key, named),
    });
  }

  const confirm: RequestHandler = async (req, res) => {
    const { order, action } = await target(req);
    await page(res, allowed(order, action) ? 200 : 409, order, action, {});
  };

  const doneUrl = (order: Order, action: AdminAction, confirmed: boolean) =>
    `/admin/orders/${order.id}?done=${action}${confirmed ? '' : '-unconfirmed'}`;
  const done = (order: Order, action: AdminAction, confirmed: boolean): Reply => ({
    redirect: doneUrl(order, action, confirmed),
  });

  /** The reply an answered intent gives, first time and on every repeat. */
  function answered(intent: Intent, order: Order, amountText: string): Reply {
    const a = intent.answer ?? {};
    if (intent.state === 'done') return done(order, intent.action, true);
    if (intent.state === 'refused') {
      const notice: Notice = { key: 'admin.intent.notMade', status: order.status };
      return a.by === 'status'
        ? { status: 409, order, extra: { notice, amountText } }
        : { status: 409, order, extra: { refusal: { errorCode: a.errorCode, text: a.message }, amountText } };
    }
    return { status: 503, order, extra: { unknown: true, amountText }, sameForm: true };
  }

  /**
   * Calls the gateway for a claimed intent and records its answer; a refund carries the intent as externalRefundId.
   * A capture or refund that names lines (`parts`: chosen lines, or an amount spread over them) records them before
   * its first call, and every call of the intent sends those (a retry after an unknown outcome sends the same).
   */
  async function call(
    intent: Intent,
    order: Order,
    actor: string,
    amountText: string,
    parts?: readonly LinePart[],
  ): Promise<Reply> {
    const amount = intent.amount ?? 0;
    let sendParts: readonly LinePart[] | undefined;
    if (intent.action !== 'void') {
      sendParts = recordedParts(await ledger.events(order.id), intent.action, intent.ref);
      if (sendParts === undefined && parts !== undefined) {
        sendParts = parts;
        const detail = { actor, step: LINES_STEP, intent: intent.ref, lines: parts };
        await ledger.recordEvent(order.id, 'admin', intent.action, detail);
      }
    }
    let answer: IntentAnswer = { by: 'call' };
    let state: 'done' | 'refused' | 'unknown' = 'done';
    // Alone for the order, it may wait behind status calls (src/payments/gate.ts): sent only while it can end within
    // the claim's pendingForMs, after which a refresh or another submit may take the claim for dead and act again.
    const sendBy = (intent.claimedAt ?? now()) + policy.pendingForMs - timeoutMs;
    const stillOurs = () => now() <= sendBy;
    try {
      const sent =
        intent.action === 'capture'
          ? await payments.capture(order, amount, stillOurs, sendParts)
          : intent.action === 'refund'
            ? await payments.refund(order, amount, intent.ref, stillOurs, sendParts)
            : await payments.reverse(order, stillOurs);
      if (!sent) {
        state = 'unknown';
        answer = { by: 'call', code: 'NOT_SENT' };
        logger.warn(
          { orderId: order.id, action: intent.action, actor, intent: intent.ref },
          'back-office action not sent: waited too long',
        );
      }
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      const rejected = err instanceof GatewayRejectedError;
      state = rejected ? 'refused' : 'unknown';
      answer = { by: 'call', code: err.code, ...(rejected && { errorCode: err.errorCode, message: err.errorMessage }) };
      const { action, ref } = intent;
      logger.warn(
        { orderId: order.id, action, actor, intent: ref, code: err.code, errorCode: answer.errorCode },
        'back-office action not done',
      );
    }
    const finished = await ledger.finishIntent(intent, state, answer);
    if (state !== 'done') return answered(finished, order, amountText);
    const settled = await settle(order, { source: 'admin', actor });
    logger.info(
      {
        orderId: order.id,
        action: intent.action,
        actor,
        amount: intent.amount,
        intent: intent.ref,
        status: settled?.order.status,
      },
      'back-office action',
    );
    return done(order, intent.action, settled !== undefined);
  }

  /** The answer kept when the status shows a capture, void or refund of unknown outcome was not made. */
  const notMade: IntentAnswer = { by: 'status' };

  /**
   * An earlier call of this intent had an unknown outcome (or its request died): the order's status is asked first,
   * and the gateway is called again only when the status shows the action was not made.
   */
  async function recheck(intent: Intent, order: Order, actor: string, amountText: string): Promise<Reply> {
    const settled = await settle(order, { source: 'admin', actor });
    if (!settled) {
      const again = await ledger.finishIntent(intent, 'unknown', {
        by: 'status',
        code: 'STATUS_UNAVAILABLE',
      });
      return answered(again, order, amountText);
    }
    const next = afterUnknown(intent, settled.order);
    logger.info(
      { orderId: order.id, action: intent.action, actor, intent: intent.ref, next },
      'back-office action rechecked',
    );
    if (next === 'retry') return call(intent, settled.order, actor, amountText);
    const finished =
      next === 'done'
        ? await ledger.finishIntent(intent, 'done', { by: 'status' })
        : await ledger.finishIntent(intent, 'refused', notMade);
    return answered(finished, settled.order, amountText);
  }

  /**
   * A refresh resolves the order's intents of unknown outcome from the fresh status (never by calling again), so
   * that a new form of the order can be used: made → done; not made → refused, nothing sent.
   */
  async function resolveUnknown(order: Order, actor: string): Promise<void> {
    for (const intent of await ledger.unresolvedIntents(order.id)) {
      if (claimRunning(intent, now(), policy)) continue;
      const made = afterUnknown(intent, order) === 'done';
      await ledger.finishIntent(intent, made ? 'done' : 'refused', made ? { by: 'status' } : notMade);
      logger.info(
        { orderId: order.id, action: intent.action, actor, intent: intent.ref, made },
        'back-office action resolved by a refresh',
      );
    }
  }

  /** Claims the form's intent and acts on the decision (src/orders/intents.ts). */
  async function submit(
    tokenHash: string,
    order: Order,
    action: MoneyAction,
    amount: number | null,
    actor: string,
    amountText: string,
    parts?: readonly LinePart[],
  ): Promise<Reply> {
    const claim = await ledger.claimIntent({ tokenHash, orderId: order.id, action, amount, actor }, policy);
    const { intent } = claim;
    switch (claim.outcome) {
      case 'go':
        return claim.recheck
          ? recheck(intent!, claim.order, actor, amountText)
          : call(intent!, claim.order, actor, amountText, parts);
      case 'repeat':
        logger.info(
          { orderId: order.id, action, actor, intent: intent!.ref },
          'back-office action repeated: answered with its first outcome',
        );
        return answered(intent!, claim.order, amountText);
      case 'busy':
        return {
          status: 409,
          order: claim.order,
          extra: {
            notice: { key: 'admin.intent.busy' } satisfies Notice,
            amountText,
          },
        };
      case 'refused': {
        logger.info(
          { orderId: order.id, action, actor, reason: claim.reason },
          'back-office form refused; nothing done',
        );
        return {
          status: 409,
          order: claim.order,
          extra: { notice: { key: REFUSALS[claim.reason] } satisfies Notice, amountText },
        };
      }
    }
  }

  const act: RequestHandler = async (req, res) => {
    const { order, action } = await target(req);
    const actor = String(res.locals.adminUser);
    if (action === 'receipts') {
      if (!allowed(order, action) || order.gatewayOrderId === null) return page(res, 409, order, action, {});
      // A read: getReceiptStatus.do; what changed is kept as the order's 'receipt' events (src/payments/receipts.ts).
      try {
        const receipts = await payments.receipts({ ...order, gatewayOrderId: order.gatewayOrderId });
        logger.info({ orderId: order.id, action, actor, receipts: receipts.length }, 'back-office action');
      } catch (err) {
        if (!(err instanceof GatewayError)) throw err;
        logger.warn({ orderId: order.id, action, actor, code: err.code }, 'receipts not read');
        return page(res, 502, order, action, { receiptsError: err.code });
      }
      res.redirect(303, doneUrl(order, action, true));
      return;
    }
    if (action === 'refresh') {
      if (!allowed(order, action)) return page(res, 409, order, action, {});
      // A refresh asks nothing of the gateway but its status; the status event settle writes is its answer.
      await ledger.recordEvent(order.id, 'admin', action, { actor, step: 'requested' });
      const settled = await settle(order, { source: 'admin', actor });
      if (settled) await resolveUnknown(settled.order, actor);
      logger.info({ orderId: order.id, action, actor, status: settled?.order.status }, 'back-office action');
      res.redirect(303, doneUrl(order, action, settled !== undefined));
      return;
    }
    const body = req.body as Record<string, unknown>;
    const typed = typeof body.amount === 'string' ? body.amount : '';
    const sent = body[INTENT_FIELD];
    const tokenHash = hashToken(typeof sent === 'string' ? sent : '');
    let amount: number | null = null;
    const max = ceiling(order, action);
    // A form used before is answered by its intent (a repeat gets the first outcome, even if the order moved on).
    // A first submit must fit the order as it is; the claim then checks the order is still as the form showed it.
    const known = await ledger.findIntent(tokenHash);
    const first = known === undefined || known.state === 'issued';
    // The refund of chosen lines: its amount is the lines' (lines.ts), never a typed one.
    const byLines = action === 'refund' && body.by === 'lines';
    let parts: LinePart[] | undefined;
    const linesValues = Object.fromEntries(Object.entries(body).filter(([k]) => /^line\d{1,3}$/.test(k)));
    if (byLines) {
      const open = refundLines(order, await ledger.events(order.id));
      // A repeat is answered by its intent whatever was refunded since: only the lines' own sizes bound it then.
      const parsed = parseChosenLines(body, first ? open : open.map((l) => ({ ...l, left: l.quantity })));
      if (!parsed.ok) return page(res, 422, order, action, { linesError: res.locals.t(parsed.error), linesValues });
      amount = parsed.amount;
      parts = partsOfLines(order, parsed.lines);
    } else if (max !== undefined) {
      const parsed = parseMajorAmount(typed, order.currency);
      if (!parsed.ok) {
        const error = res.locals.t(parsed.error, parsed.params);
        return page(res, 422, order, action, { error, amountText: typed });
      }
      amount = parsed.minor;
    }
    if (first) {
      if (!allowed(order, action)) return page(res, 409, order, action, {});
      if (max !== undefined && amount !== null && amount > max) {
        const error = res.locals.t(action === 'refund' ? 'admin.amount.overRefund' : 'admin.amount.overCapture', {
          amount: toMajorString(max, order.currency),
        });
        return page(
          res,
          422,
          order,
          action,
          byLines ? { linesError: error, linesValues } : { error, amountText: typed },
        );
      }
      // Any other amount than the whole order's goes with its cart: the amount spread over the lines (bundle.ts).
      if (!byLines && amount !== null && !whole(order, action, amount)) {
        const left =
          action === 'refund'
            ? refundLines(order, await ledger.events(order.id)).map((l) => l.leftAmount)
            : order.items.map((i) => i.unitAmount * i.quantity);
        try {
          parts = spreadAmount(order, amount, left);
        } catch (err) {
          if (!(err instanceof RangeError)) throw err;
          const most = toMajorString(
            left.reduce((a, b) => a + b, 0),
            order.currency,
          );
          const error = res.locals.t(action === 'refund' ? 'admin.amount.overRefund' : 'admin.amount.overCapture', {
            amount: most,
          });
          return page(res, 422, order, action, { error, amountText: typed });
        }
      }
    }
    // The same form submitted again in this process while its first submit runs gets that submit's reply.
    let reply = running.get(tokenHash);
    if (!reply) {
      reply = submit(tokenHash, order, action, amount, actor, typed, parts).finally(() => running.delete(tokenHash));
      running.set(tokenHash, reply);
    }
    const r = await reply;
    if ('redirect' in r) res.redirect(303, r.redirect);
    else {
      const same = r.sameForm && typeof sent === 'string' ? sent : undefined;
      const extra = byLines ? { ...r.extra, linesValues } : r.extra;
      await page(res, r.status, r.order, action, extra, same, byLines);
    }
  };

  return { confirm, act };
}
