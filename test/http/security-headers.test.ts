// securityHeaders asks helmet once and repeats its headers: they must be exactly helmet's.
import type http from 'node:http';
import { describe, expect, it } from '@jest/globals';
import express from 'express';
import helmet from 'helmet';
import request from 'supertest';
import { fixedHeaders, securityHeaders } from '../../src/http/security.js';

describe('securityHeaders', () => {
  const headersOf = async (mw: express.RequestHandler) => {
    const app = express();
    app.use(mw);
    app.get('/', (_req, res) => void res.send('x'));
    const res = await request(app).get('/').expect(200);
    const out: Record<string, unknown> = { ...res.headers };
    for (const k of ['date', 'content-length', 'etag', 'connection', 'content-type']) delete out[k];
    return out;
  };

  it.each([false, true])('sets exactly the headers helmet sets (https: %s)', async (https) => {
    const opts = { paymentPageOrigin: 'http://127.0.0.1:45911', https };
    const ours = await headersOf(securityHeaders(opts));
    // The same configuration, run by helmet on every request.
    const direct = await headersOf(
      helmet({
        contentSecurityPolicy: {
          useDefaults: false,
          directives: {
            'default-src': ["'self'"],
            'script-src': ["'none'"],
            'style-src': ["'self'"],
            'img-src': ["'self'"],
            'object-src': ["'none'"],
            'base-uri': ["'none'"],
            'frame-ancestors': ["'none'"],
            'form-action': ["'self'", opts.paymentPageOrigin],
            ...(https ? { 'upgrade-insecure-requests': [] } : {}),
          },
        },
        strictTransportSecurity: https ? { maxAge: 15_552_000, includeSubDomains: true } : false,
        referrerPolicy: { policy: 'same-origin' },
      }),
    );
    expect(ours).toEqual(direct);
    expect(ours['content-security-policy']).toContain("form-action 'self' http://127.0.0.1:45911");
    expect(ours['x-powered-by']).toBeUndefined();
    if (https) expect(ours['strict-transport-security']).toBe('max-age=15552000; includeSubDomains');
    else expect(ours['strict-transport-security']).toBeUndefined();
  });

  it('refuses a middleware whose headers depend on the request', () => {
    const perRequest = (req: http.IncomingMessage, res: http.ServerResponse, next: () => void) => {
      res.setHeader('X-Url', String(req.url));
      next();
    };
    expect(() => fixedHeaders(perRequest)).toThrow(/read the request/);
  });

  it('refuses a middleware that does not answer synchronously', () => {
    expect(() => fixedHeaders((_req, _res, next) => void setImmediate(next))).toThrow(/synchronously/);
  });
});
