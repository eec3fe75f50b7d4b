import request from 'supertest';
import type { Order } from '../../src/orders/types.js';
import { payOnHostedPage } from '../../packages/gateway-sandbox/test/helpers/sandbox-buyer.js';
import { buy, csrfTokenFrom, startShop, type StartShopOptions, type TestShop } from '../helpers/shop.js';

/** The operator's password in these tests; also the canary no log line may contain. */
export const ADMIN_PASSWORD = 'canary-Adm1n-passw0rd';

/** A shop (real sandbox, real ledger) with the back office on, logged in as `admin` with ADMIN_PASSWORD. */
export function startAdminShop(
  env: Record<string, string> = {},
  opts: Omit<StartShopOptions, 'env'> = {},
): Promise<TestShop> {
  return startShop({ ...opts, env: { ADMIN_PASSWORD, BUY_RATE_LIMIT_PER_MINUTE: '1000', ...env } });
}

/** Opens the login page and logs in; resolves with the response to the POST. */
export async function login(agent: request.Agent, password = ADMIN_PASSWORD, user = 'admin') {
  const page = await agent.get('/admin/login').expect(200);
  return agent
    .post('/admin/login')
    .type('form')
    .send({ _csrf: csrfTokenFrom(page.text), user, password });
}

/** The CSRF token on a back-office page the agent can open. */
export async function tokenOf(agent: request.Agent, path = '/admin/orders'): Promise<string> {
  const page = await agent.get(path).expect(200);
  return csrfTokenFrom(page.text);
}

/** A buyer buys `productId` and pays with the approved test card; the order after the return page. */
export async function paidOrder(shop: TestShop, productId = 'notebook', quantity = 1): Promise<Order> {
  const buyer = request.agent(shop.app);
  const bought = await buy(buyer, productId, quantity);
  const paid = await payOnHostedPage(bought.headers.location!, { pan: '4111 1111 1111 1111' });
  // The return, on whatever PUBLIC_BASE_URL the shop has (a live shop's differs from SHOP_URL).
  const back = new URL(paid.redirectUrl!);
  await buyer.get(`${back.pathname}${back.search}`).expect(200);
  const gatewayOrderId = back.searchParams.get('orderId')!;
  return shop.ledger.findByGatewayOrderId(gatewayOrderId)!;
}

/** The one-time token of a confirm page's form (capture, void, refund), if the page has a form. */
export function intentTokenFrom(html: string): string | undefined {
  return /name="intent" value="([^"]+)"/.exec(html)?.[1];
}

/** Opens the confirm page of an action (whatever its status) and returns the fields its form would post. */
export async function confirmForm(agent: request.Agent, orderId: number, action: string) {
  const page = await agent.get(`/admin/orders/${orderId}/${action}`);
  const intent = intentTokenFrom(page.text);
  const _csrf =
    /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? (await tokenOf(agent, `/admin/orders/${orderId}`));
  return { _csrf, ...(intent !== undefined && { intent }) };
}

/** Posts fields to an action's URL, as the browser does when the form is submitted (again). */
export function postAction(agent: request.Agent, orderId: number, action: string, fields: Record<string, string>) {
  return agent.post(`/admin/orders/${orderId}/${action}`).type('form').send(fields);
}

/** Opens the confirm page of an action and posts its form, as the operator would after reading it. */
export async function confirmAction(agent: request.Agent, orderId: number, action: string, amount?: string) {
  const form = await confirmForm(agent, orderId, action);
  return postAction(agent, orderId, action, { ...form, ...(amount !== undefined && { amount }) });
}
