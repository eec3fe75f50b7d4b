/**
 * `npm run bench` (after the build). Every figure sits next to a baseline measured in the same run, in alternating
 * rounds (A,B then B,A, ...), and is reported as the median of the rounds, with the server process's CPU time per
 * request read from /proc/<pid>/stat. Method and how to read the table: docs/performance.md.
 *
 *   1. product page req/s: the shop (`node dist/server.js`, as `npm start` runs it; then with NODE_ENV=production)
 *      vs a bare Express 5 + EJS app rendering the same template with the same data. Target >= 0.8.
 *   2. the standalone sandbox's register.do and getOrderStatusExtended.do vs a bare Express JSON endpoint. Target >= 0.5.
 *   3. complete purchases per second through the standalone sandbox at each concurrency, and the shop's CPU per
 *      purchase, with the ledger at synchronous=NORMAL (as shipped) vs FULL. No target: figures to read.
 *   4. cold start to the first 200 on /healthz of dist/server.js vs a bare Express app. No target.
 *   5. heap of a sandbox capped at 5 000 orders after 20 000 more registers (bench/servers.js).
 *
 * Exits 1 only when a ratio's median is below its target (or a run failed outright). Every server listens on
 * 127.0.0.1 and all traffic stays there.
 *
 * Env: BENCH_ROUNDS (default 5), BENCH_DURATION (s per autocannon run, default 2), BENCH_CONNECTIONS (default 10),
 * BENCH_PURCHASE_SECONDS (s per purchase run, default 2), BENCH_PURCHASE_CONCURRENCY (default "1,10"),
 * BENCH_COLD_STARTS (default 5), BENCH_PORT_BASE (use consecutive ports from there instead of OS-chosen ones),
 * BENCH_SKIP (comma list of: product, sandbox, purchases, cold, heap).
 */
import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { purchase, purchaseLoad } from './buyer.js';
import { alternate, cannon, cpuMs, freePort, median, percentile, startNode } from './lib.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const DURATION = Number(process.env.BENCH_DURATION ?? 2);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const PURCHASE_SECONDS = Number(process.env.BENCH_PURCHASE_SECONDS ?? 2);
const PURCHASE_CONCURRENCY = (process.env.BENCH_PURCHASE_CONCURRENCY ?? '1,10').split(',').map(Number);
const COLD_STARTS = Number(process.env.BENCH_COLD_STARTS ?? 5);
const SKIP = new Set((process.env.BENCH_SKIP ?? '').split(',').filter(Boolean));
const PRODUCT_TARGET = 0.8;
const SANDBOX_TARGET = 0.5;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SERVER = path.join(ROOT, 'dist', 'server.js');
const SANDBOX = path.join(ROOT, 'dist', 'sandbox', 'server.js');
const BARE = path.join(ROOT, 'bench', 'bare-app.js');
const SYNC_FULL = path.join(ROOT, 'bench', 'sync-full.js');
const CREDS = { userName: 'demo-shop-api', password: 'demo-shop-password' };
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const out = (line = '') => process.stdout.write(`${line}\n`);
const log = (line) => process.stderr.write(`bench: ${line}\n`);

// Every process runs in a temporary folder of its own (no developer's .env is read), with its own data.
const TMP = mkdtempSync(path.join(os.tmpdir(), 'shop-bench-'));
const started = [];
const running = async (args, env, healthPath = '/healthz') => {
  const port = await freePort();
  const cwd = mkdtempSync(path.join(TMP, 'p-'));
  const url = `http://127.0.0.1:${port}`;
  const proc = await startNode(args, { env: { ...env(port, cwd) }, healthUrl: `${url}${healthPath}`, cwd });
  const server = { ...proc, url, port };
  started.push(server);
  return server;
};

/** The shop as `npm start` runs it (node dist/server.js), on 127.0.0.1, data in its folder; `extra` adds settings. */
const startShop = async (extra, execArgv = []) => {
  const port = await freePort();
  const sandboxPort = await freePort();
  const cwd = mkdtempSync(path.join(TMP, 'shop-'));
  const url = `http://127.0.0.1:${port}`;
  const env = {
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_BASE_URL: url,
    DATA_DIR: path.join(cwd, 'data'),
    SANDBOX_PORT: String(sandboxPort),
    ...extra,
  };
  const proc = await startNode([...execArgv, SERVER], { env, healthUrl: `${url}/healthz`, cwd });
  const server = { ...proc, url, port };
  started.push(server);
  return server;
};

