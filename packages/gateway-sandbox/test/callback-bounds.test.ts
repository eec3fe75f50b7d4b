import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { CallbackDispatcher, createSandboxClock, OrderJournal, type SandboxOrder } from '../src/index.js';
import { MAX_RETRY_DELAY_MS, retryDelayMs } from '../src/callbacks/dispatcher.js';
import { startReceiver, type Receiver } from './helpers/callback-receiver.js';
import { makeSandbox } from './helpers/sandbox-app.js';
import { traceTimers } from './helpers/timer-trace.js';

const PLAIN = { login: 'plain', userName: 'plain-api', password: 'plain-pw', allowTwoPhase: true };
const fakeOrder = (id: string) =>
  ({ id, orderNumber: id, merchantLogin: 'plain', description: '', amount: 5 }) as SandboxOrder;

describe('callback dispatcher bounds', () => {
  let rx: Receiver;
  let dispatcher: CallbackDispatcher | undefined;
  beforeAll(async () => {
    rx = await startReceiver();
  });
  afterEach(async () => {
    dispatcher?.stop();
    await dispatcher?.idle();
    dispatcher = undefined;
    rx.received.length = 0;
    rx.script([]);
  });
  afterAll(() => rx.close());

  const start = (journal: OrderJournal, options: ConstructorParameters<typeof CallbackDispatcher>[0]['options']) => {
    dispatcher = new CallbackDispatcher({ clock: createSandboxClock(), journal, ...(options && { options }) });
    return dispatcher;
  };

  it('when the doubled retry delay would pass the timer limit, then it is capped at one hour', () => {
    expect(retryDelayMs(1000, 1)).toBe(1000);
    expect(retryDelayMs(1000, 3)).toBe(4000);
    expect(retryDelayMs(1000, 20)).toBe(MAX_RETRY_DELAY_MS);
    expect(retryDelayMs(3_000_000_000, 1)).toBe(60 * 60 * 1000);
  });

  it('when retryBaseMs is beyond the 2^31-1 ms timer range, then the retry still waits instead of firing at once', async () => {
    rx.script([500, 500, 500]);
    const journal = new OrderJournal();
    const order = fakeOrder('o-slow');
    const trace = traceTimers();
    try {
      const d = start(journal, { retryBaseMs: 3_000_000_000, maxAttempts: 3 });
      d.handle({
        merchant: { ...PLAIN, callbackUrl: `${rx.url}/cb` },
        order,
        operation: 'deposited',
        status: 1,
        amount: 5,
      });
      // Node would turn the raw delay into 1 ms, and all three attempts would run through at once.
      const first = await Promise.race([
        trace.created(MAX_RETRY_DELAY_MS).then(() => 'retry waits one hour'),
        d.idle().then(() => 'every attempt made'),
      ]);
      expect(first).toBe('retry waits one hour');
      expect(rx.received).toHaveLength(1);
      expect(d.pending).toBe(1);
    } finally {
      trace.stop();
    }
  });

  it('when more than 20 attempts are configured, then a notification is tried at most 20 times and the 20th gives up', async () => {
    rx.script(Array.from({ length: 100 }, () => 500));
    const journal = new OrderJournal({ maxDeliveries: 100 });
    const order = fakeOrder('o-many');
    const d = start(journal, { retryBaseMs: 0, maxAttempts: 100 });
    d.handle({
      merchant: { ...PLAIN, callbackUrl: `${rx.url}/cb` },
      order,
      operation: 'deposited',
      status: 1,
      amount: 5,
    });
    await d.idle();
    expect(rx.received).toHaveLength(20);
    expect(journal.of(order).deliveries.at(-1)).toMatchObject({ attempt: 20, gaveUp: true });
  });

  it('when the dispatcher is given a merchant with an empty callbackKey, then the callback is sent and recorded as unsigned', async () => {
    const journal = new OrderJournal();
    const order = fakeOrder('o-empty-key');
    const d = start(journal, { maxAttempts: 1 });
    d.handle({
      merchant: { ...PLAIN, callbackUrl: `${rx.url}/cb`, callbackKey: '' },
      order,
      operation: 'deposited',
      status: 1,
      amount: 5,
    });
    await d.idle();
    expect(rx.received[0]?.query).not.toHaveProperty('checksum');
    expect(journal.of(order).deliveries).toEqual([expect.objectContaining({ signed: false, attempt: 1 })]);
  });

  it('when a merchant is configured with an empty callbackKey, then the sandbox refuses to start', () => {
    expect(() => makeSandbox({ merchants: [{ ...PLAIN, callbackKey: '' }] })).toThrow(/empty callbackKey/);
  });
});
