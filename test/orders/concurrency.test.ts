import { describe, it, expect, afterAll } from '@jest/globals';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { DuplicatePurchaseError } from '../../src/orders/errors.js';
import { createLedger } from '../../src/orders/ledger.js';
import { describeLedgers } from '../helpers/ledgers.js';
import { orderInput, tempDir } from '../helpers/orders-db.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const WORKER = fileURLToPath(new URL('../helpers/ledger-race-worker.ts', import.meta.url));
const FORM = { gatewayOrderId: 'gw-1', formUrl: 'https://pay.example/payment_en.html?mdOrder=gw-1' };

interface WorkerResult {
  fulfilled: number;
  duplicates: number;
  created: number;
}

/** Starts n children, waits until every one has its connection open, then releases them together. */
async function workers(n: number, args: string[]): Promise<WorkerResult[]> {
  const children = Array.from({ length: n }, () => {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    const ready = new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: string) => {
        out += chunk;
        if (out.startsWith('ready\n')) resolve();
      });
    });
    const done = once(child, 'exit').then(([code]) => {
      if (code !== 0) throw new Error(`worker exited with ${String(code)}: ${out}`);
      return JSON.parse(out.slice('ready\n'.length)) as WorkerResult;
    });
    return { child, ready, done };
  });
  await Promise.all(children.map((c) => c.ready));
  for (const c of children) c.child.stdin.write('go\n');
  return Promise.all(children.map((c) => c.done));
}

describeLedgers('two instances on one database', (open) => {
  it('when two instances alternate paid replies (return page and callback), then exactly one fulfils', async () => {
    const kit = await open();
    const a = kit.ledger;
    const b = await kit.another();
    const { id } = await a.createOrder(orderInput());
    await b.markRegistered(id, FORM);
    const results = [];
    for (const l of [a, b, a, b, b, a]) results.push(await l.applyGatewayStatus(id, { orderStatus: 2, actionCode: 0 }));
    expect(results.filter((r) => r.fulfilled)).toHaveLength(1);
    expect((await a.events(id)).filter((e) => e.kind === 'fulfilled')).toHaveLength(1);
  });

  it('when both apply "paid" 25 times each at the same moment, then exactly one fulfilment happens', async () => {
    const kit = await open();
    const b = await kit.another();
    const { id } = await kit.ledger.createOrder(orderInput());
    await kit.ledger.markRegistered(id, FORM);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        (i % 2 ? kit.ledger : b).applyGatewayStatus(id, { orderStatus: 2, actionCode: 0 }),
      ),
    );
    expect(results.filter((r) => r.fulfilled)).toHaveLength(1);
    const events = await kit.ledger.events(id);
    expect(events.filter((e) => e.kind === 'fulfilled')).toHaveLength(1);
    // One change; the replies that found the order paid already are no events.
    expect(events.filter((e) => e.kind === 'status')).toHaveLength(1);
    expect(await b.fulfilment(id)).toMatchObject({ status: 'paid' });
    expect(await b.unitsSold('mug')).toBe(2);
  });

  it('when one instance sees a pending purchase, then the other instance cannot create a second one', async () => {
    const kit = await open();
    const b = await kit.another();
    await kit.ledger.createOrder(orderInput({ purchaseKey: 'sid:cart' }));
    await expect(b.createOrder(orderInput({ purchaseKey: 'sid:cart' }))).rejects.toThrow(
      expect.objectContaining({ code: 'DUPLICATE_PURCHASE' }),
    );
  });

  it('when both create an order for the same purchase at the same moment, then one is created and the rest are duplicates', async () => {
    const kit = await open();
    const b = await kit.another();
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? kit.ledger : b).createOrder(orderInput({ purchaseKey: 'sid:race' })).then(
          () => 'created',
          (err: unknown) => (err instanceof DuplicatePurchaseError ? 'duplicate' : err),
        ),
      ),
    );
    expect(outcomes.filter((o) => o === 'created')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'duplicate')).toHaveLength(19);
    expect(await kit.ledger.listRecent(100)).toHaveLength(1);
  });
});

// SQLite only: PostgreSQL's counterpart (several pools racing) is in postgres-ledger.test.ts.
describe('separate processes racing on one SQLite file', () => {
  it('when 4 processes apply "paid" 25 times each at the same moment, then exactly one fulfilment happens', async () => {
    const file = tmp.file('race.sqlite');
    const ledger = createLedger(tmp.open('race.sqlite'));
    const { id } = ledger.createOrder(orderInput());
    ledger.markRegistered(id, FORM);

    const results = await workers(4, [file, 'apply', String(id), '25']);

    expect(results.reduce((s, r) => s + r.fulfilled, 0)).toBe(1);
    const events = ledger.events(id);
    expect(events.filter((e) => e.kind === 'fulfilled')).toHaveLength(1);
    expect(events.filter((e) => e.kind === 'status')).toHaveLength(1);
    expect(ledger.get(id)?.status).toBe('paid');
    // the visible effect too: one fulfilments row, the order's units counted once
    expect(ledger.fulfilment(id)?.status).toBe('paid');
    expect(ledger.unitsSold('mug')).toBe(2);
  });

  it('when 4 processes press Buy for the same purchase at the same moment, then only one order is created', async () => {
    const file = tmp.file('buy-race.sqlite');
    const ledger = createLedger(tmp.open('buy-race.sqlite'));

    const results = await workers(4, [file, 'create', 'sid-9:cart', '10']);

    expect(results.reduce((s, r) => s + r.created, 0)).toBe(1);
    expect(results.reduce((s, r) => s + r.duplicates, 0)).toBe(39);
    expect(ledger.listRecent(100)).toHaveLength(1);
  });

  it('when 4 processes claim the same purchase at the same moment (Buy), then one creates and the rest find it in flight', async () => {
    const file = tmp.file('claim-race.sqlite');
    const ledger = createLedger(tmp.open('claim-race.sqlite'));

    const results = await workers(4, [file, 'claim', 'sid-9:cart', '10']);

    expect(results.reduce((s, r) => s + r.created, 0)).toBe(1);
    expect(results.reduce((s, r) => s + r.duplicates, 0)).toBe(39);
    expect(ledger.listRecent(100)).toHaveLength(1);
  });
});
