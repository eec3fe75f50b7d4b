// `npm start` builds first; this skips the build when dist/ is newer than every input, so a second start takes a
// moment, not a compile. An input changed (src/, the tsconfig files, package-lock.json): tsc runs, incrementally
// (tsconfig.build.json keeps dist/.tsbuildinfo). Deleting dist/ forces a full build.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stamp = path.join(root, 'dist', '.build-stamp');
const inputs = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];

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
const tsc = spawnSync(
  process.execPath,
  [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
// The stamp takes the newest input's time seen before the build: a file saved during the build is newer, so it still
// counts as changed next time.
writeFileSync(stamp, '');
utimesSync(stamp, changed / 1000, changed / 1000);
