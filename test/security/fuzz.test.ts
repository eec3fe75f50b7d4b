// Property-based tests: malformed and random input to every route of the shop (src/shop/routes.ts, src/app.ts,
// src/admin/routes.ts) and of the gateway sandbox (packages/gateway-sandbox/src/rest/routes.ts, …/page/routes.ts,
// …/tools/*.ts). For every request: no 5xx, no stack frame or source path in the body, no order in the
// shop's ledger from input that is not a valid Buy; afterwards the process still serves /healthz. The web shell's
// part sends every route (shop, back office, /dev, callback, the embedded sandbox) by odd paths (doubled, encoded and
// back slashes, another case, dot segments, overlong, broken %-escapes), odd Host headers, methods and bodies, to a
// shop as production runs it: canonical host on, back office on, over http (the back office's cookie on /admin).
//
// No 5xx at all is allowed here, and that is precise, not lenient: the shop answers 502/503 only when the gateway
// fails (the "not charged" page) or its answer does not match (errors.verification), and the sandbox answers
// 500/502 only when a fault switch or an order's [sandbox:…] tag asks for it. In these tests the sandbox is healthy,
// has no fault switches (checked at the end) and no order carries a tag (generated text never contains "[sandbox:").
//
// fast-check picks a new seed on every run and prints it, with the shrunk counterexample, when a property fails:
// re-run with fc.assert(…, { seed, path }) to reproduce.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import request from 'supertest';
import { ADMIN_ROUTES } from '../../src/admin/routes.js';
import { MAX_QUANTITY } from '../../src/shop/catalog.js';
import {
  DEFAULT_MERCHANTS,
  REST_METHODS,
  startSandbox,
  type RunningSandbox,
  type SandboxApp,
} from '@rbs-storefront/gateway-sandbox';
import { ADMIN_PASSWORD, login } from '../admin/helpers.js';
import { internalsIn } from '../helpers/page-leaks.js';
import { CREDS, makeSandbox, payDirect } from '../../packages/gateway-sandbox/test/helpers/sandbox-app.js';
import { buy, csrfTokenFrom, startShop, type TestShop } from '../helpers/shop.js';

const RUNS = 120;

