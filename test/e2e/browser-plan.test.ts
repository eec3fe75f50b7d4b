import { describe, expect, it } from '@jest/globals';
import { browserSkipMessage, browserSuitePlan, CHROMIUM_PATH } from '../helpers/browser.js';

describe('browser suite policy', () => {
  it('when Chromium is installed, then the browser suites run (CI or not)', () => {
    expect(browserSuitePlan({}, true)).toBe('run');
    expect(browserSuitePlan({ CI: 'true' }, true)).toBe('run');
  });

  it('when Chromium is missing on a developer machine, then the browser suites are skipped', () => {
    expect(browserSuitePlan({}, false)).toBe('skip');
    expect(browserSuitePlan({ CI: '' }, false)).toBe('skip');
  });

  it('when Chromium is missing in CI, then the browser suites fail instead of skipping', () => {
    expect(browserSuitePlan({ CI: 'true' }, false)).toBe('fail');
    expect(browserSuitePlan({ CI: '1' }, false)).toBe('fail');
  });

  it('when a suite runs only in CI, then without CI=true it is skipped even with Chromium installed', () => {
    expect(browserSuitePlan({}, true, { ciOnly: true })).toBe('skip');
    expect(browserSuitePlan({ CI: 'true' }, true, { ciOnly: true })).toBe('run');
    expect(browserSuitePlan({ CI: 'true' }, false, { ciOnly: true })).toBe('fail');
  });

  it('when a suite is skipped, then the message says the true reason and how to run it', () => {
    // Chromium installed, suite CI-only: not "not found".
    const ciOnly = browserSkipMessage('test/e2e/admin.browser.test.ts', true, { ciOnly: true });
    expect(ciOnly).not.toContain('not found');
    expect(ciOnly).toContain(
      `BROWSER TESTS SKIPPED: this suite runs only with CI=true (Chromium is at ${CHROMIUM_PATH})`,
    );
    expect(ciOnly).toContain('run it: CI=true npm test');
    const missing = browserSkipMessage('test/e2e/admin.browser.test.ts', false, { ciOnly: true });
    expect(missing).toContain(`BROWSER TESTS SKIPPED: ${CHROMIUM_PATH} not found`);
    expect(missing).toContain('then run: CI=true npm test');
    expect(browserSkipMessage('test/e2e/checkout.browser.test.ts', false)).toContain('then run: npm test');
  });
});
