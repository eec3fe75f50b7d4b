/**
 * examples/naive-shop: a page of code that makes, on purpose, the mistakes the sandbox's report card names (issue 17,
 * item 4). Driven like a team's CI would drive it: the sandbox started in-process with its test helpers on, the shop
 * on a loopback port as the merchant's callback URL, buyers through supertest, payments without a browser through
 * the test helpers. What the shop did is read back from the sandbox's journal (GET /sandbox/journal.json), and the
 * report card must fail exactly the checks its README lists.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import {
  type CheckId,
  type RunningSandbox,
  type SandboxTestClient,
  type TrafficEntry,
} from '@rbs-storefront/gateway-sandbox';
import { createNaiveShop } from '../../examples/naive-shop/shop.js';
import {
  armProbes,
  failingChecks,
  readJournal,
  readReport,
  startGradedWorld,
  waitUntil,
  type SandboxAccess,
} from '../helpers/report-card.js';

const OPERATOR_TOKEN = 'naive-shop-operator-token-0123456789';
const MERCHANT = {
  login: 'naive-shop',
  userName: 'naive-shop-api',
  password: 'naive-shop-password-0123456789',
  callbackKey: 'naive-shop-callback-key-0123456789abcdef',
  allowTwoPhase: false,
};
/** The host name buyers reach the shop by (behind a proxy in real life); the shop builds its return URL from it. */
const PUBLIC_HOST = 'naive-shop.example';

/** The checks the naive shop fails, as its README lists them (in the report's order). */
const NAIVE_FAILS: CheckId[] = [
  'status-after-return',
  'decision-follows-status',
  'order-number-unique',
  'amounts-minor-units',
  'return-url-safe',
  'callbacks-answered',
  'forged-callbacks-refused',
];

interface World {
  sandbox: RunningSandbox;
  access: SandboxAccess;
  helpers: SandboxTestClient;
  shopUrl: string;
  close(): Promise<void>;
}

/** The naive shop on a loopback port, and a sandbox whose merchant sends its callbacks there, signed with a key. */
async function startWorld(): Promise<World> {
  const graded = await startGradedWorld(MERCHANT, '/callback', OPERATOR_TOKEN);
  const { server, shopUrl, sandbox } = graded;
  server.on('request', createNaiveShop({ gatewayUrl: sandbox.gatewayUrl, ...MERCHANT }));
  return {
    sandbox,
    access: graded.access,
    helpers: graded.helpers,
    shopUrl,
    async close() {
      await sandbox.close();
      await graded.closeServer();
    },
  };
}

/** A buyer presses Buy; the sandbox's order id when the shop sent the buyer to the payment page. */
async function buy(world: World, productId: string) {
  const res = await request(world.shopUrl).get(`/buy/${productId}`).set('Host', PUBLIC_HOST);
  const location = res.status === 302 ? res.headers.location : undefined;
  return { res, mdOrder: location ? new URL(location).searchParams.get('mdOrder')! : undefined };
}

/** The buyer's browser follows the gateway's redirect back to the shop (its public host, our loopback port). */
async function comeBack(world: World, returnUrl: string | undefined) {
  const back = new URL(returnUrl!);
  expect(back.host).toBe(PUBLIC_HOST);
  return request(world.shopUrl).get(`${back.pathname}${back.search}`).set('Host', PUBLIC_HOST).expect(200);
}

const callbacksOf = async (world: World, mdOrder: string) =>
  (await readJournal(world.access, MERCHANT.login)).filter((e) => e.kind === 'callback' && e.orderId === mdOrder);

/**
 * The naive shop's buyers: a mug paid (its callback delivered), a poster declined, a T-shirt whose float amount the
 * gateway refuses, and a second mug under the first one's order number. Then the clock moves past the time a shop
 * has to ask for a status, so that every silence counts.
 */
async function shopAtTheNaiveShop(world: World, opts: { probes: boolean }) {
  if (opts.probes) await armProbes(world.access, MERCHANT.login);
  const mug = await buy(world, 'mug');
  const paid = await world.helpers.pay(mug.mdOrder!);
  expect(paid).toMatchObject({ outcome: 'approved', orderStatus: 2 });
  // The genuine callback; with the forged-callbacks probe armed, its forged and unsigned copies follow it.
  const copies = opts.probes ? 3 : 1;
  await waitUntil(
    'the callbacks of the paid order',
    async () => (await callbacksOf(world, mug.mdOrder!)).length >= copies,
  );
  const paidPage = await comeBack(world, paid.returnUrl);

  const poster = await buy(world, 'poster');
  const declined = await world.helpers.decline(poster.mdOrder!);
  expect(declined).toMatchObject({ outcome: 'declined', orderStatus: 6 });
  const declinedPage = await comeBack(world, declined.returnUrl);
  await waitUntil(
    'the callback of the declined order',
    async () => (await callbacksOf(world, poster.mdOrder!)).length >= 1,
  );

  const tshirt = await buy(world, 'tshirt');
  const mugAgain = await buy(world, 'mug');
  await world.helpers.advanceClock(120);
  return { mug, paidPage, poster, declinedPage, tshirt, mugAgain };
}

