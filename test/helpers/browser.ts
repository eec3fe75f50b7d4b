import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Project policy for browser suites: on a developer machine without Chromium, skip loudly; in CI (which installs
 * it with `apt-get install chromium`), a missing browser is a failure, never a silent skip. A suite with `ciOnly`
 * runs only with CI=true, Chromium or not (it is slow or needs the whole machine), and is skipped loudly otherwise.
 */
export function browserSuitePlan(
  env: NodeJS.ProcessEnv = process.env,
  chromiumPresent: boolean = existsSync(CHROMIUM_PATH),
  opts: { ciOnly?: boolean } = {},
): 'run' | 'skip' | 'fail' {
  if (opts.ciOnly && env.CI !== 'true') return 'skip';
  if (chromiumPresent) return 'run';
  return env.CI ? 'fail' : 'skip';
}

/** Why a browser suite is skipped, in words that are true on this machine, and how to run it. */
export function browserSkipMessage(
  suite: string,
  chromiumPresent: boolean = existsSync(CHROMIUM_PATH),
  opts: { ciOnly?: boolean } = {},
): string {
  const line = '!'.repeat(78);
  const why = chromiumPresent
    ? [
        `!!  BROWSER TESTS SKIPPED: this suite runs only with CI=true (Chromium is at ${CHROMIUM_PATH})`,
        `!!  suite: ${suite}`,
        '!!  run it: CI=true npm test',
      ]
    : [
        `!!  BROWSER TESTS SKIPPED: ${CHROMIUM_PATH} not found; CI installs it (apt-get install chromium)`,
        `!!  suite: ${suite}`,
        '!!  install it locally: apt-get install -y --no-install-recommends chromium',
        `!!  then run: ${opts.ciOnly ? 'CI=true npm test' : 'npm test'}`,
      ];
  return ['', line, ...why, line, ''].join('\n');
}

export function warnBrowserTestsSkipped(suite: string, opts: { ciOnly?: boolean } = {}): void {
  process.stderr.write(browserSkipMessage(suite, existsSync(CHROMIUM_PATH), opts));
}

/** Chromium with the flags every browser test needs; `extraArgs` adds more (e.g. one raster thread for screenshots). */
export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    return Promise.reject(new Error(`${CHROMIUM_PATH} is missing: CI must install it (apt-get install chromium)`));
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    // Without the background-networking flags Chromium keeps trying to reach the (closed) network.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
      ...extraArgs,
    ],
  });
}
