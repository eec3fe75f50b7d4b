import express, { type Request, type Response, type Router } from 'express';
import { REST_METHODS } from '../rest/routes.js';
import { WALLET_PAYMENT_METHODS } from '../rest/wallet-payment.js';
import {
  MAX_LIST,
  methodOf,
  PAGE_STEPS,
  type TrafficEntry,
  type TrafficFilter,
  type TrafficJournal,
} from '../traffic.js';
import type { SandboxMerchant } from '../types.js';
import type { OperatorGate } from './operator.js';

export interface JournalRouterOptions {
  journal: TrafficJournal;
  merchants: readonly SandboxMerchant[];
  /** The operator credential both routes require (tools/operator.ts). */
  operator: OperatorGate;
}

/** Every value the `method` filter takes: a REST method, a hosted-page step, or `callback`. */
export const JOURNAL_METHODS: readonly string[] = [
  ...REST_METHODS,
  ...Object.values(WALLET_PAYMENT_METHODS),
  ...PAGE_STEPS,
  'callback',
];
const PAGE_SIZE = 50;
const ORDER_ID = /^[\w-]{1,64}$/;
const SEQ = /^\d{1,15}$/;

const TEXTS = {
  en: {
    title: 'Sandbox journal',
    intro: 'Every REST call, hosted-page step and callback, per merchant, newest first. Secrets are never kept.',
    merchant: 'Merchant',
    order: 'Order',
    method: 'Method / step',
    all: 'all',
    show: 'Show',
    none: 'No entries.',
    at: 'Time (UTC)',
    kind: 'Kind',
    what: 'What',
    answer: 'Answer',
    source: 'Source',
    older: 'older →',
    newest: '← newest',
    browser: 'browser headers',
    kept: (max: number) => `Up to ${max} entries kept per merchant.`,
  },
  ru: {
    title: 'Журнал песочницы',
    intro:
      'Все вызовы REST, шаги платёжной страницы и callback-уведомления по мерчантам, новые сверху. Секреты не сохраняются.',
    merchant: 'Мерчант',
    order: 'Заказ',
    method: 'Метод / шаг',
    all: 'все',
    show: 'Показать',
    none: 'Записей нет.',
    at: 'Время (UTC)',
    kind: 'Тип',
    what: 'Что',
    answer: 'Ответ',
    source: 'Источник',
    older: 'старше →',
    newest: '← новые',
    browser: 'заголовки браузера',
    kept: (max: number) => `Хранится до ${max} записей на мерчанта.`,
  },
} as const;

type Parsed = { ok: true; filter: TrafficFilter } | { ok: false; problem: string };

/** The query's filters, or what is wrong with them (each parameter at most once). */
export function parseJournalQuery(query: Request['query'], logins: readonly string[]): Parsed {
  const filter: TrafficFilter = {};
  const one = (name: string): string | undefined => {
    const value = query[name];
    if (value === undefined || value === '') return undefined;
    if (typeof value !== 'string') throw new Problem(`${name} must be given once`);
    return value;
  };
  try {
    const merchant = one('merchant');
    if (merchant !== undefined) {
      if (!logins.includes(merchant)) throw new Problem(`merchant must be one of: ${logins.join(', ')}`);
      filter.merchant = merchant;
    }
    const orderId = one('orderId');
    if (orderId !== undefined) {
      if (!ORDER_ID.test(orderId)) throw new Problem('orderId must be 1 to 64 letters, digits, "-" or "_"');
      filter.orderId = orderId;
    }
    const method = one('method');
    if (method !== undefined) {
      if (!JOURNAL_METHODS.includes(method)) throw new Problem(`method must be one of: ${JOURNAL_METHODS.join(', ')}`);
      filter.method = method;
    }
    const kind = one('kind');
    if (kind !== undefined) {
      if (kind !== 'api' && kind !== 'page' && kind !== 'callback')
        throw new Problem('kind must be one of: api, page, callback');
      filter.kind = kind;
    }
    for (const name of ['after', 'before'] as const) {
      const value = one(name);
      if (value === undefined) continue;
      if (!SEQ.test(value)) throw new Problem(`${name} must be a sequence id (a non-negative integer)`);
      filter[name] = Number(value);
    }
    const limit = one('limit');
    if (limit !== undefined) {
      if (!/^\d{1,4}$/.test(limit) || Number(limit) < 1 || Number(limit) > MAX_LIST)
        throw new Problem(`limit must be an integer from 1 to ${MAX_LIST}`);
      filter.limit = Number(limit);
    }
    const lang = one('lang');
    if (lang !== undefined && lang !== 'en' && lang !== 'ru') throw new Problem('lang must be en or ru');
  } catch (err) {
    if (err instanceof Problem) return { ok: false, problem: err.message };
    throw err;
  }
  return { ok: true, filter };
}

