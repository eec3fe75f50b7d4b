/**
 * `node bench/journal-cost.js` (after the build): what the integration journal costs one register.do, in CPU time of
 * the sandbox process rather than in requests per second (which two shared cores make noisy). For each store (in
 * memory, SQLite) one sandbox per variant (bench/journal-sandbox.js: journal off, journal on) is started and given
 * JC_WARM register.do calls (more than the journal's 5 000-entry bound, so it runs full and drops); then JC_ROUNDS
 * rounds give each sandbox a block of JC_BLOCK calls, in rotating order, and read its utime + stime
 * (/proc/<pid>/stat) around the block. Printed: CPU µs per call of each variant, minimum and median of the rounds,
 * and what the journal adds. The minimum is the figure least moved by other work on the machine.
 *
 * JC_BEFORE=<path to another build's dist/index.js> adds a "journal on, before" variant from that build in the same
 * rounds (e.g. a copy of packages/gateway-sandbox taken before a change, under node_modules/ so that its
 * dependencies resolve). Env: JC_WARM (default 8000), JC_BLOCK (default 3000), JC_ROUNDS (default 12), JC_MODES
 * (default "memory,sqlite").
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { cpuMs, freePort, median, registerBody, startNode } from './lib.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SANDBOX = path.join(ROOT, 'bench', 'journal-sandbox.js');
const WARM = Number(process.env.JC_WARM ?? 8000);
const BLOCK = Number(process.env.JC_BLOCK ?? 3000);
const ROUNDS = Number(process.env.JC_ROUNDS ?? 12);
const MODES = (process.env.JC_MODES ?? 'memory,sqlite').split(',');
const BEFORE = process.env.JC_BEFORE ? pathToFileURL(path.resolve(process.env.JC_BEFORE)).href : undefined;
const TMP = mkdtempSync(path.join(os.tmpdir(), 'journal-cost-'));

let run = 0;
const drive = (url, amount) =>
  new Promise((resolve, reject) =>
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
            setupRequest: registerBody(`C${Date.now()}-${++run}`),
          },
        ],
      },
      (err, r) => (err ? reject(err) : r.non2xx + r.errors > 0 ? reject(new Error('requests failed')) : resolve(r)),
    ),
  );

/** A sandbox for one variant, warmed up (its journal full); block() is the CPU µs per call of BLOCK more calls. */
async function sandbox({ journal, module }, onDisk) {
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
  await drive(url, WARM);
  return {
    stop: () => proc.stop(),
    block: async () => {
      const before = cpuMs(proc.pid);
      await drive(url, BLOCK);
      return ((cpuMs(proc.pid) - before) * 1000) / BLOCK;
    },
  };
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
  `register.do, sandbox CPU µs per call (utime+stime): ${WARM} calls to warm up each sandbox, then ${ROUNDS} rounds ` +
    `of ${BLOCK} calls to each, in rotating order, 10 connections; minimum and median of the rounds; load average ` +
    `${os.loadavg()[0].toFixed(1)}\n`,
);
process.stdout.write(
  `| store | journal off | journal on | on − off |${BEFORE ? ' on, before | before − off |' : ''}\n` +
    `|---|---:|---:|---:|${BEFORE ? '---:|---:|' : ''}\n`,
);
for (const mode of MODES) {
  const servers = [];
  for (const v of variants) servers.push(await sandbox(v, mode === 'sqlite'));
  const res = variants.map(() => []);
  for (let i = 0; i < ROUNDS; i++) {
    const order = variants.map((_, j) => (i + j) % variants.length);
    for (const j of order) res[j].push(await servers[j].block());
  }
  for (const s of servers) await s.stop();
  const stat = (pick) => Object.fromEntries(variants.map((v, j) => [v.key, pick(res[j])]));
  for (const [label, m] of [
    ['min', stat((xs) => Math.min(...xs))],
    ['median', stat(median)],
  ])
    process.stdout.write(
      `| ${mode}, ${label} | ${f(m.off)} | ${f(m.on)} | ${pct(m.on, m.off)} |${BEFORE ? ` ${f(m.before)} | ${pct(m.before, m.off)} |` : ''}\n`,
    );
  process.stderr.write(
    `journal-cost ${mode}: ${JSON.stringify(Object.fromEntries(variants.map((v, j) => [v.key, res[j].map((x) => Math.round(x))])))}\n`,
  );
}
rmSync(TMP, { recursive: true, force: true });
