/**
 * `gateway-sandbox report --merchant X [--fail-under N] [--url URL] [--json] [--lang ru]`: fetches a merchant's report
 * card from a running sandbox (GET /sandbox/report/:merchant.json) and prints it, for a team's CI. server.ts hands
 * it the arguments after `report` and the environment; this file reads neither process.argv nor process.env itself.
 *
 * Exit codes: 0 the score reaches --fail-under (default 100), 1 it does not, 2 a usage, connection or auth error
 * (one line on stderr, never a stack). The operator token comes from SANDBOX_OPERATOR_TOKEN only: an argument would
 * show in the process list and the shell's history.
 */
import { parseArgs } from 'node:util';
import { scoreLine, VERDICT_TEXT, type ReportLang } from './report/texts.js';
import type { IntegrationReport } from './report/types.js';
import { createSandboxTestClient, SandboxTestHelperError } from './test-client.js';

export const REPORT_EXIT = { reached: 0, below: 1, error: 2 } as const;
export type ReportExitCode = (typeof REPORT_EXIT)[keyof typeof REPORT_EXIT];

export const DEFAULT_REPORT_URL = 'http://127.0.0.1:3001';
/** How long the command waits for the sandbox's answer. */
const TIMEOUT_MS = 30_000;
const LOGIN = /^[A-Za-z0-9_.-]{1,64}$/;

export const REPORT_USAGE = `Usage: gateway-sandbox report --merchant <login> [--fail-under <0-100>] [--url <sandbox URL>] [--json] [--lang en|ru]

Prints the merchant's report card from a running sandbox and exits 0 when its score (checks passed, in percent)
is at least --fail-under (default 100), 1 when below, 2 on a usage, connection or authentication error.
  --merchant    the merchant's login (required)
  --fail-under  the lowest passing score in percent, default 100
  --url         the sandbox's origin; default SANDBOX_URL, else ${DEFAULT_REPORT_URL}
  --json        print the report as JSON (GET /sandbox/report/<login>.json) instead of a table
  --lang        en (default) or ru: the language of the table
The operator token is read from SANDBOX_OPERATOR_TOKEN, never from an argument.
`;

export interface ReportCommandIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Default the global fetch. */
  fetch?: typeof fetch;
}

interface ReportArgs {
  merchant: string;
  failUnder: number;
  url: string;
  json: boolean;
  lang: ReportLang;
}

class UsageError extends Error {}

/** Runs the command; resolves with the exit code. Never throws. */
export async function runReportCommand(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  io: ReportCommandIo,
): Promise<ReportExitCode> {
  const fail = (message: string): ReportExitCode => {
    io.stderr(`gateway-sandbox report: ${message}\n`);
    return REPORT_EXIT.error;
  };
  let args: ReportArgs | 'help';
  try {
    args = parseReportArgs(argv, env);
  } catch (err) {
    return fail(`${err instanceof Error ? err.message : String(err)} (--help for usage)`);
  }
  if (args === 'help') {
    io.stdout(REPORT_USAGE);
    return REPORT_EXIT.reached;
  }
  const token = env.SANDBOX_OPERATOR_TOKEN;
  if (token === undefined || token === '')
    return fail('SANDBOX_OPERATOR_TOKEN is not set: the report card needs the sandbox operator token');

  const doFetch = io.fetch ?? fetch;
  const client = createSandboxTestClient({
    baseUrl: args.url,
    operatorToken: token,
    fetch: (input, init) => doFetch(input, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) }),
  });
  let report: IntegrationReport;
  try {
    report = await client.report(args.merchant);
  } catch (err) {
    return fail(problemOf(err, args.url));
  }
  if (!isReport(report)) return fail(`${args.url} answered something that is not a report card`);

  io.stdout(args.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report, args.lang, args.failUnder));
  return report.score.percent >= args.failUnder ? REPORT_EXIT.reached : REPORT_EXIT.below;
}

