// A tiny, scriptable stand-in for the gateway's /payment/rest/*.do endpoints, for fault tests.
// Real HTTP on 127.0.0.1:0 (no interceptors). Unscripted methods behave like a healthy gateway, so a
// test only declares the one misbehaviour it is about, next to its assertion.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GatewayReply {
  /** HTTP status, default 200. */
  status?: number;
  /** string → sent verbatim; anything else → JSON.stringify. Omitted → empty body. */
  body?: unknown;
  /** Default application/json (text/html when body is a string starting with '<'). */
  contentType?: string;
  headers?: Record<string, string>;
  /** Wait this long before answering (or before resetting). */
  delayMs?: number;
  /** Destroy the socket instead of answering (connection reset). */
  reset?: true;
  /** Never answer (the client's timeout must fire). */
  hang?: true;
}

export interface HandlerContext {
  /** Gateway method name without `.do`, e.g. "register". */
  method: string;
  /** 1-based number of this call to this method. */
  count: number;
  origin: string;
  baseUrl: string;
  /**
   * What the healthy gateway would answer (and do: a register is recorded and can be asked about later), for a
   * script that only changes the answer, e.g. registers the order and then loses the reply.
   */
  healthy: (form: Record<string, string>) => GatewayReply | Promise<GatewayReply>;
}

export type MethodHandler = (form: Record<string, string>, ctx: HandlerContext) => GatewayReply | Promise<GatewayReply>;
/** Per-method scripts; `default` applies to methods not named. Unlisted methods act healthy. */
export type Behaviour = Partial<Record<string, MethodHandler | GatewayReply>>;

export interface RecordedRequest {
  method: string;
  path: string;
  httpMethod: string;
  contentType: string | undefined;
  form: Record<string, string>;
}

export interface MisbehavingGateway {
  /** Ends with /payment/rest/ like a real gateway base URL. */
  baseUrl: string;
  origin: string;
  requests: RecordedRequest[];
  callsTo(method: string): RecordedRequest[];
  close(): Promise<void>;
}

/** Ready-made replies for the usual faults. */
export const replies = {
  hang: (): GatewayReply => ({ hang: true }),
  reset: (delayMs?: number): GatewayReply => ({ reset: true, ...(delayMs === undefined ? {} : { delayMs }) }),
  http: (status: number, body: unknown = '<html><body>Gateway error</body></html>'): GatewayReply => ({ status, body }),
  json: (body: unknown, delayMs?: number): GatewayReply => ({ body, ...(delayMs === undefined ? {} : { delayMs }) }),
  malformedJson: (): GatewayReply => ({ body: '{"orderId":"abc","formUrl":', contentType: 'application/json' }),
  html: (): GatewayReply => ({ body: '<!DOCTYPE html><html><body>Maintenance</body></html>' }),
  rejected: (errorCode: number | string, errorMessage = 'Error'): GatewayReply => ({
    body: { errorCode, errorMessage },
  }),
  ok: (): GatewayReply => ({ body: { errorCode: 0, errorMessage: 'Success' } }),
};

/** Answers with `steps[count-1]`, repeating the last step (e.g. slow first, then healthy). */
export function sequence(...steps: Array<MethodHandler | GatewayReply>): MethodHandler {
  return (form, ctx) => {
    const step = steps[Math.min(ctx.count, steps.length) - 1];
    if (step === undefined) throw new Error('sequence() needs at least one step');
    return typeof step === 'function' ? step(form, ctx) : step;
  };
}

interface KnownOrder {
  orderId: string;
  orderNumber: string;
  amount: number;
  currency: string;
  description: string;
}

