/** The cart example of docs/sandbox.md ("The cart (orderBundle)"): cart.json and its curl lines, run for real. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RunningSandbox } from '../src/index.js';
import { DOC_ORIGIN, docSection, startDocSandbox } from './helpers/docs.js';
import { CREDS } from './helpers/sandbox-app.js';

const section = docSection('docs/sandbox.md', 'The cart (orderBundle)');
const block = (lang: string) => new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(section)?.[1] ?? '';

/** Words of a shell line: single- and double-quoted strings, bare words; what follows a pipe is dropped. */
function words(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/'([^']*)'|"([^"]*)"|(\|)|([^\s'"|]+)/g)) {
    if (m[3]) break;
    out.push(m[1] ?? m[2] ?? m[4] ?? '');
  }
  return out;
}

/** A curl line of the example as a form POST: its URL and its parameters, variables filled in. */
function curlCall(line: string, vars: Record<string, string>, files: Record<string, string>) {
  const fill = (w: string) => w.replace(/\$(\w+)/g, (_, v: string) => vars[v] ?? '');
  const args = words(line.replace(/\$\(date \+%s\)/g, vars.NOW ?? ''))
    .slice(1)
    .flatMap((w) => (w === '$AUTH' ? words(vars.AUTH ?? '') : [w]))
    .map(fill);
  const params = new URLSearchParams();
  let url = '';
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '-s') continue;
    if (arg === '-d' || arg === '--data-urlencode') {
      const value = args[++i] ?? '';
      const file = /^(\w+)@(.+)$/.exec(value);
      if (arg === '--data-urlencode' && file) params.append(file[1] ?? '', files[file[2] ?? ''] ?? '');
      else params.append(value.slice(0, value.indexOf('=')), value.slice(value.indexOf('=') + 1));
    } else url = arg;
  }
  return { url, params };
}

describe('the cart example of docs/sandbox.md', () => {
  let sb: RunningSandbox;
  beforeAll(async () => {
    sb = await startDocSandbox();
  });
  afterAll(() => sb.close());

  it('when its curl lines are run in order (paying in between), then each answers what the example says', async () => {
    const files = { 'cart.json': block('json') };
    const cart = JSON.parse(files['cart.json']) as unknown;
    expect(cart).toHaveProperty('cartItems.items');
    const shell = block('sh').split('\n');
    const vars: Record<string, string> = { NOW: String(Date.now()) };
    for (const line of shell.filter((l) => /^\w+=/.test(l))) {
      const [name, ...rest] = line.split('=');
      vars[name ?? ''] = words(rest.join('='))[0] ?? '';
    }
    expect(vars.GW?.startsWith(DOC_ORIGIN)).toBe(true);
    vars.GW = `${sb.url}${(vars.GW ?? '').slice(DOC_ORIGIN.length)}`;
    expect(vars.AUTH).toBe(`-d userName=${CREDS.userName} -d password=${CREDS.password}`);

    const curls = shell.filter((l) => l.startsWith('curl '));
    expect(curls.map((l) => /\/(\w+)\.do/.exec(l)?.[1])).toEqual([
      'registerPreAuth',
      'deposit',
      'refund',
      'getOrderStatusExtended',
    ]);
    const post = async (line: string) => {
      const { url, params } = curlCall(line, vars, files);
      return (await (await fetch(url, { method: 'POST', body: params })).json()) as Record<string, unknown>;
    };

    // The comment's refusal: the same register with amount=149000.
    const refusal = /# with -d amount=149000: (\{.*\})$/m.exec(block('sh'))?.[1] ?? '';
    const wrongSum = curls[0]?.replace('amount=150000', 'amount=149000') ?? '';
    expect(await post(wrongSum)).toEqual(JSON.parse(refusal));

    const registered = await post(curls[0] ?? '');
    expect(registered).toEqual({ orderId: expect.any(String), formUrl: expect.any(String) });
    vars.ORDER_ID = String(registered.orderId);
    const order = sb.sandbox.engine.get(vars.ORDER_ID);
    if (!order) throw new Error('order missing');
    sb.sandbox.engine.pay(order, { pan: '4111111111111111', expiration: '203012', cvc: '123', cardholderName: 'T' });

    expect(await post(curls[1] ?? '')).toEqual({ errorCode: 0, errorMessage: 'Success' });
    expect(await post(curls[2] ?? '')).toEqual({ errorCode: 0, errorMessage: 'Success' });
    const status = (await post(curls[3] ?? '')) as { orderBundle: { cartItems: { items: Record<string, unknown>[] } } };
    const shown = status.orderBundle.cartItems.items.map(({ positionId, depositedItemAmount }) => ({
      positionId,
      depositedItemAmount,
    }));
    const expected = /^# (\[\{"positionId".*\])$/m.exec(block('sh'))?.[1] ?? '';
    expect(shown).toEqual(JSON.parse(expected));
  });
});