/** The arguments after `report`, checked; throws a UsageError naming what is wrong. */
export function parseReportArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): ReportArgs | 'help' {
  if (argv.some((a) => /^--?(token|operator-token)(=|$)/.test(a)))
    throw new UsageError('the operator token is read from SANDBOX_OPERATOR_TOKEN only, never from an argument');
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        merchant: { type: 'string' },
        'fail-under': { type: 'string' },
        url: { type: 'string' },
        json: { type: 'boolean' },
        lang: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    // parseArgs's own message ("Unknown option '--x'…"), first sentence only.
    throw new UsageError(err instanceof Error ? (err.message.split('. ')[0] ?? err.message) : String(err));
  }
  if (values.help) return 'help';
  const merchant = values.merchant;
  if (merchant === undefined) throw new UsageError('--merchant <login> is required');
  if (!LOGIN.test(merchant)) throw new UsageError('--merchant must be 1 to 64 letters, digits, "_", "." or "-"');
  const failUnderText = values['fail-under'] ?? '100';
  if (!/^\d{1,3}$/.test(failUnderText) || Number(failUnderText) > 100)
    throw new UsageError('--fail-under must be an integer from 0 to 100');
  const lang = values.lang ?? 'en';
  if (lang !== 'en' && lang !== 'ru') throw new UsageError('--lang must be en or ru');
  const rawUrl = values.url ?? (env.SANDBOX_URL || DEFAULT_REPORT_URL);
  const from = values.url !== undefined ? '--url' : env.SANDBOX_URL ? 'SANDBOX_URL' : 'the default URL';
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new UsageError(`${from} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`${from} must be http or https`);
  if (url.username || url.password)
    throw new UsageError(`${from} must carry no credentials; the token goes in SANDBOX_OPERATOR_TOKEN`);
  return { merchant, failUnder: Number(failUnderText), url: url.origin, json: values.json ?? false, lang };
}

/** The card as a table: check id, verdict, summary; then the score, and the fix of each failed check. */
export function formatReport(report: IntegrationReport, lang: ReportLang, failUnder: number): string {
  const ru = lang === 'ru';
  const head = ru ? ['проверка', 'итог', 'сводка'] : ['check', 'verdict', 'summary'];
  const rows = report.checks.map((c) => [c.id, VERDICT_TEXT[lang][c.verdict], c.summary[lang]]);
  const width = (i: number) => Math.max(...[head, ...rows].map((r) => (r[i] ?? '').length));
  const line = (r: readonly string[]) =>
    `${(r[0] ?? '').padEnd(width(0))}  ${(r[1] ?? '').padEnd(width(1))}  ${r[2] ?? ''}`.trimEnd();
  const out = [ru ? `Оценка интеграции: ${report.merchant}` : `Report card: ${report.merchant}`, ''];
  if (rows.length === 0) out.push(ru ? 'Проверок нет.' : 'No checks.');
  else out.push(line(head), ...rows.map(line));
  out.push('', `${ru ? 'Оценка' : 'Score'}: ${scoreLine(report, lang)}`);
  const failed = report.checks.filter((c) => c.verdict === 'fail');
  if (failed.length > 0) {
    out.push('', ru ? 'Что исправить:' : 'What to fix:');
    for (const c of failed) out.push(`  ${c.id}: ${c.fix[lang]}`);
  }
  if (report.score.percent < failUnder)
    out.push(
      '',
      ru
        ? `Оценка ${report.score.percent}% ниже требуемых ${failUnder}% (--fail-under).`
        : `The score ${report.score.percent}% is below the required ${failUnder}% (--fail-under).`,
    );
  return `${out.join('\n')}\n`;
}

/** One line on why the report could not be read. */
function problemOf(err: unknown, url: string): string {
  if (err instanceof SandboxTestHelperError) {
    if (err.status === 401)
      return `the sandbox at ${url} refused the operator token (HTTP 401): check SANDBOX_OPERATOR_TOKEN`;
    return `the sandbox at ${url} answered HTTP ${err.status}: ${err.message}`;
  }
  // Read by shape, not instanceof: fetch's errors may come from another realm (a vm context under jest).
  const e = (typeof err === 'object' && err !== null ? err : {}) as {
    name?: unknown;
    message?: unknown;
    cause?: unknown;
  };
  if (e.name === 'TimeoutError' || e.name === 'AbortError')
    return `no answer from the sandbox at ${url} within ${TIMEOUT_MS / 1000} s`;
  const cause = (typeof e.cause === 'object' && e.cause !== null ? e.cause : {}) as {
    code?: unknown;
    message?: unknown;
  };
  const why =
    typeof cause.code === 'string'
      ? cause.code
      : typeof cause.message === 'string'
        ? cause.message
        : typeof e.message === 'string'
          ? e.message
          : String(err);
  return `cannot reach the sandbox at ${url} (${why}); is it running? (--url or SANDBOX_URL)`;
}

function isReport(value: unknown): value is IntegrationReport {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Partial<IntegrationReport>;
  return typeof r.merchant === 'string' && typeof r.score?.percent === 'number' && Array.isArray(r.checks);
}