export async function startMisbehavingGateway(behaviour: MethodHandler | Behaviour = {}): Promise<MisbehavingGateway> {
  const requests: RecordedRequest[] = [];
  const counts = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  const orders = new Map<string, KnownOrder>();
  const healthy = healthyGateway(orders);
  let origin = '';

  const pick = (method: string): MethodHandler | GatewayReply | undefined => {
    if (typeof behaviour === 'function') return behaviour;
    return behaviour[method] ?? behaviour.default ?? healthy[method];
  };

  const server = createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent && !res.destroyed) res.writeHead(500).end('helper failure');
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', origin);
    const body = await readBody(req);
    const form = Object.fromEntries(new URLSearchParams(req.method === 'GET' ? url.search : body));
    const match = /^\/payment\/rest\/([A-Za-z]+)\.do$/.exec(url.pathname);
    const method = match?.[1] ?? '';
    requests.push({
      method,
      path: url.pathname,
      httpMethod: req.method ?? '',
      contentType: req.headers['content-type'],
      form,
    });
    const count = (counts.get(method) ?? 0) + 1;
    counts.set(method, count);
    const script = match ? pick(method) : { status: 404, body: '<html>Not found</html>' };
    const ctx: HandlerContext = {
      method,
      count,
      origin,
      baseUrl: `${origin}/payment/rest/`,
      healthy: (f) => healthy[method]?.(f, ctx) ?? replies.http(404),
    };
    const reply =
      script === undefined ? replies.http(404) : typeof script === 'function' ? await script(form, ctx) : script;
    if (reply.hang) return; // closed by close()
    if (reply.delayMs) await new Promise<void>((r) => timers.add(setTimeout(r, reply.delayMs)));
    if (res.destroyed) return; // the client gave up while we were "slow"
    if (reply.reset) {
      req.socket.destroy();
      return;
    }
    const raw =
      reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    const type =
      reply.contentType ?? (raw.startsWith('<') ? 'text/html; charset=utf-8' : 'application/json;charset=UTF-8');
    res.writeHead(reply.status ?? 200, { 'content-type': type, ...reply.headers }).end(raw);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    baseUrl: `${origin}/payment/rest/`,
    origin,
    requests,
    callsTo: (method) => requests.filter((r) => r.method === method),
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        server.close(() => resolve());
        server.closeAllConnections(); // hung requests would otherwise keep close() waiting forever
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Just enough of a well-behaved gateway: orders registered here can be queried by id or number. */
function healthyGateway(orders: Map<string, KnownOrder>): Record<string, MethodHandler> {
  const register: MethodHandler = (form, ctx) => {
    const orderNumber = form.orderNumber ?? '';
    if ([...orders.values()].some((o) => o.orderNumber === orderNumber)) {
      return replies.rejected('1', 'Order number is duplicated, order with given order number is processed already');
    }
    const orderId = randomUUID();
    orders.set(orderId, {
      orderId,
      orderNumber,
      amount: Number(form.amount ?? 0),
      currency: form.currency ?? '643',
      description: form.description ?? '',
    });
    return { body: { orderId, formUrl: `${ctx.origin}/payment/merchants/test/payment_en.html?mdOrder=${orderId}` } };
  };
  return {
    register,
    registerPreAuth: register,
    getOrderStatusExtended: (form) => {
      const order =
        form.orderId !== undefined
          ? orders.get(form.orderId)
          : [...orders.values()].find((o) => o.orderNumber === form.orderNumber);
      if (!order) return replies.rejected('6', 'Order not found');
      return {
        body: {
          errorCode: '0',
          errorMessage: 'Success',
          orderNumber: order.orderNumber,
          orderStatus: 0,
          actionCode: -100,
          actionCodeDescription: '',
          amount: order.amount,
          currency: order.currency,
          date: Date.now(),
          orderDescription: order.description,
          attributes: [{ name: 'mdOrder', value: order.orderId }],
          paymentAmountInfo: { paymentState: 'CREATED', approvedAmount: 0, depositedAmount: 0, refundedAmount: 0 },
        },
      };
    },
    deposit: () => replies.ok(),
    reverse: () => replies.ok(),
    refund: () => replies.ok(),
    decline: () => replies.ok(),
  };
}