class Problem extends Error {}

/**
 * The integration journal for the sandbox's operator: GET /sandbox/journal (HTML, English or Russian with ?lang=ru)
 * and GET /sandbox/journal.json (or Accept: application/json), filtered by merchant, order and method, newest first.
 * Behind the operator token. Secret-free by construction: entries hold no secret (traffic.ts), EJS escapes everything.
 */
export function createJournalRouter({ journal, merchants, operator }: JournalRouterOptions): Router {
  const router = express.Router();
  const logins = merchants.map((m) => m.login);

  const serve = (req: Request, res: Response, json: boolean) => {
    res.set('Cache-Control', 'no-store');
    const parsed = parseJournalQuery(req.query, logins);
    if (!parsed.ok) {
      if (json) res.status(400).json({ error: parsed.problem });
      else res.status(400).type('text/plain').send(`Bad Request: ${parsed.problem}`);
      return;
    }
    const filter = parsed.filter;
    if (json) {
      const entries = journal.list(filter);
      const last = entries.at(-1);
      res.json({
        entries,
        maxPerMerchant: journal.maxPerMerchant,
        // The `before` of the next (older) page; absent when this one was not full.
        ...(last && entries.length === (filter.limit ?? 100) && { nextBefore: last.seq }),
      });
      return;
    }
    const lang = req.query.lang === 'ru' ? 'ru' : 'en';
    const t = TEXTS[lang];
    const entries = journal.list({ ...filter, limit: filter.limit ?? PAGE_SIZE });
    const last = entries.at(-1);
    const keep = (extra: Record<string, string>) => {
      const q: Record<string, string> = {};
      for (const name of ['merchant', 'orderId', 'method', 'kind', 'lang', 'limit'])
        if (typeof req.query[name] === 'string' && req.query[name] !== '') q[name] = req.query[name];
      return `/sandbox/journal?${new URLSearchParams({ ...q, ...extra }).toString()}`;
    };
    res.render('tools/journal', {
      title: t.title,
      lang,
      t,
      maxPerMerchant: journal.maxPerMerchant,
      logins,
      methods: JOURNAL_METHODS,
      filter,
      rows: entries.map((e) => row(e, t.browser)),
      older: last && entries.length === (filter.limit ?? PAGE_SIZE) ? keep({ before: String(last.seq) }) : undefined,
      newest: filter.before !== undefined ? keep({}) : undefined,
    });
  };

  router.get('/sandbox/journal.json', operator.require, (req, res) => serve(req, res, true));
  router.get('/sandbox/journal', operator.require, (req, res) =>
    serve(req, res, req.accepts(['html', 'json']) === 'json'),
  );
  return router;
}

function row(e: TrafficEntry, browserWord: string) {
  const base = {
    seq: e.seq,
    at: new Date(e.at).toISOString(),
    kind: e.kind,
    merchant: e.merchant ?? '—',
    orderId: e.orderId ?? '',
    method: methodOf(e),
  };
  switch (e.kind) {
    case 'api': {
      const a = e.answer;
      const answer = [
        `HTTP ${a.httpStatus || '—'}`,
        a.errorCode !== undefined && `errorCode ${a.errorCode}`,
        a.orderStatus !== undefined && `orderStatus ${a.orderStatus}`,
        a.noJson && 'no JSON',
      ].filter(Boolean);
      const browser = [e.browser.origin && 'Origin', e.browser.referer && 'Referer'].filter(Boolean);
      return {
        ...base,
        what: Object.entries(e.params)
          .map(([k, v]) => `${k}=${v}`)
          .join(' '),
        answer: `${answer.join(', ')} · ${e.durationMs} ms`,
        source: `${e.source}${browser.length ? ` (${browserWord}: ${browser.join(', ')})` : ''}`,
      };
    }
    case 'page':
      return {
        ...base,
        what: [e.outcome, e.sentTo !== undefined && `→ ${e.sentTo}`, e.probe !== undefined && `(probe: ${e.probe})`]
          .filter(Boolean)
          .join(' '),
        answer: `orderStatus ${e.orderStatus}`,
        source: e.via === 'test-helper' ? `${e.source} (test helper)` : e.source,
      };
    case 'callback':
      return {
        ...base,
        what: `${e.operation} ${e.url} (${e.probe !== undefined ? `probe: ${e.probe}` : e.signed ? 'signed' : 'unsigned'}, copy ${e.copy}, attempt ${e.attempt})`,
        answer:
          e.httpStatus !== undefined
            ? `HTTP ${e.httpStatus}${e.gaveUp ? ' — gave up' : ''}`
            : `${e.outcome.kind}${e.gaveUp ? ' — gave up' : ''}`,
        source: '',
      };
  }
}
