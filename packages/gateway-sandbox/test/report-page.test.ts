/** The report card's surfaces: GET /sandbox/report, /sandbox/report/:merchant (HTML, en/ru) and its .json. */
import { describe, expect, it } from '@jest/globals';
import express from 'express';
import request from 'supertest';
import { createSandboxClock } from '../src/clock.js';
import { VIEWS_DIR } from '../src/paths.js';
import { CHECKS } from '../src/report/checks/index.js';
import type { Check, CheckContext, IntegrationReport } from '../src/report/types.js';
import { createJournalRouter } from '../src/tools/journal-page.js';
import { createOperatorGate } from '../src/tools/operator.js';
import { createReportRouter } from '../src/tools/report-page.js';
import { MAX_LIST, TrafficJournal } from '../src/traffic.js';
import { api, MERCHANT, page } from './report/entries.js';
import { CREDS, makeSandbox, OPERATOR_AUTH, OPERATOR_TOKEN, T0 } from './helpers/sandbox-app.js';

const MERCHANTS = [
  { login: MERCHANT, userName: 'shop-api', password: 'shop-Pa55word-x', allowTwoPhase: true },
  { login: 'quiet', userName: 'quiet-api', password: 'quiet-Pa55word-x', allowTwoPhase: true },
  { login: 'dotted.json', userName: 'dotted-api', password: 'dotted-Pa55word-x', allowTwoPhase: true },
];
const text = (en: string, ru: string) => ({ en, ru });

/** Three stand-in checks (the real ones live in src/report/checks/): a fail with evidence, a pass, a not-observed. */
function fakeChecks(): Check[] {
  return [
    {
      id: 'status-after-return',
      title: text('Status asked after every return', 'Статус запрошен после каждого возврата'),
      fix: text('Ask getOrderStatusExtended after the return.', 'Запрашивайте getOrderStatusExtended после возврата.'),
      run: (ctx: CheckContext) => {
        const returns = ctx.entries.filter((e) => e.kind === 'page' && e.sentTo !== undefined);
        return {
          verdict: returns.length ? 'fail' : 'not-observed',
          observed: returns.length,
          failed: returns.length,
          summary: text(`${returns.length} returns without a status`, `${returns.length} возвратов без статуса`),
          evidence: returns.map((e) => ({
            seq: e.seq,
            at: e.at,
            ...(e.orderId !== undefined && { orderId: e.orderId }),
            what: text('<b>return</b> not followed', 'возврат без запроса'),
          })),
        };
      },
    },
    {
      id: 'order-number-unique',
      title: text('orderNumber unique', 'orderNumber уникален'),
      fix: text('Use a new number.', 'Новый номер.'),
      run: () => ({ verdict: 'pass', observed: 1, failed: 0, summary: text('all unique', 'все разные'), evidence: [] }),
    },
    {
      id: 'holds-settled',
      title: text('Holds settled', 'Холды завершены'),
      fix: text('Deposit or reverse.', 'Спишите или отмените.'),
      run: (ctx: CheckContext) => ({
        verdict: 'not-observed',
        observed: 0,
        failed: 0,
        summary: text(`hold lifetime ${ctx.settings.holdLifetimeMs}`, `срок холда ${ctx.settings.holdLifetimeMs}`),
        evidence: [],
      }),
    },
  ];
}

function makeApp(journal: TrafficJournal) {
  const app = express();
  app.set('views', VIEWS_DIR);
  app.set('view engine', 'ejs');
  const operator = createOperatorGate(OPERATOR_TOKEN, false);
  const clock = createSandboxClock(() => T0);
  app.use(
    createReportRouter({
      journal,
      merchants: MERCHANTS,
      clock,
      operator,
      gradeSettings: { holdLifetimeMs: 3_600_000 },
      checks: fakeChecks(),
    }),
  );
  app.use(createJournalRouter({ journal, merchants: MERCHANTS, operator }));
  return app;
}

