import { countedOutcome, evidenceOf, isApi } from '../facts.js';
import type { Check, Evidence } from '../types.js';

/**
 * docs/gateway-reference.md §1.2: every REST call carries the merchant's API credentials (userName + password or a
 * token). A call with a browser's Origin or Referer header came from a web page or an app's webview, so the
 * credentials were shipped to the buyer's device. Every REST call of the merchant is one case.
 */
export const credentialsServerSideCheck: Check = {
  id: 'credentials-server-side',
  title: {
    en: 'API credentials are never sent from a browser',
    ru: 'Учётные данные API никогда не отправляются из браузера',
  },
  fix: {
    en:
      'Call the gateway’s REST API only from your server: the page or the mobile app asks your backend, which holds ' +
      'the API user’s password or token and calls register.do and the status methods. Then change the password or ' +
      'token that was shipped to browsers or apps: treat it as leaked.',
    ru:
      'Вызывайте REST API шлюза только со своего сервера: страница или мобильное приложение обращаются к вашему ' +
      'бэкенду, который хранит пароль или токен API-пользователя и сам вызывает register.do и методы статуса. Затем ' +
      'смените пароль или токен, попавший в браузеры или приложения: считайте его скомпрометированным.',
  },
  run(ctx) {
    const calls = ctx.entries.filter((e) => isApi(e));
    const failing: Evidence[] = [];
    const passing: Evidence[] = [];
    for (const call of calls) {
      const headers = [call.browser.origin && 'Origin', call.browser.referer && 'Referer'].filter(
        (h): h is string => typeof h === 'string',
      );
      const where = `${call.method} #${call.seq}`;
      if (headers.length > 0) {
        const two = headers.length > 1;
        const en = two ? 'Origin and Referer headers' : `${headers.join('')} header`;
        const ru = two ? 'браузерными заголовками Origin и Referer' : `браузерным заголовком ${headers.join('')}`;
        failing.push(
          evidenceOf(call, {
            en: `${where} from ${call.source || 'an unknown address'} came with a browser’s ${en}: the API credentials are in a web page or an app.`,
            ru: `${where} ${call.source ? `с адреса ${call.source}` : 'с неизвестного адреса'} пришёл с ${ru}: учётные данные API находятся на веб-странице или в приложении.`,
          }),
        );
      } else if (passing.length < 3) {
        passing.push(
          evidenceOf(call, {
            en: `${where}: no Origin or Referer header (a server-to-server call).`,
            ru: `${where}: без заголовков Origin и Referer (вызов с сервера).`,
          }),
        );
      }
    }
    return countedOutcome({
      observed: calls.length,
      failing,
      passing,
      label: { en: 'API calls sent from a browser', ru: 'Вызовов API из браузера' },
      none: { en: 'No API call yet.', ru: 'Вызовов API ещё не было.' },
    });
  },
};