const results = {
  date: new Date().toISOString(),
  node: process.version,
  platform: `${os.platform()} ${os.arch()}`,
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model,
  settings: { ROUNDS, DURATION, CONNECTIONS, PURCHASE_SECONDS, PURCHASE_CONCURRENCY, COLD_STARTS },
  figures: [],
};
const rows = [];
let failed = false;

const summarize = (runs) => ({
  rps: median(runs.map((r) => r.rps)),
  cpuMsPerReq: median(runs.map((r) => r.cpuMsPerReq)),
  p99: median(runs.map((r) => r.p99)),
  bad: runs.reduce((n, r) => n + r.bad, 0),
  rounds: runs,
});

/** Alternating autocannon rounds of `subject` and `baseline`; records a row with the median ratio. */
async function compare(name, target, subject, baseline) {
  const { as, bs } = await alternate(ROUNDS, subject, baseline);
  const s = summarize(as);
  const b = summarize(bs);
  // The ratio of each round's pair, then their median: a drift of the machine between rounds cancels out.
  const ratio = median(as.map((r, i) => r.rps / bs[i].rps));
  const ok = target === undefined || (ratio >= target && s.bad === 0 && b.bad === 0);
  if (!ok) failed = true;
  results.figures.push({ name, target, ratio, subject: s, baseline: b });
  rows.push({ name, s, b, ratio, target, ok });
  log(`${name}: ratio ${ratio.toFixed(2)}`);
}

const ac = (proc, opts) => () => cannon(proc.pid, { connections: CONNECTIONS, duration: DURATION, ...opts });

async function productPage() {
  const bare = await running([BARE], (port) => ({ PORT: String(port), BARE_PAGES: '1' }));
  for (const [label, extra] of [
    ['npm start (NODE_ENV unset)', {}],
    [
      'NODE_ENV=production',
      {
        NODE_ENV: 'production',
        SESSION_SECRET: 'bench-session-secret-0123456789abcdef',
        SANDBOX: 'on',
        SANDBOX_OPERATOR_TOKEN: 'bench-operator-token-0123456789',
      },
    ],
  ]) {
    const shop = await startShop(extra);
    await compare(
      `product page, ${label}`,
      PRODUCT_TARGET,
      ac(shop, { url: `${shop.url}/products/notebook` }),
      ac(bare, { url: `${bare.url}/products/notebook` }),
    );
    await shop.stop();
  }
  await bare.stop();
}

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

const startSandbox = () =>
  running([SANDBOX], (port) => ({
    SANDBOX_PORT: String(port),
    SANDBOX_HOST: '127.0.0.1',
    SANDBOX_PUBLIC_URL: `http://127.0.0.1:${port}`,
    LOG_LEVEL: 'warn',
  }));