/** The shop's journal: a register, a page shown, and a return at seq 3 (order o-1). */
function shopJournal(): TrafficJournal {
  const journal = new TrafficJournal();
  journal.record(api(1, 'register', { orderNumber: 'N-1' }, { orderId: 'o-1' }));
  journal.record(page(2, 'o-1', 'shown'));
  journal.record(page(3, 'o-1', 'card-submitted', { sentTo: 'https://shop.test/r?orderId=o-1' }));
  journal.record({ ...api(4, 'register', { orderNumber: 'Q-1' }, { orderId: 'q-1' }), merchant: 'quiet' });
  return journal;
}

describe('report card page and JSON', () => {
  const journal = shopJournal();
  const app = makeApp(journal);

  it('when the JSON is asked for, then it is the graded IntegrationReport of that merchant’s entries, never cached', async () => {
    const res = await request(app).get(`/sandbox/report/${MERCHANT}.json`).set(OPERATOR_AUTH);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const report = res.body as IntegrationReport;
    expect(report.merchant).toBe(MERCHANT);
    expect(report.generatedAt).toBe(new Date(T0).toISOString());
    expect(report.journal).toEqual({ entries: 3, oldestSeq: 1, newestSeq: 3 });
    expect(report.score).toEqual({ passed: 1, failed: 1, notObserved: 1, total: 3, percent: 33 });
    expect(report.checks.map((c) => [c.id, c.verdict])).toEqual([
      ['status-after-return', 'fail'],
      ['order-number-unique', 'pass'],
      ['holds-settled', 'not-observed'],
    ]);
    // The router's grading settings reach the checks.
    expect(report.checks[2]?.summary.en).toBe('hold lifetime 3600000');
  });

  it('when the page is opened, then each check shows its verdict in words, summary, evidence linked to the journal and fix', async () => {
    const res = await request(app).get(`/sandbox/report/${MERCHANT}`).set(OPERATOR_AUTH);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.type).toBe('text/html');
    const html = res.text;
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('<h1>Report card: shop</h1>');
    expect(html).toContain('1 of 3 checks passed (33%): 1 failed, 1 not observed.');
    expect(html).toContain('3 journal entries graded, #1 to #3, at 2030-01-15 12:00:00 UTC.');
    expect(html).toContain('<th scope="col">Verdict</th>');
    for (const word of ['>Fail<', '>Pass<', '>Not observed<']) expect(html).toContain(word);
    expect(html).toContain('<h3 id="status-after-return-title">Status asked after every return');
    expect(html).toContain('href="/sandbox/journal?merchant=shop&amp;orderId=o-1&amp;before=4"');
    expect(html).toContain('journal entry #3</a> (order <code>o-1</code>): &lt;b&gt;return&lt;/b&gt; not followed');
    expect(html).toContain('Ask getOrderStatusExtended after the return.');
    expect(html).not.toContain('<script');
  });

  it('when an evidence link is followed, then the journal shows that entry first, filtered by merchant and order', async () => {
    const res = await request(app).get('/sandbox/journal?merchant=shop&orderId=o-1&before=4').set(OPERATOR_AUTH);
    expect(res.status).toBe(200);
    const firstRow = /<tbody>\s*<tr><td data-label="#">(\d+)</.exec(res.text);
    expect(firstRow?.[1]).toBe('3');
  });

  it('when asked in Russian, then the page, the verdicts and the evidence are Russian', async () => {
    const res = await request(app).get(`/sandbox/report/${MERCHANT}?lang=ru`).set(OPERATOR_AUTH);
    expect(res.status).toBe(200);
    expect(res.text).toContain('<html lang="ru">');
    expect(res.text).toContain('Оценка интеграции: shop');
    expect(res.text).toContain('Пройдено проверок: 1 из 3 (33%); не пройдено: 1; не наблюдалось: 1.');
    for (const word of ['>Не пройдена<', '>Пройдена<', '>Не наблюдалась<']) expect(res.text).toContain(word);
    expect(res.text).toContain('запись журнала №3');
    expect(res.text).toContain('before=4&amp;lang=ru');
  });

  it('when the list is opened, then every merchant is there with its score and a link to its card', async () => {
    const res = await request(app).get('/sandbox/report').set(OPERATOR_AUTH);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).toContain('<a href="/sandbox/report/shop">shop</a></th><td data-label="Score">33%</td>');
    expect(res.text).toContain('<a href="/sandbox/report/quiet">quiet</a>');
    const ru = await request(app).get('/sandbox/report?lang=ru').set(OPERATOR_AUTH);
    expect(ru.text).toContain('Оценки интеграций');
    expect(ru.text).toContain('href="/sandbox/report/shop?lang=ru"');
  });

  it('when the merchant is unknown, then 404 naming the merchants (JSON for .json)', async () => {
    const html = await request(app).get('/sandbox/report/nobody').set(OPERATOR_AUTH);
    expect(html.status).toBe(404);
    expect(html.type).toBe('text/plain');
    expect(html.text).toContain('No merchant "nobody" in this sandbox; its merchants: shop, quiet, dotted.json.');
    const json = await request(app).get('/sandbox/report/nobody.json').set(OPERATOR_AUTH);
    expect(json.status).toBe(404);
    expect(json.body).toEqual({ error: expect.stringContaining('No merchant "nobody"') });
  });

  it('when a login itself ends in .json, then its name opens its page and <login>.json its JSON', async () => {
    const html = await request(app).get('/sandbox/report/dotted.json').set(OPERATOR_AUTH);
    expect(html.type).toBe('text/html');
    expect(html.text).toContain('Report card: dotted.json');
    const json = await request(app).get('/sandbox/report/dotted.json.json').set(OPERATOR_AUTH);
    expect((json.body as IntegrationReport).merchant).toBe('dotted.json');
  });

  it('when lang is neither en nor ru, then 400 (JSON for .json)', async () => {
    expect((await request(app).get('/sandbox/report/shop?lang=de').set(OPERATOR_AUTH)).status).toBe(400);
    const json = await request(app).get('/sandbox/report/shop.json?lang=de').set(OPERATOR_AUTH);
    expect(json.status).toBe(400);
    expect(json.body).toEqual({ error: 'lang must be en or ru' });
  });

  it.each(['/sandbox/report', '/sandbox/report/shop', '/sandbox/report/shop.json', '/sandbox/report/nobody'])(
    'when %s is asked without the operator token, then 401 and nothing of the report',
    async (path) => {
      const res = await request(app).get(path).set('authorization', 'Bearer wrong-token-0123456789');
      expect(res.status).toBe(401);
      expect(res.text).not.toContain('Report card');
    },
  );

  it('when the merchant has more entries than one journal listing gives, then all kept entries are graded', async () => {
    const big = new TrafficJournal();
    for (let i = 0; i < MAX_LIST + 200; i++) big.record(api(i, 'getOrderStatusExtended', { orderId: `o-${i}` }));
    const res = await request(makeApp(big)).get('/sandbox/report/shop.json').set(OPERATOR_AUTH);
    expect((res.body as IntegrationReport).journal).toEqual({ entries: MAX_LIST + 200, oldestSeq: 1, newestSeq: 1200 });
  });
});

