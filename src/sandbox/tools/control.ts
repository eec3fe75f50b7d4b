import express, { type Request, type Response, type Router } from 'express';
import { faultProfileSchema, type FaultProfile, type FaultRegistry } from '../faults/profile.js';
import { authenticate } from '../rest/auth.js';
import type { SandboxMerchant } from '../types.js';

export interface ControlRouterOptions {
  registry: FaultRegistry;
  merchants: readonly SandboxMerchant[];
}

const API = '/sandbox/control/merchants/:login/faults';

/**
 * Fault switches per merchant: a JSON API (GET/PUT/DELETE) and an HTML form page. Both require the
 * merchant's own API credentials on every request and set no cookies, so a cross-site form cannot
 * act without knowing them (CSRF) and one team cannot switch faults on another team's merchant.
 */
export function createControlRouter({ registry, merchants }: ControlRouterOptions): Router {
  const router = express.Router();
  router.use('/sandbox/control', (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  router.use('/sandbox/control/merchants', express.json({ limit: '8kb' }));
  router.use('/sandbox/control', express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 30 }));

  /** 401 without valid credentials; 403 when they belong to another merchant than the one in the path. */
  const owner = (req: Request, res: Response): SandboxMerchant | undefined => {
    const auth = authenticate(headerCredentials(req.get('authorization')), merchants);
    if (!auth.ok) {
      res.status(401).set('WWW-Authenticate', 'Basic realm="gateway sandbox control"').json({ error: 'unauthorized' });
      return undefined;
    }
    if (auth.merchant.login !== req.params.login) {
      res.status(403).json({ error: 'forbidden: credentials of another merchant' });
      return undefined;
    }
    return auth.merchant;
  };

  router.get(API, (req, res) => {
    const merchant = owner(req, res);
    if (merchant) res.json({ login: merchant.login, faults: registry.get(merchant.login) ?? null });
  });

  router.put(API, (req, res) => {
    const merchant = owner(req, res);
    if (!merchant) return;
    const parsed = faultProfileSchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      res.status(400).json({
        error: 'invalid fault profile',
        issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      });
      return;
    }
    registry.set(merchant.login, parsed.data);
    res.json({ login: merchant.login, faults: registry.get(merchant.login) ?? null });
  });

  router.delete(API, (req, res) => {
    const merchant = owner(req, res);
    if (!merchant) return;
    registry.clear(merchant.login);
    res.status(204).end();
  });

  router.get('/sandbox/control', (_req, res) => {
    renderPage(res, 200, {});
  });

  router.post('/sandbox/control', (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const creds = { userName: str(body.userName), password: str(body.password), token: str(body.token) };
    const auth = authenticate(Object.fromEntries(Object.entries(creds).filter(([, v]) => v !== '')), merchants);
    if (!auth.ok) return renderPage(res, 401, { userName: creds.userName, error: 'Wrong or missing API credentials.' });
    const login = auth.merchant.login;
    const view = { userName: creds.userName, login };
    if (body.action === 'clear') {
      registry.clear(login);
      return renderPage(res, 200, { ...view, notice: 'Fault switches cleared.' });
    }
    if (body.action === 'save') {
      const parsed = faultProfileSchema.safeParse(formToJson(body));
      if (!parsed.success) {
        return renderPage(res, 400, {
          ...view,
          profile: registry.get(login),
          error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
        });
      }
      registry.set(login, parsed.data);
      return renderPage(res, 200, { ...view, profile: registry.get(login), notice: 'Fault switches saved.' });
    }
    renderPage(res, 200, { ...view, profile: registry.get(login) });
  });

  return router;
}

interface PageModel {
  userName?: string;
  login?: string;
  profile?: FaultProfile | undefined;
  notice?: string;
  error?: string;
}

function renderPage(res: Response, status: number, model: PageModel): void {
  // Credentials are never echoed back except the API user name; the password and token fields stay empty.
  res.status(status).render('sandbox/tools/control', {
    title: 'Fault switches',
    profile: undefined,
    notice: undefined,
    error: undefined,
    userName: '',
    login: undefined,
    ...model,
  });
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Basic (userName:password) or Bearer (token) Authorization header as REST-style parameters. */
function headerCredentials(header: string | undefined): Record<string, string> {
  if (!header) return {};
  const [scheme, value = ''] = header.split(/\s+/, 2);
  if (scheme?.toLowerCase() === 'bearer') return { token: value };
  if (scheme?.toLowerCase() !== 'basic') return {};
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? {} : { userName: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
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
    methods,
    remaining: num(body.remaining),
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined));
}
