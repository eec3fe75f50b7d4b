/** The `gateway-sandbox` bin: a file npm can link at install, before dist/ is built, that runs dist/server.js. */
import { execFile, spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from '@jest/globals';

const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(path.join(PACKAGE_DIR, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
  files: string[];
};
const BIN = pkg.bin['gateway-sandbox'] ?? '';

function run(file: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [file, ...args], (error, out, err) =>
      resolve({ code: error ? Number(error.code) : 0, out, err }),
    );
  });
}

describe('the gateway-sandbox bin', () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'sandbox-bin-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('when npm installs the package before a build, then the file it links exists and ships', () => {
    // A bin under dist/ is not linked by `npm ci` in a fresh clone, and `npx gateway-sandbox` then asks the registry.
    expect(BIN).not.toMatch(/^(\.\/)?dist\//);
    expect(statSync(path.join(PACKAGE_DIR, BIN)).mode & 0o111).not.toBe(0);
    expect(pkg.files).toContain(BIN);
  });

  it('when it runs, then it runs the built server with the same arguments, or says to build first', async () => {
    const bin = path.join(work, BIN);
    mkdirSync(path.dirname(bin), { recursive: true });
    copyFileSync(path.join(PACKAGE_DIR, BIN), bin);
    writeFileSync(path.join(work, 'package.json'), '{"type":"module"}\n'); // as the package's own
    expect(await run(bin, ['report', '--help'])).toEqual({
      code: 1,
      out: '',
      err: 'gateway-sandbox is not built: run `npm run build` (in the repository) first\n',
    });
    mkdirSync(path.join(work, 'dist'));
    writeFileSync(path.join(work, 'dist', 'server.js'), 'console.log(JSON.stringify(process.argv.slice(2)));\n');
    expect(await run(bin, ['report', '--help'])).toEqual({ code: 0, out: '["report","--help"]\n', err: '' });
  });
});

describe('the gateway-sandbox bin with an argument or a busy port (src/server.ts)', () => {
  /** `node --import tsx src/server.ts …args` with exactly `env` (plus PATH). */
  const server = (args: string[], env: Record<string, string> = {}) =>
    new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts', ...args], {
        cwd: PACKAGE_DIR,
        env: { PATH: process.env.PATH ?? '', SANDBOX_PORT: '0', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      // A sandbox that starts anyway would never exit: stop it so the test fails on its output, not a timeout.
      const timer = setTimeout(() => child.kill('SIGTERM'), 10_000);
      child.once('close', (code) => {
        clearTimeout(timer);
        resolve({ code, out, err });
      });
    });

  it('when it is asked for --help, then it prints its usage and starts nothing', async () => {
    const { code, out, err } = await server(['--help']);
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(out).toMatch(/^Usage: gateway-sandbox {2}/);
    expect(out).toContain('gateway-sandbox report --help');
  }, 30_000);

  it('when it is given an unknown command, then it says so with the usage and exits 2', async () => {
    const { code, out, err } = await server(['serve']);
    expect({ code, out }).toEqual({ code: 2, out: '' });
    expect(err).toMatch(/^gateway-sandbox: unknown command 'serve'\nUsage: /);
  }, 30_000);

  it('when its port is in use, then one line names it and SANDBOX_PORT, and it exits 1', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const { port } = busy.address() as AddressInfo;
    try {
      const { code, err } = await server([], {
        SANDBOX_PORT: String(port),
        SANDBOX_OPERATOR_TOKEN: 'bin-test-operator-token-0123',
      });
      expect(code).toBe(1);
      expect(err).toBe(
        `gateway-sandbox: 127.0.0.1:${port} is in use: set SANDBOX_PORT to a free port (0: any free port)\n`,
      );
    } finally {
      busy.close();
    }
  }, 30_000);

  it('when it starts without a data folder, then it says once that the orders are kept in memory', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: PACKAGE_DIR,
      env: { PATH: process.env.PATH ?? '', SANDBOX_PORT: '0', SANDBOX_OPERATOR_TOKEN: 'bin-test-operator-token-0123' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('gateway sandbox listening')) resolve();
      });
      child.once('close', () => resolve());
    });
    await new Promise((resolve) => setTimeout(resolve, 500)); // the lines logged right after listening
    child.kill('SIGTERM');
    await closed;
    expect(out.split('\n').filter((line) => /in memory/.test(line))).toHaveLength(1);
  }, 30_000);
});
