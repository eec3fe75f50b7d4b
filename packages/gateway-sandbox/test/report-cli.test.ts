/** `gateway-sandbox report`: arguments, exit codes, the table, and the bin (src/server.ts) dispatching to it. */
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CHECK_IDS,
  createSandboxTestClient,
  SandboxTestHelperError,
  startSandbox,
  type IntegrationReport,
  type RunningSandbox,
} from '../src/index.js';
import { formatReport, parseReportArgs, REPORT_USAGE, runReportCommand } from '../src/report-cli.js';
import { CREDS, OPERATOR_TOKEN } from './helpers/sandbox-app.js';

const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const text = (en: string, ru: string) => ({ en, ru });

/** A card of three checks: 1 pass, 1 fail, 1 not observed (33%). */
const CARD: IntegrationReport = {
  merchant: 'shop',
  generatedAt: '2030-01-15T12:00:00.000Z',
  score: { passed: 1, failed: 1, notObserved: 1, total: 3, percent: 33 },
  journal: { entries: 5, oldestSeq: 1, newestSeq: 5 },
  checks: [
    {
      id: 'status-after-return',
      title: text('Status after return', 'Статус после возврата'),
      fix: text('Ask for the status after every return.', 'Запрашивайте статус после каждого возврата.'),
      verdict: 'fail',
      observed: 2,
      failed: 1,
      summary: text('1 of 2 returns not followed by a status request', '1 из 2 возвратов без запроса статуса'),
      evidence: [{ seq: 3, at: 3000, orderId: 'o-1', what: text('return', 'возврат') }],
    },
    {
      id: 'order-number-unique',
      title: text('Unique orderNumber', 'Уникальный orderNumber'),
      fix: text('Use a new number per order.', 'Новый номер для каждого заказа.'),
      verdict: 'pass',
      observed: 2,
      failed: 0,
      summary: text('2 orders, 2 numbers', '2 заказа, 2 номера'),
      evidence: [],
    },
    {
      id: 'holds-settled',
      title: text('Holds settled', 'Холды завершены'),
      fix: text('Deposit or reverse holds.', 'Списывайте или отменяйте холды.'),
      verdict: 'not-observed',
      observed: 0,
      failed: 0,
      summary: text('no two-phase order yet', 'двухстадийных заказов ещё не было'),
      evidence: [],
    },
  ],
};

/** runReportCommand with its output captured. */
async function run(argv: string[], env: Record<string, string> = {}, fetchImpl?: typeof fetch) {
  let stdout = '';
  let stderr = '';
  const code = await runReportCommand(argv, env, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    ...(fetchImpl && { fetch: fetchImpl }),
  });
  return { code, stdout, stderr };
}

const answering =
  (status: number, body: unknown, seen: Request[] = []): typeof fetch =>
  (input, init) => {
    seen.push(new Request(input, init));
    return Promise.resolve(new Response(JSON.stringify(body), { status }));
  };
const TOKEN_ENV = { SANDBOX_OPERATOR_TOKEN: OPERATOR_TOKEN };

describe('report command: arguments', () => {
  it.each([
    [[], '--merchant <login> is required'],
    [['--merchant', 'a b'], '--merchant must be'],
    [['--merchant', 'shop', '--fail-under', '101'], '--fail-under must be an integer from 0 to 100'],
    [['--merchant', 'shop', '--fail-under', '9.5'], '--fail-under must be an integer from 0 to 100'],
    [['--merchant', 'shop', '--lang', 'de'], '--lang must be en or ru'],
    [['--merchant', 'shop', '--url', 'ftp://x'], '--url must be http or https'],
    [['--merchant', 'shop', '--url', 'nonsense'], '--url is not a URL'],
    [['--merchant', 'shop', '--url', 'http://op:pw@127.0.0.1:3001'], '--url must carry no credentials'],
    [['--merchant', 'shop', '--token', 'abc'], 'read from SANDBOX_OPERATOR_TOKEN only'],
    [['--merchant', 'shop', '--verbose'], "Unknown option '--verbose'"],
    [['--merchant', 'shop', 'extra'], "Unexpected argument 'extra'"],
  ])('when given %j, then exit 2 with one line saying what is wrong', async (argv, message) => {
    const seen: Request[] = [];
    const { code, stdout, stderr } = await run(argv, TOKEN_ENV, answering(200, CARD, seen));
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(message);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(seen).toHaveLength(0);
  });

  it('when the token is not in the environment, then exit 2 before any request', async () => {
    const seen: Request[] = [];
    const { code, stderr } = await run(['--merchant', 'shop'], {}, answering(200, CARD, seen));
    expect(code).toBe(2);
    expect(stderr).toBe(
      'gateway-sandbox report: SANDBOX_OPERATOR_TOKEN is not set: the report card needs the sandbox operator token\n',
    );
    expect(seen).toHaveLength(0);
  });

  it('when --help is given, then the usage and exit 0', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    expect(stdout).toBe(REPORT_USAGE);
  });

  it('when no --url is given, then SANDBOX_URL, else http://127.0.0.1:3001', () => {
    expect(parseReportArgs(['--merchant', 'm'], {})).toMatchObject({ url: 'http://127.0.0.1:3001', failUnder: 100 });
    expect(parseReportArgs(['--merchant', 'm'], { SANDBOX_URL: 'https://sb.test:8443/' })).toMatchObject({
      url: 'https://sb.test:8443',
    });
  });
});

