/**
 * `node bench/journal-cost.js` (after the build): what the integration journal costs one register.do, in CPU time of
 * the sandbox process rather than in requests per second (which two shared cores make noisy). For journal off and
 * on, in memory and on SQLite, a fresh sandbox (bench/journal-sandbox.js) gets JC_WARM register.do calls (more than
 * the journal's 5 000-entry bound, so it runs full and drops), then JC_COUNT more, around which its utime + stime
 * (/proc/<pid>/stat) are read. Printed: CPU µs per request of each, and what the journal adds, median of JC_REPEAT
 * fresh processes, run in rotating order.
 *
 * JC_BEFORE=<path to another build's dist/index.js> adds a "journal on, before" column from that build in the same
 * rotation (e.g. a copy of packages/gateway-sandbox taken before a change, under node_modules/ so that its
 * dependencies resolve). Env: JC_WARM (default 8000), JC_COUNT (default 15000), JC_REPEAT (default 3), JC_MODES
 * (default "memory,sqlite").
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { cpuMs, freePort, median, startNode } from './lib.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SANDBOX = path.join(ROOT, 'bench', 'journal-sandbox.js');
const WARM = Number(process.env.JC_WARM ?? 8000);
const COUNT = Number(process.env.JC_COUNT ?? 15000);
const REPEAT = Number(process.env.JC_REPEAT ?? 3);
const MODES = (process.env.JC_MODES ?? 'memory,sqlite').split(',');
const BEFORE = process.env.JC_BEFORE ? pathToFileURL(path.resolve(process.env.JC_BEFORE)).href : undefined;
const TMP = mkdtempSync(path.join(os.tmpdir(), 'journal-cost-'));
const CREDS = { userName: 'demo-shop-api', password: 'demo-shop-password' };

let run = 0;
const drive = (url, amount) => {
  const prefix = `C${Date.now()}-${++run}`;
  let n = 0;
  return new Promise((resolve, reject) =>
    autocannon(
      {
        url,
        connections: 10,
        amount,
        requests: [
          {
            method: 'POST',
            path: '/payment/rest/register.do',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            setupRequest: (req) => ({
              ...req,
              body: new URLSearchParams({
                ...CREDS,
                orderNumber: `${prefix}-${++n}`,
                amount: '1000',
                returnUrl: 'https://shop.test/return',
              }).toString(),
            }),
          },
        ],
      },
      (err, r) => (err ? reject(err) : r.non2xx + r.errors > 0 ? reject(new Error('requests failed')) : resolve(r)),
    ),
  );
};

/** CPU µs per register.do of one fresh sandbox. */
async function measure({ journal, module }, onDisk) {
  const port = await freePort();
  const cwd = mkdtempSync(path.join(TMP, 'p-'));
  const url = `http://127.0.0.1:${port}`;
  const env = {
    PORT: String(port),
    JOURNAL: journal,
    ...(module && { SANDBOX_MODULE: module }),
    ...(onDisk && { DATA_DIR: path.join(cwd, 'data') }),
  };
  const proc = await startNode([SANDBOX], { env, healthUrl: `${url}/healthz`, cwd });
  try {
    await drive(url, WARM);
    const before = cpuMs(proc.pid);
    await drive(url, COUNT);
    // The SQLite journal writes its last batch up to 100 ms after the last call: counted too.
    await new Promise((r) => setTimeout(r, 200));
    return ((cpuMs(proc.pid) - before) * 1000) / COUNT;
  } finally {
    await proc.stop();
  }
}

const variants = [
  { key: 'off', journal: 'off' },
  { key: 'on', journal: 'on' },
  ...(BEFORE ? [{ key: 'before', journal: 'on', module: BEFORE }] : []),
];
const f = (x) => x.toFixed(1);
const pct = (x, base) =>
  `${x >= base ? '+' : '−'}${f(Math.abs(x - base))} (${((100 * (x - base)) / base).toFixed(1)}%)`;
process.stdout.write(
  `register.do, sandbox CPU µs per call (utime+stime): ${WARM} calls to warm up, ${COUNT} counted, 10 connections; ` +
    `median of ${REPEAT} fresh processes each, in rotating order; load average ${os.loadavg()[0].toFixed(1)}\n`,
);
process.stdout.write(
  `| store | journal off | journal on | on − off |${BEFORE ? ' on, before | before − off |' : ''}\n` +
    `|---|---:|---:|---:|${BEFORE ? '---:|---:|' : ''}\n`,
);
for (const mode of MODES) {
  const res = Object.fromEntries(variants.map((v) => [v.key, []]));
  for (let i = 0; i < REPEAT; i++) {
    const order = variants.map((_, j) => variants[(i + j) % variants.length]);
    for (const v of order) res[v.key].push(await measure(v, mode === 'sqlite'));
  }
  const m = Object.fromEntries(variants.map((v) => [v.key, median(res[v.key])]));
  process.stdout.write(
    `| ${mode} | ${f(m.off)} | ${f(m.on)} | ${pct(m.on, m.off)} |${BEFORE ? ` ${f(m.before)} | ${pct(m.before, m.off)} |` : ''}\n`,
  );
  process.stderr.write(`journal-cost ${mode}: ${JSON.stringify(res)}\n`);
}
rmSync(TMP, { recursive: true, force: true });
