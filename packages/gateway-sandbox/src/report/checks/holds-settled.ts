import type { ApiEntry, TrafficEntry } from '../../traffic.js';
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
    const { approvals, settlements } = holdEvents(ctx);
    const cases: Case[] = [];
    for (const [orderId, registered] of registeredOrders(ctx)) {
      if (registered.method !== 'registerPreAuth') continue;
      const approved = approvals.get(orderId);
      if (!approved) continue;
      const expires = approved.at + life;
      const settled = settlements.get(orderId);
      if (settled) {
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
 * In one pass over the journal, per order: when its amount was held (the earliest of a payment step approved with
 * orderStatus 1, a genuine `approved` callback with status 1, or a status answer with orderStatus 1), and the first
 * successful deposit.do / reverse.do that settled it.
 */
function holdEvents(ctx: CheckContext): {
  approvals: Map<string, TrafficEntry>;
  settlements: Map<string, ApiEntry>;
} {
  const orderOf = orderResolver(ctx);
  const approvals = new Map<string, TrafficEntry>();
  const settlements = new Map<string, ApiEntry>();
  for (const e of ctx.entries) {
    let held: string | undefined;
    if (e.kind === 'page') {
      if (e.outcome === 'approved' && e.orderStatus === 1) held = e.orderId;
    } else if (e.kind === 'callback') {
      if (e.probe === undefined && e.operation === 'approved' && callbackStatus(e) === '1') held = e.orderId;
    } else if (isStatusCall(e)) {
      if (e.answer.orderStatus === 1) held = orderOf(e);
    } else if (isApi(e, ...SETTLING) && succeeded(e)) {
      const orderId = orderOf(e);
      if (orderId !== undefined && !settlements.has(orderId)) settlements.set(orderId, e);
    }
    if (held === undefined) continue;
    const first = approvals.get(held);
    if (!first || e.at < first.at) approvals.set(held, e);
  }
  return { approvals, settlements };
}
