// GatewayClient.onExchange: what went over the wire, for development tools, never with the credentials.
import { afterEach, describe, expect, it } from '@jest/globals';
import type { GatewayExchange } from '../../src/gateway/index.js';
import { makeClient, REGISTER, TEST_AUTH } from '../helpers/gateway-client.js';
import { replies, startMisbehavingGateway, type MisbehavingGateway } from '../helpers/misbehaving-gateway.js';

let gw: MisbehavingGateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

describe('the client’s exchange events', () => {
  it('carry the method’s parameters and the answer, without userName, password or token at any depth', async () => {
    gw = await startMisbehavingGateway({
      register: (form, ctx) =>
        replies.json({
          orderId: 'x-1',
          formUrl: `${ctx.origin}/pay?mdOrder=x-1`,
          nested: [{ Password: form.password, token: 't', userName: form.userName }],
          text: `echo ${form.password}`,
        }),
    });
    const { client } = makeClient(gw.baseUrl);
    const seen: GatewayExchange[] = [];
    client.onExchange((e) => seen.push(e));
    await client.register(REGISTER);

    expect(seen).toHaveLength(1);
    const [e] = seen;
    expect(e).toMatchObject({ method: 'register', ok: true, attempt: 1, httpStatus: 200, errorCode: 0 });
    expect(typeof e!.at).toBe('number');
    expect(e!.durationMs).toBeGreaterThanOrEqual(0);
    expect(e!.request).toMatchObject({ orderNumber: REGISTER.orderNumber, amount: String(REGISTER.amount) });
    expect(e!.response).toMatchObject({ orderId: 'x-1', nested: [{}], text: 'echo [REDACTED]' });
    const all = JSON.stringify(e);
    expect(all).not.toContain(TEST_AUTH.password);
    expect(all).not.toContain(TEST_AUTH.userName);
    expect(all).not.toMatch(/"(userName|password|token)"/i);
  });

  it('report a failed attempt without an answer, stop after unsubscribing, and survive a throwing listener', async () => {
    gw = await startMisbehavingGateway({ register: replies.http(502) });
    const { client } = makeClient(gw.baseUrl);
    const seen: GatewayExchange[] = [];
    client.onExchange(() => {
      throw new Error('broken tool');
    });
    const stop = client.onExchange((e) => seen.push(e));
    await expect(client.register(REGISTER)).rejects.toMatchObject({ code: 'GATEWAY_HTTP' });
    expect(seen).toEqual([expect.objectContaining({ ok: false, httpStatus: 502, errorClass: 'GATEWAY_HTTP' })]);
    expect(seen[0]!.response).toBeUndefined();
    stop();
    await expect(client.register(REGISTER)).rejects.toMatchObject({ code: 'GATEWAY_HTTP' });
    expect(seen).toHaveLength(1);
  });
});
