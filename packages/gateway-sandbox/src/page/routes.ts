import express, { type Response, type Router } from 'express';
import { cardSummary, findTestCardById, TEST_CARDS, TEST_CVC, type TestCardInfo } from '../cards.js';
import { formatAmount } from '../currency.js';
import type { SandboxEngine } from '../engine.js';
import type { SandboxEvents } from '../events.js';
import { OrderLedger } from '../ledger.js';
import type { PageLang, SandboxMerchant, SandboxOrder } from '../types.js';
import { readCardForm, type CardFormValues } from './card-form.js';
import { pageCartLines } from './cart-lines.js';
import type { ProbeRegistry } from '../probes.js';
import type { TrafficJournal } from '../traffic.js';
import { buyerReturn, pageStepRecorder, returnAfter, shopUrl } from './return.js';
import { pageLang, textsFor, type PageTexts } from './texts.js';
import { challengeUrl, hostedPageUrl } from './urls.js';
import { walletButtons, walletCardRows } from './wallet-sheet.js';
import { walletTextsFor } from './wallet-texts.js';

export interface PageRouterOptions {
  engine: SandboxEngine;
  /** With the merchants, what the buyer's cancel needs to decline an order and fire its event. */
  events: SandboxEvents;
  merchants: readonly SandboxMerchant[];
  /** The integration journal the buyer's steps are recorded in (traffic.ts); none when absent. Never card data. */
  journal?: TrafficJournal;
  /** The report card's probes (probes.ts): a declined order's return may carry success-looking parameters. */
  probes?: ProbeRegistry;
}

/**
 * The actionCode of an order the buyer cancelled on the hosted page. docs/gateway-reference.md names none for a
 * buyer's cancel; the closest code in the project's documented list (src/gateway/action-codes.ts, which §5 points to)
 * is -2014, "the payment page was closed before the payment was completed", which tells the buyer to start a new
 * order, as a cancel should.
 */
export const BUYER_CANCEL_ACTION_CODE = -2014;

/** The prefill a test-card link gives the form: the card, an expiry date two years ahead, the test CVC, a name. */
function testCardValues(card: TestCardInfo, now: number): CardFormValues {
  const d = new Date(now);
  const month = String(d.getUTCMonth() + 1).padStart(2, '0');
  const year = String((d.getUTCFullYear() + 2) % 100).padStart(2, '0');
  return {
    pan: card.pan.replace(/(\d{4})(?=\d)/g, '$1 '),
    expiry: `${month}/${year}`,
    cvc: TEST_CVC,
    cardholder: 'TEST CARDHOLDER',
  };
}

const PAGE_FILE = /^payment_([a-z]{2})\.html$/;

/**
 * The hosted payment page, the emulated 3-D Secure (ACS) page and the test-card list.
 * Plain HTML forms with POST-redirect-GET: no JavaScript, nothing from other origins.
 */