/** Listens on loopback so that each request reuses one server instead of supertest starting one per call. */
async function listen(app: http.RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** What every answer must satisfy, whatever was asked. */
function expectSane(what: string, res: request.Response): void {
  const body = res.text ?? '';
  expect({ what, status: res.status, internals: internalsIn(body) }).toEqual({
    what,
    status: expect.any(Number),
    internals: [],
  });
  if (res.status >= 500) throw new Error(`${what} answered ${res.status}: ${body.slice(0, 400)}`);
}

// ---- generators ------------------------------------------------------------------------------------------------

/** Text a browser or a script could send: printable, unicode, control characters, long runs, odd numbers. */
const text = fc
  .oneof(
    fc.string({ maxLength: 30 }),
    fc.string({ unit: 'grapheme', maxLength: 20 }),
    fc.string({ unit: 'binary-ascii', maxLength: 20 }),
    fc.string({ minLength: 60, maxLength: 300 }),
    fc.constantFrom(
      '',
      ' ',
      '0',
      '-1',
      '1e3',
      '1.5',
      '0x10',
      'NaN',
      'Infinity',
      '9'.repeat(40),
      '__proto__',
      'constructor',
      'null',
      'undefined',
      '[]',
      '{}',
      '<script>alert(1)</script>',
      "' OR 1=1 --",
      '../../etc/passwd',
      '%00',
      '\u0000',
      '\ud800',
      'x'.repeat(600),
      '１２',
      '٣',
    ),
  )
  .map((s) => s.replaceAll('[sandbox:', '[sbx:'));

/** A parameter name: random, or one the routes read, or one a parser might treat specially. */
const key = fc.oneof(
  fc.string({ minLength: 1, maxLength: 12 }),
  fc.constantFrom(
    'orderId',
    'mdOrder',
    'lang',
    'n',
    'status',
    'operation',
    'checksum',
    'amount',
    'price',
    'currency',
    'q',
    'page',
    'done',
    'expired',
    'a[b]',
    'a[]',
    '__proto__',
    'constructor',
    'toString',
    'hasOwnProperty',
  ),
);

const pairs = fc.array(fc.tuple(key, text), { maxLength: 8 });

/** A raw query string: well-formed pairs, or junk with broken %-escapes, repeated keys and separators. */
const queryString = fc.oneof(
  pairs.map((ps) => {
    const q = new URLSearchParams();
    for (const [k, v] of ps) q.append(k, v);
    return q.toString();
  }),
  fc.stringMatching(/^[A-Za-z0-9=&%;+[\]._~!$'()*,:@/?-]{0,60}$/),
  fc.constantFrom(
    '%',
    '%%',
    '%zz',
    '%E0%A4%A',
    'orderId=%FF',
    'a=1&a=2&a=3',
    '&&&==',
    'orderId[]=x',
    'lang=xx&lang=ru',
  ),
);

/** A path segment the HTTP client can send: printable ASCII, with valid and broken %-escapes. */
const segment = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9._~!$&'()*+,;=:@-]{0,16}$/),
  fc.constantFrom(
    '..',
    '.',
    '%2e%2e',
    '%2F',
    '%',
    '%zz',
    '%E0%A4%A',
    '%00',
    'payment',
    'rest',
    'admin',
    'products',
    'img',
  ),
);
const path = fc.array(segment, { minLength: 0, maxLength: 5 }).map((s) => `/${s.join('/')}`);

/** encodeURIComponent, except that a lone surrogate becomes U+FFFD (as a browser's form would send it) instead of throwing. */
const enc = (s: string) => new URLSearchParams({ s }).toString().slice(2).replaceAll('+', '%20');
const withQuery = (base: string, q: string) => (q === '' ? base : `${base}?${q}`);
const form = (ps: ReadonlyArray<readonly [string, string]>) => {
  const f = new URLSearchParams();
  for (const [k, v] of ps) f.append(k, v);
  return f.toString();
};

// ---- the shop --------------------------------------------------------------------------------------------------

describe('the shop, given random input on every route', () => {
  let shop: TestShop;
  let server: Awaited<ReturnType<typeof listen>>;
  let gatewayOrderIds: string[];
  const orders = () => shop.ledger.listOrders({ limit: 1, offset: 0 }).total;

  beforeAll(async () => {
    shop = await startShop({
      env: { ADMIN_PASSWORD, BUY_RATE_LIMIT_PER_MINUTE: '10000', BUY_RATE_LIMIT_PER_BROWSER: '10000' },
    });
    server = await listen(shop.app);
    // A few real orders, so random input sometimes names one that exists.
    const buyer = request.agent(server.url);
    gatewayOrderIds = [];
    for (const id of ['notebook', 'ceramic-mug']) {
      const res = await buy(buyer, id, 1);
      gatewayOrderIds.push(new URL(res.headers.location!).searchParams.get('mdOrder')!);
    }
    payDirect(shop.sandbox!.sandbox, gatewayOrderIds[1]!);
  });
  afterAll(async () => {
    await server.close();
    await shop.close();
  });

  const orderIdLike = () => fc.oneof(text, fc.constantFrom(...gatewayOrderIds), fc.uuid());

  it('#23 fuzz: GET and HEAD on random paths and on the catalog and product pages with random query strings', async () => {
    const productIds = shop.deps.catalog.list().map((p) => p.id);
    const target = fc.oneof(
      path,
      fc.constantFrom(
        '/',
        '/healthz',
        '/img/notebook.svg',
        '/css/app.css',
        ...productIds.map((id) => `/products/${id}`),
      ),
      segment.map((s) => `/products/${s}`),
    );
    const before = orders();
    await fc.assert(
      fc.asyncProperty(target, queryString, fc.constantFrom('GET', 'HEAD'), async (p, q, method) => {
        const url = withQuery(p, q);
        const res = method === 'GET' ? await request(server.url).get(url) : await request(server.url).head(url);
        expectSane(`${method} ${url}`, res);
      }),
      { numRuns: RUNS * 2 },
    );
    expect(orders()).toBe(before);
  });

  it('#23 fuzz: other HTTP methods on every route answer 4xx or 2xx, never 5xx', async () => {
    const routes = [
      '/',
      '/products/notebook',
      '/buy',
      '/checkout/return',
      '/checkout/fail',
      '/payment/callback',
      '/healthz',
    ];
    const before = orders();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          ...routes,
          ...ADMIN_ROUTES.map((r) => `/admin${r.path.replace(':id', '1').replace(':action', 'refund')}`),
        ),
        fc.constantFrom<'put' | 'delete' | 'patch' | 'options'>('put', 'delete', 'patch', 'options'),
        text,
        async (route, verb, body) => {
          const client = request(server.url);
          const res = await client[verb](route).type('form').send(body);
          const method = verb.toUpperCase();
          expectSane(`${method} ${route}`, res);
        },
      ),
      { numRuns: RUNS },
    );
    expect(orders()).toBe(before);
  });

  it('#23 fuzz: POST /buy: random forms create an order only when token, product and quantity are all valid', async () => {
    const agent = request.agent(server.url);
    const page = await agent.get('/products/notebook').expect(200);
    const token = csrfTokenFrom(page.text);
    const catalog = shop.deps.catalog;
    const reserved = /^(_csrf|productId|quantity)/;
    const quantity = fc.oneof(
      { weight: 3, arbitrary: fc.integer({ min: -3, max: MAX_QUANTITY + 3 }).map(String) },
      { weight: 1, arbitrary: text },
    );
    const validQuantity = (q: string | undefined) => {
      const t = q?.trim();
      return t !== undefined && /^\d{1,3}$/.test(t) && Number(t) >= 1 && Number(t) <= MAX_QUANTITY;
    };
    const buyForm = fc.record({
      // Weighted so that about one form in ten is a valid Buy.
      csrf: fc.oneof(
        { weight: 3, arbitrary: fc.constant<string | undefined>(token) },
        { weight: 1, arbitrary: fc.constantFrom(undefined, `${token}x`, token.slice(0, -1)) },
        { weight: 1, arbitrary: text },
      ),
      productId: fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...catalog.list().map((p) => p.id)) },
        { weight: 1, arbitrary: text },
        { weight: 1, arbitrary: fc.constant(undefined) },
      ),
      quantity: fc.oneof({ weight: 4, arbitrary: quantity }, { weight: 1, arbitrary: fc.constant(undefined) }),
      extra: fc.array(
        fc.tuple(
          key.filter((k) => !reserved.test(k)),
          text,
        ),
        { maxLength: 8 },
      ),
    });
    const seen = { valid: 0, invalid: 0 };
    await fc.assert(
      fc.asyncProperty(buyForm, async (f) => {
        const fields: Array<[string, string]> = [...f.extra];
        if (f.csrf !== undefined) fields.push(['_csrf', f.csrf]);
        if (f.productId !== undefined) fields.push(['productId', f.productId]);
        if (f.quantity !== undefined) fields.push(['quantity', f.quantity]);
        const valid =
          f.csrf === token &&
          f.productId !== undefined &&
          catalog.get(f.productId) !== undefined &&
          validQuantity(f.quantity);
        seen[valid ? 'valid' : 'invalid'] += 1;
        const before = orders();
        const res = await agent.post('/buy').type('form').send(form(fields));
        expectSane('POST /buy', res);
        if (valid) {
          expect(res.status).toBe(303);
          expect(new URL(res.headers.location!).origin).toBe(new URL(shop.gatewayUrl).origin);
          expect(orders()).toBeLessThanOrEqual(before + 1);
        } else {
          expect(res.status).toBeGreaterThanOrEqual(400);
          expect(orders()).toBe(before);
        }
      }),
      { numRuns: RUNS + 30 },
    );
    // Both sides of the property were exercised.
    expect(seen.valid).toBeGreaterThan(0);
    expect(seen.invalid).toBeGreaterThan(0);
  });

  it('#23 fuzz: POST /buy with raw bodies of any content type, without a valid token, creates nothing', async () => {
    const agent = request.agent(server.url);
    await agent.get('/products/notebook').expect(200); // the CSRF cookie, but no token in the body
    const before = orders();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(text, queryString, fc.json()),
        fc.constantFrom(
          'application/x-www-form-urlencoded',
          'application/json',
          'text/plain',
          'multipart/form-data; boundary=x',
          'application/x-www-form-urlencoded; charset=utf-16',
          'application/x-www-form-urlencoded; charset=koi8-r',
        ),
        async (body, type) => {
          const res = await agent.post('/buy').set('Content-Type', type).send(body);
          expectSane(`POST /buy (${type})`, res);
          expect(res.status).toBeGreaterThanOrEqual(400);
        },
      ),
      { numRuns: RUNS },
    );
    expect(orders()).toBe(before);
  });

  it('#23 fuzz: GET /checkout/return and /checkout/fail with random query strings, by strangers and by a buyer', async () => {
    const buyer = request.agent(server.url);
    await buy(buyer, 'tote-bag', 1);
    const query = fc.oneof(
      queryString,
      fc.record({ orderId: orderIdLike(), n: text, lang: text }).map((r) => new URLSearchParams(r).toString()),
    );
    const before = orders();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/checkout/return', '/checkout/fail'),
        query,
        fc.boolean(),
        async (route, q, asBuyer) => {
          const url = withQuery(route, q);
          const res = await (asBuyer ? buyer : request(server.url)).get(url);
          expectSane(`GET ${url}`, res);
        },
      ),
      // The return route is rate limited per address (120 a minute): stay below it.
      { numRuns: 100 },
    );
    expect(orders()).toBe(before);
  });

  it('#23 fuzz: GET and POST /payment/callback with random parameters', async () => {
    const params = fc.oneof(
      pairs,
      fc
        .record({ mdOrder: orderIdLike(), orderNumber: text, operation: text, status: text, checksum: text })
        .map((r) => Object.entries(r)),
    );
    const before = orders();
    await fc.assert(
      fc.asyncProperty(params, fc.boolean(), async (ps, asPost) => {
        const body = form(ps);
        const res = asPost
          ? await request(server.url).post('/payment/callback').type('form').send(body)
          : await request(server.url).get(withQuery('/payment/callback', body));
        expectSane(`${asPost ? 'POST' : 'GET'} /payment/callback`, res);
      }),
      { numRuns: RUNS },
    );
    expect(orders()).toBe(before);
  });

  it('#23 fuzz: the back office, logged out and logged in, with random ids, actions, queries and forms', async () => {
    const operator = request.agent(server.url);
    expect((await login(operator)).status).toBe(303);
    const stranger = request.agent(server.url);
    await stranger.get('/admin/login').expect(200);
    const paid = shop.ledger.findByGatewayOrderId(gatewayOrderIds[1]!)!;
    const id = fc.oneof(text, fc.constantFrom('1', '2', String(paid.id), '0', '-1', '99999999999999999999'));
    const action = fc.oneof(text, fc.constantFrom('refresh', 'capture', 'void', 'refund'));
    const adminRequest = fc.record({
      route: fc.constantFrom(...ADMIN_ROUTES),
      id,
      action,
      query: fc.oneof(
        queryString,
        // what the list and order pages read
        fc
          .record(
            { q: text, status: fc.oneof(text, fc.constantFrom('paid', 'registered')), page: text, done: text },
            { requiredKeys: [] },
          )
          .map((r) => new URLSearchParams(r).toString()),
      ),
      fields: fc.oneof(
        pairs,
        fc.record({ amount: text, user: text, password: text }).map((r) => Object.entries(r)),
      ),
      withToken: fc.boolean(),
      asOperator: fc.boolean(),
    });
    const before = orders();
    await fc.assert(
      fc.asyncProperty(adminRequest, async (r) => {
        const agent = r.asOperator ? operator : stranger;
        const p = `/admin${r.route.path.replace(':id', enc(r.id)).replace(':action', enc(r.action))}`;
        const url = withQuery(p, r.query);
        if (r.route.method === 'get') {
          expectSane(`GET ${url}`, await agent.get(url));
          return;
        }
        // Never log the operator out in the middle of the run; a stranger may try.
        if (r.route.handler === 'logout' && r.asOperator) return;
        const fields: Array<[string, string]> = [...r.fields];
        if (r.withToken) {
          const page = await agent.get(r.asOperator ? '/admin/orders' : '/admin/login');
          fields.push(['_csrf', csrfTokenFrom(page.text)]);
        }
        expectSane(`POST ${url}`, await agent.post(url).type('form').send(form(fields)));
      }),
      { numRuns: RUNS + 30 },
    );
    expect(orders()).toBe(before);
  });

  it('#23 fuzz: afterwards the shop still serves: /healthz is 200 and a Buy still works', async () => {
    await request(server.url).get('/healthz').expect(200);
    const res = await buy(request.agent(server.url), 'notebook', 2);
    expect(res.status).toBe(303);
  });
});

