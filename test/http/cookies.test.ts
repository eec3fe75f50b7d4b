// fixedCookie writes the shop's cookies without res.cookie's per-call work: it must write what res.cookie wrote.
import http from 'node:http';
import { describe, expect, it } from '@jest/globals';
import express from 'express';
import request from 'supertest';
import { fixedCookie, type CookieOptions } from '../../src/http/cookies.js';

/** The Set-Cookie line(s) a handler leaves on a real Express response. */
async function setCookies(handler: express.RequestHandler): Promise<string[]> {
  const app = express();
  app.get('/', handler, (_req, res) => void res.end());
  const res = await request(app).get('/').expect(200);
  const v = res.headers['set-cookie'] as unknown;
  return Array.isArray(v) ? (v as string[]) : [];
}

describe('fixedCookie', () => {
  const cases: [string, CookieOptions][] = [
    ['buyer', { httpOnly: true, sameSite: 'lax', secure: false, path: '/', maxAge: 30 * 24 * 60 * 60 * 1000 }],
    ['__Host-buyer', { httpOnly: true, sameSite: 'lax', secure: true, path: '/', maxAge: 30 * 24 * 60 * 60 * 1000 }],
    ['csrf', { httpOnly: true, sameSite: 'lax', secure: false, path: '/' }],
    ['__Host-csrf', { httpOnly: true, sameSite: 'lax', secure: true, path: '/' }],
  ];
  it.each(cases)('writes the same line res.cookie writes for %s', async (name, options) => {
    const value = 'abc123_-XYZ.0f';
    const write = fixedCookie(name, options);
    // Both in the same second: Expires is written with a resolution of one second.
    for (;;) {
      const before = Math.floor(Date.now() / 1000);
      const [ours] = await setCookies((_req, res, next) => (write(res, value), next()));
      const [express] = await setCookies((_req, res, next) => (res.cookie(name, value, { ...options }), next()));
      if (Math.floor(Date.now() / 1000) !== before) continue;
      expect(ours).toBe(express);
      break;
    }
  });

  it('adds to the cookies already set instead of replacing them', async () => {
    const write = fixedCookie('csrf', cases[2]![1]);
    const lines = await setCookies((_req, res, next) => {
      res.cookie('lang', 'ru');
      write(res, 'one');
      write(res, 'two');
      next();
    });
    expect(lines.map((l) => l.split(';')[0])).toEqual(['lang=ru', 'csrf=one', 'csrf=two']);
  });

  it('refuses a value that would need encoding instead of writing a broken header', () => {
    const write = fixedCookie('csrf', cases[2]![1]);
    const res = new http.ServerResponse(new http.IncomingMessage(null as never));
    expect(() => write(res, 'a;b')).toThrow(/encoding/);
    expect(() => write(res, 'a b')).toThrow(/encoding/);
    expect(res.getHeader('Set-Cookie')).toBeUndefined();
  });
});
