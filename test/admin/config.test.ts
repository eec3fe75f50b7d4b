import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../src/config.js';
import { createPasswordCheck, hashPassword } from '../../src/admin/password.js';

const BASE = { SESSION_SECRET: 'a-test-session-secret-of-32-chars!!', DATA_DIR: '/tmp/unused-admin-cfg' };
const PASSWORD = 'correct horse battery';
// A cheap cost so the suite stays fast; the format is the one npm run admin-hash prints.
const HASH = hashPassword(PASSWORD, { N: 1024, r: 8, p: 1 });

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig({ ...BASE, ...env });
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  return [];
}

describe('back-office settings', () => {
  it('when neither ADMIN_PASSWORD nor ADMIN_PASSWORD_HASH is set (or both are blank), the back office is off', () => {
    expect(loadConfig(BASE).admin).toBeUndefined();
    expect(
      loadConfig({ ...BASE, ADMIN_PASSWORD: ' ', ADMIN_PASSWORD_HASH: '', ADMIN_USER: 'boss' }).admin,
    ).toBeUndefined();
  });

  it('when a password is set, takes it with the default user and idle time; a hash likewise', () => {
    expect(loadConfig({ ...BASE, ADMIN_PASSWORD: PASSWORD }).admin).toEqual({
      user: 'admin',
      password: PASSWORD,
      passwordHash: undefined,
      idleMs: 30 * 60_000,
    });
    expect(
      loadConfig({ ...BASE, ADMIN_PASSWORD_HASH: HASH, ADMIN_USER: 'boss', ADMIN_IDLE_MINUTES: '5' }).admin,
    ).toEqual({ user: 'boss', password: undefined, passwordHash: HASH, idleMs: 5 * 60_000 });
  });

  it('refuses a short password, a malformed hash, both at once, a bad idle time, naming each key', () => {
    expect(problemsOf({ ADMIN_PASSWORD: 'short-pw' })).toEqual([expect.stringMatching(/^ADMIN_PASSWORD: .*12/)]);
    expect(problemsOf({ ADMIN_PASSWORD_HASH: 'md5$abc' })).toEqual([expect.stringMatching(/^ADMIN_PASSWORD_HASH:/)]);
    expect(problemsOf({ ADMIN_PASSWORD: PASSWORD, ADMIN_PASSWORD_HASH: HASH })).toEqual([
      expect.stringMatching(/^ADMIN_PASSWORD: .*not both/),
    ]);
    expect(problemsOf({ ADMIN_PASSWORD: PASSWORD, ADMIN_IDLE_MINUTES: '0' })).toEqual([
      expect.stringMatching(/^ADMIN_IDLE_MINUTES:/),
    ]);
    expect(problemsOf({ ADMIN_PASSWORD: PASSWORD, ADMIN_USER: 'two words' })).toEqual([
      expect.stringMatching(/^ADMIN_USER:/),
    ]);
  });

  it('in production, refuses a plain ADMIN_PASSWORD and accepts the hash; no message echoes the password', () => {
    // a deliberate demo: production with the embedded sandbox, asked for explicitly
    const demo = { NODE_ENV: 'production', SANDBOX: 'on', SANDBOX_OPERATOR_TOKEN: 'operator-token-for-tests-0123' };
    const problems = problemsOf({ ...demo, ADMIN_PASSWORD: 'canary-password-123' });
    expect(problems).toEqual([expect.stringMatching(/^ADMIN_PASSWORD: .*ADMIN_PASSWORD_HASH/)]);
    expect(problems.join('\n')).not.toContain('canary');
    expect(loadConfig({ ...BASE, ...demo, ADMIN_PASSWORD_HASH: HASH }).admin?.passwordHash).toBe(HASH);
  });
});

describe('the password check', () => {
  const config = { user: 'admin', password: undefined, passwordHash: HASH, idleMs: 60_000 };

  it('accepts the right user and password, for a hash and for a plain password hashed at start-up', async () => {
    const fromHash = createPasswordCheck(config);
    const fromPlain = createPasswordCheck({ ...config, password: PASSWORD, passwordHash: undefined });
    for (const check of [fromHash, fromPlain]) {
      await expect(check('admin', PASSWORD)).resolves.toBe(true);
      await expect(check('admin', `${PASSWORD}x`)).resolves.toBe(false);
      await expect(check('admin', '')).resolves.toBe(false);
      await expect(check('root', PASSWORD)).resolves.toBe(false);
    }
  });

  it('prints a new salt every time and a hash the config accepts', () => {
    const a = hashPassword(PASSWORD, { N: 1024, r: 8, p: 1 });
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(HASH);
    expect(a).not.toContain(PASSWORD);
  });
});
