import type { RequestHandler } from 'express';
import { randomBytesPooled } from './random.js';

/** A short id shown to the buyer on error pages and written to every log line of the request, to find one in the other. */
export function newReferenceId(): string {
  return randomBytesPooled(6).toString('hex').toUpperCase();
}

export const requestId: RequestHandler = (_req, res, next) => {
  res.locals.referenceId = newReferenceId();
  next();
};