// ---- the web shell: odd paths, hosts, methods and bodies on every route -----------------------------------------

/** What a path segment may be replaced by or followed with: encoded slashes and backslashes, dots, broken escapes. */
const oddSegment = fc.constantFrom(
  '%5C',
  '%5c',
  '%2F',
  '%2f',
  '\\',
  '.',
  '..',
  '%2e',
  '%2E%2E',
  '%',
  '%%',
  '%zz',
  '%E0%A4%A',
  '%C0%AF',
  '%00',
  '[',
  ']',
  '@',
  ':',
  ':99999',
  ';a=b',
  '~',
  'x'.repeat(3000),
  '%41'.repeat(500),
);

/** Upper- or lower-cases the letters of `s` where `mask` says so (a mask shorter than `s` repeats). */
function recase(s: string, mask: readonly boolean[]): string {
  if (mask.length === 0) return s;
  return [...s].map((c, i) => (mask[i % mask.length] ? c.toUpperCase() : c.toLowerCase())).join('');
}

/**
 * A path a browser, a proxy or a scanner could send for one of the routes in `routes`: the route itself, or its
 * segments in another case, joined by doubled, encoded or back slashes, with dot segments and odd segments put in,
 * after an odd prefix (`//`, `\`, `/%5C`, …) and before an odd ending; overlong ones included.
 */