describe('report card in the sandbox app', () => {
  it('when a merchant has called the API, then /sandbox/report/<login>.json grades it with every registered check', async () => {
    const sb = makeSandbox({ callbacks: false });
    await sb.register();
    const res = await request(sb.app).get('/sandbox/report/demo-shop.json').set(OPERATOR_AUTH);
    expect(res.status).toBe(200);
    const report = res.body as IntegrationReport;
    expect(report.journal.entries).toBe(1);
    expect(report.checks.map((c) => c.id)).toEqual(CHECKS.map((c) => c.id));
    const pageRes = await request(sb.app).get('/sandbox/report/demo-shop').set(OPERATOR_AUTH);
    expect(pageRes.status).toBe(200);
    const list = await request(sb.app).get('/sandbox/report').set(OPERATOR_AUTH);
    expect(list.text).toContain('href="/sandbox/report/demo-shop"');
    for (const body of [res.text, pageRes.text, list.text]) expect(body).not.toContain(CREDS.password);
    expect((await request(sb.app).get('/sandbox/report/demo-shop.json')).status).toBe(401);
    sb.stop();
  });

  it('when the operator presses "Arm the probes" on the card, then both probes are armed; a post without the form key is refused', async () => {
    const sb = makeSandbox({ callbacks: false });
    const cardPage = await request(sb.app).get('/sandbox/report/demo-shop?lang=ru').set(OPERATOR_AUTH);
    expect(cardPage.text).toContain('Ни одна не включена.');
    const formKey = /name="formKey" value="([^"]+)"/.exec(cardPage.text)?.[1];
    expect(formKey).toMatch(/^[\w-]{20,}$/);
    expect(formKey).not.toBe(OPERATOR_TOKEN);
    const action = '/sandbox/report/demo-shop/probes?lang=ru';
    expect(cardPage.text).toContain(`action="${action}"`);

    // No operator token: 401 and nothing armed; a token but no form key (a cross-site post): 403, nothing armed.
    expect((await request(sb.app).post(action).type('form').send({ formKey })).status).toBe(401);
    const forged = await request(sb.app).post(action).set(OPERATOR_AUTH).type('form').send({ formKey: 'x' });
    expect(forged.status).toBe(403);
    expect(forged.text).toContain('Эта форма отправлена не со страницы оценки');
    expect(sb.probes.armed('demo-shop')).toEqual([]);

    // Post/redirect/get: the notice says to reload the card, and a reload must not post (and arm) again.
    const posted = await request(sb.app).post(action).set(OPERATOR_AUTH).type('form').send({ formKey });
    expect(posted.status).toBe(303);
    expect(posted.headers.location).toBe('/sandbox/report/demo-shop?armed=1&lang=ru');
    expect(sb.probes.armed('demo-shop')).toEqual(['success-looking-return', 'forged-callbacks']);
    const armed = await request(sb.app).get(String(posted.headers.location)).set(OPERATOR_AUTH);
    expect(armed.status).toBe(200);
    expect(armed.headers['cache-control']).toBe('no-store');
    expect(armed.text).toContain('Сейчас включены: success-looking-return, forged-callbacks.');
    expect(armed.text).toContain('Зонды включены: сделайте отклонённую и оплаченную покупки');
    sb.probes.clear('demo-shop'); // as when both have fired
    expect(sb.probes.armed('demo-shop')).toEqual([]);
    const reloaded = await request(sb.app).get(String(posted.headers.location)).set(OPERATOR_AUTH);
    expect(reloaded.text).not.toContain('Зонды включены');
    const unknown = await request(sb.app)
      .post('/sandbox/report/nobody/probes')
      .set(OPERATOR_AUTH)
      .type('form')
      .send({ formKey });
    expect(unknown.status).toBe(404);
    sb.stop();
  });

  it('when the probes button is off (a production run), then the card offers none and a post arms nothing', async () => {
    const sb = makeSandbox({ callbacks: false, armProbes: false });
    const cardPage = await request(sb.app).get('/sandbox/report/demo-shop').set(OPERATOR_AUTH);
    expect(cardPage.status).toBe(200);
    expect(cardPage.text).not.toContain('name="formKey"');
    expect(cardPage.text).not.toContain('/sandbox/report/demo-shop/probes');
    const post = await request(sb.app)
      .post('/sandbox/report/demo-shop/probes')
      .set(OPERATOR_AUTH)
      .type('form')
      .send({ formKey: 'x' });
    expect(post.status).toBe(404);
    expect(post.text).toContain('arming the probes is off in this run');
    expect(sb.probes.armed('demo-shop')).toEqual([]);
    sb.stop();
  });
});
