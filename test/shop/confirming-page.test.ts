// The "confirming…" page when the gateway can't tell the outcome (it lost the order): it re-checks by itself a
// bounded number of times, can be stopped, and then gives up saying what to do. No meta refresh (axe: meta-refresh).
import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { AUTO_CHECKS } from '../../src/shop/return.js';
import { replies } from '../helpers/misbehaving-gateway.js';
import { buy, scriptedShopPerTest } from '../helpers/shop.js';

const start = scriptedShopPerTest();
/** A gateway that registers orders, then answers every status read with "no such order" (errorCode 6). */
const lostOrders = { getOrderStatusExtended: () => replies.rejected(6, 'No such order') };

async function boughtAndBack(behaviour = lostOrders) {
  const { shop } = await start(behaviour);
  const agent = request.agent(shop.app);
  const bought = await buy(agent, 'notebook', 1);
  const orderId = new URL(bought.headers.location!).searchParams.get('mdOrder')!;
  return { shop, agent, orderId, path: `/checkout/return?orderId=${orderId}` };
}

describe('the confirming page', () => {
  it('when the outcome stays unknown, it re-checks by itself a bounded number of times (about two minutes), then gives up', async () => {
    const { shop, agent, orderId, path } = await boughtAndBack();
    let next: string | undefined = path;
    let last!: request.Response;
    const delays: number[] = [];
    for (let guard = 0; next && guard < 20; guard += 1) {
      last = await agent.get(next).expect(200);
      expect(last.text).not.toMatch(/http-equiv/i);
      const refresh = last.headers.refresh;
      if (!refresh) break;
      const m = /^(\d+); url=(\/checkout\/return\?orderId=[^&]+&n=\d+)$/.exec(refresh);
      expect(m).not.toBeNull();
      delays.push(Number(m![1]));
      next = m![2];
    }
    expect(delays).toEqual([3, 6, 12, 24, 30, 30]);
    expect(delays.length).toBe(AUTO_CHECKS);
    const total = delays.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(90);
    expect(total).toBeLessThanOrEqual(150);
    expect(last.text).toContain('We couldn’t confirm your payment yet');
    expect(last.text).toContain('You will not be charged twice for this order');
    const reference = /Reference ID: <span class="mono">([0-9A-F]+)<\/span>/.exec(last.text)?.[1];
    expect(reference).toBeDefined();
    expect(last.text).toContain(`href="/checkout/return?orderId=${orderId}&amp;n=${AUTO_CHECKS}"`);
    expect(last.text).not.toContain('Stop refreshing');
    // The reference the buyer keeps finds the order in the log.
    const line = shop.logs.find((l) => l.includes('confirming page stopped re-checking'));
    expect(line).toContain(reference!);
    // A tampered counter past the bound still gives up rather than refreshing forever.
    const tampered = await agent.get(`${path}&n=999`).expect(200);
    expect(tampered.headers.refresh).toBeUndefined();
  });

  it('when the buyer presses "Stop refreshing", the page stops re-checking by itself but still offers "Check again"', async () => {
    const { agent, orderId, path } = await boughtAndBack();
    const first = await agent.get(path).expect(200);
    const stop = /<a class="button" href="([^"]+)">Stop refreshing<\/a>/
      .exec(first.text)?.[1]
      ?.replaceAll('&amp;', '&');
    expect(stop).toBe(`/checkout/return?orderId=${orderId}&n=0&auto=off`);
    const stopped = await agent.get(stop!).expect(200);
    expect(stopped.headers.refresh).toBeUndefined();
    expect(stopped.text).toContain('no longer refreshes by itself');
    expect(stopped.text).toContain(`href="/checkout/return?orderId=${orderId}&amp;n=0&amp;auto=off">Check again</a>`);
  });
});
