/**
 * Child process for the cross-process race tests (run with `node --import tsx`): opens its own
 * connection to the shared file, prints "ready", waits for "go" on stdin (sent to every worker
 * at once, so their writes overlap), hammers the ledger, then prints one JSON line.
 */
import { once } from 'node:events';
import { openDatabase } from '../../src/orders/db.js';
import { DuplicatePurchaseError } from '../../src/orders/errors.js';
import { createLedger } from '../../src/orders/ledger.js';

const [file, mode, arg, roundsText] = process.argv.slice(2);
const db = openDatabase(String(file));
const ledger = createLedger(db);
const counts = { fulfilled: 0, duplicates: 0, created: 0 };

function round(): void {
  if (mode === 'apply') {
    if (ledger.applyGatewayStatus(Number(arg), { orderStatus: 2, actionCode: 0 }).fulfilled) counts.fulfilled += 1;
    return;
  }
  const input = {
    items: [{ productId: 'mug', name: 'Mug', quantity: 1, unitAmount: 100 }],
    amount: 100,
    currency: '978',
    flow: 'one-phase' as const,
    language: 'en',
    purchaseKey: String(arg),
  };
  if (mode === 'claim') {
    // What Buy does: the first claim creates, every other one finds it in flight.
    const claim = ledger.claimPurchase(input, { abandonAfterMs: 60_000, reuseForMs: 60_000 });
    if (claim.outcome === 'created') counts.created += 1;
    else counts.duplicates += 1;
    return;
  }
  try {
    ledger.createOrder(input);
    counts.created += 1;
  } catch (err) {
    if (!(err instanceof DuplicatePurchaseError)) throw err;
    counts.duplicates += 1;
  }
}

process.stdout.write('ready\n');
await once(process.stdin, 'data');
for (let i = 0; i < Number(roundsText); i += 1) round();
db.close();
process.stdout.write(`${JSON.stringify(counts)}\n`);
process.stdin.destroy();
