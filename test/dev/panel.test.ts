/**
 * The developer panel (docs/decisions/0009-developer-panel.md): per order, the gateway calls the shop made and the
 * callbacks it received, with no credential anywhere; loopback clients only; absent in production.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { DEFAULT_MERCHANTS } from '@rbs-storefront/gateway-sandbox';
import { keptDevPanelToken } from '../../src/config.js';
import { DEV_PANEL_COOKIE, isLoopback } from '../../src/dev/routes.js';
import { payOnHostedPage } from '../../packages/gateway-sandbox/test/helpers/sandbox-buyer.js';
import { freePort, startShopProcess } from '../helpers/shop-process.js';
import { signCallback } from '../helpers/callback-signature.js';
import { buy, scriptedShopPerTest, shopPath, startShop, type TestShop } from '../helpers/shop.js';

const merchant = DEFAULT_MERCHANTS[0]!;
const CALLBACK_KEY = 'dev-panel-test-callback-key';
const LINK_TEXT = 'What happened on the wire';

/** A browser on this machine that opened the panel's link with its token, as the start-up block tells the developer. */
async function panelAgent(shop: TestShop): Promise<request.Agent> {
  const agent = request.agent(shop.app);
  await agent.get(`/dev?token=${keptDevPanelToken(shop.config.dataDir)}`).expect(303);
  return agent;
}

/**
 * A browser the panel does not let in buys and pays: /dev and the order's page are 404, and the outcome page names
 * the order without the panel's link. Returns that page.
 */
async function buyWithoutPanel(shop: TestShop): Promise<string> {
  const agent = request.agent(shop.app);
  const bought = await buy(agent, 'notebook');
  expect(bought.status).toBe(303);
  const { orderNumber } = shop.ledger.listRecent(1)[0]!;
  await agent.get('/dev').expect(404);
  await agent.get(`/dev/orders/${orderNumber}`).expect(404);
  const paid = await payOnHostedPage(bought.headers.location!, { pan: '4111111111111111' });
  const back = await agent.get(shopPath(paid.redirectUrl!)).expect(200);
  expect(back.text).toContain(orderNumber);
  expect(back.text).not.toContain(LINK_TEXT);
  return back.text;
}

/** Signed as the gateway signs (test/helpers/callback-signature.ts), not with the shop's own code. */
const sign = (params: Record<string, string>) => signCallback(params, CALLBACK_KEY);

/** Every credential the shop holds, raw and form-encoded: none may appear on a panel page. */
function expectNoCredential(html: string, secrets: string[]): void {
  for (const secret of secrets) {
    expect(html).not.toContain(secret);
    expect(html).not.toContain(encodeURIComponent(secret));
  }
  expect(html).not.toMatch(/"(userName|password|token)"/i);
}