export function createPageRouter({ engine, events, merchants, journal, probes }: PageRouterOptions): Router {
  const router = express.Router();
  const step = pageStepRecorder(journal, engine.clock);
  const ledger = new OrderLedger(engine.clock, events, new Map(merchants.map((m) => [m.login, m])));
  // Card and 3-D Secure forms must not come back from the history cache after the order moved on.
  router.use(['/payment/merchants', '/payment/acs'], (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  router.use(
    ['/payment/merchants', '/payment/acs'],
    express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 20 }),
  );

  const lookup = (login: string | undefined, mdOrder: unknown): SandboxOrder | undefined => {
    const order = typeof mdOrder === 'string' ? engine.get(mdOrder) : undefined;
    return order && (login === undefined || order.merchantLogin === login) ? order : undefined;
  };

  const pageUrl = hostedPageUrl;
  const acsUrl = challengeUrl;

  const renderForm = (res: Response, order: SandboxOrder, lang: PageLang, extra: FormExtras = {}) => {
    const t = textsFor(lang);
    const now = engine.clock.now();
    const amount = formatAmount(order.amount, order.currency, lang);
    res.status(extra.status ?? 200).render('payment', {
      t,
      lang,
      order,
      action: pageUrl(order, lang),
      amount,
      payLabel: `${t.pay} ${amount}`,
      testCards: TEST_CARDS.map((card) => ({
        ...card,
        summary: cardSummary(card, lang),
        href: `${pageUrl(order, lang)}&card=${encodeURIComponent(card.id)}`,
        spaced: card.pan.replace(/(\d{4})(?=\d)/g, '$1 '),
        chosen: card.id === extra.chosenCard,
      })),
      cardFilled: extra.chosenCard !== undefined,
      minutesLeft: Math.max(1, Math.ceil((order.expiresAt - now) / 60_000)),
      attemptsLeft: order.attempts > 0 ? engine.attemptsLeft(order) : undefined,
      errors: extra.errors ?? {},
      formError: extra.formError,
      values: extra.values ?? { pan: '', expiry: '', cardholder: '' },
      // The order's lines when it was registered with a cart (orderBundle).
      cartLines: pageCartLines(order, lang),
      // The wallet buttons the merchant offers (page/wallet-sheet.ts), above the card form.
      wallets: walletButtons(engine.merchant(order.merchantLogin), order, lang),
      wt: walletTextsFor(lang),
    });
  };

  /**
   * The buyer's cancel: the order is declined as a failed payment (status 6, the payment operation reported with
   * status 0, as the gateway's own declines are) and the buyer goes back to failUrl, or returnUrl without one.
   */
  const cancelByBuyer = (order: SandboxOrder) => {
    ledger.declinePayment(order, BUYER_CANCEL_ACTION_CODE);
    // As the engine does after every change: the SQLite store writes the order, the in-memory one ignores it.
    engine.store.save(order);
  };

  /** Any order that can no longer take card data gets a status page with a way back to the shop. */
  const renderState = (res: Response, order: SandboxOrder, lang: PageLang, card?: TestCardInfo) => {
    const t = textsFor(lang);
    if (order.status === 0)
      return renderForm(
        res,
        order,
        lang,
        card ? { values: testCardValues(card, engine.clock.now()), chosenCard: card.id } : {},
      );
    if (order.status === 5 && order.pending?.kind === 'challenge') return res.redirect(303, acsUrl(order, lang));
    if (order.status === 5)
      return renderMessage(res, lang, t.processingTitle, t.processingText, {
        refreshSecs: 3,
        checkUrl: pageUrl(order, lang),
      });
    const paid = order.status !== 6;
    const [title, text] = paid
      ? [t.paidTitle, t.paidText]
      : order.actionCode === -2007
        ? [t.expiredTitle, t.expiredText]
        : [t.declinedTitle, t.declinedText];
    renderMessage(res, lang, title, text, { backUrl: shopUrl(order, lang) });
  };

  router.get('/payment/merchants/:login/:page', (req, res, next) => {
    const file = PAGE_FILE.exec(req.params.page);
    if (!file) return next();
    const lang = pageLang(file[1]);
    const order = lookup(req.params.login, req.query.mdOrder);
    if (!order) return renderNotFound(res, lang);
    step(req, order, 'shown');
    renderState(res, order, lang, findTestCardById(req.query.card));
  });

  router.post('/payment/merchants/:login/:page', (req, res, next) => {
    const file = PAGE_FILE.exec(req.params.page);
    if (!file) return next();
    const lang = pageLang(file[1]);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const order = lookup(req.params.login, body.mdOrder ?? req.query.mdOrder);
    if (!order) return renderNotFound(res, lang);
    if (order.status !== 0) return res.redirect(303, pageUrl(order, lang));
    if (body.op === 'cancel') {
      cancelByBuyer(order);
      const back = buyerReturn(order, lang, probes);
      step(req, order, 'cancelled', { back });
      return res.redirect(303, back.url);
    }
    const t = textsFor(lang);
    const form = readCardForm(body, engine.clock.now(), t);
    if (!form.ok) {
      step(req, order, 'card-submitted', { outcome: 'invalid-form' });
      return renderForm(res, order, lang, { errors: form.errors, values: form.values, formError: t.errFormTitle });
    }
    const outcome = engine.pay(order, form.card, req.ip);
    // Approved, declined, or waiting on the processor: back to the shop, which must ask getOrderStatusExtended.
    const back = returnAfter(order, lang, outcome.kind, probes);
    step(req, order, 'card-submitted', { outcome: outcome.kind, back });
    if (back) return res.redirect(303, back.url);
    if (outcome.kind === 'retry')
      return renderForm(res, order, lang, {
        formError: t.errWrongData,
        values: { pan: '', expiry: '', cardholder: form.card.cardholderName },
      });
    res.redirect(303, outcome.kind === 'challenge' ? acsUrl(order, lang) : pageUrl(order, lang));
  });

  router.get('/payment/acs/challenge', (req, res) => {
    const lang = pageLang(req.query.lang);
    const order = lookup(undefined, req.query.mdOrder);
    if (!order) return renderNotFound(res, lang);
    if (order.status !== 5 || order.pending?.kind !== 'challenge') return res.redirect(303, pageUrl(order, lang));
    const t = textsFor(lang);
    step(req, order, '3ds-shown');
    res.render('challenge', {
      t,
      lang,
      order,
      action: '/payment/acs/challenge',
      amount: formatAmount(order.amount, order.currency, lang),
      maskedPan: order.card?.maskedPan ?? '',
    });
  });

  router.post('/payment/acs/challenge', (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const lang = pageLang(body.lang);
    const order = lookup(undefined, body.mdOrder);
    if (!order) return renderNotFound(res, lang);
    if (body.op === 'cancel') {
      // The buyer gives up at the bank's page: the same cancel as on the hosted page, while the challenge is open.
      if (order.status === 5 && order.pending?.kind === 'challenge') {
        cancelByBuyer(order);
        const back = buyerReturn(order, lang, probes);
        step(req, order, 'cancelled', { back });
        return res.redirect(303, back.url);
      }
      return res.redirect(303, order.status === 6 ? shopUrl(order, lang) : pageUrl(order, lang));
    }
    const outcome = engine.completeChallenge(order, typeof body.otp === 'string' ? body.otp : '');
    const back = returnAfter(order, lang, outcome.kind, probes);
    step(req, order, '3ds-submitted', { outcome: outcome.kind, back });
    res.redirect(303, back ? back.url : pageUrl(order, lang));
  });

  router.get('/sandbox/cards', (req, res) => {
    const lang = pageLang(req.query.lang);
    res.render('cards', {
      t: textsFor(lang),
      lang,
      cards: TEST_CARDS.map((card) => ({ ...card, summary: cardSummary(card, lang) })),
      // The simulated wallets' cards (wallets.ts), masked as the wallet sheet shows them.
      walletCards: walletCardRows(lang),
      wt: walletTextsFor(lang),
    });
  });

  return router;
}

interface FormExtras {
  status?: number;
  errors?: Record<string, string>;
  formError?: string;
  values?: CardFormValues;
  /** The id of the test card a `?card=` link filled in. */
  chosenCard?: string;
}

function renderMessage(
  res: Response,
  lang: PageLang,
  title: string,
  text: string,
  extra: { backUrl?: string; refreshSecs?: number; checkUrl?: string; status?: number } = {},
) {
  // A Refresh header, not a meta refresh: the page also offers a link to check at once. It stops by itself, since a
  // processing order settles after the processing delay.
  if (extra.refreshSecs) res.set('Refresh', String(extra.refreshSecs));
  res.status(extra.status ?? 200).render('message', {
    t: textsFor(lang),
    lang,
    title,
    text,
    backUrl: extra.backUrl,
    checkUrl: extra.checkUrl,
  });
}

function renderNotFound(res: Response, lang: PageLang) {
  const t: PageTexts = textsFor(lang);
  renderMessage(res, lang, t.notFoundTitle, t.notFoundText, { status: 404 });
}