function oddPath(routes: readonly string[]) {
  // Mostly the plain route with one or two changes, so that each change alone reaches the route's own handlers.
  const usually = <T>(plain: T, odd: fc.Arbitrary<T>, weight = 4) =>
    fc.oneof({ weight, arbitrary: fc.constant(plain) }, { weight: 1, arbitrary: odd });
  const join = usually('/', fc.constantFrom('//', '/./', '/../', '%2F', '%5C', '\\', '/;/'), 6);
  return fc
    .record({
      route: fc.constantFrom(...routes),
      mask: usually<boolean[]>([], fc.array(fc.boolean(), { minLength: 1, maxLength: 6 }), 1),
      joins: fc.array(join, { minLength: 6, maxLength: 6 }),
      prefix: usually('', fc.constantFrom('/', '//', '\\', '/%5C', '/%2F', '/./', '/../', '/.%2e/'), 2),
      insert: fc.option(fc.tuple(fc.nat(5), fc.oneof(oddSegment, segment)), { nil: undefined, freq: 3 }),
      suffix: usually('', fc.constantFrom('/', '/.', '/..', '%', '%5C', '//', '.', '~', '%2F..'), 2),
    })
    .map(({ route, mask, joins, prefix, insert, suffix }) => {
      const parts = route.split('/').slice(1);
      if (insert) parts.splice(Math.min(insert[0], parts.length), 0, insert[1]);
      const body = parts.map((p, i) => `${i === 0 ? '/' : joins[(i - 1) % joins.length]}${recase(p, mask)}`).join('');
      return `${prefix}${body}${suffix}`;
    });
}

