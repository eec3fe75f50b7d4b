// The rooms of src/ (src/README.md): a room imports only from rooms on a lower level, and a folder's imports stay
// within its README's `May import:` line. The levels are read from src/README.md's table, the lines from each
// folder's README, so the rule is written once, where a reader looks for it.
import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SRC = path.join(ROOT, 'src');

/** One import: both sides as paths relative to src/ (`to` starts with `../` when it leaves src/). */
interface Edge {
  from: string;
  to: string;
}

/** The room a path under src/ is in: its top folder (`shop/`) or, at the root, the file itself (`app.ts`). */
function roomOf(rel: string): string {
  const [first, ...rest] = rel.split('/');
  return rest.length > 0 ? `${first}/` : first!;
}

/** Level per room, from the table of src/README.md (`| 4 | \`shop/\` | … |`). */
function parseLevels(readme: string): Map<string, number> {
  const levels = new Map<string, number>();
  for (const [, level, rooms] of readme.matchAll(/^\|\s*(\d+)\s*\|([^|]+)\|/gm)) {
    for (const [, room] of rooms!.matchAll(/`([^`]+)`/g)) levels.set(room!, Number(level));
  }
  return levels;
}

/**
 * The rooms a folder's README names in backticks in its `May import:` paragraph (none when it says "nothing"), leaving
 * out what its parentheses say; undefined without one.
 */
function parseMayImport(readme: string): string[] | undefined {
  const line = /^May import:((?:.+\n?)*)/m.exec(readme)?.[1]?.replace(/\([^)]*\)/g, '');
  if (line === undefined) return undefined;
  return [...line.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
}

/** Every relative import of a TypeScript source: `from '…'`, `import '…'` and `import('…')`. */
function importsOf(source: string): string[] {
  const specifiers = source.matchAll(/(?:\bfrom\s*|^\s*import\s*|\bimport\s*\(\s*)['"]([^'"]+)['"]/gm);
  return [...specifiers].map((m) => m[1]!).filter((s) => s.startsWith('.'));
}

/**
 * What breaks the rooms: an import from a room on the same level or above, into a room the README of a folder does
 * not list, out of src/ by a relative path, or from or into a room the table does not name.
 */
function violations(
  edges: readonly Edge[],
  levels: ReadonlyMap<string, number>,
  mayImport: ReadonlyMap<string, readonly string[]>,
): string[] {
  const found: string[] = [];
  for (const { from, to } of edges) {
    const a = roomOf(from);
    if (to.startsWith('../')) {
      found.push(`${from} imports ${to}: outside src/ (use the package's name)`);
      continue;
    }
    const b = roomOf(to);
    if (a === b) continue;
    const la = levels.get(a);
    const lb = levels.get(b);
    if (la === undefined || lb === undefined) {
      found.push(`${from} imports ${to}: ${la === undefined ? a : b} is not in src/README.md's table of rooms`);
    } else if (lb <= la) {
      found.push(`${from} imports ${to}: ${a} (level ${la}) may not import ${b} (level ${lb})`);
    } else if (mayImport.has(a) && !mayImport.get(a)!.includes(b)) {
      found.push(`${from} imports ${to}: ${b} is not on the "May import:" line of src/${a}README.md`);
    }
  }
  return found;
}

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const abs = path.join(dir, name);
    if (statSync(abs).isDirectory()) return sourcesUnder(abs);
    return name.endsWith('.ts') ? [abs] : [];
  });
}

const rel = (abs: string) => path.relative(SRC, abs).split(path.sep).join('/');
const levels = parseLevels(readFileSync(path.join(SRC, 'README.md'), 'utf8'));
const folders = readdirSync(SRC).filter((name) => statSync(path.join(SRC, name)).isDirectory());
const readmes = new Map(
  folders.map((name) => {
    const file = path.join(SRC, name, 'README.md');
    return [`${name}/`, existsSync(file) ? readFileSync(file, 'utf8') : undefined] as const;
  }),
);
const mayImport = new Map(
  [...readmes].flatMap(([room, text]) => {
    const list = text === undefined ? undefined : parseMayImport(text);
    return list === undefined ? [] : [[room, list] as const];
  }),
);

