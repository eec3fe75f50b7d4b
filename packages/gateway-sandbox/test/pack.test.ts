/**
 * The package as a consumer gets it: `npm pack` (its prepack builds dist/), the tarball installed into an empty
 * project in a temporary folder (its dependencies from npm's cache, the registry only for what the cache lacks; no
 * install scripts: the suite keeps orders in memory, so SQLite's addon is never loaded), then a plain-JavaScript
 * jest + supertest suite run there with this repository's jest. It imports the package by its name, registers an
 * order over HTTP, opens the hosted payment page (rendered from the packed views) and its stylesheet (packed
 * public/). Then the README's example runs as written, and the `gateway-sandbox` bin starts and stops. A file the package needs but does not ship fails it.
 * Last, the README's recipe for a team's own suite: examples/outside-project, copied out of the repository, installs
 * the tarball with its own jest, supertest and express, and passes its suite.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { docSection } from './helpers/docs.js';

const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The README's "Use it in your own test suite" recipe, as a separate project (the repository's examples/). */
const OUTSIDE_PROJECT = path.resolve(PACKAGE_DIR, '..', '..', 'examples', 'outside-project');
const NAME = '@rbs-storefront/gateway-sandbox';
const require = createRequire(import.meta.url);
/** The test tools the consumer borrows from this repository rather than installing them. */
const JEST_BIN = path.join(path.dirname(require.resolve('jest/package.json')), 'bin', 'jest.js');
const SUPERTEST_DIR = path.dirname(require.resolve('supertest/package.json'));

/** The environment without what `npm test` sets for itself (npm_config_*, npm_package_*): the child npm is a user's. */
const cleanEnv = (extra: Record<string, string> = {}) => ({
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k))),
  ...extra,
});

function run(command: string, args: string[], cwd: string, env = cleanEnv()) {
  return new Promise<{ code: number | null; out: string; err: string }>((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, out, err }));
  });
}

/** The consumer's suite: plain JavaScript (ESM), as someone who installed the package from a registry writes it. */
const CONSUMER_SUITE = `import request from 'supertest';
import { DEFAULT_MERCHANTS, startSandbox } from '${NAME}';

let sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
});
afterAll(() => sandbox.close());

test('register.do answers an orderId and a formUrl, whose hosted page and stylesheet load', async () => {
  const [merchant] = DEFAULT_MERCHANTS;
  const res = await request(sandbox.url).post('/payment/rest/register.do').type('form').send({
    userName: merchant.userName,
    password: merchant.password,
    orderNumber: 'PACK-1',
    amount: '150000',
    returnUrl: 'https://shop.example/return',
  });
  expect(res.status).toBe(200);
  expect(res.body).toEqual(expect.objectContaining({ orderId: expect.any(String), formUrl: expect.any(String) }));
  const formUrl = new URL(res.body.formUrl);
  expect(formUrl.origin).toBe(sandbox.url);
  const page = await request(sandbox.url).get(formUrl.pathname + formUrl.search);
  expect(page.status).toBe(200);
  expect(page.text).toMatch(/<form[^>]*method="post"/i);
  const css = await request(sandbox.url).get('/sandbox/assets/sandbox.css');
  expect(css.status).toBe(200);
  expect(css.headers['content-type']).toMatch(/^text\\/css/);
});
`;

