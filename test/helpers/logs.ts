import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/log.js';

/** The shop's own logger (with its redaction) writing into an array, so a test can read every line it wrote. */
export function capturedLogger(level = 'debug'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { logger: createLogger({ level, destination }), lines };
}
