import express, { type Request, type Response, type Router } from 'express';
import type { SandboxClock } from '../clock.js';
import { gradeIntegration } from '../report/grade.js';
import { scoreLine, VERDICT_TEXT } from '../report/texts.js';
import type { Check, CheckResult, GradeSettings, IntegrationReport } from '../report/types.js';
import { PROBES, type ProbeRegistry } from '../probes.js';
import type { TrafficJournal } from '../traffic.js';
import type { SandboxMerchant } from '../types.js';
import type { OperatorGate } from './operator.js';

export interface ReportRouterOptions {
  journal: TrafficJournal;
  merchants: readonly SandboxMerchant[];
  clock: SandboxClock;
  /** The operator credential every route requires (tools/operator.ts). */
  operator: OperatorGate;
  /** Overrides of DEFAULT_GRADE_SETTINGS, e.g. the sandbox's own hold lifetime. */
  gradeSettings?: Partial<GradeSettings>;
  /** The checks to run; default all of them (report/checks/index.ts). */
  checks?: readonly Check[];
  /**
   * The probes (probes.ts): the card shows which are armed and offers a button arming both (POST
   * /sandbox/report/:merchant/probes), so an operator can reach every check from a browser, test helpers on or off.
   */
  probes?: ProbeRegistry;
}

const TEXTS = {
  en: {
    listTitle: 'Integration report cards',
    listIntro:
      'Each merchant’s integration graded from its journal: a check passes, fails, or is not observed yet. A check that was not observed does not count as passed.',
    title: (login: string) => `Report card: ${login}`,
    intro:
      'Graded from the merchant’s journal entries kept now. Each piece of evidence links to its entry in the journal.',
    merchant: 'Merchant',
    score: 'Score',
    passed: 'Passed',
    failed: 'Failed',
    notObserved: 'Not observed',
    graded: (r: IntegrationReport) =>
      r.journal.entries === 0
        ? `No journal entries yet (graded at ${utc(r.generatedAt)}).`
        : `${r.journal.entries} journal entries graded, #${r.journal.oldestSeq} to #${r.journal.newestSeq}, at ${utc(r.generatedAt)}.`,
    checks: 'Checks',
    check: 'Check',
    verdict: 'Verdict',
    summary: 'Summary',
    evidence: 'Evidence',
    noEvidence: 'No evidence recorded.',
    entry: (seq: number) => `journal entry #${seq}`,
    order: 'order',
    fix: 'What to fix',
    howTo: 'How to get there',
    noChecks: 'No checks are registered in this sandbox.',
    open: 'Open the card',
    json: 'The same report as JSON',
    unknown: (login: string, logins: string) => `No merchant "${login}" in this sandbox; its merchants: ${logins}.`,
    lang: 'По-русски',
    probes: 'Probes',
    probesArmed: (names: string) => `Armed now: ${names}.`,
    probesIdle: 'None armed.',
    probesIntro:
      'The probes test what ordinary purchases cannot: the next declined order goes back to the shop with success-looking parameters, and the next callback is followed by a forged and an unsigned copy. Each fires once.',
    arm: 'Arm the probes',
    armedNotice: 'Probes armed: make a declined purchase and a paid one, then reload this card.',
    badForm: 'This form was not sent from the report card: open the card and try again.',
  },
  ru: {
    listTitle: 'Оценки интеграций',
    listIntro:
      'Интеграция каждого мерчанта, оценённая по его журналу: проверка пройдена, не пройдена или ещё не наблюдалась. Ненаблюдавшаяся проверка не засчитывается как пройденная.',
    title: (login: string) => `Оценка интеграции: ${login}`,
    intro:
      'Оценка по записям журнала мерчанта, хранящимся сейчас. Каждое свидетельство ведёт к своей записи в журнале.',
    merchant: 'Мерчант',
    score: 'Оценка',
    passed: 'Пройдено',
    failed: 'Не пройдено',
    notObserved: 'Не наблюдалось',
    graded: (r: IntegrationReport) =>
      r.journal.entries === 0
        ? `Записей в журнале пока нет (оценено ${utc(r.generatedAt)}).`
        : `Оценено записей журнала: ${r.journal.entries}, с №${r.journal.oldestSeq} по №${r.journal.newestSeq}, ${utc(r.generatedAt)}.`,
    checks: 'Проверки',
    check: 'Проверка',
    verdict: 'Итог',
    summary: 'Сводка',
    evidence: 'Свидетельства',
    noEvidence: 'Свидетельств нет.',
    entry: (seq: number) => `запись журнала №${seq}`,
    order: 'заказ',
    fix: 'Что исправить',
    howTo: 'Как добиться',
    noChecks: 'В этой песочнице не зарегистрировано ни одной проверки.',
    open: 'Открыть оценку',
    json: 'Та же оценка в JSON',
    unknown: (login: string, logins: string) => `Мерчанта «${login}» в этой песочнице нет; её мерчанты: ${logins}.`,
    lang: 'In English',
    probes: 'Проверки-зонды',
    probesArmed: (names: string) => `Сейчас включены: ${names}.`,
    probesIdle: 'Ни одна не включена.',
    probesIntro:
      'Зонды проверяют то, чего не покажут обычные покупки: следующий отклонённый заказ вернётся в магазин с «успешными» параметрами, а за следующим уведомлением последуют поддельное и неподписанное. Каждый срабатывает один раз.',
    arm: 'Включить зонды',
    armedNotice: 'Зонды включены: сделайте отклонённую и оплаченную покупки, затем обновите эту страницу.',
    badForm: 'Эта форма отправлена не со страницы оценки: откройте страницу и повторите.',
  },
} as const;

