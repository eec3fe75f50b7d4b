import { Writable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';

describe('the logger', () => {
  it('when handed the whole config by mistake, writes no password, token or session secret', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const logger = createLogger({ level: 'info', destination });
    const secret = 'canary-session-secret-0123456789abcdef';
    const withPassword = loadConfig({
      SESSION_SECRET: secret,
      GATEWAY_URL: 'https://g.example/payment/rest/',
      GATEWAY_USERNAME: 'shop-api',
      GATEWAY_PASSWORD: 'canary-password',
    });
    const withToken = loadConfig({
      SESSION_SECRET: secret,
      GATEWAY_URL: 'https://g.example/payment/rest/',
      GATEWAY_TOKEN: 'canary-token',
    });
    logger.info({ config: withPassword }, 'start');
    logger.info({ config: withToken }, 'start');
    logger.info({ form: { password: 'canary-form' }, cookie: 'sid=canary-cookie' }, 'request');
    const out = lines.join('');
    expect(out).toContain('shop-api'); // the logger did write the config
    expect(out).not.toMatch(/canary/);
  });
});
