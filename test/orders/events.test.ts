import { describe, it, expect } from '@jest/globals';
import { memoryLedger, orderInput } from '../helpers/orders-db.js';

const CANARY = 'Canary-Pa55word-7f3a';

describe('event log', () => {
  it('when detail includes credentials (top level, nested, in arrays, in a URL), then none reach the database', () => {
    const { db, ledger } = memoryLedger();
    const { id } = ledger.createOrder(orderInput());
    ledger.recordEvent(id, 'register_error', 'http_500', {
      userName: 'shop-api',
      password: CANARY,
      request: {
        params: { userName: 'shop-api', PASSWORD: CANARY, amount: 2500 },
        headers: { Cookie: `sid=${CANARY}` },
      },
      attempts: [{ token: CANARY }, { checksum: CANARY }],
      url: `https://gw.example/payment/rest/register.do?userName=shop-api&password=${CANARY}&amount=2500`,
      error: new Error(`failed for password=${CANARY}`),
    });
    ledger.markRegisterFailed(id, 'register_unknown', { password: CANARY, reason: 'timeout' });
    ledger.markMismatch(id, { nested: { token: CANARY } });

    const raw = db.prepare('SELECT detail FROM order_events').pluck().all().join('\n');
    expect(raw).not.toContain(CANARY);
    expect(raw).not.toContain('shop-api');

    const [, recorded] = ledger.events(id);
    expect(recorded).toMatchObject({ kind: 'register_error', outcome: 'http_500' });
    expect(recorded?.detail).toMatchObject({
      request: { params: { amount: 2500 }, headers: {} },
      url: 'https://gw.example/payment/rest/register.do?userName=[redacted]&password=[redacted]&amount=2500',
    });
  });

  it('when an event is recorded without detail, then detail reads back as null and events keep their order', () => {
    let t = 0;
    const { ledger } = memoryLedger(() => (t += 10));
    const { id } = ledger.createOrder(orderInput());
    ledger.recordEvent(id, 'callback', 'received');
    ledger.recordEvent(id, 'status_error', 'timeout', { afterMs: 5000 });
    const events = ledger.events(id);
    expect(events.map((e) => [e.kind, e.outcome])).toEqual([
      ['created', 'ok'],
      ['callback', 'received'],
      ['status_error', 'timeout'],
    ]);
    expect(events[1]?.detail).toBeNull();
    expect(events.map((e) => e.at)).toEqual([...events.map((e) => e.at)].sort((a, b) => a - b));
  });

  it('when detail is huge or circular, then a bounded, valid JSON record is written instead of failing', () => {
    const { ledger } = memoryLedger();
    const { id } = ledger.createOrder(orderInput());
    const circular: Record<string, unknown> = { a: 1 };
    circular.self = circular;
    ledger.recordEvent(id, 'status', 'raw', { body: 'x'.repeat(100_000) });
    ledger.recordEvent(id, 'status', 'raw', circular);
    const [, huge, circ] = ledger.events(id);
    expect(huge?.detail).toMatchObject({ truncated: true });
    expect(circ?.detail).toEqual({ a: 1, self: '[omitted]' });
  });
});
