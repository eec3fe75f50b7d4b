import { describe, expect, it } from '@jest/globals';
import { browserSuitePlan } from '../helpers/browser.js';

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
});
