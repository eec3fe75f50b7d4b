/**
 * The Dockerfile, checked without a Docker engine: every file it copies from the build context exists and is not
 * left out by .dockerignore, each `npm ci` sees every workspace package's package.json, and the runtime stage has
 * what the gateway-sandbox package needs at run time (its built server, pages and stylesheet), at the path the
 * compose files start the standalone sandbox from.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

interface Copy {
  from?: string;
  sources: string[];
  dest: string;
}
interface Stage {
  name: string;
  steps: Array<{ copy: Copy } | { run: string }>;
}

/** The stages and their COPY and RUN steps, with continuation lines joined and comments dropped. */
function stagesOf(dockerfile: string): Stage[] {
  const lines = dockerfile
    .split('\n')
    .filter((l) => !/^\s*#/.test(l))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n');
  const stages: Stage[] = [];
  for (const line of lines) {
    const [instruction, ...args] = line.trim().split(/\s+/);
    if (instruction === 'FROM') stages.push({ name: args[2] ?? args[0]!, steps: [] });
    const stage = stages.at(-1);
    if (!stage) continue;
    if (instruction === 'RUN') stage.steps.push({ run: args.join(' ') });
    if (instruction === 'COPY') {
      const from = args.find((a) => a.startsWith('--from='))?.slice('--from='.length);
      const paths = args.filter((a) => !a.startsWith('--'));
      stage.steps.push({ copy: { from, sources: paths.slice(0, -1), dest: paths.at(-1)! } });
    }
  }
  return stages;
}

/** .dockerignore's patterns as regular expressions over context paths (`*` within one segment, as Docker does). */
const ignored = read('.dockerignore')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#') && !l.startsWith('!'))
  .map((p) => new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}(?:/|$)`));

const stages = stagesOf(read('Dockerfile'));
const stage = (name: string) => {
  const s = stages.find((x) => x.name === name);
  if (!s) throw new Error(`the Dockerfile has no stage ${name}`);
  return s;
};
const copies = (s: Stage) => s.steps.flatMap((step) => ('copy' in step ? [step.copy] : []));
const workspaces = readdirSync(path.join(ROOT, 'packages')).map((name) => `packages/${name}`);

describe('Dockerfile', () => {
  it('has the build, prod-deps and runtime stages', () => {
    expect(stages.map((s) => s.name)).toEqual(['build', 'prod-deps', 'runtime']);
  });

  it('copies from the build context only files that exist and that .dockerignore lets through', () => {
    const sources = stages.flatMap((s) => copies(s).filter((c) => !c.from)).flatMap((c) => c.sources);
    expect(sources.length).toBeGreaterThan(5);
    for (const source of sources) {
      expect([source, existsSync(path.join(ROOT, source))]).toEqual([source, true]);
      expect([source, ignored.filter((re) => re.test(source)).map(String)]).toEqual([source, []]);
    }
  });

  it('leaves out of the context what each workspace package builds or tests', () => {
    for (const ws of workspaces)
      for (const sub of ['dist', 'node_modules', 'test'])
        expect([`${ws}/${sub}`, ignored.some((re) => re.test(`${ws}/${sub}`))]).toEqual([`${ws}/${sub}`, true]);
  });

  it.each(['build', 'prod-deps'])("stage %s copies every workspace's package.json before npm ci", (name) => {
    const steps = stage(name).steps;
    const ci = steps.findIndex((s) => 'run' in s && /\bnpm ci\b/.test(s.run));
    expect(ci).toBeGreaterThan(0);
    const before = steps
      .slice(0, ci)
      .flatMap((s) =>
        'copy' in s ? s.copy.sources.map((src) => path.posix.join(s.copy.dest, path.basename(src))) : [],
      )
      .map((p) => p.replace(/^\.\//, ''));
    for (const ws of workspaces) expect(before).toContain(`${ws}/package.json`);
  });

  it('builds the gateway-sandbox package in the build stage and the runtime gets every file its package ships', () => {
    const pkg = JSON.parse(read('packages/gateway-sandbox/package.json')) as { files: string[] };
    const build = copies(stage('build')).flatMap((c) => c.sources);
    expect(build).toEqual(expect.arrayContaining(['packages/gateway-sandbox/src', 'src']));
    const runtime = copies(stage('runtime'));
    const landed = runtime.map((c) => c.dest.replace(/^\.\//, '').replace(/\/$/, ''));
    // The package's shipped folders (dist from the build stage; views and public from the context); its README and
    // LICENSE are for readers of the registry, not for the running sandbox.
    const folders = new Set(
      pkg.files.map((f) => f.split('/')[0]!).filter((f) => !['README.md', 'LICENSE'].includes(f)),
    );
    for (const entry of folders) expect(landed).toContain(`packages/gateway-sandbox/${entry}`);
    expect(runtime).toContainEqual({
      from: 'build',
      sources: ['/app/packages/gateway-sandbox/dist'],
      dest: './packages/gateway-sandbox/dist',
    });
    expect(landed).toContain('packages/gateway-sandbox');
    expect(runtime.find((c) => c.sources.includes('packages/gateway-sandbox/package.json'))).toBeDefined();
  });

  it('links every bin of the package into node_modules/.bin, executable, after its dist/ is in place', () => {
    const pkg = JSON.parse(read('packages/gateway-sandbox/package.json')) as {
      name: string;
      bin: Record<string, string>;
    };
    const steps = stage('runtime').steps;
    const distAt = steps.findIndex((s) => 'copy' in s && s.copy.dest === './packages/gateway-sandbox/dist');
    expect(distAt).toBeGreaterThanOrEqual(0);
    const runs = steps.slice(distAt + 1).flatMap((s) => ('run' in s ? [s.run] : []));
    for (const [name, file] of Object.entries(pkg.bin)) {
      const target = path.posix.normalize(file);
      expect(runs.join('\n')).toContain(`ln -s ../${pkg.name}/${target} node_modules/.bin/${name}`);
      expect(runs.join('\n')).toContain(`chmod 755 packages/gateway-sandbox/${target}`);
    }
  });

  it('the standalone sandbox command of both compose files is what the package bin runs: the build of src/server.ts', () => {
    const pkg = JSON.parse(read('packages/gateway-sandbox/package.json')) as { bin: Record<string, string> };
    const bin = path.posix.join('packages/gateway-sandbox', pkg.bin['gateway-sandbox']!);
    expect(bin).toBe('packages/gateway-sandbox/bin/gateway-sandbox.js');
    // The bin only runs the build of src/server.ts; the compose files run that build directly.
    expect(read(bin)).toContain("import('../dist/server.js')");
    expect(existsSync(path.join(ROOT, 'packages/gateway-sandbox/src/server.ts'))).toBe(true);
    const built = 'packages/gateway-sandbox/dist/server.js';
    for (const file of ['compose.yaml', 'compose.scale.yaml']) {
      const services = (parse(read(file), { merge: true }) as { services: Record<string, { command?: string[] }> })
        .services;
      expect([file, services.sandbox?.command]).toEqual([file, ['node', built]]);
    }
  });
});