/** A request body and its type, for the methods that carry one. */
const oddBody = fc.oneof(
  pairs.map((ps) => ({ type: 'application/x-www-form-urlencoded', data: form(ps) })),
  text.map((t) => ({ type: 'text/plain', data: t })),
  fc.json().map((j) => ({ type: 'application/json', data: j })),
  queryString.map((q) => ({ type: 'application/x-www-form-urlencoded; charset=koi8-r', data: q })),
  fc.constant({ type: 'multipart/form-data; boundary=x', data: '--x\r\n\r\n--x--' }),
);

/** Methods, GET most often (the redirects and pages are where the shell decides most). */
const oddMethod = fc.oneof(
  { weight: 6, arbitrary: fc.constant('GET') },
  { weight: 2, arbitrary: fc.constant('HEAD') },
  { weight: 1, arbitrary: fc.constantFrom('POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS') },
);

/** A Host header a client can send: the right one in another case or with a port, another, an address, junk. */
function oddHost(canonical: string) {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant(canonical) },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        canonical.toUpperCase(),
        `${canonical}:80`,
        `${canonical}:99999`,
        `${canonical}.`,
        'evil.example',
        '127.0.0.1:3000',
        '[::1]:3000',
        'localhost',
        '',
        'a@evil.example',
        'evil.example/x',
        '%5C',
        '[',
        'x'.repeat(300),
      ),
    },
    { weight: 1, arbitrary: fc.domain() },
  );
}

/** Sends one request with any method, Host, path and body. */
async function send(
  agent: request.Agent | ReturnType<typeof request>,
  r: { method: string; path: string; host: string; body: { type: string; data: string } },
): Promise<request.Response> {
  const verb = r.method.toLowerCase() as 'get' | 'head' | 'post' | 'put' | 'delete' | 'patch' | 'options';
  const req = (agent as ReturnType<typeof request>)[verb](r.path).set('Host', r.host);
  return r.method === 'GET' || r.method === 'HEAD'
    ? await req
    : await req.set('Content-Type', r.body.type).send(r.body.data);
}