describe('the naive shop (examples/naive-shop), as the journal records it', () => {
  let world: World;
  let bought: Awaited<ReturnType<typeof shopAtTheNaiveShop>>;
  let journal: TrafficEntry[];
  beforeAll(async () => {
    world = await startWorld();
    bought = await shopAtTheNaiveShop(world, { probes: false });
    // What the forged-callbacks probe will do on its own: a forged and an unsigned copy of the paid order's callback.
    const forged = await world.helpers.callback(bought.mug.mdOrder!, 'forged');
    const unsigned = await world.helpers.callback(bought.mug.mdOrder!, 'unsigned');
    expect([forged.answers, unsigned.answers]).toEqual([[{ status: 200 }], [{ status: 200 }]]);
    journal = await readJournal(world.access, MERCHANT.login);
  });
  afterAll(() => world?.close());

  const registers = () => journal.filter((e) => e.kind === 'api' && e.method === 'register');

  it('registers the same order number for each buyer of a product, and the gateway refuses the second mug', () => {
    expect(registers().map((e) => e.kind === 'api' && [e.params.orderNumber, e.answer.errorCode ?? '0'])).toEqual([
      ['order-mug', '0'],
      ['order-poster', '0'],
      ['order-tshirt', '5'],
      ['order-mug', '1'],
    ]);
    expect(bought.mugAgain.res.status).toBe(502);
  });

  it('computes minor units with floats: 19.99 × 100 is sent as 1998.9999999999998, and refused', () => {
    expect(registers().map((e) => e.kind === 'api' && e.params.amount)).toEqual([
      '1250',
      '825',
      '1998.9999999999998',
      '1250',
    ]);
    expect(bought.tshirt.res.status).toBe(502);
  });

  it('builds an http return URL from the Host header', () => {
    expect(new Set(registers().map((e) => e.kind === 'api' && e.params.returnUrl))).toEqual(
      new Set([`http://${PUBLIC_HOST}/return`]),
    );
  });

  it('never asks for a status: a declined buyer is told the order is paid', () => {
    expect(new Set(journal.filter((e) => e.kind === 'api').map((e) => e.kind === 'api' && e.method))).toEqual(
      new Set(['register']),
    );
    expect(bought.paidPage.text).toContain('Mug is paid');
    expect(bought.declinedPage.text).toContain('Poster is paid');
  });

  it('at least calls the gateway from its server: no browser Origin or Referer on its API calls', () => {
    const api = journal.filter((e) => e.kind === 'api');
    expect(api.map((e) => e.kind === 'api' && e.browser)).toEqual(api.map(() => ({ origin: false, referer: false })));
  });

  it('answers every callback 200: the genuine one, and a forged and an unsigned copy', () => {
    const callbacks = journal.filter((e) => e.kind === 'callback');
    expect(callbacks.map((e) => e.kind === 'callback' && [e.orderId, e.signed, e.httpStatus])).toEqual(
      expect.arrayContaining([
        [bought.mug.mdOrder, true, 200],
        [bought.mug.mdOrder, false, 200],
      ]),
    );
    expect(callbacks.every((e) => e.kind === 'callback' && e.httpStatus === 200)).toBe(true);
    // Three for the paid mug: the genuine, the forged (signed with another key), the unsigned.
    expect(callbacks.filter((e) => e.orderId === bought.mug.mdOrder)).toHaveLength(3);
  });
});

describe('the naive shop (examples/naive-shop), graded by the report card', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
    await shopAtTheNaiveShop(world, { probes: true });
  });
  afterAll(() => world?.close());

  it('fails exactly the checks its README names, and no other', async () => {
    const report = await readReport(world.access, MERCHANT.login);
    expect(failingChecks(report)).toEqual(NAIVE_FAILS);
    expect(report.score.failed).toBe(NAIVE_FAILS.length);
    // The probes did their part: a success-looking return and a forged and an unsigned callback are in the journal.
    const journal = await readJournal(world.access, MERCHANT.login);
    expect(journal.filter((e) => e.kind === 'page' && e.probe === 'success-looking-return')).toHaveLength(1);
    expect(journal.flatMap((e) => (e.kind === 'callback' && e.probe ? [[e.probe, e.httpStatus]] : []))).toEqual(
      expect.arrayContaining([
        ['forged', 200],
        ['unsigned', 200],
      ]),
    );
    // The card names no secret of the merchant or the operator.
    const text = JSON.stringify(report);
    for (const secret of [MERCHANT.password, MERCHANT.callbackKey, OPERATOR_TOKEN]) expect(text).not.toContain(secret);
  });
});
