// GATEWAY_DYNAMIC_CALLBACK=on: register.do names the shop's callback URL (dynamicCallbackUrl), and the sandbox sends
// that order's callbacks there, though its merchant has no static callback URL.
import { afterEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { loadConfig } from '../../src/config.js';
import { startSandbox, type RunningSandbox } from '@rbs-storefront/gateway-sandbox';
import { startReceiver, type Receiver } from '../../packages/gateway-sandbox/test/helpers/callback-receiver.js';
import { payOnHostedPage } from '../../packages/gateway-sandbox/test/helpers/sandbox-buyer.js';
import { buy, startShop, TEST_SESSION_SECRET, type TestShop } from '../helpers/shop.js';

const VISA_OK = { pan: '4111 1111 1111 1111' };

describe('GATEWAY_DYNAMIC_CALLBACK', () => {
  let shop: TestShop | undefined;
  let receiver: Receiver | undefined;
  let gateway: RunningSandbox | undefined;
  afterEach(async () => {
    await shop?.close();
    await receiver?.close();
    await gateway?.close();
    shop = undefined;
    receiver = undefined;
    gateway = undefined;
  });

  it("when on, then each order is registered with the shop's callback URL and its callback arrives there", async () => {
    // The receiver stands in for the shop's public address: the callback must reach PUBLIC_BASE_URL/payment/callback.
    receiver = await startReceiver();
    // The demo merchant's own callback origins are localhost:3000 only; this sandbox's operator lets its merchants'
    // callbacks reach 127.0.0.1 (SANDBOX_CALLBACK_HOSTS), where the receiver listens on a port of its own.
    gateway = await startSandbox({ port: 0, host: '127.0.0.1', callbackHosts: ['127.0.0.1'] });
    shop = await startShop({
      gatewayUrl: gateway.gatewayUrl,
      env: { GATEWAY_DYNAMIC_CALLBACK: 'on', PUBLIC_BASE_URL: receiver.url },
    });
    const agent = request.agent(shop.app);
    const bought = await buy(agent, 'notebook', 1);
    expect(bought.status).toBe(303);
    const orderId = new URL(bought.headers.location!).searchParams.get('mdOrder')!;
    await payOnHostedPage(bought.headers.location!, VISA_OK);
    const [callback] = await receiver.waitFor(1, 10_000);
    expect(callback).toMatchObject({ path: '/payment/callback', query: expect.objectContaining({ mdOrder: orderId }) });
    expect(gateway.sandbox.engine.get(orderId)?.callbackUrl).toBe(`${receiver.url}/payment/callback`);
  });

  it('when off (the default), then register.do carries no dynamicCallbackUrl; on with CALLBACKS=off is refused', async () => {
    shop = await startShop();
    const bought = await buy(request.agent(shop.app), 'notebook', 1);
    const orderId = new URL(bought.headers.location!).searchParams.get('mdOrder')!;
    expect(shop.sandbox!.sandbox.engine.get(orderId)).toMatchObject({ orderNumber: expect.any(String) });
    expect(shop.sandbox!.sandbox.engine.get(orderId)?.callbackUrl).toBeUndefined();

    const base = { NODE_ENV: 'test', SESSION_SECRET: TEST_SESSION_SECRET, DATA_DIR: '/tmp/unused' };
    expect(loadConfig(base).callbacks.dynamicUrl).toBeUndefined();
    const on = loadConfig({ ...base, GATEWAY_DYNAMIC_CALLBACK: 'on', PUBLIC_BASE_URL: 'https://shop.example' });
    expect(on.callbacks.dynamicUrl).toBe('https://shop.example/payment/callback');
    expect(() => loadConfig({ ...base, GATEWAY_DYNAMIC_CALLBACK: 'on', CALLBACKS: 'off' })).toThrow(
      /GATEWAY_DYNAMIC_CALLBACK.*CALLBACKS=on/,
    );
  });
});
