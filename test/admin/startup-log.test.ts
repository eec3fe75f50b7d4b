import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { ADMIN_PASSWORD } from './helpers.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'admin-start-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts the real launcher (src/server.ts), collects its log until it listens and names the back office, then stops it with SIGTERM. */
async function startupLog(env: Record<string, string>): Promise<string[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'development',
      DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      PORT: String(await freePort()),
      SANDBOX_PORT: '0',
      RECONCILE_INTERVAL_SECS: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await Promise.race([
    // The back-office line follows "shop listening"; on a loaded machine it may arrive in a later chunk.
    new Promise<void>((resolve) =>
      child.stdout.on('data', () => out.includes('shop listening') && out.includes('back office') && resolve()),
    ),
    exited,
  ]);
  child.kill('SIGTERM');
  await exited;
  return out.split('\n').filter((l) => l.trim() !== '');
}

describe('the start-up log', () => {
  it('when the back office is off, says so once and how to turn it on', async () => {
    const lines = await startupLog({});
    expect(lines.filter((l) => l.includes('back office'))).toEqual([
      expect.stringContaining('back office off: set ADMIN_PASSWORD_HASH'),
    ]);
  }, 20_000);

  it('when it is on, says where, once, and never logs the password', async () => {
    const lines = await startupLog({ ADMIN_PASSWORD });
    expect(lines.filter((l) => l.includes('back office'))).toEqual([expect.stringContaining('back office on')]);
    expect(lines.join('\n')).not.toContain(ADMIN_PASSWORD);
  }, 20_000);
});
