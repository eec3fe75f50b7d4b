import { describe, expect, it } from '@jest/globals';
import { forgedCallbacksRefusedCheck } from '../../src/report/checks/forged-callbacks-refused.js';
import { brief, runCheck } from './check-run.js';
import { api, callback, journal } from './entries.js';

const registered = api(0, 'registerPreAuth', { orderNumber: 'N1' }, { orderId: 'o1' });
const genuine = callback(10, 'o1', 'approved', 200);
const forged = (s: number, http: number | undefined, extra: Parameters<typeof callback>[4] = {}) =>
  callback(s, 'o1', 'approved', http, { probe: 'forged', ...extra });
const unsigned = (s: number, http: number | undefined) =>
  callback(s, 'o1', 'approved', http, { probe: 'unsigned', signed: false });
const deposit = (s: number) => api(s, 'deposit', { orderId: 'o1', amount: '0' });

describe('forged-callbacks-refused', () => {
  it.each([
    ['no probe yet', [registered, genuine], 100, { verdict: 'not-observed', observed: 0, failed: 0, seqs: [] }],
    [
      'both refused with 403',
      [registered, genuine, forged(11, 403), unsigned(11, 403)],
      100,
      { verdict: 'pass', observed: 2, failed: 0, seqs: [3, 4] },
    ],
    [
      'refused with 500 still passes',
      [registered, genuine, forged(11, 500)],
      100,
      { verdict: 'pass', observed: 1, failed: 0, seqs: [3] },
    ],
    [
      'refused with 399 (not 2xx)',
      [registered, genuine, forged(11, 399)],
      100,
      { verdict: 'pass', observed: 1, failed: 0, seqs: [3] },
    ],
    [
      'forged answered 200',
      [registered, genuine, forged(11, 200), unsigned(11, 403)],
      100,
      { verdict: 'fail', observed: 2, failed: 1, seqs: [3, 4] },
    ],
    [
      'unsigned answered 204',
      [registered, genuine, unsigned(11, 204)],
      100,
      { verdict: 'fail', observed: 1, failed: 1, seqs: [3] },
    ],
    [
      'refused first, accepted on a retry',
      [registered, genuine, forged(11, 500), forged(12, 200, { attempt: 2 })],
      100,
      { verdict: 'fail', observed: 1, failed: 1, seqs: [4] },
    ],
    [
      'no answer (network error) is not judged',
      [registered, genuine, forged(11, undefined), unsigned(11, undefined)],
      100,
      { verdict: 'not-observed', observed: 0, failed: 0, seqs: [] },
    ],
    [
      'accepted, then a deposit: its own evidence line',
      [registered, genuine, forged(11, 200), deposit(12)],
      100,
      { verdict: 'fail', observed: 1, failed: 1, seqs: [3, 4] },
    ],
    [
      'accepted, a deposit past the wait is not linked',
      [registered, genuine, forged(11, 200), deposit(72)],
      100,
      { verdict: 'fail', observed: 1, failed: 1, seqs: [3] },
    ],
    [
      'refused, then a deposit: fine',
      [registered, genuine, forged(11, 403), deposit(12)],
      100,
      { verdict: 'pass', observed: 1, failed: 0, seqs: [3] },
    ],
  ] as const)('%s', (_name, drafts, now, expected) => {
    expect(brief(runCheck(forgedCallbacksRefusedCheck, journal(...drafts), now))).toEqual(expected);
  });

  it('says a non-4xx refusal should be 4xx, and how to arm the probe', () => {
    const refused = runCheck(forgedCallbacksRefusedCheck, journal(registered, genuine, forged(11, 500)), 100);
    expect(refused.evidence[0]?.what).toEqual({
      en: 'Forged callback (wrong checksum), operation approved, refused with 500 (4xx, e.g. 403, is the expected answer)',
      ru: 'Поддельное уведомление (неверная контрольная сумма), операция approved, отклонено с ответом 500 (ожидается 4xx, например 403)',
    });
    const none = runCheck(forgedCallbacksRefusedCheck, journal(registered, genuine, forged(11, undefined)), 100);
    expect(none.summary.en).toContain('POST /sandbox/test/merchants/shop/probes');
    expect(none.summary.en).toContain('1 probe callback got no answer (network error) and is not judged.');
  });

  it('names the state-changing call after an accepted forgery', () => {
    const result = runCheck(
      forgedCallbacksRefusedCheck,
      journal(registered, genuine, forged(11, 200), deposit(12)),
      100,
    );
    expect(result.evidence[1]?.what).toEqual({
      en: 'deposit.do on the order 1 s after the accepted forged callback (entry #3)',
      ru: 'deposit.do по заказу через 1 с после принятого поддельного уведомления (запись №3)',
    });
    expect(result.summary.en).toBe(
      '1 of 1 forged or unsigned callback was answered 2xx: the shop does not check the checksum.',
    );
  });

  it('does not judge the probe for a merchant without a callback key: its genuine callbacks are unsigned too', () => {
    // docs/gateway-reference.md §6.2: `checksum` only when the merchant has a key; such a shop cannot tell them apart.
    const keyless = callback(10, 'o1', 'approved', 200, { signed: false });
    const result = runCheck(
      forgedCallbacksRefusedCheck,
      journal(registered, keyless, forged(11, 200), unsigned(11, 200)),
      100,
    );
    expect(brief(result)).toEqual({ verdict: 'not-observed', observed: 0, failed: 0, seqs: [] });
    expect(result.summary.en).toContain('no callback key');
    expect(result.summary.ru).toContain('ключ');
  });
});
