import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { DEFAULT_MERCHANTS, loadSandboxConfig, SandboxConfigError } from '../src/index.js';
import { loadStandaloneSandboxConfig } from '../src/config.js';

/** The package's folder: the standalone server runs from there, as `npm run sandbox` runs it. */
const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('sandbox configuration', () => {
  it('when nothing is set, then port 3001 on 127.0.0.1, a 127.0.0.1 public URL and the demo merchant', () => {
    expect(loadSandboxConfig({})).toEqual({
      port: 3001,
      host: '127.0.0.1',
      publicUrl: 'http://127.0.0.1:3001',
      merchants: DEFAULT_MERCHANTS,
      merchantsConfigured: false,
      operatorToken: undefined,
      callbackHosts: undefined,
      processingDelayMs: undefined,
      callbacks: {},
      testHelpers: false,
      armProbes: true,
    });
  });

  it('when a value is empty or blank, then it counts as unset', () => {
    const blank = (value: string) =>
      Object.fromEntries(
        [
          'SANDBOX_PORT',
          'SANDBOX_HOST',
          'SANDBOX_PUBLIC_URL',
          'SANDBOX_MERCHANTS',
          'SANDBOX_PROCESSING_DELAY_MS',
          'SANDBOX_CALLBACK_ATTEMPTS',
          'SANDBOX_CALLBACK_RETRY_MS',
          'SANDBOX_CALLBACK_TIMEOUT_MS',
          'SANDBOX_CALLBACK_HOSTS',
          'SANDBOX_OPERATOR_TOKEN',
        ].map((key) => [key, value]),
      );
    expect(loadSandboxConfig(blank(''))).toEqual(loadSandboxConfig({}));
    expect(loadSandboxConfig(blank(' \t'))).toEqual(loadSandboxConfig({}));
  });

  it('when SANDBOX_PORT is 0, then the public URL is left to startSandbox, which knows the port', () => {
    expect(loadSandboxConfig({ SANDBOX_PORT: '0' }).publicUrl).toBeUndefined();
  });

  it('when values are set, then they are parsed, including a JSON merchant list', () => {
    const merchants = [
      {
        login: 'm1',
        userName: 'm1-api',
        password: 'p',
        token: 't',
        callbackUrl: 'http://127.0.0.1:3000/cb',
        callbackKey: 'k',
        allowTwoPhase: false,
      },
    ];
    const config = loadSandboxConfig({
      SANDBOX_PORT: '4000',
      SANDBOX_HOST: '0.0.0.0',
      SANDBOX_PUBLIC_URL: 'HTTP://Gateway.Local:4000/',
      SANDBOX_MERCHANTS: JSON.stringify(merchants),
      SANDBOX_PROCESSING_DELAY_MS: '500',
      OTHER: 'ignored',
    });
    expect(config).toEqual({
      port: 4000,
      host: '0.0.0.0',
      publicUrl: 'http://gateway.local:4000',
      merchants,
      merchantsConfigured: true,
      operatorToken: undefined,
      callbackHosts: undefined,
      processingDelayMs: 500,
      callbacks: { maxAttempts: undefined, retryBaseMs: undefined, timeoutMs: undefined },
      testHelpers: false,
      armProbes: true,
    });
  });

  it('when a merchant omits allowTwoPhase, then two-phase is allowed', () => {
    const config = loadSandboxConfig({ SANDBOX_MERCHANTS: '[{"login":"m","userName":"u","password":"p"}]' });
    expect(config.merchants).toEqual([{ login: 'm', userName: 'u', password: 'p', allowTwoPhase: true }]);
  });

  it('when several values are bad, then one error names every bad key', () => {
    let error: unknown;
    try {
      loadSandboxConfig({ SANDBOX_PORT: 'eighty', SANDBOX_PUBLIC_URL: 'not a url', SANDBOX_MERCHANTS: '{nope' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SandboxConfigError);
    const { keys, problems, message } = error as SandboxConfigError;
    expect([...keys].sort()).toEqual(['SANDBOX_MERCHANTS', 'SANDBOX_PORT', 'SANDBOX_PUBLIC_URL']);
    expect(problems).toHaveLength(3);
    expect(message).toContain('SANDBOX_PORT');
  });

  it('when the public URL has a query, a fragment or credentials, then it is refused', () => {
    for (const url of ['http://127.0.0.1:3001/?a=1', 'http://127.0.0.1:3001/#x', 'http://u:p@127.0.0.1:3001'])
      expect(() => loadSandboxConfig({ SANDBOX_PUBLIC_URL: url })).toThrow(/SANDBOX_PUBLIC_URL/);
  });

  it('when a merchant entry has a wrong shape, then the key path is reported', () => {
    expect(() => loadSandboxConfig({ SANDBOX_MERCHANTS: '[{"login":"m","userName":"u"}]' })).toThrow(
      /SANDBOX_MERCHANTS\.0\.password/,
    );
  });

  it('when two merchants share a login, user name or token, then SANDBOX_MERCHANTS is refused', () => {
    const twice = (a: object, b: object) => ({
      SANDBOX_MERCHANTS: JSON.stringify([
        { login: 'a', userName: 'a-api', password: 'p', ...a },
        { login: 'b', userName: 'b-api', password: 'p', ...b },
      ]),
    });
    expect(() => loadSandboxConfig(twice({ login: 'x' }, { login: 'x' }))).toThrow(/own login/);
    expect(() => loadSandboxConfig(twice({ userName: 'x' }, { userName: 'x' }))).toThrow(/own userName/);
    expect(() => loadSandboxConfig(twice({ token: 'x' }, { token: 'x' }))).toThrow(/own token/);
  });

  it('when the merchant list is bad, then the message quotes none of it (it holds passwords)', () => {
    for (const raw of [
      '[{"login":"m","userName":"u","password":"pw-canary",}]',
      '[{"login":"m","userName":"u","password":"pw-canary","extra":"x-canary"}]',
      '[{"login":"m m","userName":"u","password":"pw-canary","callbackUrl":"canary"}]',
    ]) {
      let message = '';
      try {
        loadSandboxConfig({ SANDBOX_MERCHANTS: raw });
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toMatch(/^Invalid sandbox configuration: SANDBOX_MERCHANTS/);
      expect(message).not.toContain('canary');
    }
  });

  it('when callback tuning is set, then it is passed on; a zero attempt count is refused', () => {
    const config = loadSandboxConfig({
      SANDBOX_CALLBACK_ATTEMPTS: '3',
      SANDBOX_CALLBACK_RETRY_MS: '250',
      SANDBOX_CALLBACK_TIMEOUT_MS: '2000',
    });
    expect(config.callbacks).toEqual({ maxAttempts: 3, retryBaseMs: 250, timeoutMs: 2000 });
    expect(() => loadSandboxConfig({ SANDBOX_CALLBACK_ATTEMPTS: '0' })).toThrow(/SANDBOX_CALLBACK_ATTEMPTS/);
  });
});

describe('sandbox configuration: operator token and callback hosts', () => {
  const OPERATOR = 'operator-token-0123456789';
  const problemsOf = (env: Record<string, string>): string[] => {
    try {
      loadSandboxConfig(env);
    } catch (err) {
      if (err instanceof SandboxConfigError) return [...err.problems];
      throw err;
    }
    throw new Error('expected a SandboxConfigError');
  };

  it('when SANDBOX_OPERATOR_TOKEN is set, then it is kept; unset outside production, it is left to be generated', () => {
    expect(loadSandboxConfig({ SANDBOX_OPERATOR_TOKEN: OPERATOR }).operatorToken).toBe(OPERATOR);
    expect(loadSandboxConfig({ NODE_ENV: 'development' }).operatorToken).toBeUndefined();
    expect(loadSandboxConfig({ NODE_ENV: 'production', SANDBOX_OPERATOR_TOKEN: OPERATOR }).operatorToken).toBe(
      OPERATOR,
    );
  });

  it('when NODE_ENV=production and SANDBOX_OPERATOR_TOKEN is unset, then it is refused, saying why', () => {
    expect(problemsOf({ NODE_ENV: 'production' })).toEqual([
      expect.stringMatching(/^SANDBOX_OPERATOR_TOKEN: is required when NODE_ENV=production/),
    ]);
  });

  it('when SANDBOX_OPERATOR_TOKEN is short, has spaces, or equals a merchant password or token, then it is refused without quoting it', () => {
    const merchants = JSON.stringify([
      { login: 'm', userName: 'u', password: 'pw-canary-0123456789', token: 'tok-canary-0123456789' },
    ]);
    const envs: Record<string, string>[] = [
      { SANDBOX_OPERATOR_TOKEN: 'short-canary' },
      { SANDBOX_OPERATOR_TOKEN: 'canary with spaces 0123456789' },
      { SANDBOX_OPERATOR_TOKEN: 'pw-canary-0123456789', SANDBOX_MERCHANTS: merchants },
      { SANDBOX_OPERATOR_TOKEN: 'tok-canary-0123456789', SANDBOX_MERCHANTS: merchants },
      // The demo merchant's password: public, so never an operator credential.
      { SANDBOX_OPERATOR_TOKEN: DEFAULT_MERCHANTS[0]!.password },
      { SANDBOX_OPERATOR_TOKEN: DEFAULT_MERCHANTS[0]!.token! },
    ];
    for (const env of envs) {
      const problems = problemsOf(env);
      expect(problems).toEqual([expect.stringMatching(/^SANDBOX_OPERATOR_TOKEN: /)]);
      expect(problems.join('')).not.toMatch(/canary|demo-shop-/);
    }
  });

  it('when SANDBOX_CALLBACK_HOSTS is set, then it is a canonical list of hosts', () => {
    expect(
      loadSandboxConfig({ SANDBOX_CALLBACK_HOSTS: ' 127.0.0.1, Shop.Example. ,[::1],127.1,localhost,' }).callbackHosts,
    ).toEqual(['127.0.0.1', 'shop.example', '::1', 'localhost']);
    expect(loadSandboxConfig({}).callbackHosts).toBeUndefined();
  });

  it('when an SANDBOX_CALLBACK_HOSTS item is a URL, has a port or a path, or the list is empty, then it is refused, naming the item', () => {
    for (const bad of [
      'http://127.0.0.1',
      '127.0.0.1:3000',
      'shop.example/cb',
      'u@shop.example',
      'a b',
      ',',
      '*.example',
    ]) {
      const problems = problemsOf({ SANDBOX_CALLBACK_HOSTS: bad });
      expect(problems).toEqual([expect.stringMatching(/^SANDBOX_CALLBACK_HOSTS: (item 1 is not a host|must name)/)]);
    }
    expect(problemsOf({ SANDBOX_CALLBACK_HOSTS: '127.0.0.1,nope:1' })).toEqual([
      expect.stringMatching(/^SANDBOX_CALLBACK_HOSTS: item 2 /),
    ]);
  });

  it('when a merchant lists callbackOrigins, then each must be an http(s) origin, and SANDBOX_CALLBACK_HOSTS need not repeat them', () => {
    const merchants = (origins: string[]) =>
      JSON.stringify([{ login: 'a', userName: 'a', password: 'p', callbackOrigins: origins }]);
    for (const bad of ['ftp://127.0.0.1', 'http://127.0.0.1:3000/cb', 'http://u:p@127.0.0.1', 'http://h/?q=1', 'nope'])
      expect([bad, problemsOf({ SANDBOX_MERCHANTS: merchants([bad]) })]).toEqual([
        bad,
        [expect.stringMatching(/^SANDBOX_MERCHANTS\.0\.callbackOrigins\.0: /)],
      ]);
    const config = loadSandboxConfig({
      SANDBOX_MERCHANTS: merchants(['http://127.0.0.1:3000', 'https://shop.example']),
      SANDBOX_CALLBACK_HOSTS: '127.0.0.2',
    });
    expect(config.merchants[0]?.callbackOrigins).toEqual(['http://127.0.0.1:3000', 'https://shop.example']);
    expect(config.callbackHosts).toEqual(['127.0.0.2']);
  });
});

describe('sandbox configuration: test helpers', () => {
  const PRODUCTION = { NODE_ENV: 'production', SANDBOX_OPERATOR_TOKEN: 'production-operator-token-0123' };

  it('when SANDBOX_TEST_HELPERS is unset or off, then they are off; on turns them on outside production', () => {
    expect(loadSandboxConfig({}).testHelpers).toBe(false);
    expect(loadSandboxConfig({ SANDBOX_TEST_HELPERS: 'off' }).testHelpers).toBe(false);
    expect(loadSandboxConfig({ SANDBOX_TEST_HELPERS: 'on' }).testHelpers).toBe(true);
    expect(() => loadSandboxConfig({ SANDBOX_TEST_HELPERS: 'yes' })).toThrow(/SANDBOX_TEST_HELPERS: must be on or off/);
  });

  it('when NODE_ENV=production, then on is refused unless SANDBOX_TEST_HELPERS_IN_PRODUCTION=on allows it too', () => {
    expect(() => loadSandboxConfig({ ...PRODUCTION, SANDBOX_TEST_HELPERS: 'on' })).toThrow(
      /SANDBOX_TEST_HELPERS: is refused when NODE_ENV=production.*SANDBOX_TEST_HELPERS_IN_PRODUCTION=on/,
    );
    expect(
      loadSandboxConfig({ ...PRODUCTION, SANDBOX_TEST_HELPERS: 'on', SANDBOX_TEST_HELPERS_IN_PRODUCTION: 'on' })
        .testHelpers,
    ).toBe(true);
    expect(loadSandboxConfig({ ...PRODUCTION, SANDBOX_TEST_HELPERS_IN_PRODUCTION: 'on' }).testHelpers).toBe(false);
  });

  it("when NODE_ENV=production, then the report card's probes button is off unless the test helpers are on", () => {
    expect(loadSandboxConfig({}).armProbes).toBe(true);
    expect(loadSandboxConfig(PRODUCTION).armProbes).toBe(false);
    expect(
      loadSandboxConfig({ ...PRODUCTION, SANDBOX_TEST_HELPERS: 'on', SANDBOX_TEST_HELPERS_IN_PRODUCTION: 'on' })
        .armProbes,
    ).toBe(true);
  });
});

describe('the standalone rule about the public demo merchant (loadStandaloneSandboxConfig)', () => {
  const merchants = JSON.stringify([{ login: 'm', userName: 'm-api', password: 'm-password' }]);
  const TOKEN = 'production-operator-token-0123';
  it('outside production it accepts them unless SANDBOX_DEMO_CREDENTIALS=off; in production only with =on', () => {
    expect(loadStandaloneSandboxConfig({}).demoCredentials).toBe(true);
    expect(() => loadStandaloneSandboxConfig({ SANDBOX_DEMO_CREDENTIALS: 'off' })).toThrow(
      /SANDBOX_MERCHANTS: is required/,
    );
    const production = { NODE_ENV: 'production', SANDBOX_OPERATOR_TOKEN: TOKEN };
    expect(() => loadStandaloneSandboxConfig(production)).toThrow(SandboxConfigError);
    expect(loadStandaloneSandboxConfig({ ...production, SANDBOX_DEMO_CREDENTIALS: 'on' }).demoCredentials).toBe(true);
    expect(loadStandaloneSandboxConfig({ ...production, SANDBOX_MERCHANTS: merchants }).demoCredentials).toBe(false);
    expect(() => loadStandaloneSandboxConfig({ SANDBOX_DEMO_CREDENTIALS: 'yes' })).toThrow(/SANDBOX_DEMO_CREDENTIALS/);
  });

  it('the embedded sandbox is not held to it: the shared parser accepts production without SANDBOX_MERCHANTS', () => {
    expect(loadSandboxConfig({ NODE_ENV: 'production', SANDBOX_OPERATOR_TOKEN: TOKEN }).merchantsConfigured).toBe(
      false,
    );
  });
});

describe('standalone server (packages/gateway-sandbox/src/server.ts)', () => {
  const run = (env: Record<string, string>) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: PACKAGE_ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const collect = (chunk: Buffer) => {
      out += chunk.toString();
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    // 'close', not 'exit': it comes after the output streams have ended, so nothing written is missed.
    const closed = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    /** Resolves with the first match in the output so far or in what comes next; rejects if the process ends first. */
    const outputMatching = (pattern: RegExp) =>
      new Promise<RegExpExecArray>((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(out);
          if (!match) return;
          stop();
          resolve(match);
        };
        const ended = (code: number | null) => {
          stop();
          reject(new Error(`exited (${code}) without printing ${pattern}:\n${out}`));
        };
        const stop = () => {
          child.stdout.off('data', check);
          child.stderr.off('data', check);
          child.off('close', ended);
        };
        child.stdout.on('data', check);
        child.stderr.on('data', check);
        child.once('close', ended);
        check();
      });
    return { child, closed, output: () => out, outputMatching };
  };

  it('when the environment is invalid, then it prints the bad key and exits with code 1', async () => {
    const { closed, output } = run({ SANDBOX_PORT: 'abc' });
    expect(await closed).toBe(1);
    expect(output()).toContain('SANDBOX_PORT');
  });

  it('when it runs and gets SIGTERM, then it serves the API on its default 127.0.0.1 URL and then exits 0', async () => {
    const { child, closed, outputMatching } = run({ SANDBOX_PORT: '0' });
    const [, url, port] = await outputMatching(
      /"url":"([^"]+)","host":"[^"]*","port":(\d+),"msg":"gateway sandbox listening"/,
    );
    // The same default as when the shop embeds it (test/gateway-target.test.ts).
    expect(url).toBe(`http://127.0.0.1:${port}`);
    const res = await fetch(`${url}/payment/rest/register.do`, {
      method: 'POST',
      body: new URLSearchParams({ token: 'demo-shop-token' }),
    });
    expect(((await res.json()) as { errorCode: string }).errorCode).toBe('4');
    child.kill('SIGTERM');
    expect(await closed).toBe(0);
  });

  it('when started without SANDBOX_MERCHANTS, then it says its merchants are the public demo ones, which, and prints a generated operator token once', async () => {
    const { child, closed, output, outputMatching } = run({ SANDBOX_PORT: '0' });
    const [, token] = await outputMatching(/"deliberatelyLoggedOperatorToken":"([^"]+)"/);
    const [, url] = await outputMatching(/"url":"([^"]+)","host"/);
    const demo = await outputMatching(/^.*public demo.*$/m);
    expect(demo[0]).toContain('"level":40');
    expect(demo[0]).toContain('"login":"demo-shop","userName":"demo-shop-api"');
    expect(demo[0]).not.toContain(DEFAULT_MERCHANTS[0]!.password);
    expect(output().split(token!)).toHaveLength(2);
    const opened = await fetch(`${url}/sandbox/orders`, { headers: { authorization: `Bearer ${token}` } });
    expect(opened.status).toBe(200);
    expect((await fetch(`${url}/sandbox/orders`)).status).toBe(401);
    child.kill('SIGTERM');
    expect(await closed).toBe(0);
  });

  it('when SANDBOX_DATA_DIR is set, then the generated operator token is kept there (0600) and the next start uses it again', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'sandbox-token-'));
    try {
      const tokens: string[] = [];
      for (let start = 0; start < 2; start += 1) {
        const { child, closed, outputMatching } = run({ SANDBOX_PORT: '0', SANDBOX_DATA_DIR: dataDir });
        const [, token, file] = await outputMatching(
          /"deliberatelyLoggedOperatorToken":"([^"]+)".*"operatorTokenFile":"([^"]+)"/,
        );
        expect(file).toBe(path.join(dataDir, 'operator-token.json'));
        tokens.push(token!);
        child.kill('SIGTERM');
        expect(await closed).toBe(0);
      }
      expect(tokens[1]).toBe(tokens[0]);
      const file = path.join(dataDir, 'operator-token.json');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ version: 1, operatorToken: tokens[0] });
      // A broken file stops the start with a message naming it, never quoting it.
      writeFileSync(file, '{"operatorToken":"canary');
      const broken = run({ SANDBOX_PORT: '0', SANDBOX_DATA_DIR: dataDir });
      expect(await broken.closed).toBe(1);
      expect(broken.output()).toContain(file);
      expect(broken.output()).not.toContain('canary');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('when SANDBOX_OPERATOR_TOKEN and SANDBOX_MERCHANTS are set, then neither the demo notice nor any token is logged', async () => {
    const operator = 'standalone-operator-canary-01';
    const merchants = JSON.stringify([{ login: 'm', userName: 'm-api', password: 'm-password-canary' }]);
    const { child, closed, output, outputMatching } = run({
      SANDBOX_PORT: '0',
      SANDBOX_OPERATOR_TOKEN: operator,
      SANDBOX_MERCHANTS: merchants,
    });
    await outputMatching(/gateway sandbox listening/);
    child.kill('SIGTERM');
    expect(await closed).toBe(0);
    expect(output()).not.toMatch(/canary|public demo|deliberatelyLogged/);
  });

  it('when NODE_ENV=production and SANDBOX_MERCHANTS is unset, then it refuses the public demo credentials and does not start', async () => {
    const { closed, output } = run({
      NODE_ENV: 'production',
      SANDBOX_PORT: '0',
      SANDBOX_OPERATOR_TOKEN: 'production-operator-token-0123',
    });
    expect(await closed).toBe(1);
    expect(output()).toContain('SANDBOX_MERCHANTS: is required when NODE_ENV=production');
    expect(output()).toContain('SANDBOX_DEMO_CREDENTIALS=on');
    expect(output()).not.toContain('listening');
  });

  it('when NODE_ENV=production and SANDBOX_DEMO_CREDENTIALS=on, then it answers to the demo credentials and says so in a warning', async () => {
    const { child, closed, outputMatching } = run({
      NODE_ENV: 'production',
      SANDBOX_PORT: '0',
      SANDBOX_OPERATOR_TOKEN: 'production-operator-token-0123',
      SANDBOX_DEMO_CREDENTIALS: 'on',
    });
    const [, url] = await outputMatching(/"url":"([^"]+)","host"/);
    const warning = await outputMatching(/^.*SANDBOX_DEMO_CREDENTIALS=on with NODE_ENV=production.*$/m);
    expect(warning[0]).toContain('"level":40');
    const res = await fetch(`${url}/payment/rest/getOrderStatusExtended.do`, {
      method: 'POST',
      body: new URLSearchParams({ token: 'demo-shop-token', orderId: 'none' }),
    });
    expect(((await res.json()) as { errorCode: string }).errorCode).toBe('6');
    child.kill('SIGTERM');
    expect(await closed).toBe(0);
  });

  it('when NODE_ENV=production and SANDBOX_TEST_HELPERS=on alone, then it refuses to start; allowed, it serves them and warns', async () => {
    const env = {
      NODE_ENV: 'production',
      SANDBOX_PORT: '0',
      SANDBOX_OPERATOR_TOKEN: 'production-operator-token-0123',
      SANDBOX_MERCHANTS: JSON.stringify([{ login: 'm', userName: 'm-api', password: 'm-password' }]),
      SANDBOX_TEST_HELPERS: 'on',
    };
    const refused = run(env);
    expect(await refused.closed).toBe(1);
    expect(refused.output()).toContain('SANDBOX_TEST_HELPERS: is refused when NODE_ENV=production');
    expect(refused.output()).not.toContain('listening');

    const { child, closed, outputMatching } = run({ ...env, SANDBOX_TEST_HELPERS_IN_PRODUCTION: 'on' });
    const [, url] = await outputMatching(/"url":"([^"]+)","host"/);
    const warning = await outputMatching(/^.*sandbox test helpers are on.*$/m);
    expect(warning[0]).toContain('"level":40');
    const res = await fetch(`${url}/sandbox/test/merchants/m/reset`, {
      method: 'POST',
      headers: { authorization: 'Bearer production-operator-token-0123' },
    });
    expect(await res.json()).toEqual({ login: 'm', deletedOrders: 0, deletedJournalEntries: 0, faultsCleared: false });
    child.kill('SIGTERM');
    expect(await closed).toBe(0);
  });

  it('when NODE_ENV=production and SANDBOX_OPERATOR_TOKEN is unset, then it refuses to start, exit code 1', async () => {
    const { closed, output } = run({ NODE_ENV: 'production', SANDBOX_PORT: '0' });
    expect(await closed).toBe(1);
    expect(output()).toContain('SANDBOX_OPERATOR_TOKEN: is required when NODE_ENV=production');
    expect(output()).not.toContain('listening');
  });
});
