/**
 * The six checks of checks-1 over whole journeys: a careful shop passes every one, a naive shop (trusts the return URL,
 * accepts any callback, never captures, polls in a loop) fails every one, and an idle merchant is not observed.
 */
import { describe, expect, it } from '@jest/globals';
import { gradeIntegration } from '../../src/report/grade.js';
import type { CheckId } from '../../src/report/types.js';
import { api, callback, journal, MERCHANT, page } from './entries.js';

const MINE: CheckId[] = [
  'status-after-return',
  'decision-follows-status',
  'callbacks-answered',
  'forged-callbacks-refused',
  'holds-settled',
  'status-polling-rate',
];
const verdicts = (entries: ReturnType<typeof journal>, nowSeconds: number) =>
  Object.fromEntries(
    gradeIntegration({ merchant: MERCHANT, entries, now: nowSeconds * 1000 })
      .checks.filter((c) => MINE.includes(c.id))
      .map((c) => [c.id, c.verdict]),
  );
const status = (s: number, orderId: string, orderStatus: number) =>
  api(s, 'getOrderStatusExtended', { orderId }, { orderStatus });

/** A two-phase purchase that is paid, a declined one that the probe sends back, and the forged-callbacks probe. */
function journey(shop: 'careful' | 'naive') {
  const careful = shop === 'careful';
  return journal(
    api(0, 'registerPreAuth', { orderNumber: '1001', amount: '1500' }, { orderId: 'paid' }),
    page(5, 'paid', 'shown'),
    page(20, 'paid', 'card-submitted', {
      outcome: 'approved',
      orderStatus: 1,
      sentTo: 'https://shop/back?orderId=paid',
    }),
    ...(careful ? [status(21, 'paid', 1)] : []),
    callback(21, 'paid', 'approved', careful ? 200 : 500, { gaveUp: !careful }),
    callback(22, 'paid', 'approved', careful ? 403 : 200, { probe: 'forged' }),
    callback(22, 'paid', 'approved', careful ? 403 : 200, { probe: 'unsigned', signed: false }),
    api(100, 'register', { orderNumber: '1002', amount: '900' }, { orderId: 'declined' }),
    page(110, 'declined', 'card-submitted', {
      outcome: 'declined',
      orderStatus: 6,
      sentTo: 'https://shop/back?orderId=declined&success=true',
      probe: 'success-looking-return',
    }),
    ...(careful
      ? [status(111, 'declined', 6)]
      : Array.from({ length: 8 }, (_, i) =>
          api(111 + i, 'deposit', { orderId: 'declined', amount: '0' }, { errorCode: '7' }),
        )),
    ...(careful ? [] : Array.from({ length: 8 }, (_, i) => status(200 + i / 4, 'declined', 6))),
    ...(careful ? [api(3600, 'deposit', { orderId: 'paid', amount: '0' })] : []),
  );
}

describe('checks-1 over whole journeys', () => {
  const weekLater = 8 * 24 * 3600;

  it('a careful shop passes all six', () => {
    expect(verdicts(journey('careful'), weekLater)).toEqual(Object.fromEntries(MINE.map((id) => [id, 'pass'])));
  });

  it('a naive shop fails all six', () => {
    expect(verdicts(journey('naive'), weekLater)).toEqual(Object.fromEntries(MINE.map((id) => [id, 'fail'])));
  });

  it('nothing is observed for a merchant that did nothing', () => {
    expect(verdicts(journal(), 0)).toEqual(Object.fromEntries(MINE.map((id) => [id, 'not-observed'])));
  });
});
