/** Helpers of bench/run.js: processes on 127.0.0.1, CPU time and RSS from /proc, autocannon runs, medians. */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import autocannon from 'autocannon';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (100 on Linux almost everywhere). */
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU time (user + system) a process has used so far, in milliseconds; undefined where /proc is missing. */
export function cpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: count the fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
  } catch {
    return undefined;
  }
}

/** Resident set size of a process in bytes (VmRSS in /proc/<pid>/status); undefined where /proc is missing. */
export function rssBytes(pid) {
  try {
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

/** A free TCP port on 127.0.0.1 (asked of the OS), or the next one from BENCH_PORT_BASE when that is set. */
let nextPort = Number(process.env.BENCH_PORT_BASE ?? 0);
export async function freePort() {
  if (nextPort > 0) return nextPort++;
  return new Promise((resolve, reject) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** GET url until it answers 200; resolves with the milliseconds from `since`. */
export async function waitFor200(url, since, timeoutMs = 30_000) {
  for (;;) {
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.status === 200) return performance.now() - since;
    } catch {
      // not listening yet
    }
    if (performance.now() - since > timeoutMs) throw new Error(`${url} gave no 200 within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * Starts `node ...args` with `env` added to a minimal environment, waits for GET healthUrl to answer 200,
 * and returns { pid, child, startMs, stop() }. stderr is kept for the error message if it never comes up. With
 * `ipc`, the child gets Node's IPC channel (used by bench/memory-probe.js).
 */
export async function startNode(args, { env, healthUrl, cwd, ipc = false }) {
  const since = performance.now();
  const child = spawn(process.execPath, args, {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'ignore', 'pipe', ...(ipc ? ['ipc'] : [])],
  });
  // The end of stderr only: a long run must not pile up a chatty server's output here.
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = `${stderr}${d}`.slice(-8_000)));
  let exit;
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      resolve(code);
    }),
  );
  let startMs;
  try {
    startMs = await Promise.race([
      waitFor200(healthUrl, since),
      exited.then((code) => Promise.reject(new Error(`exited (${code}) before answering: ${stderr.slice(-2000)}`))),
    ]);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    pid: child.pid,
    child,
    startMs,
    /** How the process ended ({ code, signal }) and the end of its stderr; undefined while it runs. */
    ended: () => exit && { ...exit, stderr: stderr.slice(-2_000) },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/** One autocannon run against a server process; adds cpuMsPerReq from that process's CPU time. */
export async function cannon(pid, opts) {
  const before = cpuMs(pid);
  const result = await new Promise((resolve, reject) => autocannon(opts, (err, r) => (err ? reject(err) : resolve(r))));
  const after = cpuMs(pid);
  const done = result.requests.total;
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    bad: result.errors + result.timeouts + result.non2xx,
    cpuMsPerReq: before === undefined || after === undefined || done === 0 ? undefined : (after - before) / done,
  };
}

export const median = (xs) => {
  const s = xs.filter((x) => x !== undefined && Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return undefined;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

export const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return undefined;
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

/** Runs a() and b() `rounds` times, alternating which goes first, and returns both lists of results. */
export async function alternate(rounds, a, b) {
  const as = [];
  const bs = [];
  for (let i = 0; i < rounds; i += 1) {
    if (i % 2 === 0) {
      as.push(await a());
      bs.push(await b());
    } else {
      bs.push(await b());
      as.push(await a());
    }
  }
  return { as, bs };
}

/** Runs each of `fns` once a round for `rounds` rounds, the order reversed every other round; one list per fn. */
export async function alternateAll(rounds, fns) {
  const out = fns.map(() => []);
  for (let i = 0; i < rounds; i += 1) {
    const order = fns.map((_, j) => j);
    if (i % 2 === 1) order.reverse();
    for (const j of order) out[j].push(await fns[j]());
  }
  return out;
}

/** Is this URL's host this machine (127.0.0.0/8, ::1, localhost)? The bench sends nothing anywhere else. */
export function isLoopbackUrl(url) {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** A service URL without its credentials, for messages. */
export const withoutCredentials = (url) => {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname}`;
};

/** The standalone sandbox's public demo merchant (docs/sandbox.md), which every bench sandbox serves. */
export const DEMO_CREDS = { userName: 'demo-shop-api', password: 'demo-shop-password' };

/**
 * autocannon's setupRequest for register.do with the demo merchant: a new orderNumber (`<prefix>-<n>`) each request,
 * since the sandbox refuses a number registered again.
 */
export const registerBody = (prefix) => {
  let n = 0;
  return (req) => ({
    ...req,
    body: new URLSearchParams({
      ...DEMO_CREDS,
      orderNumber: `${prefix}-${++n}`,
      amount: '1000',
      returnUrl: 'https://shop.test/return',
    }).toString(),
  });
};