describe('the web shell (canonical host on, back office on, over http), given odd paths, hosts, methods and bodies', () => {
  let shop: TestShop;
  let gateway: RunningSandbox;
  let server: Awaited<ReturnType<typeof listen>>;
  let sandboxUrl: string;
  let operator: request.Agent;
  let stranger: request.Agent;
  let orderNumber: string;
  let orderId: number;
  const HOST = 'shop.test';

  beforeAll(async () => {
    // Random (so failing) credentials reach the sandbox from this address: its login throttle is set out of reach,
    // or it would refuse the shop's own register.do in the last test (auth-throttle.test.ts tests the throttle).
    gateway = await startSandbox({ port: 0, host: '127.0.0.1', authThrottle: { perAddress: 1e9, perName: 1e9 } });
    shop = await startShop({
      gatewayUrl: gateway.gatewayUrl,
      env: {
        ADMIN_PASSWORD,
        CANONICAL_HOST: 'on',
        PUBLIC_BASE_URL: `http://${HOST}`,
        BUY_RATE_LIMIT_PER_MINUTE: '10000',
        BUY_RATE_LIMIT_PER_BROWSER: '10000',
      },
    });
    server = await listen(shop.app);
    sandboxUrl = gateway.gatewayUrl.replace(/\/payment\/rest\/?$/, '');
    operator = request.agent(server.url).set('Host', HOST);
    expect((await login(operator)).status).toBe(303);
    stranger = request.agent(server.url);
    const bought = await buy(request.agent(server.url).set('Host', HOST), 'notebook', 1);
    const order = shop.ledger.findByGatewayOrderId(new URL(bought.headers.location!).searchParams.get('mdOrder')!)!;
    orderNumber = order.orderNumber;
    orderId = order.id;
  });
  afterAll(async () => {
    await server.close();
    await shop.close();
    await gateway.close();
  });

  const shopRoutes = () => [
    '/',
    '/products/notebook',
    '/buy',
    '/checkout/return',
    '/checkout/fail',
    '/payment/callback',
    '/healthz',
    '/readyz',
    '/css/app.css',
    '/img/notebook.svg',
    '/dev',
    `/dev/orders/${orderNumber}`,
    ...ADMIN_ROUTES.map((r) =>
      `/admin${r.path.replace(':id', String(orderId)).replace(':action', 'refund')}`.replace(/\/$/, ''),
    ),
  ];

  it('#37 fuzz: every route of the shop, the back office and /dev by odd paths, Hosts and methods: never a 5xx', async () => {
    const seen = { admin: 0, otherHost: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          path: oddPath(shopRoutes()),
          host: oddHost(HOST),
          method: oddMethod,
          body: oddBody,
          asOperator: fc.boolean(),
          query: fc.option(queryString, { nil: undefined }),
        }),
        async (r) => {
          const path = r.query === undefined ? r.path : withQuery(r.path, r.query);
          const res = await send(r.asOperator ? operator : stranger, { ...r, path });
          expectSane(`${r.method} ${path} (Host: ${r.host.slice(0, 40)})`, res);
          if (/^\/admin/i.test(r.path)) seen.admin += 1;
          if (r.host !== HOST) seen.otherHost += 1;
        },
      ),
      { numRuns: RUNS * 4 },
    );
    expect(seen.admin).toBeGreaterThan(0);
    expect(seen.otherHost).toBeGreaterThan(0);
    // The operator was never logged out by any of it (a logout needs the token, which no random body carries).
    await operator.get('/admin/orders').expect(200);
  });

  it('#37 fuzz: every route of the embedded sandbox by odd paths, Hosts and methods: never a 5xx', async () => {
    const routes = [
      '/',
      '/healthz',
      '/favicon.ico',
      '/sandbox/cards',
      '/sandbox/orders',
      '/sandbox/control',
      '/sandbox/openapi.json',
      '/sandbox/assets/sandbox.css',
      ...REST_METHODS.map((m) => `/payment/rest/${m}.do`),
      `/payment/merchants/${DEFAULT_MERCHANTS[0]!.login}/payment_en.html`,
      '/payment/acs/challenge',
    ];
    const sandbox = request.agent(sandboxUrl);
    await fc.assert(
      fc.asyncProperty(
        fc.record({ path: oddPath(routes), host: oddHost(new URL(sandboxUrl).host), method: oddMethod, body: oddBody }),
        async (r) => expectSane(`sandbox ${r.method} ${r.path} (Host: ${r.host.slice(0, 40)})`, await send(sandbox, r)),
      ),
      { numRuns: RUNS * 2 },
    );
  });

  it('#37 fuzz: afterwards the shop still serves on its address, and a Buy still works', async () => {
    await request(server.url).get('/healthz').set('Host', HOST).expect(200);
    const res = await buy(request.agent(server.url).set('Host', HOST), 'ceramic-mug', 1);
    expect(res.status).toBe(303);
  });
});

