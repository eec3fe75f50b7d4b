/**
 * The same behaviour asked of both order stores: the in-memory one (tests, standalone default) and the SQLite one
 * (embedded, SANDBOX_DATA_DIR). Each case runs once per store; the SQLite runs use a real file in a temp folder.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { createSandboxClock, OrderJournal, OrderStore, type SandboxAppOptions } from '../src/index.js';
import { openPersistentOrders } from '../src/store-sqlite.js';
import type { SandboxOrder } from '../src/types.js';
import { CREDS, makeSandbox, OPERATOR_AUTH, payDirect, T0 } from './helpers/sandbox-app.js';
import request from 'supertest';

const root = mkdtempSync(path.join(os.tmpdir(), 'sandbox-store-'));
const opened: OrderStore[] = [];
afterAll(() => {
  for (const store of opened) store.close();
  rmSync(root, { recursive: true, force: true });
});
let folders = 0;

type Parts = { store: OrderStore; journal: OrderJournal };
const kinds: [string, (opts?: { maxOrders?: number }) => Parts][] = [
  ['in memory', (opts = {}) => ({ store: new OrderStore(opts), journal: new OrderJournal() })],
  [
    'on disk (SQLite)',
    (opts = {}) => {
      const parts = openPersistentOrders(path.join(root, `s${++folders}`), opts);
      opened.push(parts.store);
      return parts;
    },
  ],
];

const order = (n: number, merchantLogin = 'm'): SandboxOrder =>
  ({
    id: `id-${n}`,
    merchantLogin,
    orderNumber: `N-${n}`,
    description: '',
    createdAt: n,
    expiresAt: n + 1000,
    updatedAt: n,
    status: 0,
    refunds: [],
    jsonParams: {},
  }) as unknown as SandboxOrder;

describe.each(kinds)('the order store %s', (_name, open) => {
  const sandbox = (clockAt = T0, extra: Partial<SandboxAppOptions> = {}) => {
    let now = clockAt;
    const clock = createSandboxClock(() => now);
    const sb = makeSandbox({ ...open(), clock, callbacks: false, ...extra });
    return { sb, advance: (ms: number) => (now += ms) };
  };

  it('when orders are added, then they are found by id and by merchant + number, and listed newest first', () => {
    const { store } = open();
    for (let n = 1; n <= 3; n += 1) store.add(order(n, n === 2 ? 'other' : 'm'));
    expect(store.size).toBe(3);
    expect(store.get('id-2')?.orderNumber).toBe('N-2');
    expect(store.findByNumber('other', 'N-2')?.id).toBe('id-2');
    expect(store.findByNumber('m', 'N-2')).toBeUndefined();
    expect(store.list().map((o) => o.id)).toEqual(['id-3', 'id-2', 'id-1']);
    expect(store.list({ merchantLogin: 'm', limit: 1 }).map((o) => o.id)).toEqual(['id-3']);
  });

  it('when more orders arrive than maxOrders, then the oldest go first and their numbers are free again', () => {
    const { store } = open({ maxOrders: 2 });
    for (let n = 1; n <= 4; n += 1) store.add(order(n));
    expect(store.size).toBe(2);
    expect(store.list().map((o) => o.id)).toEqual(['id-4', 'id-3']);
    expect(store.findByNumber('m', 'N-1')).toBeUndefined();
    store.add({ ...order(5), orderNumber: 'N-1' });
    expect(store.findByNumber('m', 'N-1')?.id).toBe('id-5');
  });

  it('when the operator opens the orders list, then it says truly where the orders are kept', async () => {
    const { sb } = sandbox();
    await sb.register();
    const page = await request(sb.app).get('/sandbox/orders').set(OPERATOR_AUTH);
    const disk = _name.includes('SQLite');
    expect(page.text).toContain(
      disk
        ? '1 order(s) kept on disk (they survive a restart)'
        : '1 order(s) kept in memory only (a restart forgets them)',
    );
    expect(page.text).not.toContain(disk ? 'in memory' : 'on disk');
  });

  it('when one merchant registers past its cap, then only its own oldest orders go and the other merchant keeps all of its', () => {
    const { store } = open({ maxOrders: 3 });
    store.add(order(1, 'other'));
    store.add(order(2, 'other'));
    for (let n = 3; n <= 50; n += 1) store.add(order(n, 'greedy'));
    expect(store.countOf('other')).toBe(2);
    expect(store.countOf('greedy')).toBe(3);
    expect(store.get('id-1')?.merchantLogin).toBe('other');
    expect(store.findByNumber('other', 'N-2')?.id).toBe('id-2');
    expect(store.list({ merchantLogin: 'greedy' }).map((o) => o.id)).toEqual(['id-50', 'id-49', 'id-48']);
    expect(store.size).toBe(5);
  });

  it('when purge and delete run, then exactly the orders they name are gone', () => {
    const { store } = open();
    for (let n = 1; n <= 5; n += 1) store.add(order(n));
    expect(store.purge((o) => o.createdAt % 2 === 0)).toBe(2);
    expect(store.delete('id-1')).toBe(true);
    expect(store.delete('id-1')).toBe(false);
    expect([...store.values()].map((o) => o.id)).toEqual(['id-3', 'id-5']);
  });

  it('when an order is paid and partly refunded, then status and amounts answer as the gateway documents', async () => {
    const { sb } = sandbox();
    const { orderId } = await sb.register();
    expect(payDirect(sb, orderId)).toEqual({ kind: 'approved' });
    expect((await sb.call('refund', { ...CREDS, orderId, amount: '50000' })).body.errorCode).toBe(0);
    const status = await sb.call('getOrderStatusExtended', { ...CREDS, orderId });
    expect(status.body).toMatchObject({
      orderStatus: 4,
      paymentAmountInfo: { depositedAmount: 150000, refundedAmount: 50000, paymentState: 'REFUNDED' },
    });
  });

  it('when an order is paid, then the operations view lists its operations', async () => {
    const { sb } = sandbox();
    const { orderId } = await sb.register();
    payDirect(sb, orderId);
    await sb.call('refund', { ...CREDS, orderId, amount: '1000' });
    expect(sb.journal.of(sb.engine.get(orderId)!).operations.map((op) => op.operation)).toEqual([
      'deposited',
      'refunded',
    ]);
    const page = await request(sb.app).get(`/sandbox/orders/${orderId}`).set(OPERATOR_AUTH);
    expect(page.status).toBe(200);
    expect(page.text).toContain('refunded');
  });

  it('when an unpaid order outlives its expiry plus retention, then the sweep declines and later purges it', async () => {
    const { sb, advance } = sandbox(T0, { retentionMs: 60_000 });
    const { orderId } = await sb.register({ sessionTimeoutSecs: '60' });
    advance(60_000);
    expect(sb.sweep()).toMatchObject({ purged: 0 });
    expect(sb.store.get(orderId)).toMatchObject({ status: 6, actionCode: -2007 });
    advance(60_000);
    expect(sb.sweep()).toMatchObject({ purged: 1 });
    expect((await sb.call('getOrderStatusExtended', { ...CREDS, orderId })).body.errorCode).toBe('6');
  });
});
