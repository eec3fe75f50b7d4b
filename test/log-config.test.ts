import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../src/config.js';
import { capturedLogger } from './helpers/logs.js';

describe('logging a whole config', () => {
  it('when the config (with sandbox merchants and a callback key) is logged, no secret reaches the log', () => {
    const merchants = [
      { login: 'm1', userName: 'm1-api', password: 'pw-canary-1', token: 'tok-canary-1', callbackKey: 'cbk-canary-1' },
      { login: 'm2', userName: 'm2-api', password: 'pw-canary-2' },
    ];
    const embedded = loadConfig({
      SESSION_SECRET: 'session-canary-0123456789abcdef-0123',
      SANDBOX_MERCHANTS: JSON.stringify(merchants),
      GATEWAY_CALLBACK_KEY: 'gck-canary-1',
    });
    const remote = loadConfig({
      SESSION_SECRET: 'session-canary-0123456789abcdef-0123',
      GATEWAY_URL: 'https://g.example/payment/rest/',
      GATEWAY_USERNAME: 'u',
      GATEWAY_PASSWORD: 'gw-canary',
      GATEWAY_CALLBACK_KEY: 'gck-canary-2',
    });
    const { logger, lines } = capturedLogger('info');
    logger.info({ config: embedded }, 'embedded');
    logger.info({ config: remote }, 'remote');
    logger.info(embedded, 'top level');
    logger.info({ callbackKey: 'cbk-canary-3', target: { callbackKey: 'cbk-canary-4' } }, 'keys');
    const out = lines.join('');
    expect(lines).toHaveLength(4);
    expect(out).toContain('m1-api');
    expect(out).not.toMatch(/canary/);
  });
});
