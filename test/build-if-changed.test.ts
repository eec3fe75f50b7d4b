// references-test: fixture paths (src/a.ts and the like live in a temporary copy, not in this repository)
// `npm start` skips the build when dist/ is newer than every input (scripts/build-if-changed.js), so a second
// start takes a moment. Checked on a copy of the script with a stand-in tsc that only records its calls.
import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { REPO_ROOT } from './helpers/page-leaks.js';

const root = mkdtempSync(path.join(tmpdir(), 'build-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
mkdirSync(path.join(root, 'scripts'));
copyFileSync(path.join(REPO_ROOT, 'scripts/build-if-changed.js'), path.join(root, 'scripts/build-if-changed.js'));
writeFileSync(path.join(root, 'package.json'), '{"type":"module"}');
mkdirSync(path.join(root, 'src'));
writeFileSync(path.join(root, 'src', 'a.ts'), 'export const a = 1;\n');
// A workspace package with a build of its own, like packages/gateway-sandbox.
const pkg = path.join(root, 'packages', 'lib');
mkdirSync(path.join(pkg, 'src'), { recursive: true });
writeFileSync(path.join(pkg, 'tsconfig.build.json'), '{}');
writeFileSync(path.join(pkg, 'src', 'c.ts'), 'export const c = 3;\n');
const BOTH = ['-p packages/lib/tsconfig.build.json', '-p tsconfig.build.json'];
mkdirSync(path.join(root, 'node_modules/typescript/bin'), { recursive: true });
const calls = path.join(root, 'tsc-calls');
writeFileSync(calls, '');
// The stand-in tsc: records the call and makes dist/, as tsc would.
writeFileSync(
  path.join(root, 'node_modules/typescript/bin/tsc'),
  `const fs = require('node:fs'); fs.appendFileSync(${JSON.stringify(calls)}, process.argv.slice(2).join(' ') + '\\n'); fs.mkdirSync(${JSON.stringify(path.join(root, 'dist'))}, { recursive: true });`,
);
writeFileSync(path.join(root, 'node_modules/typescript/package.json'), '{"type":"commonjs"}');

const start = () => execFileSync(process.execPath, [path.join(root, 'scripts/build-if-changed.js')], { cwd: root });
const tscCalls = () => readFileSync(calls, 'utf8').split('\n').filter(Boolean);

describe('the build before npm start', () => {
  it('builds (incrementally, tsconfig.build.json) when dist/ is missing, then skips until a source file changes', () => {
    start();
    expect(tscCalls()).toEqual(BOTH);
    start();
    start();
    expect(tscCalls()).toHaveLength(2);
    const later = new Date(Date.now() + 60_000);
    utimesSync(path.join(root, 'src', 'a.ts'), later, later);
    start();
    expect(tscCalls()).toEqual([...BOTH, ...BOTH]);
    start();
    expect(tscCalls()).toHaveLength(4);
  });

  it("when a workspace package's source changes, builds the package first, then the shop", () => {
    const before = tscCalls().length;
    const later = new Date(Date.now() + 90_000);
    utimesSync(path.join(pkg, 'src', 'c.ts'), later, later);
    start();
    expect(tscCalls().slice(before)).toEqual(BOTH);
    start();
    expect(tscCalls()).toHaveLength(before + 2);
  });

  it('when a new source file appears, builds again', () => {
    const before = tscCalls().length;
    mkdirSync(path.join(root, 'src', 'shop'), { recursive: true });
    const file = path.join(root, 'src', 'shop', 'b.ts');
    appendFileSync(file, 'export const b = 2;\n');
    const later = new Date(Date.now() + 120_000);
    utimesSync(file, later, later);
    start();
    expect(tscCalls()).toHaveLength(before + 2);
  });

  it('tsconfig.build.json keeps tsc incremental, its build info under the git-ignored dist/', () => {
    const build = JSON.parse(readFileSync(path.join(REPO_ROOT, 'tsconfig.build.json'), 'utf8')) as {
      compilerOptions: Record<string, unknown>;
    };
    expect(build.compilerOptions).toMatchObject({ incremental: true, tsBuildInfoFile: 'dist/.tsbuildinfo' });
    expect(readFileSync(path.join(REPO_ROOT, '.gitignore'), 'utf8')).toMatch(/^dist\/$/m);
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.start).toBe('node scripts/build-if-changed.js && node dist/server.js');
  });
});
