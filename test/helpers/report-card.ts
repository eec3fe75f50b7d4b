/**
 * The sandbox's journal and report card over HTTP, as a team's CI reads them (issue 17): `GET /sandbox/journal.json`
 * with fetch, the probes and the report card through the package's typed client. Every call takes the operator token.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createSandboxTestClient,
  startSandbox,
  type IntegrationReport,
  type RunningSandbox,
  type SandboxMerchant,
  type SandboxTestClient,
  type TestProbe,
  type TrafficEntry,
} from '@rbs-storefront/gateway-sandbox';

export interface SandboxAccess {
  /** The sandbox's origin, no trailing slash. */
  url: string;
  operatorToken: string;
}

async function call<T>(s: SandboxAccess, path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(`${s.url}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${s.operatorToken}`,
      accept: 'application/json',
      ...(init.body !== undefined && { 'content-type': 'application/json' }),
    },
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** A shop's loopback server and a sandbox (test helpers on) whose one merchant sends its callbacks to it. */
export interface GradedWorld {
  /** Answers nothing until the test gives it the shop: `server.on('request', app)`. */
  server: http.Server;
  /** The server's origin on 127.0.0.1. */
  shopUrl: string;
  sandbox: RunningSandbox;
  access: SandboxAccess;
  helpers: SandboxTestClient;
  /** Closes the shop's server (its connections first); the sandbox is closed by the caller, in its own order. */
  closeServer(): Promise<void>;
}

/** Starts the shop's server first, since the merchant's callback URL (`callbackPath` on it) names its port. */
export async function startGradedWorld(
  merchant: SandboxMerchant,
  callbackPath: string,
  operatorToken: string,
): Promise<GradedWorld> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const shopUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sandbox = await startSandbox({
    port: 0,
    testHelpers: true,
    operatorToken,
    merchants: [{ ...merchant, callbackUrl: `${shopUrl}${callbackPath}` }],
  });
  return {
    server,
    shopUrl,
    sandbox,
    access: { url: sandbox.url, operatorToken },
    helpers: createSandboxTestClient({ baseUrl: sandbox.url, operatorToken }),
    async closeServer() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The package's typed client of the test helpers and the report card, for this sandbox. */
const client = (s: SandboxAccess) => createSandboxTestClient({ baseUrl: s.url, operatorToken: s.operatorToken });

/** Arms the report card's probes for the merchant's next declined return and next genuine callback (default both). */
export const armProbes = (s: SandboxAccess, login: string, probes?: readonly TestProbe[]) =>
  client(s).armProbes(login, probes);

/** The merchant's report card. */
export const readReport = (s: SandboxAccess, login: string): Promise<IntegrationReport> => client(s).report(login);

/** The merchant's journal, oldest first (at most 1000 entries: a test's journeys stay far below). */
export async function readJournal(s: SandboxAccess, login: string): Promise<TrafficEntry[]> {
  const { entries } = await call<{ entries: TrafficEntry[] }>(
    s,
    `/sandbox/journal.json?merchant=${encodeURIComponent(login)}&limit=1000`,
  );
  return entries.reverse();
}

/** Polls `ready` every 20 ms until it holds; a readable error naming `what` after `timeoutMs`. */
export async function waitUntil(what: string, ready: () => boolean | Promise<boolean>, timeoutMs = 5000) {
  const until = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The ids of the checks a report fails, in the report's order. */
export const failingChecks = (report: IntegrationReport) =>
  report.checks.filter((c) => c.verdict === 'fail').map((c) => c.id);

/** Every check that did not pass, with its summary and first evidence: a failure message a person can act on. */
export function notPassed(report: IntegrationReport): string {
  return report.checks
    .filter((c) => c.verdict !== 'pass')
    .map((c) => {
      const first = c.evidence[0];
      const evidence = first
        ? ` (seq ${first.seq}${first.orderId ? `, order ${first.orderId}` : ''}: ${first.what.en})`
        : '';
      return `${c.id}: ${c.verdict}: ${c.summary.en}${evidence}`;
    })
    .join('\n');
}