describe('report command: exit code and output', () => {
  it.each([
    [[], 1],
    [['--fail-under', '34'], 1],
    [['--fail-under', '33'], 0],
    [['--fail-under', '0'], 0],
  ])('when the score is 33%% and the options are %j, then exit %d', async (extra, expected) => {
    const seen: Request[] = [];
    const { code } = await run(['--merchant', 'shop', ...extra], TOKEN_ENV, answering(200, CARD, seen));
    expect(code).toBe(expected);
    expect(seen.map((r) => [r.method, r.url, r.headers.get('authorization')])).toEqual([
      ['GET', 'http://127.0.0.1:3001/sandbox/report/shop.json', `Bearer ${OPERATOR_TOKEN}`],
    ]);
  });

  it('when printed as a table, then each check has its id, verdict and summary, then the score and the fixes', () => {
    expect(formatReport(CARD, 'en', 100)).toBe(
      [
        'Report card: shop',
        '',
        'check                verdict       summary',
        'status-after-return  Fail          1 of 2 returns not followed by a status request',
        'order-number-unique  Pass          2 orders, 2 numbers',
        'holds-settled        Not observed  no two-phase order yet',
        '',
        'Score: 1 of 3 checks passed (33%): 1 failed, 1 not observed.',
        '',
        'What to fix:',
        '  status-after-return: Ask for the status after every return.',
        '',
        'The score 33% is below the required 100% (--fail-under).',
        '',
      ].join('\n'),
    );
    const ru = formatReport(CARD, 'ru', 0);
    expect(ru).toContain('status-after-return  Не пройдена     1 из 2 возвратов без запроса статуса');
    expect(ru).toContain('Оценка: Пройдено проверок: 1 из 3 (33%)');
    expect(ru).not.toContain('ниже требуемых');
  });

  it('when --json is given, then the report as the sandbox answered it', async () => {
    const { code, stdout } = await run(['--merchant', 'shop', '--json'], TOKEN_ENV, answering(200, CARD));
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toEqual(CARD);
  });

  it.each([
    [401, { error: 'unauthorized' }, 'refused the operator token (HTTP 401): check SANDBOX_OPERATOR_TOKEN'],
    [404, { error: 'No merchant "shop" in this sandbox' }, 'answered HTTP 404: No merchant "shop" in this sandbox'],
    [200, { hello: 'world' }, 'answered something that is not a report card'],
  ])('when the sandbox answers %d %j, then exit 2 with one line', async (status, body, message) => {
    const { code, stderr } = await run(['--merchant', 'shop'], TOKEN_ENV, answering(status, body));
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('when nothing listens at the URL, then exit 2 saying it cannot reach the sandbox', async () => {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const url = `http://127.0.0.1:${port}`;
    const { code, stderr } = await run(['--merchant', 'shop', '--url', url], TOKEN_ENV);
    expect(code).toBe(2);
    expect(stderr).toBe(
      `gateway-sandbox report: cannot reach the sandbox at ${url} (ECONNREFUSED); is it running? (--url or SANDBOX_URL)\n`,
    );
  });
});

describe('report command through the bin (gateway-sandbox report …) against a started sandbox', () => {
  let sb: RunningSandbox;
  beforeAll(async () => {
    sb = await startSandbox({ port: 0, host: '127.0.0.1', operatorToken: OPERATOR_TOKEN, callbacks: false });
    await fetch(`${sb.gatewayUrl}register.do`, {
      method: 'POST',
      body: new URLSearchParams({ ...CREDS, orderNumber: 'CLI-1', amount: '1000', returnUrl: 'https://shop.test/r' }),
    });
  });
  afterAll(() => sb.close());

  /** `node --import tsx src/server.ts report …` with exactly `env` (plus PATH). */
  const bin = (args: string[], env: Record<string, string>) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts', 'report', ...args], {
        cwd: PACKAGE_ROOT,
        env: { PATH: process.env.PATH ?? '', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.once('close', (code) => resolve({ code, stdout, stderr }));
    });

  it('when the score reaches --fail-under, then the card is printed and the exit code is 0', async () => {
    const { code, stdout, stderr } = await bin(['--merchant', 'demo-shop', '--fail-under', '0'], {
      ...TOKEN_ENV,
      SANDBOX_URL: sb.url,
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Report card: demo-shop\n/);
    expect(stdout).toMatch(/\nScore: \d+ of \d+ checks passed \(\d+%\)/);
  }, 30_000);

  it('when --json is given and the score is below the default 100, then the JSON and exit 1', async () => {
    const { code, stdout } = await bin(['--merchant', 'demo-shop', '--json', '--url', sb.url], TOKEN_ENV);
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as IntegrationReport;
    expect(report.merchant).toBe('demo-shop');
    expect(report.journal.entries).toBe(1);
    expect(report.score.percent).toBeLessThan(100);
  }, 30_000);

  it('when the merchant is unknown, then one line on stderr, no stack, and exit 2', async () => {
    const { code, stdout, stderr } = await bin(['--merchant', 'nobody', '--url', sb.url], TOKEN_ENV);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      `gateway-sandbox report: the sandbox at ${sb.url} answered HTTP 404: No merchant "nobody" in this sandbox; its merchants: demo-shop.\n`,
    );
  }, 30_000);

  it("when the typed client's report(login) is called, then it resolves with the card; an unknown login rejects with 404", async () => {
    const client = createSandboxTestClient({ baseUrl: `${sb.url}/`, operatorToken: OPERATOR_TOKEN });
    const report = await client.report('demo-shop');
    expect(report.merchant).toBe('demo-shop');
    expect(report.journal.entries).toBe(1);
    expect(report.checks.every((c) => CHECK_IDS.includes(c.id))).toBe(true);
    const refused = await client.report('nobody').catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(SandboxTestHelperError);
    expect(refused).toMatchObject({ status: 404, message: expect.stringContaining('No merchant "nobody"') });
  });
});
