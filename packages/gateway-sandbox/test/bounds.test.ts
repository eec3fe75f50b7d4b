import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from '@jest/globals';
import { CallbackDispatcher, createSandboxClock, OrderJournal, startSandbox, type SandboxOrder } from '../src/index.js';
import { CREDS, makeSandbox, payDirect } from './helpers/sandbox-app.js';
import { traceTimers } from './helpers/timer-trace.js';

const fakeOrder = (id: string) => ({ id, orderNumber: id, merchantLogin: 'm', description: '' }) as SandboxOrder;

describe('memory bounds', () => {
  it('when far more orders are registered than maxOrders, then the store stays at its cap and keeps the newest', async () => {
    const sb = makeSandbox({ maxOrders: 50, callbacks: false });
    for (let i = 0; i < 300; i += 1) {
      const { orderId } = await sb.register({ orderNumber: `B-${i}` });
      payDirect(sb, orderId);
    }
    expect(sb.store.size).toBe(50);
    expect(sb.store.list({ limit: 1 })[0]?.orderNumber).toBe('B-299');
    expect(sb.engine.get(sb.store.list().at(-1)!.id)?.orderNumber).toBe('B-250');
  });

  it('when an order collects more delivery attempts than the per-order cap, then only the newest are kept and the rest counted', () => {
    const journal = new OrderJournal({ maxDeliveries: 3, maxOperations: 2 });
    const order = fakeOrder('o1');
    for (let attempt = 1; attempt <= 10; attempt += 1) {
      journal.recordDelivery(order, {
        at: attempt,
        operation: 'deposited',
        url: 'http://x/',
        signed: false,
        copy: 1,
        attempt,
        outcome: { kind: 'http', status: 500 },
      });
      journal.recordOperation(order, { at: attempt, operation: 'refunded', status: 1, amount: 1 });
    }
    const view = journal.of(order);
    expect(view.deliveries.map((d) => d.attempt)).toEqual([8, 9, 10]);
    expect(view.droppedDeliveries).toBe(7);
    expect(view.operations).toHaveLength(2);
  });

  it('when an order records more operations than the per-order cap, then the newest are kept and the dropped ones counted', () => {
    const journal = new OrderJournal({ maxOperations: 3 });
    const order = fakeOrder('o-ops');
    for (let at = 1; at <= 10; at += 1)
      journal.recordOperation(order, { at, operation: 'refunded', status: 1, amount: at });
    const view = journal.of(order);
    expect(view.operations.map((op) => op.at)).toEqual([8, 9, 10]);
    expect(view.droppedOperations).toBe(7);
  });

  it('when the receiver hangs and more notifications than maxPending arrive, then the excess is skipped and recorded, and stop() frees the rest', async () => {
    let requests = 0;
    let allArrived!: () => void;
    const bothArrived = new Promise<void>((resolve) => (allArrived = resolve));
    // Answers nothing: only the per-attempt timeout or stop() can end a request to it.
    const hanging = http.createServer(() => {
      requests += 1;
      if (requests === 2) allArrived();
    });
    await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/cb`;
    const journal = new OrderJournal();
    const dispatcher = new CallbackDispatcher({
      clock: createSandboxClock(),
      journal,
      options: { maxPending: 2, timeoutMs: 10_000 },
    });
    const merchant = { login: 'm', userName: 'u', password: 'p', callbackUrl: url, allowTwoPhase: true };
    const orders = ['a', 'b', 'c', 'd'].map(fakeOrder);
    const trace = traceTimers();
    try {
      for (const order of orders) dispatcher.handle({ merchant, order, operation: 'deposited', status: 1, amount: 1 });
      expect(dispatcher.pending).toBe(2);
      expect(journal.of(orders[3]!).deliveries).toEqual([
        expect.objectContaining({ outcome: { kind: 'skipped', reason: 'too many pending callbacks' } }),
      ]);
      await bothArrived;
      dispatcher.stop();
      await dispatcher.idle();
      trace.mark('idle');
      // stop() ended both requests in flight: their 10 s per-attempt timeouts never fired.
      expect(trace.timeline(10_000)).toEqual(['created 10000', 'created 10000', 'idle']);
    } finally {
      trace.stop();
    }
    expect(dispatcher.pending).toBe(0);
    hanging.closeAllConnections();
    await new Promise((r) => hanging.close(r));
  });

  it('when the sandbox closes during a latency fault, then close() is prompt and the waiting call is dropped', async () => {
    // Traced from before the start, so the timers of the sandbox's server count as this test's own.
    const trace = traceTimers();
    try {
      const sb = await startSandbox({ port: 0 });
      sb.sandbox.faults.set('demo-shop', { latencyMs: 60_000 });
      const call = fetch(`${sb.gatewayUrl}getOrderStatusExtended.do`, {
        method: 'POST',
        body: new URLSearchParams({ ...CREDS, orderNumber: 'x' }),
      });
      // The call is being held by the fault once its 60 s timer exists.
      const latency = await trace.created(60_000);
      await sb.close();
      await expect(call).rejects.toThrow();
      // close() ended the wait itself, rather than leaving a timer to answer a dropped call a minute later.
      expect(latency).toMatchObject({ fired: false, cleared: true });
    } finally {
      trace.stop();
    }
  });
});
