import express, { type Router } from 'express';
import { formatAmount } from '../currency.js';
import type { SandboxEngine } from '../engine.js';
import { fiscalDevice, findReceipt, ofdOf, receiptState } from '../receipts.js';
import { receiptStateText, receiptTextsFor } from './receipt-texts.js';
import { pageLang, textsFor } from './texts.js';

export interface ReceiptRouterOptions {
  engine: SandboxEngine;
  /** The sandbox's origin, for the operator's website shown on the receipt. */
  publicUrl: () => string;
}

/**
 * GET /sandbox/receipts/:uuid: the page a delivered receipt's ofd_receipt_url opens, as an OFD's receipt link would
 * (public, addressed by the receipt's random uuid). English, or Russian with ?lang=ru.
 */
export function createReceiptRouter({ engine, publicUrl }: ReceiptRouterOptions): Router {
  const router = express.Router();
  router.get('/sandbox/receipts/:uuid', (req, res) => {
    const lang = pageLang(req.query.lang);
    const t = { ...textsFor(lang), ...receiptTextsFor(lang) };
    res.set('Cache-Control', 'no-store');
    const found = findReceipt(engine.store, String(req.params.uuid));
    if (!found) {
      res.status(404).render('message', {
        t,
        lang,
        title: t.receiptNotFoundTitle,
        text: t.receiptNotFoundText,
        backUrl: undefined,
      });
      return;
    }
    const { order, receipt } = found;
    const state = receiptState(receipt, engine.clock.now());
    const device = fiscalDevice(order.merchantLogin);
    const ofd = ofdOf(publicUrl());
    const rows: [string, string][] = [
      [t.receiptKind, receipt.kind === 'payment' ? t.kindPayment : t.kindRefund],
      [t.receiptStatus, receiptStateText(t, state)],
      [t.receiptMerchant, order.merchantLogin],
      [t.receiptOrder, order.orderNumber],
      [t.receiptTotal, formatAmount(receipt.amount, order.currency, lang)],
    ];
    if (state === 'delivered')
      rows.push(
        [t.receiptDate, new Date(receipt.settlesAt).toISOString().slice(0, 19).replace('T', ' ')],
        [t.receiptShift, String(receipt.shiftNumber)],
        [t.receiptNumber, String(receipt.fiscalReceiptNumber)],
        [t.receiptFn, device.fnNumber],
        [t.receiptEcr, device.ecrRegistrationNumber],
        [t.receiptFd, String(receipt.fiscalDocumentNumber)],
        [t.receiptFp, receipt.fiscalDocumentAttribute],
        [t.receiptOfd, `${ofd.name}, ${ofd.website}`],
      );
    res.render('receipt', { t, lang, rows });
  });
  return router;
}
