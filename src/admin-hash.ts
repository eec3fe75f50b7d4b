import { hashPassword } from './admin/password.js';

/**
 * `npm run admin-hash`: reads a password from stdin (first line) and prints the ADMIN_PASSWORD_HASH for it.
 * A launcher like server.ts: the only other place here that reads stdin or exits.
 */
async function main(): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const password = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  if (password.length < 12) {
    process.stderr.write('The password must be at least 12 characters (read from the first line of stdin).\n');
    process.exit(1);
  }
  process.stdout.write(`ADMIN_PASSWORD_HASH=${hashPassword(password)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`Failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
