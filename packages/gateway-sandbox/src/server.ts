#!/usr/bin/env node
/**
 * Standalone gateway sandbox: the `gateway-sandbox` bin (`npm run sandbox` in the repository). The only sandbox file that reads process.env,
 * listens on a configured port or exits. `gateway-sandbox report …` runs the report card command (report-cli.ts) instead.
 */
import pino from 'pino';
import { loadStandaloneSandboxConfig, SandboxConfigError } from './config.js';
import { CredentialsFileError, keptOperatorToken } from './credentials.js';
import { startSandbox, type RunningSandbox } from './start.js';

const logger = pino({ name: 'gateway-sandbox' });

async function main(): Promise<void> {
  const config = loadStandaloneSandboxConfig(process.env);
  // Signals are handled from the start: one that arrives while the sandbox is still starting (its "listening" line
  // already printed) stops it once it has started, instead of killing the process without a clean close.
  const state: { running?: RunningSandbox; stopRequested?: string } = {};
  const stop = (signal: string) => {
    const { running } = state;
    if (!running) {
      state.stopRequested = signal;
      return;
    }
    logger.info({ signal }, 'stopping gateway sandbox');
    running.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'sandbox did not close cleanly');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  // Generated once and kept with the orders when there is a data folder; otherwise for this run only.
  const kept =
    config.operatorToken === undefined && config.dataDir !== undefined ? keptOperatorToken(config.dataDir) : undefined;
  const running = await startSandbox({ ...config, operatorToken: config.operatorToken ?? kept?.token, logger });
  state.running = running;
  if (config.demoCredentials) {
    // Their credentials are in docs/sandbox.md for everyone: whoever reaches this port can use them.
    logger.warn(
      { merchants: config.merchants.map((m) => ({ login: m.login, userName: m.userName })) },
      config.production
        ? 'SANDBOX_DEMO_CREDENTIALS=on with NODE_ENV=production: the merchants are the public demo ones (credentials in docs/sandbox.md); anyone who reaches this port can use them'
        : 'SANDBOX_MERCHANTS is unset: the merchants are the public demo ones (credentials in docs/sandbox.md); keep this sandbox on a trusted network',
    );
  }
  if (config.operatorToken === undefined) {
    // The one secret ever logged, on purpose: the operator needs it to open /sandbox/orders and /sandbox/control.
    // Production refuses to start without SANDBOX_OPERATOR_TOKEN, so this happens outside production only.
    logger.info(
      {
        deliberatelyLoggedOperatorToken: running.sandbox.operatorToken,
        pages: `${running.url}/sandbox/orders`,
        ...(kept && { operatorTokenFile: kept.file }),
      },
      kept
        ? 'sandbox operator token (generated once, kept in operatorTokenFile; printed once per start, on purpose; set SANDBOX_OPERATOR_TOKEN to choose one)'
        : 'sandbox operator token generated for this run (printed once, on purpose; set SANDBOX_DATA_DIR to keep it, SANDBOX_OPERATOR_TOKEN to choose one)',
    );
  }
  // Where the orders are kept (in memory without SANDBOX_DATA_DIR) is logged once, by startSandbox.
  if (state.stopRequested !== undefined) stop(state.stopRequested);
}

const USAGE = `Usage: gateway-sandbox            start the sandbox (settings: the SANDBOX_* variables, see its README)
       gateway-sandbox report …   print a merchant's report card (gateway-sandbox report --help)
`;

if (process.argv[2] === 'report') {
  const { runReportCommand } = await import('./report-cli.js');
  process.exitCode = await runReportCommand(process.argv.slice(3), process.env, {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
} else if (process.argv[2] !== undefined) {
  // Any other argument (--help included) is not a reason to start a sandbox on the configured port.
  const help = process.argv[2] === '--help' || process.argv[2] === '-h';
  if (help) process.stdout.write(USAGE);
  else process.stderr.write(`gateway-sandbox: unknown command '${process.argv[2]}'\n${USAGE}`);
  process.exitCode = help ? 0 : 2;
} else {
  main().catch((err: unknown) => {
    const listenError = err as { code?: unknown; address?: unknown; port?: unknown };
    if (err instanceof SandboxConfigError || err instanceof CredentialsFileError) {
      process.stderr.write(`${err.message}\n`);
    } else if (listenError.code === 'EADDRINUSE') {
      process.stderr.write(
        `gateway-sandbox: ${String(listenError.address)}:${String(listenError.port)} is in use: set SANDBOX_PORT to a free port (0: any free port)\n`,
      );
    } else {
      logger.error({ err }, 'gateway sandbox failed to start');
    }
    process.exit(1);
  });
}
