import { pino, type Logger, type DestinationStream } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

/**
 * Paths that may carry a secret. The gateway password travels in the form body of every call, so request bodies,
 * forms and auth objects are never logged whole; these paths are a second line of defence.
 */
const REDACT = [
  'password',
  'token',
  'checksum',
  'cookie',
  'sessionSecrets',
  '*.password',
  '*.*.password',
  '*.*.*.password', // e.g. { config: { gateway: { auth: { password } } } }
  '*.token',
  '*.*.token',
  '*.*.*.token',
  '*.checksum',
  '*.cookie',
  '*.sessionSecrets',
  'req.headers.cookie',
  'req.headers.authorization',
  'res.headers["set-cookie"]',
  'err.options',
  'err.request',
  'err.response',
  'form',
  '*.form',
  // The callback key, and the embedded sandbox's merchants (config.gateway.sandbox.merchants[i]) when a whole
  // Config is logged. Only leading wildcards: the frozen Config can't take the in-place kind.
  ...['password', 'token', 'callbackKey', 'key'].flatMap((field) => [`*.*.*.*.${field}`, `*.*.*.*.*.${field}`]),
  'callbackKey',
  '*.callbackKey',
  '*.*.callbackKey',
  '*.*.*.callbackKey',
  'callbacks.key',
  '*.callbacks.key',
];

/**
 * The shop's logger: JSON lines, or with `human` (a terminal in development, see `wantsHumanLogs`) one readable line
 * per entry through pino-pretty, in-process. Redaction applies before either is written.
 */
export function createLogger(opts: { level: string; destination?: DestinationStream; human?: boolean }): Logger {
  const destination = opts.human
    ? pretty({
        colorize: true,
        translateTime: 'HH:MM:ss',
        ignore: 'pid,hostname',
        singleLine: true,
        sync: true,
        ...(opts.destination && { destination: opts.destination }),
      })
    : opts.destination;
  return pino(
    {
      level: opts.level,
      redact: { paths: REDACT, censor: '[redacted]' },
      base: undefined,
      serializers: { err: pino.stdSerializers.err },
    },
    destination,
  );
}

/**
 * The launcher's logger on stdout, and `print` for plain text on the same stream: text printed after a log line
 * comes after it (pino writes JSON asynchronously, so process.stdout.write could overtake it).
 */
export function createStdoutLogger(opts: { level: string; human: boolean }): {
  logger: Logger;
  print: (text: string) => void;
} {
  // pino-pretty writes synchronously (createLogger), so process.stdout keeps the order there.
  if (opts.human)
    return { logger: createLogger({ level: opts.level, human: true }), print: (t) => void process.stdout.write(t) };
  const destination = pino.destination({ dest: 1, sync: false });
  return { logger: createLogger({ level: opts.level, destination }), print: (t) => void destination.write(t) };
}

/** Readable logs only on a terminal and outside production; anything that collects logs gets JSON. */
export function wantsHumanLogs(env: string, stdoutIsTty: boolean): boolean {
  return env !== 'production' && stdoutIsTty;
}

/** What the start-up block says; every URL is one the shop already logs (origins only, no credentials). */
export interface StartupSummary {
  shopUrl: string;
  /** The embedded sandbox's public URL, or undefined with a configured GATEWAY_URL. */
  sandboxUrl: string | undefined;
  /** The configured gateway's origin when there is no sandbox. */
  gatewayOrigin: string;
  /** The embedded sandbox's operator pages and generated operator token (GatewayTarget.sandboxOperator), if any. */
  sandboxOperator?: { pages: string; reportCard: string; token: string; tokenFile: string };
  admin: { url: string; user: string } | undefined;
  /** The developer panel's link with its token (outside production); the one place it is printed besides the log. */
  devPanelUrl?: string | undefined;
  dataDir: string;
  /** Problems found at start that don't stop the shop, repeated here so that they are not missed. */
  warnings?: readonly string[];
}

/**
 * The few plain lines printed once at start (on a terminal, or in development): the one URL to open, the sandbox and
 * its test cards, the back office, where the data lives, how to stop. The JSON log says the same for machines.
 */
export function startupBanner(s: StartupSummary): string {
  const lines = [
    '',
    `  Shop is running. Open ${s.shopUrl}/`,
    s.sandboxUrl === undefined
      ? `  Payment gateway: ${s.gatewayOrigin} (GATEWAY_URL)`
      : `  Sandbox gateway: ${s.sandboxUrl} (test cards: ${s.sandboxUrl}/sandbox/cards)`,
    ...(s.sandboxOperator === undefined
      ? []
      : [
          `  Sandbox tools:   ${s.sandboxOperator.pages} (operator token ${s.sandboxOperator.token}, kept in ${s.sandboxOperator.tokenFile})`,
          `  Report card:     ${s.sandboxOperator.reportCard} (the sandbox grades this shop's calls; same token)`,
        ]),
    s.admin === undefined
      ? '  Back office:     off (set ADMIN_PASSWORD_HASH from npm run admin-hash to turn on /admin)'
      : `  Back office:     ${s.admin.url} (user ${s.admin.user})`,
    ...(s.devPanelUrl === undefined ? [] : [`  Developer panel: ${s.devPanelUrl} (this machine only)`]),
    `  Data:            ${s.dataDir}`,
    ...(s.warnings ?? []).map((w) => `  Warning: ${w}`),
    '  Ctrl+C to stop.',
    '',
  ];
  return `${lines.join('\n')}\n`;
}
