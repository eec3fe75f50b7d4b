/** The report grades a journal at its bound (5 000 entries per merchant) in linear time: no check is quadratic. */
import { expect, test } from '@jest/globals';
import { gradeIntegration } from '../../src/report/grade.js';
import { api, callback, journal, MERCHANT, page } from './entries.js';

/** CPU milliseconds of one full grading of `entries`. */
function cpuMs(entries: ReturnType<typeof journal>, now: number): number {
  const start = process.cpuUsage();
  gradeIntegration({ merchant: MERCHANT, entries, now });
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

test('2 500 held two-phase orders (5 000 entries) are graded within 400 ms of CPU', () => {
  const drafts = [];
  for (let i = 0; i < 2500; i++) {
    drafts.push(api(2 * i, 'registerPreAuth', { orderNumber: `n${i}`, amount: '1500' }, { orderId: `o${i}` }));
    drafts.push(page(2 * i + 1, `o${i}`, 'card-submitted', { outcome: 'approved', orderStatus: 1 }));
  }
  const entries = journal(...drafts);
  cpuMs(entries, 10_000_000); // warm-up
  expect(cpuMs(entries, 10_000_000)).toBeLessThan(400);
});

test('5 000 registers of one constant orderNumber (a naive shop in CI) are graded within 400 ms of CPU', () => {
  const drafts = Array.from({ length: 5000 }, (_, i) =>
    api(i, 'register', { orderNumber: 'same', amount: '100' }, i === 0 ? { orderId: 'o' } : { errorCode: '1' }),
  );
  const entries = journal(...drafts);
  cpuMs(entries, 10_000_000);
  expect(cpuMs(entries, 10_000_000)).toBeLessThan(400);
});

test('5 000 callback copies of one order are graded within 400 ms of CPU', () => {
  const register = api(0, 'register', { orderNumber: 'n', amount: '100' }, { orderId: 'o' });
  const copies = Array.from({ length: 4999 }, (_, i) => callback(i + 1, 'o', 'approved', 200, { copy: i + 1 }));
  const entries = journal(register, ...copies);
  cpuMs(entries, 10_000_000);
  expect(cpuMs(entries, 10_000_000)).toBeLessThan(400);
});
