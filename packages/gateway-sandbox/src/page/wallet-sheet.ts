import express, { type Response, type Router } from 'express';
import { paymentSystemOf } from '../cards.js';
import { formatAmount } from '../currency.js';
import type { SandboxEngine } from '../engine.js';
import type { ProbeRegistry } from '../probes.js';
import type { TrafficJournal } from '../traffic.js';
import type { PageLang, SandboxMerchant, SandboxOrder } from '../types.js';
import {
  findWalletCard,
  isWalletId,
  merchantWallets,
  WALLET_NAMES,
  WALLET_TEST_CARDS,
  walletCards,
  type WalletId,
  type WalletTestCard,
} from '../wallets.js';
import { pageStepRecorder, returnAfter } from './return.js';
import { pageLang, textsFor } from './texts.js';
import { challengeUrl, hostedPageUrl } from './urls.js';
import { walletTextsFor } from './wallet-texts.js';

/** The simulated wallet sheet of an order: where a wallet button on the hosted page leads. */
export const walletSheetUrl = (order: SandboxOrder, wallet: WalletId, lang: PageLang): string =>
  `/payment/merchants/${encodeURIComponent(order.merchantLogin)}/wallet/${wallet}?mdOrder=${order.id}&lang=${lang}`;

export interface WalletButton {
  id: WalletId;
  label: string;
  href: string;
}

/** The hosted page's wallet buttons: one per wallet the merchant offers, none for an unknown merchant. */
export function walletButtons(
  merchant: SandboxMerchant | undefined,
  order: SandboxOrder,
  lang: PageLang,
): WalletButton[] {
  const wt = walletTextsFor(lang);
  return (merchant ? merchantWallets(merchant) : []).map((id) => ({
    id,
    label: `${wt.payWith} ${WALLET_NAMES[id]}`,
    href: walletSheetUrl(order, id, lang),
  }));
}

export interface WalletSheetRouterOptions {
  engine: SandboxEngine;
  journal?: TrafficJournal;
  probes?: ProbeRegistry;
}

/**
 * The simulated wallet sheet (docs/sandbox.md, "Wallets"): a page of the sandbox's own, clearly marked as a
 * simulation, that stands in for Apple Pay, Google Pay or Samsung Pay. No wallet API, no script: the buyer picks one
 * of the wallet's test cards and sends the form; the order is paid (or declined, or sent to 3-D Secure) as a payment
 * through that wallet, and the buyer goes back to the shop as after a card payment.
 */
export function createWalletSheetRouter({ engine, journal, probes }: WalletSheetRouterOptions): Router {
  const router = express.Router();
  const step = pageStepRecorder(journal, engine.clock);
  const path = '/payment/merchants/:login/wallet/:wallet';
  router.use(path, (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  router.use(path, express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 20 }));

  /** The order and the wallet, when both exist and the order's merchant offers the wallet; else the page to show. */
  const resolve = (
    res: Response,
    login: string,
    walletParam: string,
    mdOrder: unknown,
    lang: PageLang,
  ): { order: SandboxOrder; wallet: WalletId } | undefined => {
    const order = typeof mdOrder === 'string' ? engine.get(mdOrder) : undefined;
    const t = textsFor(lang);
    if (!order || order.merchantLogin !== login) {
      res.status(404).render('message', { t, lang, title: t.notFoundTitle, text: t.notFoundText, backUrl: undefined });
      return undefined;
    }
    const merchant = engine.merchant(order.merchantLogin);
    if (!isWalletId(walletParam) || !merchant || !merchantWallets(merchant).includes(walletParam)) {
      const wt = walletTextsFor(lang);
      res.status(404).render('message', {
        t,
        lang,
        title: wt.notOfferedTitle,
        text: wt.notOfferedText,
        backUrl: undefined,
        linkUrl: hostedPageUrl(order, lang),
        linkText: wt.toPaymentPage,
      });
      return undefined;
    }
    return { order, wallet: walletParam };
  };

  const renderSheet = (res: Response, order: SandboxOrder, wallet: WalletId, lang: PageLang, chosen?: string) => {
    const t = textsFor(lang);
    const wt = walletTextsFor(lang);
    const name = WALLET_NAMES[wallet];
    const amount = formatAmount(order.amount, order.currency, lang);
    const cards = walletCards(wallet);
    const checked = chosen ?? cards[0]?.id;
    res.status(chosen === undefined ? 200 : 400).render('wallet-sheet', {
      t,
      wt,
      lang,
      order,
      title: `${name} ${wt.sheetTitle}`,
      action: walletSheetUrl(order, wallet, lang),
      amount,
      payLabel: `${t.pay} ${amount} ${wt.payIn} ${name}`,
      error: chosen === undefined ? undefined : wt.errCard,
      backUrl: hostedPageUrl(order, lang),
      cards: cards.map((c) => ({
        id: c.id,
        label: cardLabel(c, lang),
        summary: lang === 'ru' ? c.summaryRu : c.summary,
        checked: c.id === checked,
      })),
    });
  };

  router.get(path, (req, res) => {
    const lang = pageLang(req.query.lang);
    const found = resolve(res, req.params.login, req.params.wallet, req.query.mdOrder, lang);
    if (!found) return;
    const { order, wallet } = found;
    // A paid, declined, expired or challenged order: the hosted page knows what to show.
    if (order.status !== 0) return res.redirect(303, hostedPageUrl(order, lang));
    step(req, order, 'wallet-shown', { outcome: wallet });
    renderSheet(res, order, wallet, lang);
  });

  router.post(path, (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const lang = pageLang(body.lang ?? req.query.lang);
    const found = resolve(res, req.params.login, req.params.wallet, body.mdOrder ?? req.query.mdOrder, lang);
    if (!found) return;
    const { order, wallet } = found;
    if (order.status !== 0) return res.redirect(303, hostedPageUrl(order, lang));
    const card = findWalletCard(wallet, body.card);
    if (!card) {
      step(req, order, 'wallet-submitted', { outcome: 'invalid-form' });
      return renderSheet(res, order, wallet, lang, '');
    }
    const outcome = engine.payWithWallet(order, wallet, card, req.ip);
    const back = returnAfter(order, lang, outcome.kind, probes);
    step(req, order, 'wallet-submitted', { outcome: outcome.kind, back });
    if (back) return res.redirect(303, back.url);
    res.redirect(303, outcome.kind === 'challenge' ? challengeUrl(order, lang) : hostedPageUrl(order, lang));
  });

  return router;
}

/** The wallet test cards for the test-card list (/sandbox/cards): the card, the wallets holding it, its outcome. */
export function walletCardRows(lang: PageLang): { id: string; label: string; wallets: string; summary: string }[] {
  return WALLET_TEST_CARDS.map((c) => ({
    id: c.id,
    label: cardLabel(c, lang),
    wallets: c.wallets.map((w) => WALLET_NAMES[w]).join(', '),
    summary: lang === 'ru' ? c.summaryRu : c.summary,
  }));
}

/** "VISA •••• 0015 (device token)": the card as a wallet lists it, never the whole number. */
function cardLabel(card: WalletTestCard, lang: PageLang): string {
  const wt = walletTextsFor(lang);
  return `${paymentSystemOf(card.pan)} •••• ${card.pan.slice(-4)} (${card.kind === 'token' ? wt.deviceToken : wt.plainCard})`;
}
