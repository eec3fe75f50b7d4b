// The docs are part of the product: every file they, the code and the tests point to exists in this repository,
// and every test that docs/security.md names as the proof of a defence exists under that name.
import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SCANNED = ['src', 'test', 'docs', 'views', 'bench', 'packages', 'README.md', 'Dockerfile', '.env.example', '.ci'];

function filesUnder(rel: string): string[] {
  const abs = path.join(ROOT, rel);
  if (!existsSync(abs)) return [];
  if (statSync(abs).isFile()) return [rel];
  return readdirSync(abs).flatMap((name) => filesUnder(path.join(rel, name)));
}

const files = SCANNED.flatMap(filesUnder).filter(
  (f) => !/\.(png|jpg|svg|ico)$/.test(f) && !/^packages\/[^/]+\/(?:node_modules|dist)\//.test(f),
);
/** A workspace package's own files name their paths from the package's folder (its src/, test/, views/). */
const packageOf = (file: string) => /^packages\/[^/]+\//.exec(file)?.[0];
const read = (rel: string) => readFileSync(path.join(ROOT, rel), 'utf8');

describe('references', () => {
  it('every repository path named in code, tests and docs exists', () => {
    const missing: string[] = [];
    const pathLike =
      /(?<![\w./-])((?:docs|src|test|views|bench|public|packages)\/[\w./-]*\w\.(?:md|ts|ejs|js|json|css|svg))\b/g;
    // A test that builds a fake source tree in a temporary folder says so with this marker, and is skipped.
    for (const file of files.filter((f) => !read(f).includes('references-test: fixture paths'))) {
      for (const [, ref] of read(file).matchAll(pathLike)) {
        if (ref!.includes('*')) continue;
        // A package's build output is named by where it will be: its source must exist (the tests never build).
        const built = /^(packages\/[^/]+)\/dist\/(.+?)(?:\.d\.ts|\.js)$/.exec(ref!);
        if (built) {
          if (!existsSync(path.join(ROOT, built[1]!, 'src', `${built[2]}.ts`))) missing.push(`${file}: ${ref}`);
          continue;
        }
        const pkg = packageOf(file);
        const found = [ROOT, path.join(ROOT, path.dirname(file)), ...(pkg ? [path.join(ROOT, pkg)] : [])].some((dir) =>
          existsSync(path.join(dir, ref!)),
        );
        if (!found) missing.push(`${file}: ${ref}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('every relative link in the Markdown files resolves', () => {
    const missing: string[] = [];
    for (const file of files.filter((f) => f.endsWith('.md'))) {
      for (const [, target] of read(file).matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^(https?:|mailto:|#)/.test(target!)) continue;
        const rel = target!.split('#')[0]!;
        if (!existsSync(path.resolve(ROOT, path.dirname(file), rel))) missing.push(`${file}: ${target}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('no file points to a threat model or API reference outside the repository', () => {
    const outside = files.filter(
      (f) => f !== 'test/docs/references.test.ts' && /SECURITY\.md|gateway-api\.md|\.\.\/shared\//.test(read(f)),
    );
    expect(outside).toEqual([]);
  });
});

describe('docs/security.md', () => {
  const rows = read('docs/security.md')
    .split('\n')
    .filter((line) => /^\| \d+ \|/.test(line))
    .map((line) => {
      const cells = line.split(' | ');
      return { id: cells[0]!.replace('|', '').trim(), proof: cells.at(-1)!.replace(/\|\s*$/, '') };
    });

  it('has its threat rows', () => {
    expect(rows.length).toBeGreaterThanOrEqual(30);
  });

  it.each(rows.map((r) => [r.id, r.proof] as const))(
    'row %s names tests that exist under those titles',
    (_id, proof) => {
      // "`file` "title" and "title"; `file2` "title"" — each title belongs to the last file named before it.
      const cited: Array<{ file: string; title: string }> = [];
      let file: string | undefined;
      const tokens = /`([^`]+\.test\.ts)`|(?:^|\s)"(.+?)"(?=\s+and\s|,|;|\s*\(|\s*$)/g;
      for (const [, named, title] of proof.matchAll(tokens)) {
        if (named) file = named;
        else if (title && file) cited.push({ file, title });
      }
      const filesNamed = [...proof.matchAll(/`([^`]+\.test\.ts)`/g)].map((m) => m[1]!);
      expect(filesNamed.length).toBeGreaterThan(0);
      for (const f of filesNamed) expect([f, existsSync(path.join(ROOT, f))]).toEqual([f, true]);
      for (const { file: f, title } of cited) {
        // A title is quoted up to "…" and may stand for a parametrised one (%s): the words before either must appear.
        const head = title.split(/…|%[sid]/)[0]!.trim();
        expect([f, head, read(f).includes(head)]).toEqual([f, head, true]);
      }
    },
  );
});
