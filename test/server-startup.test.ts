// Start-up failures of the real launcher (src/server.ts) that a newcomer meets first: each says what to change,
// exits 1, and prints no stack.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from '@jest/globals';
import { REPO_ROOT } from './helpers/page-leaks.js';
import { jsonLogLines } from './helpers/logs.js';
import { freePort } from './helpers/shop-process.js';

const TSX = pathToFileURL(path.join(REPO_ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
const cwd = mkdtempSync(path.join(tmpdir(), 'startup-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

/**
 * Runs src/server.ts with exactly `env` until it exits, with what it printed. With `stopWhen`, it is sent SIGTERM
 * once its stdout matches (a start that works).
 */
function runUntilExit(
  env: Record<string, string>,
  stopWhen?: RegExp,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', TSX, path.join(REPO_ROOT, 'src/server.ts')], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      TSX_TSCONFIG_PATH: path.join(REPO_ROOT, 'tsconfig.json'),
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      DATA_DIR: path.join(cwd, 'data'),
      RECONCILE_INTERVAL_SECS: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString('utf8');
    if (stopWhen?.test(stdout)) child.kill('SIGTERM');
  });
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

async function occupied(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { port: typeof address === 'object' && address ? address.port : 0, server };
}

const noStack = (text: string) => expect(text).not.toMatch(/^\s+at /m);

describe('start-up errors that say what to change', () => {
  it('when PORT is in use, names the setting to change and exits 1 without a stack', async () => {
    const { port, server } = await occupied();
    try {
      const run = await runUntilExit({ PORT: String(port), SANDBOX_PORT: '0' });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`PORT=${port} is in use: set PORT (or SANDBOX_PORT) to a free port`);
      noStack(run.stderr);
    } finally {
      server.close();
    }
  }, 30_000);

  it('when SANDBOX_PORT is in use, names that setting instead', async () => {
    const { port, server } = await occupied();
    try {
      const run = await runUntilExit({ PORT: String(await freePort()), SANDBOX_PORT: String(port) });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`SANDBOX_PORT=${port} is in use: set SANDBOX_PORT (or PORT) to a free port`);
      noStack(run.stderr);
    } finally {
      server.close();
    }
  }, 30_000);

  it('when SANDBOX_PUBLIC_URL does not reach the embedded sandbox (a copied .env, another port), warns naming both values', async () => {
    const sandboxPort = await freePort();
    const elsewhere = await freePort();
    const run = await runUntilExit(
      {
        PORT: String(await freePort()),
        SANDBOX_PORT: String(sandboxPort),
        SANDBOX_PUBLIC_URL: `http://127.0.0.1:${elsewhere}`,
      },
      /Ctrl\+C to stop\./,
    );
    const message = `SANDBOX_PUBLIC_URL=http://127.0.0.1:${elsewhere} does not reach the embedded sandbox from here, which listens on SANDBOX_HOST=127.0.0.1 SANDBOX_PORT=${sandboxPort}`;
    // In the JSON log (level warn) and again in the plain block, so that it is not missed.
    const warning = jsonLogLines(run.stdout).find((l) => l.msg.startsWith(message));
    expect(warning?.level).toBe(40);
    expect(run.stdout).toContain(`  Warning: ${message}`);
  }, 30_000);

  it('when SANDBOX_PUBLIC_URL reaches it, there is no such warning', async () => {
    const sandboxPort = await freePort();
    const run = await runUntilExit(
      {
        PORT: String(await freePort()),
        SANDBOX_PORT: String(sandboxPort),
        SANDBOX_PUBLIC_URL: `http://127.0.0.1:${sandboxPort}`,
      },
      /Ctrl\+C to stop\./,
    );
    expect(run.stdout).toContain('Ctrl+C to stop.');
    expect(run.stdout).not.toContain('does not reach the embedded sandbox');
  }, 30_000);

  it('when PUBLIC_BASE_URL names another port than PORT (a copied .env), warns naming both, as for SANDBOX_PUBLIC_URL', async () => {
    const port = await freePort();
    const elsewhere = await freePort();
    const run = await runUntilExit(
      { PORT: String(port), SANDBOX_PORT: '0', PUBLIC_BASE_URL: `http://localhost:${elsewhere}` },
      /Ctrl\+C to stop\./,
    );
    expect(run.code).toBe(0);
    const message = `PUBLIC_BASE_URL=http://localhost:${elsewhere} does not reach the shop from here, which listens on HOST=127.0.0.1 PORT=${port}`;
    const warning = jsonLogLines(run.stdout).find((l) => l.msg.startsWith(message));
    expect(warning?.level).toBe(40);
    expect(warning?.msg).toContain('every page redirects there. Unset PUBLIC_BASE_URL (it then follows PORT)');
    expect(run.stdout).toContain(`  Warning: ${message}`);
  }, 30_000);

  it('when PUBLIC_BASE_URL reaches the shop, there is no such warning', async () => {
    const port = await freePort();
    const run = await runUntilExit(
      { PORT: String(port), SANDBOX_PORT: '0', PUBLIC_BASE_URL: `http://127.0.0.1:${port}` },
      /Ctrl\+C to stop\./,
    );
    expect(run.stdout).toContain('Ctrl+C to stop.');
    expect(run.stdout).not.toContain('does not reach');
  }, 30_000);

  it('when a value is easy to get wrong (CURRENCY=EUR), says what is expected with an example', async () => {
    const run = await runUntilExit({ PORT: String(await freePort()), SANDBOX_PORT: '0', CURRENCY: 'EUR' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('CURRENCY: must be an ISO 4217 numeric code, e.g. 978 for EUR');
    noStack(run.stderr);
  }, 30_000);
});

describe('the console at start', () => {
  it('in development with stdout piped, prints the plain block once, after the JSON log lines', async () => {
    const port = await freePort();
    const run = await runUntilExit({ PORT: String(port), SANDBOX_PORT: '0' }, /Ctrl\+C to stop\./);
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n').filter((l) => l.trim() !== '');
    const plain = lines.filter((l) => !l.startsWith('{'));
    expect(plain).toEqual([
      `  Shop is running. Open http://localhost:${port}/`,
      expect.stringMatching(
        /^ {2}Sandbox gateway: http:\/\/127\.0\.0\.1:\d+ \(test cards: http:\/\/127\.0\.0\.1:\d+\/sandbox\/cards\)$/,
      ),
      // The generated operator token, shown here (and kept in its file), never in the JSON lines.
      expect.stringMatching(/^ {2}Sandbox tools: {3}http:\/\/127\.0\.0\.1:\d+\/sandbox\/orders \(operator token /),
      expect.stringMatching(/^ {2}Report card: {5}http:\/\/127\.0\.0\.1:\d+\/sandbox\/report\/demo-shop \(/),
      expect.stringMatching(/^ {2}Back office: +off \(set ADMIN_PASSWORD_HASH/),
      expect.stringMatching(
        new RegExp(
          `^ {2}Developer panel: http://localhost:${port}/dev\\?token=[A-Za-z0-9_-]{43} \\(this machine only\\)$`,
        ),
      ),
      `  Data:            ${path.join(cwd, 'data')}`,
      '  Ctrl+C to stop.',
    ]);
    expect(run.stdout).toContain('"shop listening"');
    const kept = path.join(cwd, 'data', 'sandbox', 'operator-token.json');
    const { operatorToken } = JSON.parse(readFileSync(kept, 'utf8')) as { operatorToken: string };
    expect(plain[2]).toContain(`(operator token ${operatorToken}, kept in ${kept})`);
    expect(lines.filter((l) => l.startsWith('{')).join('\n')).not.toContain(operatorToken);
  }, 30_000);

  it('in production (not a terminal), writes JSON lines only', async () => {
    const run = await runUntilExit(
      {
        NODE_ENV: 'production',
        PORT: String(await freePort()),
        SANDBOX: 'on',
        SANDBOX_PORT: '0',
        SANDBOX_OPERATOR_TOKEN: 'operator-token-for-tests-0123',
        SESSION_SECRET: 'a-test-session-secret-of-32-chars!!',
        CALLBACKS: 'off',
      },
      /"shop listening"/,
    );
    expect(run.code).toBe(0);
    for (const line of run.stdout.split('\n').filter((l) => l.trim() !== ''))
      expect(() => JSON.parse(line) as unknown).not.toThrow();
  }, 30_000);
});
