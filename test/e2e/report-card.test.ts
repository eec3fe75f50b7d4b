/**
 * Our shop, graded by the sandbox's report card (issue 17, item 4): the storefront on a loopback port, the sandbox
 * started in-process with its test helpers on, the merchant's callbacks going to the shop and signed with a key the
 * shop shares. Buyers go through the shop's journeys with supertest (their browser follows the sandbox's return URL),
 * pay without a browser through the test helpers, and the operator captures, reverses and refunds in the back office.
 * What the shop did is read back from the sandbox's journal (GET /sandbox/journal.json); the report card must pass
 * every check.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import {
  CHECK_IDS,
  DEFAULT_MERCHANTS,
  type ApiEntry,
  type CallbackEntry,
  type RunningSandbox,
  type SandboxTestClient,
  type TestOrderState,
  type TrafficEntry,
} from '@rbs-storefront/gateway-sandbox';
import { ADMIN_PASSWORD, confirmAction, login } from '../admin/helpers.js';
import {
  armProbes,
  notPassed,
  readJournal,
  readReport,
  startGradedWorld,
  waitUntil,
  type SandboxAccess,
} from '../helpers/report-card.js';
import { buy, restartShop, startShop, type TestShop } from '../helpers/shop.js';

const OPERATOR_TOKEN = 'report-card-operator-token-0123456789';
const CALLBACK_KEY = 'report-card-callback-key-0123456789abcdef';
const MERCHANT = DEFAULT_MERCHANTS[0]!;
const STATUS_METHODS = new Set(['getOrderStatusExtended', 'getOrderStatus']);

interface World {
  sandbox: RunningSandbox;
  access: SandboxAccess;
  helpers: SandboxTestClient;
  /** The shop's origin on loopback: its PUBLIC_BASE_URL and, with /payment/callback, the merchant's callback URL. */
  shopUrl: string;
  /** The one-phase shop, then (`twoPhase()`) the same shop restarted with PAYMENT_FLOW=two-phase on its database. */
  shop: TestShop;
  twoPhase(): void;
  close(): Promise<void>;
}

async function startWorld(): Promise<World> {
  const graded = await startGradedWorld(
    { ...MERCHANT, callbackKey: CALLBACK_KEY },
    '/payment/callback',
    OPERATOR_TOKEN,
  );
  const { server, shopUrl, sandbox } = graded;
  const first = await startShop({
    gatewayUrl: sandbox.gatewayUrl,
    env: {
      PUBLIC_BASE_URL: shopUrl,
      GATEWAY_CALLBACK_KEY: CALLBACK_KEY,
      ADMIN_PASSWORD,
      BUY_RATE_LIMIT_PER_MINUTE: '1000',
    },
  });
  let current = first;
  server.on('request', (req, res) => void current.app(req, res));
  const world: World = {
    sandbox,
    access: graded.access,
    helpers: graded.helpers,
    shopUrl,
    shop: first,
    twoPhase() {
      current = restartShop(first, { PAYMENT_FLOW: 'two-phase' });
      world.shop = current;
    },
    async close() {
      await graded.closeServer();
      if (current !== first) await current.close();
      await first.close();
      await sandbox.close();
    },
  };
  return world;
}

const isApi = (e: TrafficEntry): e is ApiEntry => e.kind === 'api';
const isCallback = (e: TrafficEntry): e is CallbackEntry => e.kind === 'callback';
const lastSeq = async (world: World) => (await readJournal(world.access, MERCHANT.login)).at(-1)?.seq ?? 0;

/**
 * A return the buyer's browser followed. `sentBackAfter`: the journal's last seq before the payment step that sent the
 * buyer back (the sandbox journals a return at that step, not when the browser arrives); `status`, `text`: the page
 * the shop showed.
 */
interface Return {
  mdOrder: string;
  sentBackAfter: number;
  status: number;
  text: string;
}

/** A buyer presses Buy on a product page; the sandbox's order id from the payment page's URL the shop redirects to. */
async function buyIt(buyer: request.Agent, productId: string) {
  const bought = await buy(buyer, productId);
  expect(bought.status).toBe(303);
  return new URL(bought.headers.location!).searchParams.get('mdOrder')!;
}

/** The payment step that ends on the gateway (`step`), then the buyer's browser follows its redirect to the shop. */
async function payAndComeBack(
  world: World,
  buyer: request.Agent,
  step: () => Promise<TestOrderState>,
): Promise<Return> {
  const sentBackAfter = await lastSeq(world);
  const state = await step();
  const back = new URL(state.returnUrl!);
  expect(back.origin).toBe(world.shopUrl);
  const page = await buyer.get(`${back.pathname}${back.search}`);
  return { mdOrder: state.mdOrder, sentBackAfter, status: page.status, text: page.text };
}

/**
 * Waits until `count` genuine callbacks of the order were answered, then until the shop is done with them (nothing new
 * in the journal for 300 ms: the status request it makes after a callback comes within a few milliseconds here).
 */
