import { REGISTER_LIMITS } from '../../rest/register.js';
import { REDACTED } from '../../traffic.js';
import { countedOutcome, evidenceOf, isApi, quote, REGISTER_METHODS } from '../facts.js';
import { given, keptPart, wasCut } from '../params.js';
import type { Check, Evidence, Text } from '../types.js';

/** returnUrl and failUrl are String[1..512] (docs/gateway-reference.md §3.1; the sandbox refuses longer ones). */
export const MAX_URL_LENGTH = REGISTER_LIMITS.urlLength;

/** Words of a parameter name that say it carries a secret (split at non-letters and camelCase humps). */
const SECRET_WORDS = new Set([
  'password',
  'passwd',
  'pass',
  'pwd',
  'token',
  'key',
  'apikey',
  'secret',
  'session',
  'sessionid',
  'sid',
  'jsessionid',
  'phpsessid',
  'auth',
  'authorization',
  'credential',
  'credentials',
  'checksum',
]);

export function secretName(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/);
  return words.some((w) => SECRET_WORDS.has(w));
}

/** A value that is itself a credential: the journal's redaction marker, a JWT, a bearer token, or a nested `token=…`. */
export function secretValue(value: string): boolean {
  if (value.toLowerCase().includes(REDACTED)) return true;
  if (/^eyJ[\w-]+\.[\w-]+\.[\w-]*$/.test(value) || /^bearer\s/i.test(value)) return true;
  for (const m of value.matchAll(/(?:^|[?&;])([^=&?;#]+)=/g)) if (secretName(m[1] ?? '')) return true;
  return false;
}

export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/** What is wrong with a return URL, in both languages (empty when nothing). */
export function urlProblems(raw: string): Text[] {
  const cut = wasCut(raw);
  const problems: Text[] = [];
  if (!cut && raw.length > MAX_URL_LENGTH)
    problems.push({
      en: `is ${raw.length} characters long, more than ${MAX_URL_LENGTH}`,
      ru: `длиной ${raw.length} символов, больше ${MAX_URL_LENGTH}`,
    });
  let url: URL;
  try {
    url = new URL(keptPart(raw));
  } catch {
    return [...problems, { en: 'is not an absolute URL', ru: 'не абсолютный URL' }];
  }
  const loopback = isLoopbackHost(url.hostname);
  if (url.protocol === 'http:' && !loopback)
    problems.push({
      en: `uses http on ${url.hostname}, not a loopback host (often built from the Host header behind a TLS proxy)`,
      ru: `использует http на ${url.hostname}, а это не локальный адрес (часто URL собран из заголовка Host за TLS-прокси)`,
    });
  else if (url.protocol !== 'https:' && url.protocol !== 'http:')
    problems.push({
      en: `uses the scheme ${url.protocol} instead of https`,
      ru: `использует схему ${url.protocol} вместо https`,
    });
  if (url.username !== '' || url.password !== '')
    problems.push({
      en: 'carries a user name or password (user:pass@host)',
      ru: 'содержит имя пользователя или пароль (user:pass@host)',
    });
  const names = new Set<string>();
  for (const [name, value] of url.searchParams) {
    if (secretName(name)) names.add(name);
    else if (secretValue(value)) names.add(name);
  }
  if (names.size > 0) {
    const list = [...names].map((n) => quote(n, 30)).join(', ');
    problems.push({
      en: `has query parameters that look secret: ${list}`,
      ru: `содержит параметры запроса, похожие на секреты: ${list}`,
    });
  }
  return problems;
}

/** The URL without its query and userinfo, for evidence (a secret in it must not reach the report). */
function shown(raw: string): string {
  try {
    const url = new URL(keptPart(raw));
    return quote(`${url.protocol}//${url.host}${url.pathname}`, 80);
  } catch {
    return quote(raw.split('?')[0] ?? '', 40);
  }
}

/**
 * The return URL (and failUrl when given) of every register call: https unless the host is loopback, no
 * userinfo, no query parameter that looks like a secret, at most 512 characters (docs/gateway-reference.md §2, §3.1).
 * The journal redacts parameters by name only, so the URL's own query is read here. A URL longer than the journal
 * keeps (200 characters) is judged on its kept part; its length above 512 cannot be told.
 */
export const returnUrlSafeCheck: Check = {
  id: 'return-url-safe',
  title: {
    en: 'The return URL is https and carries no secret',
    ru: 'URL возврата использует https и не содержит секретов',
  },
  fix: {
    en:
      'Build returnUrl and failUrl from a configured public https base URL, never from the request’s Host header or ' +
      'scheme (behind a TLS proxy that gives http); plain http is fine only for localhost. Put only your order ' +
      'reference in the query, never a session id, token, key or password, and keep the URL within 512 characters.',
    ru:
      'Собирайте returnUrl и failUrl из заданного в настройках публичного https-адреса, а не из заголовка Host или ' +
      'схемы запроса (за TLS-прокси она будет http); http допустим только для localhost. Передавайте в запросе ' +
      'только ссылку на свой заказ, но не идентификатор сессии, токен, ключ или пароль, и укладывайтесь в 512 символов.',
  },
  run(ctx) {
    let observed = 0;
    const failing: Evidence[] = [];
    const passing: Evidence[] = [];
    for (const call of ctx.entries.filter((e) => isApi(e, ...REGISTER_METHODS))) {
      const urls: [string, string][] = [];
      for (const name of ['returnUrl', 'failUrl']) {
        const raw = given(call, name);
        if (raw !== undefined) urls.push([name, raw]);
      }
      if (urls.length === 0) continue;
      observed += 1;
      const found = urls.flatMap(([name, raw]) => {
        const problems = urlProblems(raw);
        if (problems.length === 0) return [];
        const en = problems.map((p) => p.en).join(', ');
        const ru = problems.map((p) => p.ru).join(', ');
        return [{ en: `${name} ${shown(raw)} ${en}`, ru: `${name} ${shown(raw)} ${ru}` }];
      });
      const where = `${call.method} #${call.seq}`;
      if (found.length > 0)
        failing.push(
          evidenceOf(call, {
            en: `${where}: ${found.map((p) => p.en).join('; ')}.`,
            ru: `${where}: ${found.map((p) => p.ru).join('; ')}.`,
          }),
        );
      else
        passing.push(
          evidenceOf(call, {
            en: `${where}: ${urls.map(([name, raw]) => `${name} ${shown(raw)}`).join(', ')}: safe.`,
            ru: `${where}: ${urls.map(([name, raw]) => `${name} ${shown(raw)}`).join(', ')}: замечаний нет.`,
          }),
        );
    }
    return countedOutcome({
      observed,
      failing,
      passing,
      label: { en: 'Registrations with an unsafe return URL', ru: 'Регистраций с небезопасным URL возврата' },
      none: { en: 'No order was registered yet.', ru: 'Ни один заказ ещё не зарегистрирован.' },
    });
  },
};
