/**
 * deploy/nginx/shop.conf, the load balancer of compose.scale.yaml, run by the real nginx binary: only its listen
 * address and the two upstream addresses are rewritten (to 127.0.0.1 ports), everything else is the file as shipped.
 * Behind it, two small Express apps stand in for shop-a and shop-b, with the shop's own `trust proxy` setting taken
 * from compose.scale.yaml through loadConfig, and record what reaches them.
 *
 * nginx missing: skipped with a loud warning on a developer machine (apt-get install -y nginx), a failure in CI.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import express from 'express';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config.js';
import {
  NGINX_MISSING_IN_CI,
  nginxPlan,
  prepareBalancer,
  startBalancer,
  warnNginxSkipped,
  type Balancer,
} from '../helpers/nginx.js';
import { REPO_ROOT } from '../helpers/page-leaks.js';

const TIMEOUT = 30_000;

/** The shops' TRUST_PROXY in compose.scale.yaml, as the shop parses it (src/app.ts sets `trust proxy` to it). */
const TRUST_PROXY = (() => {
  const scale = parse(readFileSync(path.join(REPO_ROOT, 'compose.scale.yaml'), 'utf8'), { merge: true }) as {
    services: Record<string, { environment: Record<string, string> }>;
  };
  return loadConfig({
    NODE_ENV: 'test',
    SESSION_SECRET: 'nginx-test-session-secret-0123456789',
    TRUST_PROXY: scale.services['shop-a']?.environment.TRUST_PROXY,
  }).trustProxy;
})();

/**
 * The buyer's address as nginx sees it. On Linux all of 127.0.0.0/8 is local, so the client connects from
 * 127.0.0.2 while nginx reaches the upstreams from 127.0.0.1: the address the shop computes can then only come from
 * the header, never from the socket. Elsewhere only 127.0.0.1 may exist.
 */
const CLIENT = process.platform === 'linux' ? '127.0.0.2' : '127.0.0.1';
/** A forged client address; loopback, like every address in the tests. */
const FORGED = '127.0.0.99';

const plan = nginxPlan();
if (plan === 'skip') warnNginxSkipped('test/deploy/nginx-lb.test.ts (the load balancer of compose.scale.yaml)');
const suite = plan === 'skip' ? describe.skip : describe;

// --- the upstreams --------------------------------------------------------------------------------------------------

interface Seen {
  id: string | undefined;
  method: string;
  /** The raw X-Forwarded-For header as it arrived. */
  xff: string | undefined;
  /** The client address the shop would use (Express's req.ip under the shop's `trust proxy`). */
  ip: string | undefined;
  protocol: string;
  /** req.host: what the shop's canonical-host check compares with PUBLIC_BASE_URL. */
  host: string | undefined;
  headers: http.IncomingHttpHeaders;
}

interface Upstream {
  name: string;
  port: number;
  seen: Seen[];
  close(): Promise<void>;
}

/**
 * 'ok' answers 200 with its name. 'drop' reads the whole request, then cuts the connection without an answer: a
 * shop dying in the middle of a request. 'refuse' is a port nobody listens on any more: a shop being restarted.
 */
type Mode = 'ok' | 'drop' | 'refuse';

