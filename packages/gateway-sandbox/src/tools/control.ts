import express, { type Request, type Response, type Router } from 'express';
import { faultProfileSchema, type FaultProfile, type FaultRegistry } from '../faults/profile.js';
import type { SandboxMerchant } from '../types.js';
import type { OperatorGate } from './operator.js';

export interface ControlRouterOptions {
  registry: FaultRegistry;
  merchants: readonly SandboxMerchant[];
  /** The operator credential every route here requires (tools/operator.ts). */
  operator: OperatorGate;
}

const API = '/sandbox/control/merchants/:login/faults';

/**
 * Fault switches per merchant: a JSON API (GET/PUT/DELETE) and an HTML form page, for the sandbox's operator only.
 * Every request needs the operator token (Bearer, or Basic with the token as password); a merchant's API
 * credentials never open them. No cookies are set. The page's posts also carry a form key the page alone knows,
 * since a browser would send cached Basic credentials with a cross-site form post (CSRF); the API takes JSON
 * with PUT/DELETE, which no cross-site form can send.
 */
export function createControlRouter({ registry, merchants, operator }: ControlRouterOptions): Router {
  const router = express.Router();
  const noStore: express.RequestHandler = (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  };
  const gate = [noStore, operator.require];
  const json = express.json({ limit: '8kb' });
  const form = express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 30 });
  const logins = merchants.map((m) => m.login);

  /** The merchant named in the path, or a 404 naming the known ones' count (not the names: the caller has them). */
  const target = (req: Request, res: Response): string | undefined => {
    const login = String(req.params.login);
    if (logins.includes(login)) return login;
    res.status(404).json({ error: 'unknown merchant login' });
    return undefined;
  };

  router.get(API, ...gate, (req, res) => {
    const login = target(req, res);
    if (login) res.json({ login, faults: registry.get(login) ?? null });
  });

  router.put(API, ...gate, json, (req, res) => {
    const login = target(req, res);
    if (!login) return;
    const parsed = faultProfileSchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      res.status(400).json({
        error: 'invalid fault profile',
        issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      });
      return;
    }
    registry.set(login, parsed.data);
    res.json({ login, faults: registry.get(login) ?? null });
  });

  router.delete(API, ...gate, (req, res) => {
    const login = target(req, res);
    if (!login) return;
    registry.clear(login);
    res.status(204).end();
  });

  const page = (res: Response, status: number, model: PageModel) =>
    renderPage(res, status, {
      ...model,
      logins,
      formKey: operator.formKey,
      current: logins.map((login) => ({ login, profile: registry.get(login) })),
    });

  router.get('/sandbox/control', ...gate, (req, res) => {
    const wanted = typeof req.query.merchant === 'string' ? req.query.merchant : undefined;
    const login = wanted !== undefined && logins.includes(wanted) ? wanted : logins[0];
    page(res, 200, { login, profile: login === undefined ? undefined : registry.get(login) });
  });

  router.post('/sandbox/control', ...gate, form, (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (!operator.formKeyMatches(body.formKey))
      return page(res, 403, {
        error: 'This form was not sent from the fault switches page: open the page and try again.',
      });
    const login = str(body.login);
    if (!logins.includes(login)) return page(res, 400, { error: 'Choose one of the sandbox merchants.' });
    const view = { login };
    if (body.action === 'clear') {
      registry.clear(login);
      return page(res, 200, { ...view, notice: 'Fault switches cleared.' });
    }
    if (body.action === 'save') {
      const parsed = faultProfileSchema.safeParse(formToJson(body));
      if (!parsed.success) {
        return page(res, 400, {
          ...view,
          profile: registry.get(login),
          error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
        });
      }
      registry.set(login, parsed.data);
      return page(res, 200, { ...view, profile: registry.get(login), notice: 'Fault switches saved.' });
    }
    page(res, 200, { ...view, profile: registry.get(login) });
  });

  return router;
}

interface PageModel {
  login?: string;
  logins?: readonly string[];
  formKey?: string;
  current?: readonly { login: string; profile: FaultProfile | undefined }[];
  profile?: FaultProfile | undefined;
  notice?: string;
  error?: string;
}

function renderPage(res: Response, status: number, model: PageModel): void {
  res.status(status).render('tools/control', {
    title: 'Fault switches',
    profile: undefined,
    notice: undefined,
    error: undefined,
    login: undefined,
    logins: [],
    formKey: '',
    current: [],
    ...model,
  });
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/**
 * The HTML form's fields in the JSON shape of the control API, so one schema (faultProfileSchema) checks both:
 * empty means "off", checkboxes are present only when ticked, numbers that don't parse stay strings for the
 * schema to refuse with its own message.
 */
function formToJson(body: Record<string, unknown>): Record<string, unknown> {
  const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
  const num = (v: unknown) => {
    const t = text(v);
    return t === undefined ? undefined : Number.isFinite(Number(t)) ? Number(t) : t;
  };
  const methods = text(body.methods)
    ?.split(/[\s,]+/)
    .filter(Boolean);
  const out: Record<string, unknown> = {
    latencyMs: num(body.latencyMs),
    httpStatus: num(body.httpStatus),
    malformedJson: body.malformedJson === 'on' || undefined,
    reset: body.reset === 'on' || undefined,
    errorCodeAsNumber: body.errorCodeAsNumber === 'on' || undefined,
    callbacks: text(body.callbacks),
    failReceipts: body.failReceipts === 'on' || undefined,
    methods,
    remaining: num(body.remaining),
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined));
}
