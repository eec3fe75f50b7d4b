import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

/**
 * The metrics listener: GET (or HEAD) /metrics in the Prometheus text format, 404 for anything else. It runs only
 * when METRICS_PORT is set, on its own port bound to METRICS_HOST (127.0.0.1 by default), never on the shop's port:
 * see docs/decisions/0010-metrics.md. Returns the server once it listens.
 */
export async function startMetricsServer(opts: { registry: Registry; port: number; host: string }): Promise<Server> {
  const { registry } = opts;
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not Found\n');
      return;
    }
    registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      () => res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('metrics unavailable\n'),
    );
  });
  server.listen(opts.port, opts.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  return server;
}
