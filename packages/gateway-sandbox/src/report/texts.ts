import type { IntegrationReport, Verdict } from './types.js';

/** The report's own words in both languages, shared by the page (tools/report-page.ts) and the command (report-cli.ts). */
export type ReportLang = 'en' | 'ru';

export const VERDICT_TEXT: Readonly<Record<ReportLang, Readonly<Record<Verdict, string>>>> = {
  en: { pass: 'Pass', fail: 'Fail', 'not-observed': 'Not observed' },
  ru: { pass: 'Пройдена', fail: 'Не пройдена', 'not-observed': 'Не наблюдалась' },
};

/** "10 of 12 checks passed (83%): 1 failed, 1 not observed." */
export function scoreLine(report: Pick<IntegrationReport, 'score'>, lang: ReportLang): string {
  const s = report.score;
  return lang === 'ru'
    ? `Пройдено проверок: ${s.passed} из ${s.total} (${s.percent}%); не пройдено: ${s.failed}; не наблюдалось: ${s.notObserved}.`
    : `${s.passed} of ${s.total} checks passed (${s.percent}%): ${s.failed} failed, ${s.notObserved} not observed.`;
}
