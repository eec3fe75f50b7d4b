/**
 * Standalone gateway sandbox: `npm run sandbox`. The only sandbox file that reads process.env,
 * listens on a configured port or exits.
 */
import pino from 'pino';
import { loadSandboxConfig, SandboxConfigError } from './config.js';
import { startSandbox } from './start.js';

const logger = pino({ name: 'gateway-sandbox' });

async function main(): Promise<void> {
  const config = loadSandboxConfig(process.env);
  const running = await startSandbox({ ...config, logger });
  const stop = (signal: string) => {
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
}

main().catch((err: unknown) => {
  if (err instanceof SandboxConfigError) {
    process.stderr.write(`${err.message}\n`);
  } else {
    logger.error({ err }, 'gateway sandbox failed to start');
  }
  process.exit(1);
});