// ---- the gateway sandbox ---------------------------------------------------------------------------------------

describe('the gateway sandbox, given random input on every route', () => {
  let sandbox: SandboxApp & ReturnType<typeof makeSandbox>;
  let server: Awaited<ReturnType<typeof listen>>;
  let orderIds: string[];
  const login = DEFAULT_MERCHANTS[0]!.login;

  beforeAll(async () => {
    // Thousands of random (so failing) credentials from one address: the throttle runs on every call but is set out
    // of reach, or it would refuse the final check's register too (auth-throttle.test.ts tests it).
    sandbox = makeSandbox({ callbacks: false, authThrottle: { perAddress: 1e9, perName: 1e9 } });
    server = await listen(sandbox.app);
    orderIds = [];
    for (let i = 0; i < 3; i++) orderIds.push((await sandbox.register()).orderId);
    payDirect(sandbox, orderIds[1]!);
  });
  afterAll(async () => {
    sandbox.stop();
    await server.close();
  });

  const orderId = () => fc.oneof(text, fc.constantFrom(...orderIds), fc.uuid());
  /** Valid credentials, none, or wrong ones: random calls must reach the methods' own checks too. */
  const credentials = fc.constantFrom<Array<[string, string]>>(
    [],
    [
      ['userName', CREDS.userName],
      ['password', CREDS.password],
    ],
    [
      ['userName', CREDS.userName],
      ['password', 'wrong'],
    ],
    [['token', 'no-such-token']],
  );

  it('#23 fuzz: REST *.do methods (and unknown ones) with random forms, by GET and by POST', async () => {
    const params = fc.record({
      creds: credentials,
      known: fc.record(
        {
          orderId: orderId(),
          orderNumber: text,
          amount: fc.oneof(text, fc.integer({ min: -10, max: 10_000_000 }).map(String)),
          currency: fc.oneof(text, fc.constantFrom('978', '643', '840')),
          returnUrl: fc.oneof(text, fc.webUrl()),
          failUrl: fc.oneof(text, fc.webUrl()),
          description: text,
          language: text,
          jsonParams: fc.oneof(text, fc.json()),
          sessionTimeoutSecs: text,
          pageView: text,
          externalRefundId: text,
        },
        { requiredKeys: [] },
      ),
      extra: pairs,
    });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constantFrom(...REST_METHODS), segment),
        params,
        fc.constantFrom('GET', 'POST', 'PUT'),
        async (method, p, verb) => {
          const fields: Array<[string, string]> = [...p.creds, ...Object.entries(p.known), ...p.extra];
          const body = form(fields);
          const url = `/payment/rest/${enc(method)}.do`;
          const res =
            verb === 'GET'
              ? await request(server.url).get(withQuery(url, body))
              : await request(server.url)[verb === 'POST' ? 'post' : 'put'](url).type('form').send(body);
          expectSane(`${verb} ${url}`, res);
          if ((REST_METHODS as readonly string[]).includes(method) && verb !== 'PUT') {
            expect(res.type).toBe('application/json');
          }
        },
      ),
      { numRuns: RUNS + 80 },
    );
    expect(sandbox.faults.get(login)).toBeUndefined();
  });

  it('#23 fuzz: the hosted payment page and the 3-D Secure page with random orders, languages and card forms', async () => {
    const card = fc.record(
      {
        mdOrder: orderId(),
        pan: fc.oneof(text, fc.constantFrom('4111111111111111', '5555555555555599', '4111 1111 1111 1112')),
        expiry: fc.oneof(text, fc.constantFrom('12/30', '01/20', '13/99', '00/00')),
        cvc: fc.oneof(text, fc.constantFrom('123', '1', '12345')),
        cardholder: text,
        otp: text,
        lang: text,
      },
      { requiredKeys: [] },
    );
    const page = fc.oneof(
      fc.constantFrom('payment_en.html', 'payment_ru.html', 'payment_xx.html', 'payment.html'),
      segment,
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(login, 'other-merchant', '%', ''),
        page,
        card,
        queryString,
        fc.constantFrom('page GET', 'page POST', 'acs GET', 'acs POST'),
        async (merchant, file, c, q, which) => {
          const pagePath = `/payment/merchants/${merchant}/${file}`;
          const mdOrder = c.mdOrder === undefined ? '' : `mdOrder=${enc(c.mdOrder)}`;
          const extra = [mdOrder, q].filter(Boolean).join('&');
          const fields = Object.entries(c);
          let res: request.Response;
          switch (which) {
            case 'page GET':
              res = await request(server.url).get(withQuery(pagePath, extra));
              break;
            case 'page POST':
              res = await request(server.url).post(withQuery(pagePath, q)).type('form').send(form(fields));
              break;
            case 'acs GET':
              res = await request(server.url).get(withQuery('/payment/acs/challenge', extra));
              break;
            case 'acs POST':
              res = await request(server.url).post('/payment/acs/challenge').type('form').send(form(fields));
              break;
          }
          expectSane(`${which} ${pagePath}`, res);
        },
      ),
      { numRuns: RUNS + 30 },
    );
  });

  it('#23 fuzz: the tool pages, the control API and random paths', async () => {
    // Its own sandbox: valid credentials may switch faults on here, and a fault is a deliberate 5xx.
    const tools = makeSandbox({ callbacks: false });
    const toolsServer = await listen(tools.app);
    try {
      const basic = `Basic ${Buffer.from(`${CREDS.userName}:${CREDS.password}`).toString('base64')}`;
      const operator = `Basic ${Buffer.from(`operator:${tools.operatorToken}`).toString('base64')}`;
      // Half the requests carry the operator's credential, so they get past its gate to the pages and the API.
      const auth = fc.oneof(
        fc.constantFrom(operator, `Bearer ${tools.operatorToken}`),
        fc.constantFrom(undefined, basic, 'Basic Zm9vOmJhcg==', 'Bearer nope', 'Basic %%%', 'Digest x'),
      );
      const toolOrder = (await tools.register()).orderId;
      const target = fc.oneof(
        {
          weight: 2,
          arbitrary: fc.constantFrom(
            '/sandbox/orders',
            '/sandbox/control',
            `/sandbox/control/merchants/${login}/faults`,
            `/sandbox/orders/${toolOrder}`,
          ),
        },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            '/',
            '/healthz',
            '/favicon.ico',
            '/sandbox/cards',
            '/sandbox/control/merchants/nobody/faults',
            '/sandbox/assets/sandbox.css',
          ),
        },
        { weight: 1, arbitrary: orderId().map((id) => `/sandbox/orders/${enc(id)}`) },
        { weight: 1, arbitrary: path },
      );
      const body = fc.oneof(
        pairs.map((ps) => ({ type: 'form', data: form(ps) })),
        fc.json().map((j) => ({ type: 'json', data: j })),
        fc
          .record(
            {
              latencyMs: fc.oneof(fc.integer({ min: -1, max: 50 }), text),
              httpStatus: fc.oneof(fc.constantFrom(500, 502, 429, 200), text),
              methods: fc.oneof(fc.array(text, { maxLength: 3 }), text),
              remaining: fc.oneof(fc.integer({ min: -1, max: 3 }), text),
              reset: fc.boolean(),
            },
            { requiredKeys: [] },
          )
          .map((o) => ({ type: 'json', data: JSON.stringify(o) })),
        fc
          .record({ userName: text, password: text, token: text, action: text, latencyMs: text, httpStatus: text })
          .map((o) => ({ type: 'form', data: new URLSearchParams(o).toString() })),
      );
      let reachedOperatorSurface = false;
      await fc.assert(
        fc.asyncProperty(
          target,
          queryString,
          fc.constantFrom<'get' | 'post' | 'put' | 'delete'>('get', 'get', 'post', 'put', 'delete'),
          auth,
          body,
          async (p, q, verb, authorization, b) => {
            const url = withQuery(p, q);
            let req = request(toolsServer.url)[verb](url);
            if (authorization) req = req.set('Authorization', authorization);
            const res = verb === 'get' ? await req : await req.type(b.type).send(b.data);
            expectSane(`${verb.toUpperCase()} ${url}`, res);
            if (res.status === 200 && /^\/sandbox\/(orders|control)/.test(p)) reachedOperatorSurface = true;
          },
        ),
        { numRuns: RUNS + 30 },
      );
      // The random requests got past the operator's gate too, not only to its 401.
      expect(reachedOperatorSurface).toBe(true);
    } finally {
      tools.stop();
      await toolsServer.close();
    }
  });

  it('#23 fuzz: afterwards the sandbox still serves: /healthz is 200 and register works', async () => {
    await request(server.url).get('/healthz').expect(200);
    const { orderId: id } = await sandbox.register();
    expect(sandbox.engine.get(id)).toBeDefined();
    expect(sandbox.faults.get(login)).toBeUndefined();
  });
});
