import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Project policy for browser suites: on a developer machine without Chromium, skip loudly; in CI (which installs
 * it with `apt-get install chromium`), a missing browser is a failure, never a silent skip.
 */
export function browserSuitePlan(
  env: NodeJS.ProcessEnv = process.env,
  chromiumPresent: boolean = existsSync(CHROMIUM_PATH),
): 'run' | 'skip' | 'fail' {
  if (chromiumPresent) return 'run';
  return env.CI ? 'fail' : 'skip';
}

export function warnBrowserTestsSkipped(suite: string): void {
  const line = '!'.repeat(78);
  process.stderr.write(
    [
      '',
      line,
      `!!  BROWSER TESTS SKIPPED: ${CHROMIUM_PATH} not found; CI installs it (apt-get install chromium)`,
      `!!  suite: ${suite}`,
      '!!  install it locally: apt-get install -y --no-install-recommends chromium',
      line,
      '',
    ].join('\n'),
  );
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
