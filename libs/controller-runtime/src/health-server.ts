import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface HealthCheck {
  name: string;
  /** undefined = healthy. */
  check(): Error | undefined;
}

export interface HealthServer {
  /** e.g. `http://127.0.0.1:10258`. */
  url: string;
  close(): Promise<void>;
}

/**
 * `/healthz` (every check, upstream's text format) and `/metrics` (Prometheus) of a control-plane
 * component (CCM, scheduler). Plain HTTP on the bind address: upstream serves HTTPS with delegated
 * authn/authz, which Nimbus does not emulate; keep `--bind-address` on loopback.
 */
export async function startHealthServer(
  host: string,
  port: number,
  registry: Registry,
  checks: () => readonly HealthCheck[],
): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz' || path === '/livez' || path === '/readyz') {
      const failures = checks()
        .map((c) => ({ name: c.name, error: c.check() }))
        .filter((c) => c.error);
      res.statusCode = failures.length ? 500 : 200;
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end(
        failures.length
          ? failures.map((f) => `[-]${f.name} failed: ${f.error!.message}`).join('\n') +
              '\nhealthz check failed\n'
          : 'ok',
      );
      return;
    }
    if (path === '/metrics') {
      registry.metrics().then(
        (text) => {
          res.setHeader('Content-Type', registry.contentType);
          res.end(text);
        },
        (err: unknown) => {
          res.statusCode = 500;
          res.end(String(err));
        },
      );
      return;
    }
    res.statusCode = 404;
    res.end('404 page not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const h = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${h}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
