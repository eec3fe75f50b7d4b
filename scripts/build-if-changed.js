// `npm start` builds first; this skips the build when dist/ is newer than every input, so a second start takes a
// moment, not a compile. An input changed (src/, the tsconfig files, package-lock.json, and the same of each workspace
// package under packages/): tsc runs, incrementally (each tsconfig.build.json keeps its dist/.tsbuildinfo), the
// packages first, since the shop's build reads their built types. Deleting dist/ forces a full build.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stamp = path.join(root, 'dist', '.build-stamp');
const PROJECT_FILES = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];
/** The workspace packages with a build of their own (packages/<name>/tsconfig.build.json), as relative folders. */
const packagesDir = path.join(root, 'packages');
const packages = (existsSync(packagesDir) ? readdirSync(packagesDir, { withFileTypes: true }) : [])
  .filter((d) => d.isDirectory() && existsSync(path.join(packagesDir, d.name, 'tsconfig.build.json')))
  .map((d) => path.join('packages', d.name));
const inputs = [
  'src',
  'tsconfig.json',
  'tsconfig.build.json',
  'package-lock.json',
  ...packages.flatMap((dir) => PROJECT_FILES.map((f) => path.join(dir, f))),
];

function newest(p) {
  const st = statSync(p, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.mtimeMs;
  return readdirSync(p).reduce((m, name) => Math.max(m, newest(path.join(p, name))), st.mtimeMs);
}

const built = statSync(stamp, { throwIfNoEntry: false })?.mtimeMs ?? -1;
const changed = Math.max(...inputs.map((i) => newest(path.join(root, i))));
// Within a millisecond: utimes() rounds the stamp's time a little.
if (built + 1 >= changed) process.exit(0);
for (const project of [...packages.map((dir) => path.join(dir, 'tsconfig.build.json')), 'tsconfig.build.json']) {
  const tsc = spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', project], {
    cwd: root,
    stdio: 'inherit',
  });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
}
// The stamp takes the newest input's time seen before the build: a file saved during the build is newer, so it still
// counts as changed next time.
writeFileSync(stamp, '');
utimesSync(stamp, changed / 1000, changed / 1000);