describe('the developer panel, against the sandbox', () => {
  let shop: TestShop;
  let agent: request.Agent;
  let orderNumber: string;
  let successPage: string;
  beforeAll(async () => {
    shop = await startShop({ env: { GATEWAY_CALLBACK_KEY: CALLBACK_KEY } });
    agent = await panelAgent(shop);
    const bought = await buy(agent, 'notebook');
    expect(bought.status).toBe(303);
    const paid = await payOnHostedPage(bought.headers.location!, { pan: '4111111111111111' });
    const back = await agent.get(shopPath(paid.redirectUrl!)).expect(200);
    successPage = back.text;
    orderNumber = shop.ledger.listRecent(1)[0]!.orderNumber;
  });
  afterAll(() => shop.close());

  it('links the outcome page to the order’s panel page', () => {
    expect(successPage).toContain(LINK_TEXT);
    expect(successPage).toContain(`href="/dev/orders/${orderNumber}"`);
  });

  it('shows the register and status calls in order, with parameters, answers, HTTP status and durations', async () => {
    const page = await agent.get(`/dev/orders/${orderNumber}`).expect(200);
    const html = page.text;
    const register = html.indexOf('register.do');
    const status = html.indexOf('getOrderStatusExtended.do');
    expect(register).toBeGreaterThan(-1);
    expect(status).toBeGreaterThan(register);
    expect(html.match(/class="wire__duration">\d+ ms</g)?.length).toBeGreaterThanOrEqual(2);
    expect(html).toMatch(/class="wire__http">200</);
    // The request's own parameters and the gateway's answer are there…
    expect(html).toContain(`&#34;orderNumber&#34;: &#34;${orderNumber}&#34;`);
    expect(html).toContain('&#34;formUrl&#34;');
    expect(html).toContain('&#34;orderStatus&#34;: 2');
    // …the merchant's credentials are not.
    expectNoCredential(html, [merchant.userName, merchant.password, merchant.token!]);
  });

  it('shows a verified callback and a refused one, never the checksum', async () => {
    const order = shop.ledger.findByOrderNumber(orderNumber)!;
    const notice = { mdOrder: order.gatewayOrderId!, orderNumber, operation: 'deposited', status: '1' };
    const good = sign(notice);
    const forged = { ...notice, checksum: 'AB'.repeat(32) };
    await agent.get('/payment/callback').query(good).expect(200);
    await agent.post('/payment/callback').type('form').send(forged).expect(403);

    const html = (await agent.get(`/dev/orders/${orderNumber}`).expect(200)).text;
    expect(html).toMatch(/Callback received \(GET\): verified/);
    expect(html).toMatch(/Callback received \(POST\): refused: bad checksum/);
    expect(html).toContain('&#34;operation&#34;: &#34;deposited&#34;');
    expect(html).not.toContain(good.checksum!);
    expect(html).not.toContain(forged.checksum);
    expect(html).not.toContain(CALLBACK_KEY);
    expect(html.indexOf('verified')).toBeLessThan(html.indexOf('refused: bad checksum'));
  });

  it('lists recent orders at /dev, linking each to its page', async () => {
    const html = (await agent.get('/dev').expect(200)).text;
    expect(html).toContain(`href="/dev/orders/${orderNumber}"`);
  });

  it('answers an unknown order with the shop’s 404', async () => {
    await agent.get('/dev/orders/000000-1-AAAAAAAA').expect(404);
    await agent.get('/dev/orders/%3Cscript%3E').expect(404);
  });
});

describe('the developer panel with a gateway that echoes the credentials', () => {
  const start = scriptedShopPerTest();

  it('leaves them out of the recorded request and answer', async () => {
    const password = 'panel-canary-p@ss word';
    const { shop } = await start(
      {
        register: (form, ctx) => ({
          body: {
            orderId: 'echo-1',
            formUrl: `${ctx.origin}/payment/merchants/x/payment_en.html?mdOrder=echo-1`,
            echoed: { userName: form.userName, password: form.password, token: 'tok-canary-123' },
            note: `you sent password=${form.password}`,
          },
        }),
      },
      { password },
    );
    const agent = await panelAgent(shop);
    expect((await buy(agent, 'notebook')).status).toBe(303);
    const { orderNumber } = shop.ledger.listRecent(1)[0]!;
    const html = (await agent.get(`/dev/orders/${orderNumber}`).expect(200)).text;
    expect(html).toContain('register.do');
    expect(html).toContain('&#34;echoed&#34;');
    expectNoCredential(html, [password, merchant.userName, 'tok-canary-123']);
  });
});

describe('the developer panel in production', () => {
  let shop: TestShop;
  afterEach(() => shop.close());

  it('does not exist: /dev and an order’s page are 404, and the outcome page has no link', async () => {
    // CANONICAL_HOST=off: supertest's Host is not PUBLIC_BASE_URL's.
    shop = await startShop({
      env: { NODE_ENV: 'production', GATEWAY_CALLBACK_KEY: CALLBACK_KEY, CANONICAL_HOST: 'off' },
    });
    expect(await buyWithoutPanel(shop)).not.toContain('/dev/');
  });
});

