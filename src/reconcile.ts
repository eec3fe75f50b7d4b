import dotenv from 'dotenv';
import { ConfigError, loadConfig } from './config.js';
import { gatewayClientFor, startGatewayTarget } from './gateway-target.js';
import { createLogger } from './log.js';
import { createPayments, describeSkipped } from './payments/index.js';
import { openStorage } from './storage/index.js';

/**
 * A second launcher beside server.ts (it too reads the environment and exits).
 * `npm run reconcile`: one reconciler run against the configured gateway, then exit (e.g. from cron, or after an
 * outage). Safe beside running shops: orders are leased in the database. Prints the run's summary as one JSON line,
 * with the orders it skipped by reason (`skipped`, `skippedWhy`). Each order is asked about on its own schedule
 * (docs/decisions/0007-callbacks-trigger-reconciler-leases.md), so a run asks only those whose next look has come.
 * Exit code 0 when every order asked about was answered, 3 when the gateway could not answer for some (they are
 * retried at their next look).
 */
async function main(): Promise<number> {
  dotenv.config({ quiet: true });
  const config = loadConfig(process.env);
  if (config.gateway.mode !== 'remote') {
    process.stderr.write(
      'GATEWAY_URL is unset: the embedded sandbox lives inside the running shop (npm start), whose reconciler\n' +
        `runs every RECONCILE_INTERVAL_SECS. npm run reconcile is for a shop that talks to a real gateway.\n`,
    );
    return 2;
  }
  const logger = createLogger({ level: config.logLevel });
  // The ledger wherever the shops keep it (SQLite under DATA_DIR, or PostgreSQL with DATABASE_URL).
  const storage = await openStorage(config, logger);
  try {
    // Built as the shop builds it (src/server.ts): with GATEWAY_URL set, the target starts nothing.
    const gateway = gatewayClientFor(await startGatewayTarget(config, logger), config);
    // One run, no periodic job.
    const { reconciler } = createPayments({
      config,
      logger,
      ledger: storage.ledger,
      gateway,
      reconciler: { intervalMs: 0 },
    });
    const summary = await reconciler.runOnce();
    // What it did not ask about, and why (another reconciler's leases, the batch), in words next to the counts.
    const skippedWhy = describeSkipped(summary.skipped);
    process.stdout.write(`${JSON.stringify({ ...summary, skippedWhy })}\n`);
    return summary.unanswered > 0 ? 3 : 0;
  } finally {
    await storage.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    const message =
      err instanceof ConfigError
        ? `${err.message}\nSee .env.example for every setting.`
        : err instanceof Error
          ? err.message
          : String(err);
    process.stderr.write(`Reconcile failed: ${message}\n`);
    process.exit(1);
  },
);
