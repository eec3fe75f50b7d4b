import { afterAll, beforeAll, expect, test } from '@jest/globals';
import request from 'supertest';
import { createSandboxTestClient, DEFAULT_MERCHANTS, startSandbox } from '@rbs-storefront/gateway-sandbox';
import { createShop } from '../shop.js';

const OPERATOR_TOKEN = 'outside-project-operator-token-0123';
const [merchant] = DEFAULT_MERCHANTS; // the sandbox's public demo merchant
let sandbox, helpers, shop;

beforeAll(async () => {
  // The sandbox inside this jest run: a free loopback port, orders in memory, test helpers on.
  sandbox = await startSandbox({ port: 0, testHelpers: true, operatorToken: OPERATOR_TOKEN });
  helpers = createSandboxTestClient({ baseUrl: sandbox.url, operatorToken: OPERATOR_TOKEN });
  const { userName, password } = merchant;
  shop = createShop({ gatewayUrl: sandbox.gatewayUrl, userName, password, publicUrl: 'http://localhost:3000' });
});
afterAll(() => sandbox.close());

/** Buys through the shop, pays (or declines) without a browser, and comes back as the buyer's browser would. */
async function purchase(pay) {
  const bought = await request(shop).post('/buy/book').expect(303);
  const state = await pay(new URL(bought.headers.location).searchParams.get('mdOrder'));
  const back = new URL(state.returnUrl);
  return request(shop).get(`${back.pathname}${back.search}`).expect(200);
}

test('a buyer pays, another is declined, and the shop tells each the truth', async () => {
  expect((await purchase((mdOrder) => helpers.pay(mdOrder))).text).toBe('Paid');
  expect((await purchase((mdOrder) => helpers.decline(mdOrder))).text).toBe('Not paid');
});

test("the sandbox's report card finds nothing wrong with what the shop did", async () => {
  const report = await helpers.report(merchant.login); // GET /sandbox/report/<login>.json
  const verdicts = Object.fromEntries(report.checks.map((check) => [check.id, check.verdict]));
  expect(verdicts).toMatchObject({ 'status-after-return': 'pass', 'order-number-unique': 'pass' });
  expect(report.checks.filter((check) => check.verdict === 'fail').map((check) => check.id)).toEqual([]);
});