describe('the panel’s token: a loopback address is not enough (a proxy or tunnel on this machine has one too)', () => {
  let shop: TestShop;
  beforeAll(async () => {
    shop = await startShop({ env: { GATEWAY_CALLBACK_KEY: CALLBACK_KEY } });
  });
  afterAll(() => shop.close());

  it('a loopback client without the token gets the shop’s 404 and no link, as a client elsewhere does', async () => {
    await buyWithoutPanel(shop);
  });

  it('a wrong token, or a forged cookie, gets the 404 and no cookie', async () => {
    const agent = request.agent(shop.app);
    const wrong = await agent.get(`/dev?token=${'x'.repeat(43)}`).expect(404);
    expect(wrong.headers['set-cookie']).toBeUndefined();
    await agent.get('/dev?token=').expect(404);
    await request(shop.app)
      .get('/dev')
      .set('Cookie', `${DEV_PANEL_COOKIE}=${'x'.repeat(43)}`)
      .expect(404);
  });

  it('opening /dev?token=… sets an HttpOnly SameSite=Strict cookie and redirects to /dev without the token', async () => {
    const token = keptDevPanelToken(shop.config.dataDir);
    expect(token.length).toBeGreaterThanOrEqual(32);
    const agent = request.agent(shop.app);
    const opened = await agent.get(`/dev?token=${encodeURIComponent(token)}`).expect(303);
    expect(opened.headers.location).toBe('/dev');
    const cookie = (opened.headers['set-cookie'] as unknown as string[]).find((c) =>
      c.startsWith(`${DEV_PANEL_COOKIE}=`),
    );
    expect(cookie).toMatch(/; Path=\/; HttpOnly; SameSite=Strict$/);
    const panel = await agent.get('/dev').expect(200);
    expect(panel.text).not.toContain(token);
    await agent.get('/dev/orders/000000-1-AAAAAAAA').expect(404);
  });
});

describe('the panel’s token on the real launcher (src/server.ts)', () => {
  const cwd = mkdtempSync(path.join(tmpdir(), 'dev-panel-'));
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  it('is printed in the start-up block and one deliberate log line, and in no other line however it is used', async () => {
    const port = await freePort();
    const shop = await startShopProcess(
      {
        NODE_ENV: 'development',
        HOST: '127.0.0.1',
        PORT: String(port),
        PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
        SANDBOX_PORT: '0',
        DATA_DIR: path.join(cwd, 'data'),
        RECONCILE_INTERVAL_SECS: '0',
        LOG_LEVEL: 'trace',
      },
      cwd,
    );
    let token: string | undefined;
    try {
      const deadline = Date.now() + 15_000;
      while (!shop.stdout().includes('Ctrl+C to stop.') && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
      token = /"deliberatelyLoggedDevPanelToken":"([^"]+)"/.exec(shop.stdout())?.[1];
      expect(token).toBeDefined();
      expect(shop.stdout()).toContain(`  Developer panel: ${shop.url}/dev?token=${token} (this machine only)`);
      // Without the token, the panel is not there; with it, a cookie and then the panel.
      expect((await fetch(`${shop.url}/dev`, { redirect: 'manual' })).status).toBe(404);
      const opened = await fetch(`${shop.url}/dev?token=${token}`, { redirect: 'manual' });
      expect(opened.status).toBe(303);
      const cookie = opened.headers.getSetCookie()[0]!.split(';')[0]!;
      expect((await fetch(`${shop.url}/dev`, { headers: { cookie } })).status).toBe(200);
      expect((await fetch(`${shop.url}/dev/orders/nope-1?token=${token}x`, { headers: { cookie } })).status).toBe(404);
      expect((await fetch(`${shop.url}/no-such-page?token=${token}`)).status).toBe(404);
    } finally {
      expect(await shop.stop()).toBe(0);
    }
    const lines = `${shop.stdout()}\n${shop.stderr()}`.split('\n').filter((l) => l.includes(token!));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('"deliberatelyLoggedDevPanelToken"');
    expect(lines[1]).toMatch(/^ {2}Developer panel: /);
  }, 40_000);
});

describe('who may open the panel', () => {
  it.each(['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1'])('%s, on this machine, may', (address) => {
    expect(isLoopback(address)).toBe(true);
  });
  it.each([
    '203.0.113.7',
    '198.51.100.2',
    '::ffff:203.0.113.7',
    '0.0.0.0',
    'fe80::1',
    '::',
    '',
    undefined,
    '127.0.0.1.evil',
  ])('%s may not', (address) => {
    expect(isLoopback(address)).toBe(false);
  });
});
