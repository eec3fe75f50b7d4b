import { randomBytes } from 'node:crypto';
import type { RequestHandler } from 'express';

/** A short id shown to the buyer on error pages and written to every log line of the request, to find one in the other. */
export function newReferenceId(): string {
  return randomBytes(6).toString('hex').toUpperCase();
}

export const requestId: RequestHandler = (_req, res, next) => {
  res.locals.referenceId = newReferenceId();
  next();
};
