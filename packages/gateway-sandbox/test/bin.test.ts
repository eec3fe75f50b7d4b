/** The `gateway-sandbox` bin: a file npm can link at install, before dist/ is built, that runs dist/server.js. */
import { execFile } from 'node:child_process';
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
