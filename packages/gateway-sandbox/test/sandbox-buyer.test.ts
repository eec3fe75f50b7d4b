import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { payOnHostedPage } from './helpers/sandbox-buyer.js';

/**
 * The buyer helper against a purpose-built page that behaves like a picky payment page:
 * it sets a session cookie, requires it on submit, names fields unlike the sandbox and
 * uses entity-encoded form actions. Proves the helper acts like a browser, not like our sandbox.
 */
describe('payOnHostedPage (test helper)', () => {
  let server: http.Server;
  let origin: string;
  const posts: Record<string, string>[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (req.method === 'GET' && url.pathname === '/pay') {
        res.setHeader('Set-Cookie', 'sid=abc123; Path=/; HttpOnly');
        res.setHeader('Content-Type', 'text/html');
        res.end(`<form method="post" action="/submit?step=1&amp;x=2"><input type="hidden" name="token" value="t&quot;1">
          <label for="a">Card</label><input id="a" name="card_no" autocomplete="cc-number">
          <input name="exp" autocomplete="cc-exp"><input name="sec" autocomplete="cc-csc"><input name="holder" autocomplete="cc-name"></form>`);
        return;
      }
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        const body = Object.fromEntries(new URLSearchParams(raw));
        posts.push({ ...body, cookie: req.headers.cookie ?? '', path: req.url ?? '' });
        if (url.pathname === '/submit') {
          if (req.headers.cookie !== 'sid=abc123') return res.writeHead(403).end('no session');
          if (body.card_no === '4111111111111112')
            return res.writeHead(422, { 'Content-Type': 'text/html' }).end('<p>Bad card</p>');
          if (body.card_no === '5555555555555599') {
            res.writeHead(303, { Location: '/acs' }).end();
            return;
          }
          res.writeHead(303, { Location: 'https://shop.example/back?orderId=1' }).end();
          return;
        }
        if (url.pathname === '/acs' && req.method === 'POST') {
          res
            .writeHead(302, { Location: body.code === '999' ? 'https://shop.example/ok' : 'https://shop.example/fail' })
            .end();
          return;
        }
        res.setHeader('Content-Type', 'text/html');
        res.end('<form method="post" action="/acs"><input name="code" autocomplete="one-time-code"></form>');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('when the page sets a cookie and the card is accepted, then it submits every field with the cookie and returns the off-site Location', async () => {
    const result = await payOnHostedPage(`${origin}/pay`, {
      pan: '4111111111111111',
      expiry: '11/33',
      cvc: '321',
      name: 'JANE DOE',
    });
    expect(result.redirectUrl).toBe('https://shop.example/back?orderId=1');
    expect(posts.at(-1)).toEqual({
      token: 't"1',
      card_no: '4111111111111111',
      exp: '11/33',
      sec: '321',
      holder: 'JANE DOE',
      cookie: 'sid=abc123',
      path: '/submit?step=1&x=2',
    });
  });

  it('when defaults are used, then CVC 123, TEST CARDHOLDER and a future MM/YY are sent', async () => {
    await payOnHostedPage(`${origin}/pay`, { pan: '4111111111111111' });
    const last = posts.at(-1);
    expect(last).toMatchObject({ sec: '123', holder: 'TEST CARDHOLDER' });
    expect(last?.exp).toMatch(/^12\/\d{2}$/);
  });

  it('when the page answers with an error page, then redirectUrl is null and the html is returned', async () => {
    const result = await payOnHostedPage(`${origin}/pay`, { pan: '4111111111111112' });
    expect(result).toEqual({ redirectUrl: null, html: '<p>Bad card</p>' });
  });

  it('when a challenge appears, then the otp is submitted; without an otp the challenge html is returned', async () => {
    expect((await payOnHostedPage(`${origin}/pay`, { pan: '5555555555555599', otp: '999' })).redirectUrl).toBe(
      'https://shop.example/ok',
    );
    const stuck = await payOnHostedPage(`${origin}/pay`, { pan: '5555555555555599' });
    expect(stuck.redirectUrl).toBeNull();
    expect(stuck.html).toContain('one-time-code');
  });
});
