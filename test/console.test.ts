// What a person sees in the console: a short plain block at start, readable log lines on a terminal in development,
// JSON everywhere else; and no noise for the browser's favicon request.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createLogger, startupBanner, wantsHumanLogs } from '../src/log.js';
import { startShop, type TestShop } from './helpers/shop.js';

function collecting(): { destination: Writable; text: () => string } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  });
  return { destination, text: () => chunks.join('') };
}

describe('the start-up block', () => {
  const base = { shopUrl: 'http://localhost:3000', gatewayOrigin: 'http://127.0.0.1:3001', dataDir: '/srv/shop/data' };

  it('says where the shop is (one URL), the sandbox and its test cards, the back office, the data, how to stop', () => {
    const text = startupBanner({ ...base, sandboxUrl: 'http://127.0.0.1:3001', admin: undefined });
    expect(text.match(/https?:\/\/localhost:3000\S*/g)).toEqual(['http://localhost:3000/']);
    expect(text).toContain('Open http://localhost:3000/');
    expect(text).toContain('Sandbox gateway: http://127.0.0.1:3001 (test cards: http://127.0.0.1:3001/sandbox/cards)');
    expect(text).toContain('Back office:     off (set ADMIN_PASSWORD_HASH');
    expect(text).toContain('Data:            /srv/shop/data');
    expect(text).toContain('Ctrl+C to stop.');
    for (const line of text.split('\n').filter(Boolean)) expect(() => JSON.parse(line) as unknown).toThrow();
  });

  it("with the embedded sandbox's generated operator token, shows its tools, the token and the file that keeps it", () => {
    const sandboxOperator = {
      pages: 'http://127.0.0.1:3001/sandbox/orders',
      reportCard: 'http://127.0.0.1:3001/sandbox/report/demo-shop',
      token: 'generated-operator-token-0123',
      tokenFile: '/srv/shop/data/sandbox/operator-token.json',
    };
    const text = startupBanner({ ...base, sandboxUrl: 'http://127.0.0.1:3001', admin: undefined, sandboxOperator });
    expect(text).toContain(
      'Sandbox tools:   http://127.0.0.1:3001/sandbox/orders (operator token generated-operator-token-0123, kept in /srv/shop/data/sandbox/operator-token.json)',
    );
    expect(text).toContain(
      "Report card:     http://127.0.0.1:3001/sandbox/report/demo-shop (the sandbox grades this shop's calls; same token)",
    );
    expect(startupBanner({ ...base, sandboxUrl: 'http://127.0.0.1:3001', admin: undefined })).not.toContain('token');
  });

  it('with the back office on and a real gateway, names them instead', () => {
    const admin = { url: 'http://localhost:3000/admin', user: 'boss' };
    const text = startupBanner({ ...base, gatewayOrigin: 'https://g.example', sandboxUrl: undefined, admin });
    expect(text).toContain('Back office:     http://localhost:3000/admin (user boss)');
    expect(text).toContain('Payment gateway: https://g.example (GATEWAY_URL)');
    expect(text).not.toContain('sandbox');
  });
});

describe('human-readable logs', () => {
  it('only on a terminal outside production', () => {
    expect(wantsHumanLogs('development', true)).toBe(true);
    expect(wantsHumanLogs('test', true)).toBe(true);
    expect(wantsHumanLogs('development', false)).toBe(false);
    expect(wantsHumanLogs('production', true)).toBe(false);
  });

  it('when on, a line is plain text, not JSON, and still redacted', async () => {
    const out = collecting();
    const logger = createLogger({ level: 'info', destination: out.destination, human: true });
    logger.info({ orderNumber: 'SHOP-1', password: 'canary-pw' }, 'order paid');
    await new Promise((resolve) => setImmediate(resolve));
    const text = out.text();
    expect(text).toContain('order paid');
    expect(text).toContain('SHOP-1');
    expect(text).not.toContain('canary-pw');
    expect(() => JSON.parse(text) as unknown).toThrow();
  });

  it('when off, each line is JSON', () => {
    const out = collecting();
    createLogger({ level: 'info', destination: out.destination }).info({ orderNumber: 'SHOP-1' }, 'order paid');
    expect(JSON.parse(out.text())).toMatchObject({ msg: 'order paid', orderNumber: 'SHOP-1' });
  });
});

describe('the favicon', () => {
  let shop: TestShop;
  beforeAll(async () => {
    shop = await startShop();
  });
  afterAll(() => shop.close());

  it('is served, and the request is not logged as a rejection', async () => {
    const res = await request(shop.app).get('/favicon.ico').expect(200);
    expect(res.headers['content-type']).toMatch(/icon/);
    expect(shop.logs.join('\n')).not.toContain('/favicon.ico');
  });
});