async function callbacksDelivered(world: World, mdOrder: string, count: number) {
  const journal = () => readJournal(world.access, MERCHANT.login);
  await waitUntil(`${count} callback(s) of ${mdOrder}`, async () => {
    const genuine = (await journal()).filter((e) => isCallback(e) && e.orderId === mdOrder && e.probe === undefined);
    return genuine.filter((e) => isCallback(e) && e.signed && e.httpStatus !== undefined).length >= count;
  });
  let seen = await lastSeq(world);
  let quietSince = Date.now();
  await waitUntil('the shop to finish with its callbacks', async () => {
    const now = await lastSeq(world);
    if (now !== seen) [seen, quietSince] = [now, Date.now()];
    return Date.now() - quietSince >= 300;
  });
}

/**
 * The shop's journeys: paid with the return followed, declined (the probe's order when armed), 3-D Secure, a partial
 * refund from the back office; then, two-phase, a hold captured and a hold reversed from the back office.
 */
async function shopAtOurShop(world: World, opts: { probes: boolean }) {
  if (opts.probes) await armProbes(world.access, MERCHANT.login);
  const returns: Return[] = [];
  const buyer = request.agent(world.shopUrl);
  const admin = request.agent(world.shopUrl);
  await login(admin).then((r) => expect(r.status).toBe(303));

  const paid = await buyIt(buyer, 'notebook');
  returns.push(await payAndComeBack(world, buyer, () => world.helpers.pay(paid)));
  await callbacksDelivered(world, paid, 1);

  const declined = await buyIt(buyer, 'ceramic-mug');
  returns.push(await payAndComeBack(world, buyer, () => world.helpers.decline(declined)));
  await callbacksDelivered(world, declined, 1);

  const secure = await buyIt(buyer, 'tote-bag');
  expect(await world.helpers.pay(secure, { card: '3ds-challenge' })).toMatchObject({ outcome: 'challenge' });
  returns.push(await payAndComeBack(world, buyer, () => world.helpers.threeDs(secure, { result: 'pass' })));
  await callbacksDelivered(world, secure, 1);

  const paidOrder = world.shop.ledger.findByGatewayOrderId(paid)!;
  await confirmAction(admin, paidOrder.id, 'refund', '1.00').then((r) => expect(r.status).toBe(303));
  await callbacksDelivered(world, paid, 2);

  world.twoPhase();
  const held = await buyIt(buyer, 'coffee-beans');
  returns.push(await payAndComeBack(world, buyer, () => world.helpers.pay(held)));
  await callbacksDelivered(world, held, 1);
  const hold = world.shop.ledger.findByGatewayOrderId(held)!;
  await confirmAction(admin, hold.id, 'capture', (hold.amount / 100).toFixed(2)).then((r) =>
    expect(r.status).toBe(303),
  );
  await callbacksDelivered(world, held, 2);

  const voided = await buyIt(buyer, 't-shirt');
  returns.push(await payAndComeBack(world, buyer, () => world.helpers.pay(voided)));
  await callbacksDelivered(world, voided, 1);
  await confirmAction(admin, world.shop.ledger.findByGatewayOrderId(voided)!.id, 'void').then((r) =>
    expect(r.status).toBe(303),
  );
  await callbacksDelivered(world, voided, 2);

  // Past the time a shop has to ask for a status, so that nothing is left "still waiting".
  await world.helpers.advanceClock(120);
  return { returns, orders: { paid, declined, secure, held, voided } };
}

