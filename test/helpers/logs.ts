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

/** The JSON log lines in a process's output, parsed (the plain start-up block between them left out). */
export function jsonLogLines(output: string): { level: number; msg: string }[] {
  return output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { level: number; msg: string });
}
