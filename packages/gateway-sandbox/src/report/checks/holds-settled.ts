import type { TrafficEntry } from '../../traffic.js';
import {
  type Case,
  callbackStatus,
  count,
  duration,
  evidenceOf,
  isApi,
  isStatusCall,
  orderResolver,
  outcomeOfCases,
  registeredOrders,
  seqs,
  someOf,
  succeeded,
} from '../facts.js';
import type { Check, CheckContext } from '../types.js';

/** What settles a hold: capturing it or releasing it. */
const SETTLING = ['deposit', 'reverse'];

/**
 * A two-phase order (registerPreAuth) whose amount was held must get a successful deposit.do or reverse.do before the
 * hold expires (approval + holdLifetimeMs). An order never approved is not judged; an unsettled hold that has not
 * expired yet is undecided.
 */
export const holdsSettledCheck: Check = {
  id: 'holds-settled',
  title: {
    en: 'Holds captured or reversed before they expire',
    ru: 'Холды завершаются списанием или отменой до истечения срока',
  },
  fix: {
    en: 'For a two-phase order (registerPreAuth.do), call deposit.do when the goods ship, or reverse.do when they will not, before the hold expires (about 7 days after payment); the bank then releases the money itself and it can no longer be captured. Keep a job that settles old holds.',
    ru: 'Для двухстадийного заказа (registerPreAuth.do) вызовите deposit.do, когда товар отгружен, или reverse.do, если отгрузки не будет, до истечения холда (около 7 дней после оплаты): затем банк сам снимает блокировку и списать деньги уже нельзя. Заведите задачу, которая завершает старые холды.',
  },
  run(ctx) {
    const life = ctx.settings.holdLifetimeMs;
    const lifeText = duration(life);
    const orderOf = orderResolver(ctx);
    const cases: Case[] = [];
    for (const [orderId, registered] of registeredOrders(ctx)) {
      if (registered.method !== 'registerPreAuth') continue;
      const approved = approvalOf(ctx, orderId, orderOf);
      if (!approved) continue;
      const expires = approved.at + life;
      const settled = ctx.entries.find((e) => isApi(e, ...SETTLING) && succeeded(e) && orderOf(e) === orderId);
      if (settled?.kind === 'api') {
        const after = duration(settled.at - approved.at);
        const inTime = settled.at <= expires;
        cases.push({
          verdict: inTime ? 'pass' : 'fail',
          evidence: [
            evidenceOf(settled, {
              en: `Hold settled by ${settled.method}.do ${after.en} after approval (${seqs(approved.seq).en})${inTime ? '' : `, later than the hold's ${lifeText.en}`}`,
              ru: `Холд завершён вызовом ${settled.method}.do через ${after.ru} после одобрения (${seqs(approved.seq).ru})${inTime ? '' : `, позже срока холда (${lifeText.ru})`}`,
            }),
          ],
        });
        continue;
      }
      const expired = ctx.now > expires;
      cases.push({
        verdict: expired ? 'fail' : 'undecided',
        evidence: [
          evidenceOf(approved, {
            en: expired
              ? `Held amount neither deposited nor reversed within the hold's ${lifeText.en}: the hold expired`
              : `Held amount not settled yet; the hold expires ${duration(expires - ctx.now).en} from now`,
            ru: expired
              ? `Захолдированная сумма не списана и не отменена за срок холда (${lifeText.ru}): холд истёк`
              : `Холд ещё не завершён; до его истечения ${duration(expires - ctx.now).ru}`,
          }),
        ],
      });
    }
    return outcomeOfCases(cases, ({ judged, failed, undecided }) => {
      if (judged === 0 && undecided === 0)
        return {
          en: 'No two-phase order (registerPreAuth.do) has been paid yet.',
          ru: 'Оплаченных двухстадийных заказов (registerPreAuth.do) ещё нет.',
        };
      if (judged === 0)
        return {
          en: `${count(undecided, 'hold is', 'holds are')} not settled yet and not expired (the hold lasts ${lifeText.en}).`,
          ru: `Холдов, которые ещё не завершены и не истекли (срок холда ${lifeText.ru}): ${undecided}.`,
        };
      if (failed > 0)
        return {
          en: `${someOf(failed, judged, 'hold', 'holds')} not deposited or reversed within ${lifeText.en}.`,
          ru: `Холдов, не списанных и не отменённых за ${lifeText.ru}: ${failed} из ${judged}.`,
        };
      return {
        en: `Every hold (${judged}) was deposited or reversed before it expired.`,
        ru: `Каждый холд (${judged}) списан или отменён до истечения срока.`,
      };
    });
  },
};

/**
 * When the order's amount was held: the earliest of a payment step approved with orderStatus 1, a genuine `approved`
 * callback with status 1, or a status answer with orderStatus 1.
 */
function approvalOf(
  ctx: CheckContext,
  orderId: string,
  orderOf: ReturnType<typeof orderResolver>,
): TrafficEntry | undefined {
  const held = (e: TrafficEntry): boolean => {
    if (e.kind === 'page') return e.orderId === orderId && e.outcome === 'approved' && e.orderStatus === 1;
    if (e.kind === 'callback')
      return e.orderId === orderId && e.probe === undefined && e.operation === 'approved' && callbackStatus(e) === '1';
    return isStatusCall(e) && e.answer.orderStatus === 1 && orderOf(e) === orderId;
  };
  let first: TrafficEntry | undefined;
  for (const e of ctx.entries) if (held(e) && (!first || e.at < first.at)) first = e;
  return first;
}