type Lang = keyof typeof TEXTS;

/** 2030-01-15T12:00:00.000Z → 2030-01-15 12:00:00 UTC */
function utc(iso: string): string {
  return `${iso.slice(0, 19).replace('T', ' ')} UTC`;
}
/** What the journal page's orderId filter takes (journal-page.ts); evidence naming anything else links by merchant only. */
const ORDER_ID = /^[\w-]{1,64}$/;

/**
 * The report card for the sandbox's operator (issue 17): GET /sandbox/report (every merchant with its score),
 * GET /sandbox/report/:merchant (HTML, English or Russian with ?lang=ru) and GET /sandbox/report/:merchant.json (the
 * IntegrationReport). Behind the operator token, never cached. Graded on each request from the merchant's journal
 * entries (secret-free by construction, traffic.ts); EJS escapes everything.
 */
export function createReportRouter(options: ReportRouterOptions): Router {
  const { journal, merchants, clock, operator } = options;
  const router = express.Router();
  const logins = merchants.map((m) => m.login);

  const grade = (merchant: string): IntegrationReport =>
    gradeIntegration({
      merchant,
      entries: journal.entriesOf(merchant),
      now: clock.now(),
      settings: options.gradeSettings,
      checks: options.checks,
    });

  /** ?lang: absent, en or ru; anything else is a 400. */
  const langOf = (req: Request, res: Response, json: boolean): Lang | undefined => {
    const lang = req.query.lang;
    if (lang === undefined || lang === 'en' || lang === 'ru') return lang ?? 'en';
    if (json) res.status(400).json({ error: 'lang must be en or ru' });
    else res.status(400).type('text/plain').send('Bad Request: lang must be en or ru');
    return undefined;
  };

  /** The card's HTML, with a notice or an error from the probes form. */
  const card = (
    res: Response,
    status: number,
    login: string,
    lang: Lang,
    message?: { notice?: string; error?: string },
  ) => {
    const t = TEXTS[lang];
    const report = grade(login);
    const armed = options.probes?.armed(login);
    const q = lang === 'ru' ? '&lang=ru' : '';
    res.status(status).render('tools/report', {
      title: t.title(login),
      scoreText: scoreLine(report, lang),
      lang,
      t,
      report,
      checks: report.checks.map((c) => view(c, lang, login, q)),
      jsonHref: `/sandbox/report/${encodeURIComponent(login)}.json`,
      other: `/sandbox/report/${encodeURIComponent(login)}${lang === 'ru' ? '' : '?lang=ru'}`,
      listHref: `/sandbox/report${lang === 'ru' ? '?lang=ru' : ''}`,
      probes: armed && {
        armed: armed.join(', '),
        action: `/sandbox/report/${encodeURIComponent(login)}/probes${lang === 'ru' ? '?lang=ru' : ''}`,
        formKey: operator.formKey,
      },
      ...message,
    });
  };

  router.get('/sandbox/report', operator.require, (req, res) => {
    res.set('Cache-Control', 'no-store');
    const lang = langOf(req, res, false);
    if (!lang) return;
    const t = TEXTS[lang];
    const q = lang === 'ru' ? '?lang=ru' : '';
    res.render('tools/reports', {
      title: t.listTitle,
      lang,
      t,
      rows: logins.map((login) => {
        const { score } = grade(login);
        return { login, score, href: `/sandbox/report/${encodeURIComponent(login)}${q}` };
      }),
      other: lang === 'ru' ? '/sandbox/report' : '/sandbox/report?lang=ru',
    });
  });

  router.get('/sandbox/report/:merchant', operator.require, (req, res) => {
    res.set('Cache-Control', 'no-store');
    const name = String(req.params.merchant).slice(0, 200);
    // A login may itself end in ".json" (logins take dots): the exact login wins, then "<login>.json".
    const json = !logins.includes(name) && name.endsWith('.json');
    const login = json ? name.slice(0, -'.json'.length) : name;
    const lang = langOf(req, res, json);
    if (!lang) return;
    const t = TEXTS[lang];
    if (!logins.includes(login)) {
      const message = TEXTS.en.unknown(login, logins.join(', '));
      if (json) res.status(404).json({ error: message });
      else
        res
          .status(404)
          .type('text/plain')
          .send(`Not Found: ${lang === 'ru' ? t.unknown(login, logins.join(', ')) : message}`);
      return;
    }
    if (json) res.json(grade(login));
    else {
      // After "Arm the probes" (its 303 lands here): the notice while they are still armed, so a reload is a GET.
      const armed = req.query.armed === '1' && (options.probes?.armed(login).length ?? 0) > 0;
      card(res, 200, login, lang, armed ? { notice: TEXTS[lang].armedNotice } : undefined);
    }
  });
  // The card's "Arm the probes" button: the operator gate, and the form key against a cross-site post (operator.ts).
  router.post(
    '/sandbox/report/:merchant/probes',
    operator.require,
    express.urlencoded({ extended: false, limit: '2kb', parameterLimit: 5 }),
    (req, res) => {
      res.set('Cache-Control', 'no-store');
      const login = String(req.params.merchant);
      const lang: Lang = req.query.lang === 'ru' ? 'ru' : 'en';
      const { probes } = options;
      if (!probes) {
        res.status(404).type('text/plain').send(`Not Found: ${PROBES_OFF}`);
        return;
      }
      if (!logins.includes(login)) {
        res
          .status(404)
          .type('text/plain')
          .send(`Not Found: ${TEXTS.en.unknown(login.slice(0, 200), logins.join(', '))}`);
        return;
      }
      const body = (req.body ?? {}) as Record<string, unknown>;
      if (!operator.formKeyMatches(body.formKey)) {
        card(res, 403, login, lang, { error: TEXTS[lang].badForm });
        return;
      }
      probes.arm(login, PROBES);
      // Post/redirect/get: the notice says to reload the card, and reloading a POST would arm the probes again.
      res.redirect(303, `/sandbox/report/${encodeURIComponent(login)}?armed=1${lang === 'ru' ? '&lang=ru' : ''}`);
    },
  );
  return router;
}

/** Why POST /sandbox/report/:merchant/probes answers 404 in a run without the probes button (app.ts armProbes). */
export const PROBES_OFF = 'arming the probes is off in this run (NODE_ENV=production without SANDBOX_TEST_HELPERS=on)';

/** One check as the page shows it: texts in the page's language, evidence linked to the journal. */
function view(c: CheckResult, lang: Lang, login: string, q: string) {
  return {
    id: c.id,
    title: c.title[lang],
    verdict: c.verdict,
    verdictText: VERDICT_TEXT[lang][c.verdict],
    summary: c.summary[lang],
    fix: c.fix[lang],
    evidence: c.evidence.map((e) => ({
      seq: e.seq,
      orderId: e.orderId,
      what: e.what[lang],
      // The journal lists newest first: `before` = seq + 1 puts the entry at the top of the filtered page.
      href: `/sandbox/journal?${new URLSearchParams({
        merchant: login,
        ...(e.orderId !== undefined && ORDER_ID.test(e.orderId) && { orderId: e.orderId }),
        before: String(e.seq + 1),
      }).toString()}${q}`,
    })),
  };
}