async function sandboxApi() {
  const bare = await running([BARE], (port) => ({ PORT: String(port), BARE_PAGES: '1' }));
  const sandbox = await startSandbox();
  const reg = await fetch(`${sandbox.url}/payment/rest/register.do`, {
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
    await fetch(`${sandbox.url}/payment/rest/getOrderStatusExtended.do`, {
      method: 'POST',
      headers: FORM,
      body: statusBody,
    })
  ).json();
  if (check.errorCode !== '0') throw new Error(`status check failed: ${JSON.stringify(check)}`);
  const baseline = ac(bare, {
    url: `${bare.url}/x`,
    method: 'POST',
    headers: FORM,
    body: new URLSearchParams({
      ...CREDS,
      orderNumber: 'X-1',
      amount: '1000',
      returnUrl: 'https://shop.test/return',
    }).toString(),
  });
  let round = 0;
  await compare(
    'sandbox register.do',
    SANDBOX_TARGET,
    () =>
      ac(sandbox, {
        url: sandbox.url,
        requests: [
          {
            method: 'POST',
            path: '/payment/rest/register.do',
            headers: FORM,
            setupRequest: registerBody(`R${Date.now()}-${++round}`),
          },
        ],
      })(),
    baseline,
  );
  await compare(
    'sandbox getOrderStatusExtended.do',
    SANDBOX_TARGET,
    ac(sandbox, {
      url: `${sandbox.url}/payment/rest/getOrderStatusExtended.do`,
      method: 'POST',
      headers: FORM,
      body: statusBody,
    }),
    baseline,
  );
  await sandbox.stop();
  await bare.stop();
}

async function purchases() {
  const sandbox = await startSandbox();
  const gateway = {
    GATEWAY_URL: `${sandbox.url}/payment/rest/`,
    GATEWAY_USERNAME: CREDS.userName,
    GATEWAY_PASSWORD: CREDS.password,
    CALLBACKS: 'off',
    TRUST_PROXY: '1',
  };
  const normal = await startShop(gateway);
  const full = await startShop(gateway, ['--import', SYNC_FULL]);
  // One purchase each first: proves the flow end to end and warms both up.
  await purchase(normal.url);
  await purchase(full.url);
  for (const concurrency of PURCHASE_CONCURRENCY) {
    const load = (shop) => async () => {
      const before = cpuMs(shop.pid);
      const r = await purchaseLoad(shop.url, { concurrency, seconds: PURCHASE_SECONDS });
      const after = cpuMs(shop.pid);
      if (r.firstError) log(`purchase error: ${r.firstError.message}`);
      return {
        perSecond: (r.latencies.length * 1000) / r.elapsedMs,
        p50: percentile(r.latencies, 50),
        p99: percentile(r.latencies, 99),
        errors: r.errors,
        purchases: r.latencies.length,
        shopCpuMsPerPurchase:
          before === undefined || after === undefined || r.latencies.length === 0
            ? undefined
            : (after - before) / r.latencies.length,
      };
    };
    const { as, bs } = await alternate(ROUNDS, load(normal), load(full));
    const sum = (runs) => ({
      perSecond: median(runs.map((r) => r.perSecond)),
      p50: median(runs.map((r) => r.p50)),
      p99: median(runs.map((r) => r.p99)),
      shopCpuMsPerPurchase: median(runs.map((r) => r.shopCpuMsPerPurchase)),
      errors: runs.reduce((n, r) => n + r.errors, 0),
      rounds: runs,
    });
    const fig = {
      name: `purchases, concurrency ${concurrency}`,
      normal: sum(as),
      full: sum(bs),
      fullOverNormal: median(as.map((r, i) => bs[i].perSecond / r.perSecond)),
    };
    results.figures.push(fig);
    log(`${fig.name}: ${fig.normal.perSecond.toFixed(1)}/s NORMAL, ${fig.full.perSecond.toFixed(1)}/s FULL`);
  }
  await Promise.all([normal.stop(), full.stop()]);
  await sandbox.stop();
}

async function coldStart() {
  const shopRuns = [];
  const bareRuns = [];
  const once = async (list, start) => {
    const p = await start();
    list.push(p.startMs);
    await p.stop();
    started.splice(started.indexOf(p) >>> 0, 1);
  };
  const shop = () => once(shopRuns, () => startShop({}));
  const bare = () => once(bareRuns, () => running([BARE], (port) => ({ PORT: String(port) })));
  for (let i = 0; i < COLD_STARTS; i += 1) {
    for (const step of i % 2 === 0 ? [shop, bare] : [bare, shop]) await step();
  }
  const fig = {
    name: 'cold start to first 200 on /healthz (ms)',
    shopMs: median(shopRuns),
    bareMs: median(bareRuns),
    shopRuns,
    bareRuns,
  };
  results.figures.push(fig);
  log(`${fig.name}: ${fig.shopMs.toFixed(0)} vs ${fig.bareMs.toFixed(0)}`);
}

async function heap() {
  const child = fork(fileURLToPath(new URL('./servers.js', import.meta.url)), [], { execArgv: ['--expose-gc'] });
  const next = () => new Promise((resolve) => child.once('message', resolve));
  const ready = await next();
  const heapOf = async () => (child.send('heap'), next());
  const batch = (i, amount) =>
    cannon(child.pid, {
      url: ready.cappedUrl,
      connections: CONNECTIONS,
      amount,
      requests: [
        { method: 'POST', path: '/payment/rest/register.do', headers: FORM, setupRequest: registerBody(`M${i}`) },
      ],
    });
  try {
    await heapOf();
    await batch(1, 5_000);
    const full = await heapOf();
    await batch(2, 20_000);
    const after = await heapOf();
    const fig = {
      name: 'sandbox heap, cap 5 000 orders',
      atCapMB: full.heapUsed / 2 ** 20,
      after20kMB: after.heapUsed / 2 ** 20,
      kept: after.cappedOrders,
    };
    results.figures.push(fig);
  } finally {
    child.send('stop');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

const f = (x, d = 0) => (x === undefined ? 'n/a' : x.toFixed(d));
function print() {
  out(
    `Node ${process.version}, ${results.cpus} CPUs (${results.cpuModel ?? '?'}), ${ROUNDS} alternating rounds, ` +
      `${DURATION} s per run, ${CONNECTIONS} connections; medians of the rounds`,
  );
  out();
  out(
    '| figure | subject req/s | baseline req/s | ratio (target) | subject CPU ms/req | baseline CPU ms/req | subject p99 ms | errors |',
  );
  out('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows)
    out(
      `| ${r.name} | ${f(r.s.rps)} | ${f(r.b.rps)} | ${f(r.ratio, 2)} (≥ ${r.target})${r.ok ? '' : ' FAIL'} | ` +
        `${f(r.s.cpuMsPerReq, 3)} | ${f(r.b.cpuMsPerReq, 3)} | ${f(r.s.p99)} | ${r.s.bad + r.b.bad} |`,
    );
  const buys = results.figures.filter((x) => x.normal);
  if (buys.length) {
    out();
    out(
      '| purchases (product → Buy → hosted page → pay → return → success) | /s | p50 ms | p99 ms | shop CPU ms/purchase | errors |',
    );
    out('|---|---:|---:|---:|---:|---:|');
    for (const x of buys) {
      for (const [k, v] of [
        ['synchronous=NORMAL (shipped)', x.normal],
        ['synchronous=FULL', x.full],
      ])
        out(
          `| ${x.name}, ${k} | ${f(v.perSecond, 1)} | ${f(v.p50, 1)} | ${f(v.p99, 1)} | ${f(v.shopCpuMsPerPurchase, 2)} | ${v.errors} |`,
        );
      out(`| ${x.name}: FULL / NORMAL | ${f(x.fullOverNormal, 2)} | | | | |`);
    }
  }
  const cold = results.figures.find((x) => x.shopMs !== undefined);
  if (cold) {
    out();
    out(
      `cold start to the first 200 on /healthz, median of ${COLD_STARTS}: dist/server.js ${f(cold.shopMs)} ms ` +
        `(fresh data folder, embedded sandbox), bare Express ${f(cold.bareMs)} ms`,
    );
  }
  const h = results.figures.find((x) => x.atCapMB !== undefined);
  if (h)
    out(
      `heapUsed after gc, sandbox capped at 5 000 orders: ${f(h.atCapMB, 1)} MB at the cap, ${f(h.after20kMB, 1)} MB ` +
        `after 20 000 more registers (${h.kept} kept)`,
    );
  out(failed ? 'FAIL: a ratio is below its target, or requests failed' : 'OK: every ratio meets its target');
}

let code = 1;
try {
  for (const [name, step] of [
    ['product', productPage],
    ['sandbox', sandboxApi],
    ['purchases', purchases],
    ['cold', coldStart],
    ['heap', heap],
  ]) {
    if (SKIP.has(name)) continue;
    log(`${name}…`);
    await step();
  }
  print();
  const dir = path.join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${results.date.slice(0, 10)}-node${process.version.slice(1)}.json`);
  let text = `${JSON.stringify(results, null, 2)}\n`;
  try {
    // Formatted as the repository's format check expects, where Prettier (a dev dependency) is installed.
    text = await (await import('prettier')).format(text, { parser: 'json' });
  } catch {
    // written as is
  }
  writeFileSync(file, text);
  out(`results: ${path.relative(ROOT, file)}`);
  code = failed ? 1 : 0;
} catch (err) {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
} finally {
  await Promise.all(started.map((p) => p.stop()));
  rmSync(TMP, { recursive: true, force: true });
}
process.exit(code);