describe('our shop, as the journal records it', () => {
  let world: World;
  let journeys: Awaited<ReturnType<typeof shopAtOurShop>>;
  let journal: TrafficEntry[];
  beforeAll(async () => {
    world = await startWorld();
    journeys = await shopAtOurShop(world, { probes: false });
    journal = await readJournal(world.access, MERCHANT.login);
  }, 60_000);
  afterAll(() => world?.close());

  const api = (method?: string) => journal.filter(isApi).filter((e) => method === undefined || e.method === method);

  it('shows each buyer, after the return, what the gateway says of the order', () => {
    const heading = (r: Return) => [r.status, /<h1>([^<]*)<\/h1>/.exec(r.text)?.[1]];
    expect(journeys.returns.map(heading)).toEqual([
      [200, 'Payment successful'],
      [200, 'Payment failed'],
      [200, 'Payment successful'],
      [200, 'Order confirmed: you pay when we ship'],
      [200, 'Order confirmed: you pay when we ship'],
    ]);
  });

  it('asks for the status after every payment its buyers come back from, before anything else', () => {
    // The order's first API call after the step that sent the buyer back is a status request (made on the callback
    // or on the return, whichever came first: the shop shows a settled order from its ledger without asking again).
    const firstCall = (r: Return) => api().find((e) => e.orderId === r.mdOrder && e.seq > r.sentBackAfter);
    expect(journeys.returns.map((r) => firstCall(r)?.method)).toEqual(
      journeys.returns.map(() => 'getOrderStatusExtended'),
    );
  });

  it('registers each order once, under its own number, in whole minor units, with valid fields', () => {
    const registers = [...api('register'), ...api('registerPreAuth')];
    expect(registers).toHaveLength(5);
    const numbers = registers.map((e) => e.params.orderNumber);
    expect(new Set(numbers).size).toBe(numbers.length);
    for (const e of registers) {
      expect(e.answer).toMatchObject({ httpStatus: 200 });
      expect(e.params.amount).toMatch(/^[1-9]\d*$/);
      expect(e.params.language).toMatch(/^(en|ru)$/);
      expect(e.params.sessionTimeoutSecs).toMatch(/^[1-9]\d*$/);
      expect(e.params.description!.length).toBeGreaterThan(0);
      expect(e.params.description!.length).toBeLessThanOrEqual(598);
      // http only because the shop is on loopback here; no secret in it.
      expect(e.params.returnUrl).toBe(`${world.shopUrl}/checkout/return`);
      expect(e.params.failUrl).toBe(`${world.shopUrl}/checkout/fail`);
    }
  });

  it('answers every genuine callback 2xx, and knows its news from a status request made after the operation', () => {
    const genuine = journal.filter(isCallback).filter((e) => e.signed);
    expect(genuine.map((e) => e.operation).sort()).toEqual(
      ['approved', 'approved', 'deposited', 'deposited', 'deposited', 'deposited', 'refunded', 'reversed'].sort(),
    );
    expect(genuine.filter((e) => e.httpStatus !== 200)).toEqual([]);
    // The operation a callback reports: the order's last API call before it other than a status request (register
    // for a payment, deposit / reverse / refund for the back office's). A status request must follow that operation.
    // It may come before the callback's own entry: after its capture, reversal or refund the back office asks at once,
    // and the callback arriving meanwhile shares that request (src/payments/gate.ts, onCallback).
    const unconfirmed = genuine.filter((c) => {
      const calls = api().filter((e) => e.orderId === c.orderId);
      const cause = calls.filter((e) => e.seq < c.seq && !STATUS_METHODS.has(e.method)).at(-1)!;
      return !calls.some((e) => STATUS_METHODS.has(e.method) && e.seq > cause.seq);
    });
    expect(unconfirmed).toEqual([]);
  });

  it('refuses a forged and an unsigned callback', async () => {
    const forged = await world.helpers.callback(journeys.orders.paid, 'forged');
    const unsigned = await world.helpers.callback(journeys.orders.paid, 'unsigned');
    expect([forged.answers, unsigned.answers]).toEqual([[{ status: 403 }], [{ status: 403 }]]);
  });

  it('captures and reverses its holds, and refunds within the deposit, once', () => {
    expect(api('deposit').map((e) => [e.orderId, e.answer.errorCode ?? '0'])).toEqual([[journeys.orders.held, '0']]);
    expect(api('reverse').map((e) => [e.orderId, e.answer.errorCode ?? '0'])).toEqual([[journeys.orders.voided, '0']]);
    expect(api('refund').map((e) => [e.orderId, e.params.amount, e.answer.errorCode ?? '0'])).toEqual([
      [journeys.orders.paid, '100', '0'],
    ]);
  });

  it('calls the gateway only from its server, and polls no order more than five times', () => {
    expect(api().filter((e) => e.browser.origin || e.browser.referer)).toEqual([]);
    const perOrder = new Map<string, number>();
    for (const e of api())
      if (STATUS_METHODS.has(e.method)) perOrder.set(e.orderId!, (perOrder.get(e.orderId!) ?? 0) + 1);
    expect([...perOrder.values()].every((n) => n <= 5)).toBe(true);
  });
});

describe('our shop, graded by the report card', () => {
  let world: World;
  let journeys: Awaited<ReturnType<typeof shopAtOurShop>>;
  beforeAll(async () => {
    world = await startWorld();
    journeys = await shopAtOurShop(world, { probes: true });
  }, 60_000);
  afterAll(() => world?.close());

  it('tells the buyer of the declined order, sent back with success-looking parameters (the probe), that it failed', () => {
    const declined = journeys.returns.find((r) => r.mdOrder === journeys.orders.declined)!;
    expect(/<h1>([^<]*)<\/h1>/.exec(declined.text)?.[1]).toBe('Payment failed');
  });

  it('passes every check', async () => {
    const report = await readReport(world.access, MERCHANT.login);
    expect(report.checks.map((c) => c.id)).toEqual([...CHECK_IDS]);
    // The message lists each check that did not pass, with its summary and first evidence.
    expect(report.checks.every((c) => c.verdict === 'pass') ? '' : notPassed(report)).toBe('');
    expect(report.score).toMatchObject({ passed: CHECK_IDS.length, percent: 100 });
  });
});
