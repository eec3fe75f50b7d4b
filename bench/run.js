/**
 * `npm run bench` (after the build): requests per second of the sandbox's register.do and
 * getOrderStatusExtended.do next to a bare Express JSON endpoint measured in the same run, plus a
 * heap check under sustained registering. Exits 1 when a ratio is below MIN_RATIO.
 *
 * Env: BENCH_DURATION (s per run, default 5), BENCH_CONNECTIONS (default 20).
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const DURATION = Number(process.env.BENCH_DURATION ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const MIN_RATIO = 0.5;
const CREDS = { userName: 'demo-shop-api', password: 'demo-shop-password' };
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const out = (line = '') => process.stdout.write(`${line}\n`);

const child = fork(fileURLToPath(new URL('./servers.js', import.meta.url)), [], { execArgv: ['--expose-gc'] });
const nextMessage = () => new Promise((resolve) => child.once('message', resolve));
const ready = await nextMessage();

const run = (opts) =>
  new Promise((resolve, reject) => {
    // A fixed request count (amount) replaces the duration; autocannon refuses both at once.
    const timing = opts.amount === undefined ? { duration: DURATION } : {};
    autocannon({ connections: CONNECTIONS, ...timing, ...opts }, (err, result) =>
      err ? reject(err) : resolve(result),
    );
  });

const registerBody = (prefix) => {
  let n = 0;
  return (req) => ({
    ...req,
    body: new URLSearchParams({
      ...CREDS,
      orderNumber: `${prefix}-${++n}`,
      amount: '1000',
      returnUrl: 'https://shop.test/return',
    }).toString(),
  });
};

async function main() {
  // One existing order for the status benchmark; checked once so the bench measures real answers.
  const reg = await fetch(`${ready.sandboxUrl}/payment/rest/register.do`, {
    method: 'POST',
    headers: FORM,
    body: new URLSearchParams({
      ...CREDS,
      orderNumber: 'BENCH-STATUS',
      amount: '1000',
      returnUrl: 'https://shop.test/return',
    }),
  });
  const { orderId } = await reg.json();
  const statusBody = new URLSearchParams({ ...CREDS, orderId }).toString();
  const check = await (
    await fetch(`${ready.sandboxUrl}/payment/rest/getOrderStatusExtended.do`, {
      method: 'POST',
      headers: FORM,
      body: statusBody,
    })
  ).json();
  if (check.errorCode !== '0') throw new Error(`status check failed: ${JSON.stringify(check)}`);

  const baseline = () =>
    run({
      url: `${ready.bareUrl}/x`,
      method: 'POST',
      headers: FORM,
      body: new URLSearchParams({
        ...CREDS,
        orderNumber: 'X-1',
        amount: '1000',
        returnUrl: 'https://shop.test/return',
      }).toString(),
    });
  const rows = [];
  const measure = async (name, target) => {
    const base = await baseline();
    const result = await target();
    rows.push({ name, base, result });
  };
  await measure('register.do', () =>
    run({
      url: ready.sandboxUrl,
      requests: [
        {
          method: 'POST',
          path: '/payment/rest/register.do',
          headers: FORM,
          setupRequest: registerBody(`R${Date.now()}`),
        },
      ],
    }),
  );
  await measure('getOrderStatusExtended.do', () =>
    run({
      url: `${ready.sandboxUrl}/payment/rest/getOrderStatusExtended.do`,
      method: 'POST',
      headers: FORM,
      body: statusBody,
    }),
  );

  // Memory: a sandbox capped at 5 000 orders is first filled to its cap, then takes 20k more registers;
  // the heap after them must be about the heap before (the cap evicts, nothing else accumulates).
  const heapOf = async () => {
    child.send('heap');
    return nextMessage();
  };
  const batch = (i, amount) =>
    run({
      url: ready.cappedUrl,
      amount,
      requests: [
        { method: 'POST', path: '/payment/rest/register.do', headers: FORM, setupRequest: registerBody(`M${i}`) },
      ],
    });
  const empty = await heapOf();
  await batch(1, 5_000);
  const full = await heapOf();
  await batch(2, 20_000);
  const after = await heapOf();

  out(`Node ${ready.node}, autocannon ${CONNECTIONS} connections, ${DURATION} s per run, servers in a child process`);
  out();
  out('| endpoint | sandbox req/s | bare Express req/s | ratio | p99 ms | errors/non-2xx |');
  out('|---|---:|---:|---:|---:|---:|');
  let failed = false;
  for (const { name, base, result } of rows) {
    const ratio = result.requests.average / base.requests.average;
    if (!(ratio >= MIN_RATIO)) failed = true;
    const bad = result.errors + result.timeouts + result.non2xx;
    if (bad > 0) failed = true;
    out(
      `| ${name} | ${result.requests.average.toFixed(0)} | ${base.requests.average.toFixed(0)} | ${ratio.toFixed(2)} | ${result.latency.p99} | ${bad} |`,
    );
  }
  const mb = (b) => (b / 1024 / 1024).toFixed(1);
  out();
  out(
    `heapUsed after gc, sandbox with maxOrders 5000: empty ${mb(empty.heapUsed)} MB; at the cap (${full.cappedOrders} orders) ` +
      `${mb(full.heapUsed)} MB; after 20 000 more registers (${after.cappedOrders} kept) ${mb(after.heapUsed)} MB; ` +
      `delta over the 20k: ${mb(after.heapUsed - full.heapUsed)} MB`,
  );
  out(`orders held by the benchmarked sandbox (default cap 50 000) after its register run: ${after.orders}`);
  out(failed ? `FAIL: a ratio is below ${MIN_RATIO} or requests failed` : `OK: every ratio is at least ${MIN_RATIO}`);
  return failed ? 1 : 0;
}

let code = 1;
try {
  code = await main();
} catch (err) {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
} finally {
  child.send('stop');
  await new Promise((resolve) => child.once('exit', resolve));
}
process.exit(code);
