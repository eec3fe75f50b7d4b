/**
 * `npm run bench` (after the build). Every figure sits next to a baseline measured in the same run, in alternating
 * rounds (A,B then B,A, ...), and is reported as the median of the rounds, with the server process's CPU time per
 * request read from /proc/<pid>/stat. Method and how to read the table: docs/performance.md.
 *
 *   1. product page req/s: the shop (`node dist/server.js`, as `npm start` runs it; then with NODE_ENV=production)
 *      vs a bare Express 5 + EJS app rendering the same template with the same data. Target >= 0.8.
 *   2. the standalone sandbox's register.do and getOrderStatusExtended.do vs a bare Express JSON endpoint. Target >= 0.5.
 *   3. complete purchases per second through the standalone sandbox at each concurrency (default 1, 10, 50), with
 *      p50/p99, the CPU time per purchase of the shop, the sandbox and the simulated buyers, and the shop's share;
 *      on SQLite as shipped (synchronous=NORMAL), SQLite with synchronous=FULL, and PostgreSQL + Redis when
 *      BENCH_DATABASE_URL and BENCH_REDIS_URL are set. No target: figures to read.
 *   4. cold start to the first 200 on /healthz of dist/server.js vs a bare Express app. Target <= 1 s.
 *   5. heap of a sandbox capped at 5 000 orders after 20 000 more registers (bench/servers.js).
 *   5b. journal: the sandbox's register.do with its integration journal recording vs not recording (JOURNAL=off), in
 *      memory and with a data folder (SQLite), same rounds. Target >= 0.9 (the journal must not slow the REST path).
 *   6. opt-in: the shop's RSS and heap growth from 1 000 to BENCH_MEMORY_PURCHASES purchases. Target <= 50 MB.
 *
 * Exits 1 when a target is missed (or a run failed outright). Every server listens on 127.0.0.1, and the
 * PostgreSQL and Redis URLs must name this machine too: all traffic stays here.
 *
 * Env: BENCH_ROUNDS (default 5), BENCH_DURATION (s per autocannon run, default 2), BENCH_CONNECTIONS (default 10),
 * BENCH_PURCHASE_SECONDS (s per purchase run, default 2), BENCH_PURCHASE_CONCURRENCY (default "1,10,50"),
 * BENCH_COLD_STARTS (default 5), BENCH_PORT_BASE (use consecutive ports from there instead of OS-chosen ones),
 * BENCH_ONLY / BENCH_SKIP (comma lists of parts: product, sandbox, purchases, sync-full, postgres, cold, heap,
 * memory, journal), BENCH_DATABASE_URL and BENCH_REDIS_URL (a PostgreSQL server where the bench may create and drop a
 * database, and a Redis database of its own), BENCH_MEMORY_PURCHASES (default 100000; setting it runs the memory
 * part), BENCH_MEMORY_CONCURRENCY (default 8), BENCH_OUT (file for the results instead of bench/results/),
 * BENCH_BEFORE (another built copy of the shop, measured alongside: before/after figures from the same rounds).
 */
