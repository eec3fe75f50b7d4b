/**
 * Two shop instances as they run behind a balancer: two real launchers (src/server.ts, NODE_ENV=production,
 * TRUST_PROXY=1) sharing a fresh PostgreSQL database, one Redis database and one standalone sandbox (their gateway),
 * with the same SESSION_SECRET and callback key. For test/scale/two-instances.test.ts (instances addressed one by
 * one) and test/deploy/scale-behind-nginx.test.ts (behind the real nginx). The caller checks the services exist.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createClient } from 'redis';
import { freshPostgresDatabase } from './services.js';
import { freePort, startSandboxProcess, startShopProcess, type ShopProcess } from './shop-process.js';

export interface ShopPairOptions {
  /** TEST_REDIS_URL. */
  redisBase: string;
  /** A Redis database of the calling file alone (emptied first): other files use key prefixes in database 0. */
  redisDb: number;
  /** The merchant's login at the sandbox (tells the two files' sandboxes apart in their logs). */
  merchantLogin: string;
  /** Where buyers reach the shops (PUBLIC_BASE_URL), given the instances' ports. */
  publicUrl: (ports: { a: number; b: number }) => string;
  /** Where the sandbox sends its callbacks, given the instances' ports. */
  callbackUrl: (ports: { a: number; b: number }) => string;
  /** More settings for the instances (BUY_RATE_LIMIT_PER_MINUTE, CANONICAL_HOST, …), per instance. */
  shopEnv?: (instance: 'a' | 'b') => Record<string, string>;
  /** More settings for the sandbox. */
  sandboxEnv?: Record<string, string>;
}

export interface ShopPair {
  a: ShopProcess;
  b: ShopProcess;
  sandbox: ShopProcess;
  ports: { a: number; b: number; sandbox: number };
  /** The shared ledger's database, and a connection to it for the test's own queries. */
  database: { url: string; drop(): Promise<void> };
  db: pg.Client;
  /** What must never appear in any output: the merchant's password, the callback key, the session secret. */
  secrets: string[];
  /**
   * Restarts one instance as an operator would: SIGTERM, wait for it to exit, start it again with the same settings
   * on the same port; resolves once it logs that it listens (`a` or `b` is then the new process).
   */
  restart(instance: 'a' | 'b'): Promise<ShopProcess>;
  /** Stops the shops, then the sandbox; drops the database; removes the data folders. */
  close(): Promise<void>;
}

export async function startShopPair(opts: ShopPairOptions): Promise<ShopPair> {
  const cwd = mkdtempSync(path.join(tmpdir(), 'shop-pair-'));
  const processes: ShopProcess[] = [];
  const callbackKey = randomBytes(24).toString('base64url');
  const sessionSecret = randomBytes(32).toString('base64url');
  const merchant = {
    login: opts.merchantLogin,
    userName: `${opts.merchantLogin}-api`,
    password: randomBytes(12).toString('hex'),
  };
  const database = await freshPostgresDatabase();
  let db: pg.Client | undefined;
  const close = async () => {
    await db?.end();
    for (const p of processes.reverse()) await p.stop();
    await database.drop();
    rmSync(cwd, { recursive: true, force: true });
  };
  try {
    const redis = createClient({ url: opts.redisBase });
    await redis.connect();
    await redis.select(opts.redisDb);
    await redis.flushDb();
    await redis.quit();

    const ports = { a: await freePort(), b: await freePort(), sandbox: await freePort() };
    const sandboxUrl = `http://127.0.0.1:${ports.sandbox}`;
    const sandbox = await startSandboxProcess(
      {
        NODE_ENV: 'test',
        SANDBOX_HOST: '127.0.0.1',
        SANDBOX_PORT: String(ports.sandbox),
        SANDBOX_PUBLIC_URL: sandboxUrl,
        SANDBOX_MERCHANTS: JSON.stringify([
          { ...merchant, callbackUrl: opts.callbackUrl(ports), callbackKey, allowTwoPhase: true },
        ]),
        SANDBOX_OPERATOR_TOKEN: randomBytes(24).toString('base64url'),
        LOG_LEVEL: 'warn',
        ...opts.sandboxEnv,
      },
      cwd,
    );
    processes.push(sandbox);

    const shopEnv = (instance: 'a' | 'b', port = ports[instance]): Record<string, string> => ({
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_BASE_URL: opts.publicUrl(ports),
      TRUST_PROXY: '1',
      DATA_DIR: path.join(cwd, `data-${port}`),
      DATABASE_URL: database.url,
      REDIS_URL: `${opts.redisBase.replace(/\/\d*$/, '')}/${opts.redisDb}`,
      GATEWAY_URL: `${sandboxUrl}/payment/rest/`,
      GATEWAY_USERNAME: merchant.userName,
      GATEWAY_PASSWORD: merchant.password,
      GATEWAY_CALLBACK_KEY: callbackKey,
      SESSION_SECRET: sessionSecret,
      LOG_LEVEL: 'info',
      ...opts.shopEnv?.(instance),
    });
    // Started together: both run the migrations on the empty database at once.
    const [a, b] = await Promise.all([startShopProcess(shopEnv('a'), cwd), startShopProcess(shopEnv('b'), cwd)]);
    processes.push(a, b);
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
    const pair: ShopPair = {
      a,
      b,
      sandbox,
      ports,
      database,
      db,
      secrets: [merchant.password, callbackKey, sessionSecret],
      async restart(instance) {
        const old = pair[instance];
        await old.stop();
        const started = await startShopProcess(shopEnv(instance), cwd);
        processes.splice(processes.indexOf(old), 1, started);
        pair[instance] = started;
        return started;
      },
      close,
    };
    return pair;
  } catch (err) {
    await close();
    throw err;
  }
}
