import { pino, type Logger, type DestinationStream } from 'pino';

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

export function createLogger(opts: { level: string; destination?: DestinationStream }): Logger {
  return pino(
    {
      level: opts.level,
      redact: { paths: REDACT, censor: '[redacted]' },
      base: undefined,
      serializers: { err: pino.stdSerializers.err },
    },
    opts.destination,
  );
}
