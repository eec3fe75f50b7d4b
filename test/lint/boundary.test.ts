// references-test: fixture paths (src/example.ts and the like are in-memory sources, not files of this repository)
/**
 * The package boundary (docs/decisions/0014-sandbox-package.md) as ESLint enforces it, through ESLint's Node API on
 * in-memory sources: the shop may import the gateway sandbox by its name only, and the package imports nothing
 * outside its folder. The rule's config is the one eslint.config.js uses; the last tests check that the project's
 * config turns it on and that the repository as it is passes it.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { packageBoundaryConfig } from '../../eslint-rules/package-boundary.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const NAME = '@rbs-storefront/gateway-sandbox';

/** ESLint with the boundary rule only (no type information needed, so it is quick). */
const eslint = new ESLint({
  cwd: ROOT,
  overrideConfigFile: true,
  overrideConfig: [
    { files: ['**/*.ts', '**/*.js'], languageOptions: { parser: tseslint.parser } },
    packageBoundaryConfig(ROOT),
  ],
});

/** The boundary rule's messages for `code` as if it were the file `file` (relative to the repository root). */
async function boundaryMessages(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  return result!.messages.map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
}

describe('shop code imports the gateway sandbox by its name only', () => {
  it.each([
    ['src/example.ts', `import { startSandbox } from '${NAME}';`],
    ['test/shop/example.test.ts', `import type { RunningSandbox } from '${NAME}';`],
    ['bench/example.js', `const m = await import('${NAME}');`],
    // The sandbox's test helpers (not published, built on its public API) are the one shared folder.
    [
      'test/shop/example.test.ts',
      `import { payOnHostedPage } from '../../packages/gateway-sandbox/test/helpers/sandbox-buyer.js';`,
    ],
  ])('%s: %s is allowed', async (file, code) => {
    expect(await boundaryMessages(file, code)).toEqual([]);
  });

  it.each([
    ['src/example.ts', `import { Sqlite } from '../packages/gateway-sandbox/src/sqlite.js';`],
    ['src/shop/example.ts', `import { startSandbox } from '../../packages/gateway-sandbox/dist/index.js';`],
    ['test/example.test.ts', `export * from '../packages/gateway-sandbox/src/index.js';`],
    ['src/example.ts', `import { REST_METHODS } from '${NAME}/dist/rest/routes.js';`],
    ['test/gateway/example.test.ts', `import { openSandboxDatabase } from '${NAME}/src/database.js';`],
    ['bench/example.js', `await import('../packages/gateway-sandbox/src/start.js');`],
  ])('%s: %s is reported', async (file, code) => {
    const messages = await boundaryMessages(file, code);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/^boundary\/package-boundary: .*by its name/);
  });
});

describe('the gateway sandbox imports nothing outside its folder', () => {
  it.each([
    ['packages/gateway-sandbox/src/example.ts', `import { VIEWS_DIR } from './paths.js';`],
    ['packages/gateway-sandbox/src/rest/example.ts', `import type { SandboxOrder } from '../types.js';`],
    ['packages/gateway-sandbox/test/example.test.ts', `import { startSandbox } from '../src/index.js';`],
    ['packages/gateway-sandbox/test/example.test.ts', `import { makeSandbox } from './helpers/sandbox-app.js';`],
    ['packages/gateway-sandbox/src/example.ts', `import express from 'express';`],
  ])('%s: %s is allowed', async (file, code) => {
    expect(await boundaryMessages(file, code)).toEqual([]);
  });

  it.each([
    ['packages/gateway-sandbox/src/example.ts', `import { loadConfig } from '../../../src/config.js';`],
    ['packages/gateway-sandbox/src/rest/example.ts', `import { toMinor } from '../../../../src/money.js';`],
    ['packages/gateway-sandbox/test/example.test.ts', `import { startShop } from '../../../test/helpers/shop.js';`],
    ['packages/gateway-sandbox/src/example.ts', `export { log } from '../../../src/log.js';`],
    ['packages/gateway-sandbox/src/example.ts', `import { loadConfig } from 'rbs-redirect-storefront/src/config.js';`],
  ])('%s: %s is reported', async (file, code) => {
    const messages = await boundaryMessages(file, code);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/^boundary\/package-boundary: .*(leaves packages\/gateway-sandbox|root project)/);
  });
});

describe('the project', () => {
  it("turns the rule on in eslint.config.js, for the shop's files and the package's", async () => {
    const project = new ESLint({ cwd: ROOT });
    for (const file of ['src/gateway-target.ts', 'test/app.test.ts', 'packages/gateway-sandbox/src/start.ts']) {
      const config = (await project.calculateConfigForFile(path.join(ROOT, file))) as {
        rules: Record<string, unknown>;
      };
      expect([file, config.rules['boundary/package-boundary']]).toEqual([file, [2, expect.any(Object)]]);
    }
  });

  it('keeps the boundary today: no source file of the shop or the package crosses it', async () => {
    const sources = (dir: string): string[] =>
      readdirSync(path.join(ROOT, dir)).flatMap((name) => {
        const rel = path.join(dir, name);
        if (statSync(path.join(ROOT, rel)).isDirectory())
          return ['node_modules', 'dist', 'dist-check'].includes(name) ? [] : sources(rel);
        return /\.(ts|js)$/.test(name) ? [rel] : [];
      });
    const files = ['src', 'test', 'bench', 'packages/gateway-sandbox'].flatMap(sources);
    expect(files.length).toBeGreaterThan(100);
    const results = await eslint.lintFiles(files.map((f) => path.join(ROOT, f)));
    const crossings = results.flatMap((r) =>
      r.messages
        // (eslint-disable comments name rules this ESLint does not load: not a crossing)
        .filter((m) => m.ruleId === 'boundary/package-boundary' || m.fatal)
        .map((m) => `${path.relative(ROOT, r.filePath)}:${m.line}: ${m.message}`),
    );
    expect(crossings).toEqual([]);
  });
});
