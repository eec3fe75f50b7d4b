#!/usr/bin/env node
// The `gateway-sandbox` bin. npm links a bin at install only when its file exists then, and in a fresh clone of the
// repository dist/ is built after `npm ci`: pointing the bin at dist/server.js left `npx gateway-sandbox` unlinked
// there, and npx then asks the public registry for a package of that name. This file always exists; it runs the
// built standalone sandbox (src/server.ts).
try {
  await import('../dist/server.js');
} catch (err) {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !String(err.message).includes('dist/server.js')) throw err;
  process.stderr.write('gateway-sandbox is not built: run `npm run build` (in the repository) first\n');
  process.exitCode = 1;
}