async function startUpstream(name: string, mode: Mode): Promise<Upstream> {
  const seen: Seen[] = [];
  const app = express();
  app.set('trust proxy', TRUST_PROXY);
  app.use(express.text({ type: () => true, limit: '1mb' }));
  app.use((req, res) => {
    seen.push({
      id: req.get('x-test-id'),
      method: req.method,
      xff: req.get('x-forwarded-for'),
      ip: req.ip,
      protocol: req.protocol,
      host: req.host,
      headers: req.headers,
    });
    if (mode === 'drop') {
      req.socket.destroy();
      return;
    }
    res.json({ upstream: name });
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  if (mode === 'refuse') await close();
  return { name, port, seen, close: mode === 'refuse' ? () => Promise.resolve() : close };
}

// --- the client -----------------------------------------------------------------------------------------------------

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request on a new connection from CLIENT; resolves with the answer even if the body could not all be sent. */
function send(
  port: number,
  method: string,
  target: string,
  opts: { headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request(
      { host: '127.0.0.1', port, method, path: target, headers: opts.headers, localAddress: CLIENT, agent: false },
      (res) => {
        answered = true;
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    req.end(opts.body);
  });
}

const servedBy = (answer: Answer) => (JSON.parse(answer.body) as { upstream: string }).upstream;

/** Starts two upstreams and a balancer in front of them, runs `fn`, and stops all three whatever happens. */
async function withBalancer(
  modes: [Mode, Mode],
  fn: (lb: Balancer, a: Upstream, b: Upstream) => Promise<void>,
): Promise<void> {
  const a = await startUpstream('shop-a', modes[0]);
  const b = await startUpstream('shop-b', modes[1]);
  let lb: Balancer | undefined;
  try {
    lb = await startBalancer([a.port, b.port]);
    await fn(lb, a, b);
  } finally {
    await lb?.stop();
    await a.close();
    await b.close();
  }
}

// --- the tests ------------------------------------------------------------------------------------------------------

suite('the nginx load balancer (deploy/nginx/shop.conf, real nginx)', () => {
  beforeAll(() => {
    if (plan === 'fail') throw new Error(NGINX_MISSING_IN_CI);
  });

  it('is accepted by nginx -t with only its addresses changed, and the shops run with TRUST_PROXY=1', () => {
    expect(TRUST_PROXY).toBe(1);
    const { prefix, test, ok } = prepareBalancer(8080, 3000, 3001);
    try {
      expect(test).toContain('test is successful');
      expect(ok).toBe(true);
    } finally {
      rmSync(prefix, { recursive: true, force: true });
    }
  });

  it(
    'alternates requests between the two shops, GETs and POSTs alike (round-robin, no stickiness)',
    () =>
      withBalancer(['ok', 'ok'], async (lb, a, b) => {
        const order: string[] = [];
        for (let i = 0; i < 8; i++) {
          const answer = await send(lb.port, i % 2 ? 'POST' : 'GET', '/', {
            headers: { cookie: 'sid=the-same-browser' },
            body: i % 2 ? 'product=mug' : undefined,
          });
          expect(answer.status).toBe(200);
          order.push(servedBy(answer));
        }
        for (let i = 1; i < order.length; i++) expect(order[i]).not.toBe(order[i - 1]);
        expect(a.seen).toHaveLength(4);
        expect(b.seen).toHaveLength(4);
      }),
    TIMEOUT,
  );

  it(
    'gives the shop the client’s address, never a forged X-Forwarded-For, and http as the protocol',
    () =>
      withBalancer(['ok', 'ok'], async (lb, a, b) => {
        const host = `127.0.0.1:${lb.port}`;
        const answer = await send(lb.port, 'GET', '/products/ceramic-mug', {
          headers: {
            'x-forwarded-for': FORGED,
            'x-real-ip': FORGED,
            forwarded: `for=${FORGED};proto=https`,
            'x-forwarded-proto': 'https',
            'x-forwarded-host': 'forged.invalid',
          },
        });
        expect(answer.status).toBe(200);
        expect(answer.headers.server).toBe('nginx'); // server_tokens off: no version
        const [seen] = [...a.seen, ...b.seen];
        if (!seen) throw new Error('no upstream received the request');
        // Set, not appended: the forged entry is gone, so no TRUST_PROXY value could pick it.
        expect(seen.xff).toBe(CLIENT);
        expect(seen.ip).toBe(CLIENT);
        expect(seen.headers['x-real-ip']).toBe(CLIENT);
        expect(seen.headers.forwarded).toBeUndefined();
        expect(JSON.stringify(seen.headers)).not.toContain(FORGED);
        expect(seen.headers['x-forwarded-proto']).toBe('http');
        expect(seen.protocol).toBe('http');
        // The Host the browser used, port included: the shop compares it with PUBLIC_BASE_URL.
        expect(seen.headers.host).toBe(host);
        expect(seen.headers['x-forwarded-host']).toBe(host);
        expect(seen.host).toBe(host);
      }),
    TIMEOUT,
  );

  it(
    'retries a GET on the other shop when the first one drops the connection mid-request',
    () =>
      withBalancer(['drop', 'ok'], async (lb, a, b) => {
        for (let i = 0; i < 4; i++) {
          const answer = await send(lb.port, 'GET', '/products/ceramic-mug', { headers: { 'x-test-id': `get-${i}` } });
          expect(answer.status).toBe(200);
          expect(servedBy(answer)).toBe('shop-b');
        }
        // shop-a did get some of them, and each of those was then answered by shop-b.
        expect(a.seen.length).toBeGreaterThan(0);
        for (const dropped of a.seen) expect(b.seen.map((s) => s.id)).toContain(dropped.id);
      }),
    TIMEOUT,
  );

  /** Four POSTs to `target` through the balancer while shop-a drops every request it reads: what each one got. */
  async function postsWithADropping(target: string): Promise<{ statuses: number[]; a: Upstream; b: Upstream }> {
    let out: { statuses: number[]; a: Upstream; b: Upstream } | undefined;
    await withBalancer(['drop', 'ok'], async (lb, a, b) => {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        const answer = await send(lb.port, 'POST', target, {
          headers: { 'x-test-id': `post-${i}`, 'content-type': 'application/x-www-form-urlencoded' },
          body: 'productId=ceramic-mug&quantity=1',
        });
        statuses.push(answer.status);
        if (answer.status === 200) expect(servedBy(answer)).toBe('shop-b');
      }
      // Round-robin over both shops: shop-a had its turns, and read every POST it got.
      expect(a.seen.length).toBeGreaterThan(0);
      out = { statuses, a, b };
    });
    if (!out) throw new Error('the balancer did not run');
    return out;
  }

  it.each([
    '/buy',
    '/admin/orders/0123456789abcdef/capture',
    '/admin/orders/0123456789abcdef/refund',
    '/admin/orders/0123456789abcdef/receipts',
  ])(
    'resends POST %s, which the shop makes safe to repeat, to the other shop when the first fails after reading it',
    async (target) => {
      const { statuses, a, b } = await postsWithADropping(target);
      expect(statuses).toEqual([200, 200, 200, 200]);
      // Each one shop-a dropped was then answered by shop-b: the buyer saw no 502.
      const atB = b.seen.map((s) => s.id);
      for (const dropped of a.seen) expect(atB).toContain(dropped.id);
      expect(b.seen).toHaveLength(4);
    },
    TIMEOUT,
  );

  it.each(['/admin/login', '/admin/logout', '/buy/', '/admin/orders/0123456789abcdef/capture/x', '/payment/callback'])(
    'never resends any other POST (%s) that reached a shop which then failed: a 502, and the other shop nothing',
    async (target) => {
      const { statuses, a, b } = await postsWithADropping(target);
      const failed = statuses.filter((s) => s === 502).length;
      expect(failed).toBeGreaterThan(0);
      expect(statuses.filter((s) => s !== 502 && s !== 200)).toEqual([]);
      // Every POST reached exactly one shop: those shop-a dropped are the 502s, and shop-b never saw them.
      expect(a.seen).toHaveLength(failed);
      expect(b.seen).toHaveLength(4 - failed);
      const atB = new Set(b.seen.map((s) => s.id));
      for (const dropped of a.seen) expect(atB.has(dropped.id)).toBe(false);
    },
    TIMEOUT,
  );

  it(
    'sends a POST to the other shop when the first one refuses the connection (it never received it)',
    () =>
      withBalancer(['refuse', 'ok'], async (lb, _a, b) => {
        for (let i = 0; i < 4; i++) {
          const answer = await send(lb.port, i % 2 ? 'GET' : 'POST', '/buy', { body: i % 2 ? undefined : 'x=1' });
          expect(answer.status).toBe(200);
          expect(servedBy(answer)).toBe('shop-b');
        }
        expect(b.seen).toHaveLength(4);
      }),
    TIMEOUT,
  );

  it(
    'answers its own /healthz and refuses a large body itself, without asking a shop',
    () =>
      withBalancer(['ok', 'ok'], async (lb, a, b) => {
        const health = await send(lb.port, 'GET', '/healthz');
        expect(health).toMatchObject({ status: 200, body: 'ok\n' });
        const big = await send(lb.port, 'POST', '/buy', {
          body: 'x'.repeat(100 * 1024),
          headers: { 'x-test-id': randomUUID() },
        });
        expect(big.status).toBe(413);
        expect(big.body).not.toMatch(/nginx\/\d/); // no version on error pages either
        expect([...a.seen, ...b.seen]).toEqual([]);
      }),
    TIMEOUT,
  );
});