describe('the rooms of src/', () => {
  it('has a level for every room', () => {
    const rooms = [...new Set(sourcesUnder(SRC).map((f) => roomOf(rel(f))))];
    expect(rooms.filter((r) => !levels.has(r))).toEqual([]);
    // The table still holds the rooms it must order, whichever of them exist right now.
    expect(levels.get('shop/')).toBeLessThan(levels.get('payments/')!);
    expect(levels.get('payments/')).toBeLessThan(levels.get('orders/')!);
  });

  it('every folder has a README saying what it owns and what it may import', () => {
    expect([...readmes].filter(([, text]) => text === undefined).map(([room]) => room)).toEqual([]);
    expect([...readmes.keys()].filter((room) => !mayImport.has(room))).toEqual([]);
  });

  it('every "May import:" line names only rooms on lower levels', () => {
    const wrong = [...mayImport].flatMap(([room, list]) =>
      list
        .filter((other) => !(levels.get(other)! > levels.get(room)!))
        .map((other) => `src/${room}README.md: ${other}`),
    );
    expect(wrong).toEqual([]);
  });

  it('no file imports from a room above its own, or beside it', () => {
    const edges = sourcesUnder(SRC).flatMap((file) =>
      importsOf(readFileSync(file, 'utf8')).map((spec) => ({
        from: rel(file),
        to: rel(path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts'))),
      })),
    );
    expect(edges.length).toBeGreaterThan(100);
    expect(violations(edges, levels, mayImport)).toEqual([]);
  });
});

describe('the room check itself', () => {
  const table = parseLevels(
    ['| level | room | owns |', '| --- | --- | --- |', '| 1 | `shop/` | x |', '| 2 | `payments/` | x |']
      .concat(['| 3 | `metrics/` | x |', '| 4 | `orders/`, `gateway/` | x |', '| 5 | `log.ts` | x |'])
      .join('\n'),
  );
  const lists = new Map([
    ['metrics/', parseMayImport('Owns it.\n\nMay import: `gateway/` (its `types.ts`).\n\n`x/`')!],
  ]);

  it('reads the levels, several rooms to a level, and a README line', () => {
    expect([...table]).toEqual([
      ['shop/', 1],
      ['payments/', 2],
      ['metrics/', 3],
      ['orders/', 4],
      ['gateway/', 4],
      ['log.ts', 5],
    ]);
    expect(lists.get('metrics/')).toEqual(['gateway/']);
    expect(parseMayImport('May import: nothing from src/.')).toEqual([]);
    expect(parseMayImport('May import: `a/`,\n`b.ts` (not `c/`).\n')).toEqual(['a/', 'b.ts']);
    expect(parseMayImport('No such line.')).toBeUndefined();
  });

  it('finds the relative imports of a source, static, side-effect and dynamic', () => {
    const source = [
      "import { a } from '../shop/a.js';",
      "import type { B } from './b.js';",
      "export { c } from '../gateway/c.js';",
      "import '../log.js';",
      "const d = await import('../orders/d.js');",
      "import express from 'express';",
    ].join('\n');
    expect(importsOf(source)).toEqual(['../shop/a.js', './b.js', '../gateway/c.js', '../log.js', '../orders/d.js']);
  });

  it('catches an import that runs up, or sideways, or leaves the table or src/', () => {
    const edges: Edge[] = [
      { from: 'shop/return.ts', to: 'payments/settle.ts' }, // down: fine
      { from: 'shop/return.ts', to: 'shop/deps.ts' }, // inside a room: fine
      { from: 'payments/settle.ts', to: 'log.ts' }, // down: fine
      { from: 'metrics/index.ts', to: 'gateway/action-codes.ts' }, // down and on its README line: fine
      { from: 'metrics/index.ts', to: 'shop/action-codes.ts' }, // up: the import this check was written against
      { from: 'payments/settle.ts', to: 'shop/deps.ts' }, // up
      { from: 'orders/ledger.ts', to: 'gateway/types.ts' }, // sideways, same level
      { from: 'metrics/index.ts', to: 'orders/types.ts' }, // down, but not on metrics' README line
      { from: 'shop/x.ts', to: 'newroom/y.ts' }, // a room with no level
      { from: 'gateway-target.ts', to: '../packages/gateway-sandbox/src/index.ts' }, // a deep import out of src/
    ];
    expect(violations(edges, table, lists)).toEqual([
      'metrics/index.ts imports shop/action-codes.ts: metrics/ (level 3) may not import shop/ (level 1)',
      'payments/settle.ts imports shop/deps.ts: payments/ (level 2) may not import shop/ (level 1)',
      'orders/ledger.ts imports gateway/types.ts: orders/ (level 4) may not import gateway/ (level 4)',
      'metrics/index.ts imports orders/types.ts: orders/ is not on the "May import:" line of src/metrics/README.md',
      "shop/x.ts imports newroom/y.ts: newroom/ is not in src/README.md's table of rooms",
      "gateway-target.ts imports ../packages/gateway-sandbox/src/index.ts: outside src/ (use the package's name)",
    ]);
  });
});