import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { purchase, purchaseLoad } from './buyer.js';
import {
  alternate,
  alternateAll,
  cannon,
  DEMO_CREDS,
  cpuMs,
  freePort,
  isLoopbackUrl,
  median,
  percentile,
  registerBody,
  rssBytes,
  startNode,
  withoutCredentials,
} from './lib.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const DURATION = Number(process.env.BENCH_DURATION ?? 2);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const PURCHASE_SECONDS = Number(process.env.BENCH_PURCHASE_SECONDS ?? 2);
const PURCHASE_CONCURRENCY = (process.env.BENCH_PURCHASE_CONCURRENCY ?? '1,10,50').split(',').map(Number);
const COLD_STARTS = Number(process.env.BENCH_COLD_STARTS ?? 5);
const MEMORY_PURCHASES = Number(process.env.BENCH_MEMORY_PURCHASES ?? 100_000);
const MEMORY_CONCURRENCY = Number(process.env.BENCH_MEMORY_CONCURRENCY ?? 8);
const MEMORY_TARGET_MB = 50;
const COLD_TARGET_MS = 1_000;
// Parts: product, sandbox, purchases (sync-full and postgres are shops within it), cold, heap, memory. BENCH_ONLY
// names the parts to run, BENCH_SKIP the ones to leave out. memory (over ten minutes) runs only when asked for:
// named in BENCH_ONLY, or BENCH_MEMORY_PURCHASES set.
const ONLY = new Set((process.env.BENCH_ONLY ?? '').split(',').filter(Boolean));
const SKIP = new Set((process.env.BENCH_SKIP ?? '').split(',').filter(Boolean));
const MEMORY_ASKED = ONLY.has('memory') || process.env.BENCH_MEMORY_PURCHASES !== undefined;
const skipped = (part) => (ONLY.size > 0 && !ONLY.has(part)) || SKIP.has(part) || (part === 'memory' && !MEMORY_ASKED);
const PG_URL = process.env.BENCH_DATABASE_URL;
const REDIS_URL = process.env.BENCH_REDIS_URL;
for (const [name, url] of [
  ['BENCH_DATABASE_URL', PG_URL],
  ['BENCH_REDIS_URL', REDIS_URL],
]) {
  if (url !== undefined && !isLoopbackUrl(url)) {
    process.stderr.write(`bench: ${name} must name a server on this machine (127.0.0.1, ::1 or localhost)\n`);
    process.exit(2);
  }
}
const PRODUCT_TARGET = 0.8;
const SANDBOX_TARGET = 0.5;
const JOURNAL_TARGET = 0.9;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SERVER = path.join(ROOT, 'dist', 'server.js');
const SANDBOX = path.join(ROOT, 'packages', 'gateway-sandbox', 'dist', 'server.js');
const BARE = path.join(ROOT, 'bench', 'bare-app.js');
const SYNC_FULL = path.join(ROOT, 'bench', 'sync-full.js');
const JOURNAL_SANDBOX = path.join(ROOT, 'bench', 'journal-sandbox.js');
const MEMORY_PROBE = path.join(ROOT, 'bench', 'memory-probe.js');
// BENCH_BEFORE: the root of another built copy of the shop (e.g. a worktree of an earlier commit, after npm run
// build there), measured in the same rounds as this one: product page, purchases and cold start get a "before" row.
const BEFORE = process.env.BENCH_BEFORE
  ? path.join(path.resolve(process.env.BENCH_BEFORE), 'dist', 'server.js')
  : undefined;
const CREDS = DEMO_CREDS;
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const out = (line = '') => process.stdout.write(`${line}\n`);
const log = (line) => process.stderr.write(`bench: ${line}\n`);

// Every process runs in a temporary folder of its own (no developer's .env is read), with its own data.
const TMP = mkdtempSync(path.join(os.tmpdir(), 'shop-bench-'));
const started = [];
/** Run at the end, whatever happened: dropping the bench's PostgreSQL database, its Redis keys. */
const cleanups = [];

