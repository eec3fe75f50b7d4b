/**
 * The six REST-parameter checks (order-number-unique, amounts-minor-units, return-url-safe, refunds-sane,
 * credentials-server-side, register-fields-valid) on a real sandbox's journal: the answers they read (errorCode
 * types, the refund refusal's text, browser hints) are the ones the sandbox records, not only the builders' shapes.
 */
import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { gradeIntegration } from '../../src/report/grade.js';
import type { CheckId } from '../../src/report/types.js';
import { TrafficJournal } from '../../src/traffic.js';
import { CREDS, makeSandbox, payDirect, T0 } from '../helpers/sandbox-app.js';

const MINE: readonly CheckId[] = [
  'order-number-unique',
  'amounts-minor-units',
  'return-url-safe',
  'refunds-sane',
  'credentials-server-side',
  'register-fields-valid',
];

async function gradeOf(drive: (sb: ReturnType<typeof makeSandbox>) => Promise<void>) {
  const journal = new TrafficJournal();
  const sb = makeSandbox({ integrationJournal: journal });
  try {
    await drive(sb);
  } finally {
    sb.stop();
  }
  const report = gradeIntegration({ merchant: 'demo-shop', entries: journal.list({ limit: 1000 }), now: T0 });
  return Object.fromEntries(
    report.checks.filter((c) => MINE.includes(c.id)).map((c) => [c.id, [c.verdict, c.observed, c.failed]]),
  );
}

describe('the parameter checks on a sandbox journal', () => {
  it('fail for a naive shop', async () => {
    const verdicts = await gradeOf(async (sb) => {
      const base = { ...CREDS, orderNumber: 'NAIVE-1', returnUrl: 'http://shop.test/return?token=abc' };
      expect((await sb.call('register', { ...base, amount: '1998.9999999999998' })).body.errorCode).toBe('5');
      const ok = await sb.call('register', {
        ...base,
        amount: '1999',
        language: 'RU',
        description: 'Paid with 4111111111111111',
      });
      const orderId = ok.body.orderId!;
      expect((await sb.call('register', { ...base, amount: '1999' })).body.errorCode).toBe('1');
      payDirect(sb, orderId);
      await sb.call('refund', { ...CREDS, orderId, amount: '500' });
      await sb.call('refund', { ...CREDS, orderId, amount: '500' }); // a retry without externalRefundId
      expect((await sb.call('refund', { ...CREDS, orderId, amount: '1500' })).body.errorCode).toBe(7); // 999 left
      await request(sb.app)
        .post('/payment/rest/getOrderStatusExtended.do')
        .set('Origin', 'https://shop.test')
        .type('form')
        .send({ ...CREDS, orderId });
    });
    expect(verdicts).toEqual({
      'order-number-unique': ['fail', 1, 1],
      'amounts-minor-units': ['fail', 6, 2],
      'return-url-safe': ['fail', 3, 3],
      'refunds-sane': ['fail', 3, 2],
      'credentials-server-side': ['fail', 7, 1],
      'register-fields-valid': ['fail', 3, 1],
    });
  });

  it('pass for a careful shop', async () => {
    const verdicts = await gradeOf(async (sb) => {
      const { orderId } = await sb.register({
        orderNumber: 'CAREFUL-1',
        amount: '1999',
        returnUrl: 'https://shop.test/return?order=1',
        language: 'ru',
        description: 'Order 1',
        sessionTimeoutSecs: '1200',
      });
      payDirect(sb, orderId);
      await sb.call('refund', { ...CREDS, orderId, amount: '500', externalRefundId: 'r-1' });
      await sb.call('refund', { ...CREDS, orderId, amount: '500', externalRefundId: 'r-2' });
      await sb.call('refund', { ...CREDS, orderId, amount: '500', externalRefundId: 'r-2' });
      const hold = await sb.register({ orderNumber: 'CAREFUL-2', amount: '700' }, 'registerPreAuth');
      payDirect(sb, hold.orderId);
      await sb.call('deposit', { ...CREDS, orderId: hold.orderId, amount: '0' });
    });
    expect(verdicts).toEqual({
      'order-number-unique': ['pass', 2, 0],
      'amounts-minor-units': ['pass', 6, 0],
      'return-url-safe': ['pass', 2, 0],
      'refunds-sane': ['pass', 3, 0],
      'credentials-server-side': ['pass', 6, 0],
      'register-fields-valid': ['pass', 2, 0],
    });
  });

  it('take a register answered with broken JSON as unanswered: registering the number again is the recovery', async () => {
    const journal = new TrafficJournal();
    const sb = makeSandbox({ integrationJournal: journal });
    try {
      sb.faults.set('demo-shop', { malformedJson: true, methods: ['register'], remaining: 1 });
      const base = { ...CREDS, orderNumber: 'BROKEN-1', amount: '1999', returnUrl: 'https://shop.test/return' };
      const broken = await request(sb.app)
        .post('/payment/rest/register.do')
        .type('form')
        .send(base)
        .buffer(true)
        .parse((res, done) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => done(null, text));
        });
      expect(() => JSON.parse(String(broken.body)) as unknown).toThrow();
      expect((await sb.call('register', base)).body.errorCode).toBe('1');
    } finally {
      sb.stop();
    }
    const [first] = journal.list({ method: 'register' }).reverse();
    expect(first?.kind === 'api' && first.answer).toEqual({ httpStatus: 200, noJson: true });
    const report = gradeIntegration({ merchant: 'demo-shop', entries: journal.list({ limit: 1000 }), now: T0 });
    expect(report.checks.find((c) => c.id === 'order-number-unique')).toMatchObject({ verdict: 'pass', failed: 0 });
  });
});
