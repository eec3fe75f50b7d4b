/**
 * The configuration boundary (docs/decisions/0004): only the launchers read the environment; loadConfig checks it
 * once and everything else gets the resulting Config passed down. A file under src/ that reads process.env elsewhere
 * fails here, named with its line.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import ts from 'typescript';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SRC = path.join(ROOT, 'src');

/**
 * The programs' entry points, which read the environment and pass it in (or exit): paths relative to src/. The
 * sandbox's own server counts while the sandbox lives under src/ (it may have moved to its own package).
 */
const LAUNCHERS = new Set(['server.ts', 'reconcile.ts', 'admin-hash.ts', 'sandbox/server.ts']);

/** Where `source` reads the environment: `process.env`, `process['env']`, or `env` imported from node:process. */
function environmentReads(source: string, fileName = 'file.ts'): number[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true);
  const lines: number[] = [];
  const at = (node: ts.Node) => lines.push(file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1);
  const isProcess = (e: ts.Expression): boolean =>
    (ts.isIdentifier(e) && e.text === 'process') ||
    (ts.isPropertyAccessExpression(e) && e.name.text === 'process') ||
    (ts.isParenthesizedExpression(e) && isProcess(e.expression));
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node) && node.name.text === 'env' && isProcess(node.expression)) at(node);
    else if (
      ts.isElementAccessExpression(node) &&
      ts.isStringLiteralLike(node.argumentExpression) &&
      node.argumentExpression.text === 'env' &&
      isProcess(node.expression)
    )
      at(node);
    // const { env } = process
    else if (
      ts.isVariableDeclaration(node) &&
      node.initializer !== undefined &&
      isProcess(node.initializer) &&
      ts.isObjectBindingPattern(node.name) &&
      node.name.elements.some((e) => (e.propertyName ?? e.name).getText(file) === 'env')
    )
      at(node);
    // import { env } from 'node:process', or the whole module (import process from 'process' is caught above)
    else if (
      ts.isImportDeclaration(node) &&
      ts.isStringLiteral(node.moduleSpecifier) &&
      /^(node:)?process$/.test(node.moduleSpecifier.text)
    ) {
      const bindings = node.importClause?.namedBindings;
      if (
        bindings &&
        ts.isNamedImports(bindings) &&
        bindings.elements.some((e) => (e.propertyName ?? e.name).text === 'env')
      )
        at(node);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return lines;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(m|c)?tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

describe('the configuration boundary', () => {
  it('no file under src/ but the launchers reads process.env', () => {
    const files = sourceFiles(SRC);
    expect(files.length).toBeGreaterThan(20);
    const reads = files
      .map((file) => path.relative(SRC, file).split(path.sep).join('/'))
      .filter((name) => !LAUNCHERS.has(name))
      .flatMap((name) =>
        environmentReads(readFileSync(path.join(SRC, name), 'utf8'), name).map((l) => `src/${name}:${l}`),
      );
    expect(reads).toEqual([]);
  });

  it('the launchers are the ones that pass the environment to loadConfig', () => {
    for (const launcher of ['server.ts', 'reconcile.ts'])
      expect(environmentReads(readFileSync(path.join(SRC, launcher), 'utf8'))).not.toEqual([]);
  });

  it('the scan finds every way of reading it, and not the words in a comment or a string', () => {
    expect(environmentReads('const a = process.env.NODE_ENV;')).toEqual([1]);
    expect(environmentReads("\nconst b = process['env'];")).toEqual([2]);
    expect(environmentReads('const c = globalThis.process.env;')).toEqual([1]);
    expect(environmentReads('const { env } = process;')).toEqual([1]);
    expect(environmentReads("import { env } from 'node:process';")).toEqual([1]);
    expect(environmentReads("import { env as e } from 'process';")).toEqual([1]);
    expect(environmentReads('app.set("x", viewCacheOn(process.env.NODE_ENV));')).toEqual([1]);
    expect(environmentReads("// only launchers read process.env\nconst s = 'process.env';")).toEqual([]);
    expect(environmentReads('const d = config.env; const e = process.argv;')).toEqual([]);
  });
});
