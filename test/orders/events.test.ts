import { it, expect } from '@jest/globals';
import { describeLedgers } from '../helpers/ledgers.js';
import { orderInput } from '../helpers/orders-db.js';

const CANARY = 'Canary-Pa55word-7f3a';

describeLedgers('event log', (open) => {
  it('when detail includes credentials (top level, nested, in arrays, in a URL), then none reach the database', async () => {
    const { ledger, rawEventDetails } = await open();
    const { id } = await ledger.createOrder(orderInput());
    await ledger.recordEvent(id, 'register_error', 'http_500', {
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
    await ledger.markRegisterFailed(id, 'register_unknown', { password: CANARY, reason: 'timeout' });
    await ledger.markMismatch(id, { nested: { token: CANARY } });

    const raw = (await rawEventDetails()).join('\n');
    expect(raw).toContain('timeout'); // the details are there, only the secrets are not
    expect(raw).not.toContain(CANARY);
    expect(raw).not.toContain('shop-api');

    const [, recorded] = await ledger.events(id);
    expect(recorded).toMatchObject({ kind: 'register_error', outcome: 'http_500' });
    expect(recorded?.detail).toMatchObject({
      request: { params: { amount: 2500 }, headers: {} },
      url: 'https://gw.example/payment/rest/register.do?userName=[redacted]&password=[redacted]&amount=2500',
    });
  });

  it('when an event is recorded without detail, then detail reads back as null and events keep their order', async () => {
    let t = 0;
    const { ledger } = await open(() => (t += 10));
    const { id } = await ledger.createOrder(orderInput());
    await ledger.recordEvent(id, 'callback', 'received');
    await ledger.recordEvent(id, 'status_error', 'timeout', { afterMs: 5000 });
    const events = await ledger.events(id);
    expect(events.map((e) => [e.kind, e.outcome])).toEqual([
      ['created', 'ok'],
      ['callback', 'received'],
      ['status_error', 'timeout'],
    ]);
    expect(events[1]?.detail).toBeNull();
    expect(events.map((e) => e.at)).toEqual([...events.map((e) => e.at)].sort((a, b) => a - b));
    expect(events.every((e) => e.orderId === id && typeof e.id === 'number')).toBe(true);
  });

  it('when detail is huge or circular, then a bounded, valid JSON record is written instead of failing', async () => {
    const { ledger } = await open();
    const { id } = await ledger.createOrder(orderInput());
    const circular: Record<string, unknown> = { a: 1 };
    circular.self = circular;
    await ledger.recordEvent(id, 'status', 'raw', { body: 'x'.repeat(100_000) });
    await ledger.recordEvent(id, 'status', 'raw', circular);
    const [, huge, circ] = await ledger.events(id);
    expect(huge?.detail).toMatchObject({ truncated: true });
    expect(circ?.detail).toEqual({ a: 1, self: '[omitted]' });
  });

  it('when a label is empty or too long, then the event is refused', async () => {
    const { ledger } = await open();
    const { id } = await ledger.createOrder(orderInput());
    await expect(ledger.recordEvent(id, '', 'x')).rejects.toThrow(expect.objectContaining({ code: 'INVALID_ORDER' }));
    await expect(ledger.recordEvent(id, 'k', 'o'.repeat(65))).rejects.toThrow(
      expect.objectContaining({ code: 'INVALID_ORDER' }),
    );
    expect(await ledger.events(id)).toHaveLength(1);
  });
});