describe(`${NAME} packed and installed into an empty project`, () => {
  const work = mkdtempSync(path.join(tmpdir(), 'sandbox-pack-'));
  const consumer = path.join(work, 'consumer');
  let packed: { filename: string; size: number; entryCount: number; files: Array<{ path: string }> };

  beforeAll(async () => {
    const pack = await run('npm', ['pack', '--json', '--pack-destination', work], PACKAGE_DIR);
    expect([pack.code, pack.err]).toEqual([0, expect.any(String)]);
    packed = (JSON.parse(pack.out) as (typeof packed)[])[0]!;
    mkdirSync(path.join(consumer, 'test'), { recursive: true });
    writeFileSync(
      path.join(consumer, 'package.json'),
      JSON.stringify({ name: 'sandbox-consumer', private: true, type: 'module' }),
    );
    writeFileSync(path.join(consumer, 'test', 'sandbox.test.js'), CONSUMER_SUITE);
    const install = await run(
      'npm',
      ['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', path.join(work, packed.filename)],
      consumer,
    );
    expect([install.code, install.err]).toEqual([0, expect.any(String)]);
    symlinkSync(SUPERTEST_DIR, path.join(consumer, 'node_modules', 'supertest'), 'dir');
  }, 120_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('ships its built code with types, its pages, stylesheet, README and LICENSE, and no sources or tests', () => {
    const files = packed.files.map((f) => f.path);
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'LICENSE',
        'dist/index.js',
        'dist/index.d.ts',
        'dist/server.js',
        'bin/gateway-sandbox.js',
        'views/payment.ejs',
        'views/partials/head.ejs',
        'views/tools/orders.ejs',
        'public/sandbox.css',
      ]),
    );
    expect(files.filter((f) => /^(src|test)\/|tsbuildinfo|tsconfig/.test(f))).toEqual([]);
  });

  it("passes the consumer's jest + supertest suite, importing the package by its name", async () => {
    const config = JSON.stringify({ testEnvironment: 'node', transform: {}, testMatch: ['**/test/*.test.js'] });
    const jest = await run(
      process.execPath,
      ['--experimental-vm-modules', '--disable-warning=ExperimentalWarning', JEST_BIN, '--ci', '--config', config],
      consumer,
    );
    expect([jest.code, jest.err]).toEqual([0, expect.stringMatching(/Tests:\s+1 passed, 1 total/)]);
  }, 60_000);

  it("runs its README's startSandbox() example as written, from the installed package", async () => {
    const readme = readFileSync(path.join(consumer, 'node_modules', NAME, 'README.md'), 'utf8');
    const example = /^```js\n([\s\S]*?)^```/m.exec(readme)?.[1];
    expect(example).toContain(`from '${NAME}'`);
    writeFileSync(path.join(consumer, 'example.mjs'), example!);
    const result = await run(process.execPath, ['example.mjs'], consumer);
    expect([result.code, result.out, result.err]).toEqual([
      0,
      expect.stringMatching(
        /^\S+ http:\/\/127\.0\.0\.1:\d+\/payment\/merchants\/demo-shop\/payment_en\.html\?mdOrder=\S+\n$/,
      ),
      '',
    ]);
  }, 30_000);

  describe('the outside-project recipe (examples/outside-project)', () => {
    const outside = path.join(work, 'outside-project');

    beforeAll(async () => {
      // As a team would: its own package.json (jest, supertest, express), the sandbox package installed into it.
      cpSync(OUTSIDE_PROJECT, outside, { recursive: true, filter: (from) => !from.includes('node_modules') });
      const install = await run(
        'npm',
        [
          'install',
          '--prefer-offline',
          '--ignore-scripts',
          '--no-audit',
          '--no-fund',
          path.join(work, packed.filename),
        ],
        outside,
      );
      expect([install.code, install.err]).toEqual([0, expect.any(String)]);
    }, 180_000);

    it('passes its own jest suite: the sandbox started inside it, a purchase paid without a browser, the report card read', async () => {
      const test = await run('npm', ['test', '--', '--ci'], outside);
      expect([test.code, test.err]).toEqual([0, expect.stringMatching(/Tests:\s+2 passed, 2 total/)]);
    }, 60_000);
  });

  it('starts the gateway-sandbox bin, which stops on SIGTERM', async () => {
    const bin = spawn(path.join(consumer, 'node_modules', '.bin', 'gateway-sandbox'), [], {
      cwd: consumer,
      env: cleanEnv({ SANDBOX_PORT: '0', SANDBOX_OPERATOR_TOKEN: 'pack-test-operator-token-0123456789' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    bin.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const closed = new Promise<number | null>((resolve) => bin.once('close', resolve));
    await new Promise<void>((resolve, reject) => {
      bin.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('gateway sandbox listening')) resolve();
      });
      void closed.then((code) => reject(new Error(`the bin exited (${code}) before listening:\n${out}`)));
    });
    bin.kill('SIGTERM');
    expect(await closed).toBe(0);
  }, 30_000);
});

describe('the README\'s "Use it in your own test suite" recipe', () => {
  it("shows examples/outside-project's suite as it is, the one pack.test.ts runs", () => {
    const section = docSection('packages/gateway-sandbox/README.md', 'Use it in your own test suite');
    const suite = /^```js\n([\s\S]*?)^```/m.exec(section)?.[1];
    expect(suite).toBe(readFileSync(path.join(OUTSIDE_PROJECT, 'test', 'shop.test.js'), 'utf8'));
  });
});
