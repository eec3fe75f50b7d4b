// docs/security.md #22: the password/token is a form field of every call, so every error and event the
// client produces is serialised every way a logger might, and must never contain the canary.
import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import {
  createGatewayClient,
  type GatewayAuth,
  type GatewayCallEvent,
  type GatewayClient,
} from '../../src/gateway/index.js';
import {
  replies,
  startMisbehavingGateway,
  type Behaviour,
  type MisbehavingGateway,
} from '../helpers/misbehaving-gateway.js';
import { FAST_TIMEOUTS, REGISTER } from '../helpers/gateway-client.js';

const CANARY = 'canary-S3cr3t+pw/&=42';
const TOKEN_CANARY = 'canary-token-9f8e7d';

// Each scenario scripts one fault; several echo the credential back, as a buggy gateway or proxy might.
const scenarios: Array<[string, Behaviour, (c: GatewayClient) => Promise<unknown>]> = [
  ['register timeout', { register: replies.hang() }, (c) => c.register(REGISTER)],
  ['register reset', { register: replies.reset() }, (c) => c.register(REGISTER)],
  [
    'register HTTP 500 echoing the body',
    { register: (f) => replies.http(500, `<pre>${new URLSearchParams(f).toString()}</pre>`) },
    (c) => c.register(REGISTER),
  ],
  ['register HTTP 429', { register: replies.http(429) }, (c) => c.register(REGISTER)],
  [
    'malformed JSON quoting the password',
    { register: (f) => ({ body: `{"oops": "${f.password ?? f.token}"` }) },
    (c) => c.register(REGISTER),
  ],
  ['HTML body', { register: replies.html() }, (c) => c.register(REGISTER)],
  [
    'rejection echoing the password',
    { register: (f) => replies.rejected('5', `Access denied for ${f.password ?? f.token}`) },
    (c) => c.register(REGISTER),
  ],
  ['missing formUrl', { register: replies.json({ orderId: 'o' }) }, (c) => c.register(REGISTER)],
  [
    'foreign formUrl with the secret in it',
    {
      register: (f) =>
        replies.json({
          orderId: 'o',
          formUrl: `https://evil.example/${encodeURIComponent(f.password ?? f.token ?? '')}`,
        }),
    },
    (c) => c.register(REGISTER),
  ],
  [
    'status retried then failing',
    { getOrderStatusExtended: replies.http(503) },
    (c) => c.getOrderStatusExtended({ orderId: 'o' }),
  ],
  [
    'status with a bad schema echoing the password',
    { getOrderStatusExtended: (f) => replies.json({ orderNumber: f.password ?? f.token, orderStatus: 'x' }) },
    (c) => c.getOrderStatusExtended({ orderId: 'o' }),
  ],
  ['deposit timeout', { deposit: replies.hang() }, (c) => c.deposit({ orderId: 'o', amount: 0 })],
  [
    'refund rejected',
    { refund: replies.rejected(7, 'Refund amount exceeds deposited amount') },
    (c) => c.refund({ orderId: 'o', amount: 1 }),
  ],
];

const stalls = (behaviour: Behaviour) =>
  Object.values(behaviour).some((script) => typeof script === 'object' && script.hang === true);

/** Every string reachable from the value, including non-enumerable Error props and the cause chain. */
function deepStrings(value: unknown, seen = new Set<unknown>()): string[] {
  if (typeof value === 'string') return [value];
  if (value === null || typeof value !== 'object' || seen.has(value)) return [];
  seen.add(value);
  return Object.getOwnPropertyNames(value).flatMap((k) => deepStrings((value as Record<string, unknown>)[k], seen));
}

function logWithPino(error: unknown): string {
  let out = '';
  const sink = new Writable({ write: (chunk: Buffer, _enc, done) => ((out += chunk.toString()), done()) });
  pino({}, sink).error({ err: error }, 'gateway call failed');
  return out;
}

describe.each<[string, GatewayAuth, string]>([
  ['password', { userName: 'shop-api', password: CANARY }, CANARY],
  ['token', { token: TOKEN_CANARY }, TOKEN_CANARY],
])('with a canary %s', (_label, auth, secret) => {
  let gw: MisbehavingGateway;
  const behaviours = new Map<string, Behaviour>(scenarios.map(([name, b]) => [name, b]));
  let current: Behaviour = {};
  beforeAll(async () => {
    // One server whose script is swapped per scenario keeps the suite fast.
    gw = await startMisbehavingGateway((form, ctx) => {
      const script = current[ctx.method];
      if (script === undefined) return replies.http(404);
      return typeof script === 'function' ? script(form, ctx) : script;
    });
  });
  afterAll(() => gw.close());

  it.each(scenarios.map(([name, , run]) => [name, run] as const))(
    'when %s, then no serialisation of the error or the events contains the credential',
    async (name, run) => {
      current = behaviours.get(name) ?? {};
      const events: GatewayCallEvent[] = [];
      const client = createGatewayClient({
        baseUrl: gw.baseUrl,
        auth,
        // A stalled gateway is cut short quickly; every other scenario keeps a budget a busy machine never hits.
        timeouts: stalls(current) ? FAST_TIMEOUTS.timeouts : { operationMs: 3000, statusMs: 3000 },
        statusRetryDelayMs: 1,
        onCall: (e) => events.push(e),
      });
      const before = gw.requests.length;
      const error = await run(client).then(
        () => undefined,
        (e: unknown) => e,
      );

      expect(error).toBeInstanceOf(Error);
      // Control: the credential really was on the wire, so its absence below means something.
      expect(gw.requests.slice(before).some((r) => Object.values(r.form).includes(secret))).toBe(true);
      const renderings = [
        String(error),
        (error as Error).stack ?? '',
        JSON.stringify(error),
        inspect(error, { showHidden: true, depth: Infinity }),
        ...deepStrings(error),
        logWithPino(error),
        JSON.stringify(events),
      ];
      for (const text of renderings) {
        expect(text).not.toContain(secret);
        expect(text).not.toContain(encodeURIComponent(secret));
      }
    },
  );

  it('when the gateway refuses the connection, then the error does not contain the credential', async () => {
    const closed = await startMisbehavingGateway();
    await closed.close();
    const client = createGatewayClient({ baseUrl: closed.baseUrl, auth });
    const error = await client.register(REGISTER).catch((e: unknown) => e);
    expect(inspect(error, { showHidden: true, depth: Infinity })).not.toContain(secret);
    expect(deepStrings(error).join('\n')).not.toContain(secret);
  });
});