/** A new, empty PostgreSQL database on BENCH_DATABASE_URL's server for this run; drop() removes it. */
async function freshPostgres() {
  const { default: pg } = await import('pg');
  const name = `shop_bench_${Date.now()}_${process.pid}`;
  const admin = async (sql) => {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  log(`PostgreSQL database ${name} on ${withoutCredentials(PG_URL)}`);
  return { url: url.href, drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/**
 * Removes the keys a shop without a key prefix writes (shop:sess:*, shop:rl:*) from BENCH_REDIS_URL's database:
 * give the bench a database of its own there (e.g. redis://127.0.0.1:6379/9).
 */
async function clearRedis(url) {
  const { createClient } = await import('redis');
  const client = createClient({ url });
  client.on('error', () => {});
  await client.connect();
  try {
    for (const pattern of ['shop:sess:*', 'shop:rl:*']) {
      let cursor = '0';
      do {
        const [next, keys] = await client.sendCommand(['SCAN', cursor, 'MATCH', pattern, 'COUNT', '1000']);
        cursor = String(next);
        if (keys.length > 0) await client.sendCommand(['UNLINK', ...keys]);
      } while (cursor !== '0');
    }
  } finally {
    await client.quit();
  }
}
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
const startShop = async (extra, execArgv = [], script = SERVER) => {
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
  const proc = await startNode([...execArgv, script], { env, healthUrl: `${url}/healthz`, cwd });
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
  // Other work on the machine moves every absolute figure: the load averages (1, 5, 15 min) at start and end.
  loadAverage: { start: os.loadavg() },
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
  // One unrecorded run of each first: the first round otherwise measured the JIT warming up (in a run at a load
  // average of 5-10, the first round's CPU per request was twice the others', on both sides).
  await subject();
  await baseline();
  const { as, bs } = await alternate(ROUNDS, subject, baseline);
  const s = summarize(as);
  const b = summarize(bs);
  // The ratio of each round's pair, then their median: a drift of the machine between rounds cancels out.
  const ratio = median(as.map((r, i) => r.rps / bs[i].rps));
  // The same per round from the server processes' CPU time per request (baseline / subject): what the subject's
  // extra work costs, whatever share of the two cores the load generator and other work took from it that round.
  const cpuRatio = median(as.map((r, i) => bs[i].cpuMsPerReq / r.cpuMsPerReq));
  const ok = target === undefined || (ratio >= target && s.bad === 0 && b.bad === 0);
  if (!ok) failed = true;
  results.figures.push({ name, target, ratio, cpuRatio, subject: s, baseline: b });
  rows.push({ name, s, b, ratio, cpuRatio, target, ok });
  log(`${name}: ratio ${ratio.toFixed(2)}, CPU ratio ${cpuRatio?.toFixed(2) ?? 'n/a'}`);
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
    for (const [which, server] of BEFORE
      ? [
          ['', SERVER],
          [', before (BENCH_BEFORE)', BEFORE],
        ]
      : [['', SERVER]]) {
      const shop = await startShop(extra, [], server);
      await compare(
        `product page, ${label}${which}`,
        PRODUCT_TARGET,
        ac(shop, { url: `${shop.url}/products/notebook` }),
        ac(bare, { url: `${bare.url}/products/notebook` }),
      );
      await shop.stop();
    }
  }
  await bare.stop();
}

/** Runs of register.do against a sandbox, each run with order numbers of its own (`<tag><time>-<run>-<n>`). */
const registerRuns = (proc, tag) => {
  let round = 0;
  return () =>
    ac(proc, {
      url: proc.url,
      requests: [
        {
          method: 'POST',
          path: '/payment/rest/register.do',
          headers: FORM,
          setupRequest: registerBody(`${tag}${Date.now()}-${++round}`),
        },
      ],
    })();
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
  await compare('sandbox register.do', SANDBOX_TARGET, registerRuns(sandbox, 'R'), baseline);
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

/** register.do with the sandbox's integration journal recording vs not, in memory and on SQLite (bench/journal-sandbox.js). */
async function journal() {
  for (const [label, onDisk] of [
    ['in memory', false],
    ['data folder (SQLite)', true],
  ]) {
    const start = (mode) =>
      running([JOURNAL_SANDBOX], (port, cwd) => ({
        PORT: String(port),
        JOURNAL: mode,
        ...(onDisk && { DATA_DIR: path.join(cwd, 'data') }),
      }));
    const on = await start('on');
    const off = await start('off');
    await compare(
      `sandbox register.do, journal on / off, ${label}`,
      JOURNAL_TARGET,
      registerRuns(on, 'J'),
      registerRuns(off, 'J'),
    );
    await on.stop();
    await off.stop();
  }
}

/**
 * The shops of the purchases figure, each a `node dist/server.js` with the standalone sandbox as its gateway:
 * SQLite as shipped (synchronous=NORMAL), SQLite with synchronous=FULL (part `sync-full`), and, with
 * BENCH_DATABASE_URL and BENCH_REDIS_URL, PostgreSQL + Redis (part `postgres`, a fresh database per run).
 */
async function purchaseShops(sandbox) {
  const gateway = {
    GATEWAY_URL: `${sandbox.url}/payment/rest/`,
    GATEWAY_USERNAME: CREDS.userName,
    GATEWAY_PASSWORD: CREDS.password,
    CALLBACKS: 'off',
    TRUST_PROXY: '1',
  };
  const shops = [{ key: 'sqlite', label: 'SQLite, synchronous=NORMAL (shipped)', shop: await startShop(gateway) }];
  if (BEFORE) {
    const shop = await startShop(gateway, [], BEFORE);
    shops.push({ key: 'before', label: 'SQLite, synchronous=NORMAL, before (BENCH_BEFORE)', shop });
  }
  if (!SKIP.has('sync-full')) {
    const shop = await startShop(gateway, ['--import', SYNC_FULL]);
    shops.push({ key: 'sqliteFull', label: 'SQLite, synchronous=FULL', shop });
  }
  if (!SKIP.has('postgres') && PG_URL && REDIS_URL) {
    const pg = await freshPostgres();
    cleanups.push(pg.drop);
    const shop = await startShop({ ...gateway, DATABASE_URL: pg.url, REDIS_URL });
    cleanups.push(() => clearRedis(REDIS_URL));
    shops.push({ key: 'postgres', label: 'PostgreSQL + Redis', shop });
  } else if (!SKIP.has('postgres')) {
    log('purchases on PostgreSQL + Redis skipped: set BENCH_DATABASE_URL and BENCH_REDIS_URL (loopback only)');
  }
  return shops;
}

async function purchases() {
  const sandbox = await startSandbox();
  const shops = await purchaseShops(sandbox);
  // One purchase each first: proves the flow end to end. Then an unrecorded second of purchases each, so that the
  // first round does not measure the JIT warming up.
  for (const { shop } of shops) await purchase(shop.url);
  for (const { shop } of shops) await purchaseLoad(shop.url, { concurrency: 4, seconds: 1 });
  for (const concurrency of PURCHASE_CONCURRENCY) {
    const load = (shop) => async () => {
      const before = { shop: cpuMs(shop.pid), sandbox: cpuMs(sandbox.pid), buyers: process.cpuUsage() };
      const r = await purchaseLoad(shop.url, { concurrency, seconds: PURCHASE_SECONDS });
      const shopMs = cpuMs(shop.pid) - before.shop;
      const sandboxMs = cpuMs(sandbox.pid) - before.sandbox;
      const buyersUsage = process.cpuUsage(before.buyers);
      const buyersMs = (buyersUsage.user + buyersUsage.system) / 1000;
      if (r.firstError) log(`purchase error: ${r.firstError.message}`);
      const n = r.latencies.length;
      const per = (ms) => (Number.isFinite(ms) && n > 0 ? ms / n : undefined);
      const meanLatency = n > 0 ? r.latencies.reduce((a, b) => a + b, 0) / n : undefined;
      return {
        perSecond: (n * 1000) / r.elapsedMs,
        p50: percentile(r.latencies, 50),
        p99: percentile(r.latencies, 99),
        meanLatency,
        errors: r.errors,
        purchases: n,
        shopCpuMsPerPurchase: per(shopMs),
        sandboxCpuMsPerPurchase: per(sandboxMs),
        buyersCpuMsPerPurchase: per(buyersMs),
        // The shop's own share of a purchase: its CPU time over the purchase's mean time end to end (at concurrency
        // 1, the part of the buyer's wait spent on the shop's CPU), and over all CPU the purchase took.
        shopShareOfTime: per(shopMs) === undefined || !meanLatency ? undefined : per(shopMs) / meanLatency,
        shopShareOfCpu: n > 0 ? shopMs / (shopMs + sandboxMs + buyersMs) : undefined,
      };
    };
    const runs = await alternateAll(
      ROUNDS,
      shops.map(({ shop }) => load(shop)),
    );
    const sum = (rs) => {
      const m = (k) => median(rs.map((r) => r[k]));
      return {
        perSecond: m('perSecond'),
        p50: m('p50'),
        p99: m('p99'),
        shopCpuMsPerPurchase: m('shopCpuMsPerPurchase'),
        sandboxCpuMsPerPurchase: m('sandboxCpuMsPerPurchase'),
        buyersCpuMsPerPurchase: m('buyersCpuMsPerPurchase'),
        shopShareOfTime: m('shopShareOfTime'),
        shopShareOfCpu: m('shopShareOfCpu'),
        errors: rs.reduce((n, r) => n + r.errors, 0),
        rounds: rs,
      };
    };
    const fig = { name: `purchases, concurrency ${concurrency}`, concurrency, stores: {} };
    shops.forEach(({ key, label }, i) => {
      fig.stores[key] = { label, ...sum(runs[i]) };
      if (sum(runs[i]).errors > 0) failed = true;
    });
    const first = runs[0];
    for (const [i, { key }] of shops.entries()) {
      if (i > 0) fig.stores[key].overShipped = median(first.map((r, j) => runs[i][j].perSecond / r.perSecond));
    }
    results.figures.push(fig);
    log(`${fig.name}: ${shops.map(({ key }) => `${fig.stores[key].perSecond.toFixed(1)}/s ${key}`).join(', ')}`);
  }
  await Promise.all(shops.map(({ shop }) => shop.stop()));
  await sandbox.stop();
}

/**
 * RSS and heap of the shop (SQLite, as shipped) after 1 000 purchases and after BENCH_MEMORY_PURCHASES (default
 * 100 000), each read after two full collections (bench/memory-probe.js); the figure is the growth between the two.
 * Opt-in (part `memory`): at some 150 purchases a second, 100 000 take over ten minutes.
 */
async function memory() {
  const sandbox = await startSandbox();
  const port = await freePort();
  const sandboxPort = await freePort();
  const cwd = mkdtempSync(path.join(TMP, 'mem-'));
  const url = `http://127.0.0.1:${port}`;
  const env = {
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_BASE_URL: url,
    DATA_DIR: path.join(cwd, 'data'),
    SANDBOX_PORT: String(sandboxPort),
    GATEWAY_URL: `${sandbox.url}/payment/rest/`,
    GATEWAY_USERNAME: CREDS.userName,
    GATEWAY_PASSWORD: CREDS.password,
    CALLBACKS: 'off',
    TRUST_PROXY: '1',
  };
  const proc = await startNode(['--expose-gc', '--import', MEMORY_PROBE, SERVER], {
    env,
    healthUrl: `${url}/healthz`,
    cwd,
    ipc: true,
  });
  const shop = { ...proc, url, port };
  started.push(shop);
  const gone = () => {
    const e = shop.ended();
    return e && new Error(`the shop exited (code ${e.code}, signal ${e.signal}); its stderr ended with:\n${e.stderr}`);
  };
  const sample = async () => {
    if (gone()) throw gone();
    const onExit = () => rejectReply(gone());
    let rejectReply;
    const reply = new Promise((resolve, reject) => {
      rejectReply = reject;
      shop.child.once('message', resolve);
      shop.child.once('exit', onExit);
    });
    shop.child.send('memory', (err) => err && log(`memory probe: ${err.message}`));
    const { memory: m } = await reply.finally(() => shop.child.off('exit', onExit));
    return { purchases: done, rssMB: rssBytes(shop.pid) / 2 ** 20, heapUsedMB: m.heapUsed / 2 ** 20, ...mb(m) };
  };
  const mb = (m) => ({ heapTotalMB: m.heapTotal / 2 ** 20, externalMB: m.external / 2 ** 20 });
  let done = 0;
  let errors = 0;
  const drive = async (count) => {
    const r = await purchaseLoad(shop.url, { concurrency: MEMORY_CONCURRENCY, purchases: count });
    done += r.latencies.length;
    errors += r.errors;
    if (r.firstError) log(`memory purchases: ${r.errors} errors, first: ${r.firstError.message}`);
    if (gone()) throw gone();
  };
  const t0 = performance.now();
  await drive(1_000);
  const at1k = await sample();
  const samples = [at1k];
  // Progress, and samples along the way to show whether growth levels off.
  const step = Math.max(1_000, Math.ceil((MEMORY_PURCHASES - 1_000) / 10));
  while (done + errors < MEMORY_PURCHASES) {
    await drive(Math.min(step, MEMORY_PURCHASES - done - errors));
    samples.push(await sample());
    log(
      `memory: ${done} purchases, RSS ${samples.at(-1).rssMB.toFixed(1)} MB, heap ${samples.at(-1).heapUsedMB.toFixed(1)} MB`,
    );
  }
  const end = samples.at(-1);
  const fig = {
    name: `shop memory, ${MEMORY_PURCHASES} purchases`,
    purchases: done,
    errors,
    concurrency: MEMORY_CONCURRENCY,
    minutes: (performance.now() - t0) / 60_000,
    rssGrowthMB: end.rssMB - at1k.rssMB,
    heapGrowthMB: end.heapUsedMB - at1k.heapUsedMB,
    target: MEMORY_TARGET_MB,
    samples,
  };
  fig.ok = errors === 0 && fig.rssGrowthMB <= MEMORY_TARGET_MB && fig.heapGrowthMB <= MEMORY_TARGET_MB;
  if (!fig.ok) failed = true;
  results.figures.push(fig);
  await shop.stop();
  started.splice(started.indexOf(shop) >>> 0, 1);
  await sandbox.stop();
}

async function coldStart() {
  const shopRuns = [];
  const bareRuns = [];
  const beforeRuns = [];
  const once = async (list, start) => {
    const p = await start();
    list.push(p.startMs);
    await p.stop();
    started.splice(started.indexOf(p) >>> 0, 1);
  };
  const shop = () => once(shopRuns, () => startShop({}));
  const bare = () => once(bareRuns, () => running([BARE], (port) => ({ PORT: String(port) })));
  const before = () => once(beforeRuns, () => startShop({}, [], BEFORE));
  const steps = BEFORE ? [shop, bare, before] : [shop, bare];
  for (let i = 0; i < COLD_STARTS; i += 1) {
    for (const step of i % 2 === 0 ? steps : [...steps].reverse()) await step();
  }
  const fig = {
    name: 'cold start to first 200 on /healthz (ms)',
    shopMs: median(shopRuns),
    bareMs: median(bareRuns),
    shopRuns,
    bareRuns,
    ...(BEFORE ? { beforeMs: median(beforeRuns), beforeRuns } : {}),
    targetMs: COLD_TARGET_MS,
  };
  fig.ok = fig.shopMs <= COLD_TARGET_MS;
  if (!fig.ok) failed = true;
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
const pct = (x) => (x === undefined ? 'n/a' : `${(x * 100).toFixed(0)}%`);
const signed = (x, d = 1) => (x === undefined ? 'n/a' : `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(d)}`);
function print() {
  out(
    `Node ${process.version}, ${results.cpus} CPUs (${results.cpuModel ?? '?'}), ${ROUNDS} alternating rounds, ` +
      `${DURATION} s per run, ${CONNECTIONS} connections; medians of the rounds; load average ` +
      `${results.loadAverage.start.map((x) => x.toFixed(1)).join(' ')} at start, ` +
      `${results.loadAverage.end.map((x) => x.toFixed(1)).join(' ')} at end`,
  );
  out();
  out(
    '| figure | subject req/s | baseline req/s | ratio (target) | subject CPU ms/req | baseline CPU ms/req | CPU ratio | subject p99 ms | errors |',
  );
  out('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows)
    out(
      `| ${r.name} | ${f(r.s.rps)} | ${f(r.b.rps)} | ${f(r.ratio, 2)} (≥ ${r.target})${r.ok ? '' : ' FAIL'} | ` +
        `${f(r.s.cpuMsPerReq, 3)} | ${f(r.b.cpuMsPerReq, 3)} | ${f(r.cpuRatio, 2)} | ${f(r.s.p99)} | ${r.s.bad + r.b.bad} |`,
    );
  out();
  out(
    "ratio: median of the rounds' subject/baseline req/s, judged against the target; CPU ratio: median of the rounds' " +
      "baseline/subject CPU ms per request (the servers' own CPU time, steadier when the machine is shared).",
  );
  const buys = results.figures.filter((x) => x.stores);
  if (buys.length) {
    out();
    out(
      '| purchases (product → Buy → hosted page → pay → return → success) | /s | p50 ms | p99 ms | shop CPU ms/purchase | ' +
        'sandbox CPU ms | buyers CPU ms | shop CPU / purchase time | shop / all CPU | vs shipped | errors |',
    );
    out('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const x of buys) {
      for (const v of Object.values(x.stores))
        out(
          `| ${x.name}, ${v.label} | ${f(v.perSecond, 1)} | ${f(v.p50, 1)} | ${f(v.p99, 1)} | ` +
            `${f(v.shopCpuMsPerPurchase, 2)} | ${f(v.sandboxCpuMsPerPurchase, 2)} | ${f(v.buyersCpuMsPerPurchase, 2)} | ` +
            `${pct(v.shopShareOfTime)} | ${pct(v.shopShareOfCpu)} | ${f(v.overShipped, 2)} | ${v.errors} |`,
        );
    }
  }
  const cold = results.figures.find((x) => x.shopMs !== undefined);
  if (cold) {
    out();
    out(
      `cold start to the first 200 on /healthz, median of ${COLD_STARTS}: dist/server.js ${f(cold.shopMs)} ms ` +
        `(fresh data folder, embedded sandbox), bare Express ${f(cold.bareMs)} ms` +
        (cold.beforeMs === undefined ? '' : `, before (BENCH_BEFORE) ${f(cold.beforeMs)} ms`) +
        `; target ≤ ${cold.targetMs} ms` +
        (cold.ok ? '' : ' FAIL'),
    );
  }
  const h = results.figures.find((x) => x.atCapMB !== undefined);
  if (h)
    out(
      `heapUsed after gc, sandbox capped at 5 000 orders: ${f(h.atCapMB, 1)} MB at the cap, ${f(h.after20kMB, 1)} MB ` +
        `after 20 000 more registers (${h.kept} kept)`,
    );
  const mem = results.figures.find((x) => x.rssGrowthMB !== undefined);
  if (mem) {
    const [first, last] = [mem.samples[0], mem.samples.at(-1)];
    out(
      `shop memory after ${first.purchases} and after ${last.purchases} purchases (${mem.concurrency} buyers, ` +
        `${f(mem.minutes, 1)} min): RSS ${f(first.rssMB, 1)} → ${f(last.rssMB, 1)} MB (${signed(mem.rssGrowthMB)}), ` +
        `heapUsed after gc ${f(first.heapUsedMB, 1)} → ${f(last.heapUsedMB, 1)} MB (${signed(mem.heapGrowthMB)}); ` +
        `target ≤ ${mem.target} MB${mem.ok ? '' : ' FAIL'}${mem.errors ? `, ${mem.errors} errors` : ''}`,
    );
  }
  out(failed ? 'FAIL: a target is not met, or requests failed' : 'OK: every target is met');
}

let code = 1;
try {
  for (const [name, step] of [
    ['product', productPage],
    ['sandbox', sandboxApi],
    ['purchases', purchases],
    ['cold', coldStart],
    ['heap', heap],
    ['journal', journal],
    ['memory', memory],
  ]) {
    if (skipped(name)) continue;
    log(`${name}…`);
    await step();
  }
  results.loadAverage.end = os.loadavg();
  print();
  const dir = path.join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const stamp = results.date.slice(0, 16).replace(':', '');
  const file = process.env.BENCH_OUT
    ? path.resolve(process.env.BENCH_OUT)
    : path.join(dir, `${stamp}-node${process.version.slice(1)}.json`);
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
  for (const cleanup of cleanups) {
    try {
      await cleanup();
    } catch (err) {
      process.stderr.write(`bench: cleanup failed: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  }
  rmSync(TMP, { recursive: true, force: true });
}
process.exit(code);
