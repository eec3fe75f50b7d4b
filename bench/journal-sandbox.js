/**
 * Child process of bench/run.js for the journal figure: one sandbox on PORT, its integration journal recording
 * (JOURNAL=on) or not (JOURNAL=off: no recording middleware, nothing kept), in memory or, with DATA_DIR, in
 * `<DATA_DIR>/sandbox.db` as a standalone sandbox with SANDBOX_DATA_DIR keeps it. Callbacks off, as in bench/servers.js.
 * SANDBOX_MODULE: another built copy of the package to load instead (bench/journal-cost.js's JC_BEFORE).
 */
const { startSandbox } = await import(process.env.SANDBOX_MODULE || '@rbs-storefront/gateway-sandbox');

const sandbox = await startSandbox({
  port: Number(process.env.PORT),
  host: '127.0.0.1',
  callbacks: false,
  authThrottle: false,
  dataDir: process.env.DATA_DIR || undefined,
  recordJournal: process.env.JOURNAL !== 'off',
  journalMaxPerMerchant: process.env.JOURNAL_MAX ? Number(process.env.JOURNAL_MAX) : undefined,
});
process.on('SIGTERM', () => void sandbox.close().then(() => process.exit(0)));
