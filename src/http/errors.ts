import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { errorTitleKey, type MessageKey } from './i18n.js';

/** An error whose status and buyer-facing message are known. Messages are message-catalog keys, never raw text. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    readonly messageKey: MessageKey,
  ) {
    super(messageKey);
  }
}

export const notFound: RequestHandler = (_req, _res, next) => next(new HttpError(404, 'errors.notFound'));

interface ErrorLike {
  status?: unknown;
  statusCode?: unknown;
  code?: unknown;
  type?: unknown;
}

/** Maps the errors that bad input produces in Express's own middleware to a status and a message. */
function classify(err: unknown): { status: number; messageKey: MessageKey } {
  if (err instanceof HttpError) return { status: err.status, messageKey: err.messageKey };
  const e = (err ?? {}) as ErrorLike;
  if (e.code === 'EBADCSRFTOKEN') return { status: 403, messageKey: 'errors.csrf' };
  const status = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (status === 413) return { status, messageKey: 'errors.badRequest' };
  if (status >= 400 && status < 500)
    return { status, messageKey: status === 404 ? 'errors.notFound' : 'errors.badRequest' };
  return { status: 500, messageKey: 'errors.internal' };
}

/** `params` fill the message's placeholders; `homeUrl` replaces the page's "go to the catalog" link target. */
export function renderError(
  res: Response,
  status: number,
  messageKey: MessageKey,
  extra: { params?: Record<string, string>; homeUrl?: string } = {},
): void {
  // The one place that may run before language() (e.g. a malformed static path): t can be missing here.
  const { t, referenceId } = res.locals as Partial<Express.Locals>;
  res.status(status).set('Cache-Control', 'no-store');
  if (!t) {
    res.type('text/plain').send(`Error ${status}. Reference ${referenceId ?? '-'}`);
    return;
  }
  const locals = {
    status,
    title: t(errorTitleKey(status)),
    message: t(messageKey, extra.params),
    referenceId,
    homeUrl: extra.homeUrl ?? '/',
  };
  // With a callback, a failing template can't re-enter the error handler.
  res.render('error', locals, (err: Error | null, html?: string) => {
    if (err) res.type('text/plain').send(`Error ${status}. Reference ${referenceId ?? '-'}`);
    else res.send(html);
  });
}

/**
 * The last-resort handler: a generic page with a reference id; the message is echoed only below 500, and the
 * stack only ever goes to the log.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const { status, messageKey } = classify(err);
    const { referenceId } = res.locals;
    if (status >= 500) logger.error({ err, referenceId, method: req.method, path: req.path }, 'request failed');
    else
      logger.info({ status, referenceId, method: req.method, path: req.path, reason: messageKey }, 'request rejected');
    if (res.headersSent) {
      res.end();
      return;
    }
    renderError(res, status, messageKey);
  };
}
