import { createServer, type Server } from 'node:http';
import { errorMessage, type Logger } from '@app/controller-runtime';
import type { HealthCheckRule } from './proxy/proxy-rules';

/** The body upstream writes (service_health.go: dedented, tab-indented, no trailing newline). */
export function serviceHealthBody(rule: HealthCheckRule, proxyHealthy: boolean): string {
  return [
    '{',
    '\t"service": {',
    `\t\t"namespace": ${JSON.stringify(rule.namespace)},`,
    `\t\t"name": ${JSON.stringify(rule.name)}`,
    '\t},',
    `\t"localEndpoints": ${rule.localEndpoints},`,
    `\t"serviceProxyHealthy": ${proxyHealthy}`,
    '}',
  ].join('\n');
}

interface Served {
  server?: Server;
  rule: HealthCheckRule;
}

/**
 * kube-proxy's ServiceHealthServer (pkg/proxy/healthcheck/service_health.go) for one node: an
 * HTTP server on `<node address>:<healthCheckNodePort>` per `externalTrafficPolicy: Local`
 * LoadBalancer Service, answering any path with 200 when the node has ready endpoints of the
 * Service and the proxier is healthy, else 503 — what the cloud load balancer's health check
 * reads to send traffic only to nodes that run the Service's pods.
 */
export class ServiceHealthServers {
  private readonly served = new Map<number, Served>();
  private readonly failed = new Set<number>();

  constructor(
    private readonly address: string,
    private readonly nodeName: string,
    private readonly proxyHealthy: () => boolean,
    private readonly logger: Logger,
  ) {}

  /** Opens, updates and closes servers to match `rules` (one per port). */
  async sync(rules: readonly HealthCheckRule[]): Promise<void> {
    const wanted = new Map(rules.map((r) => [r.port, r]));
    for (const [port, served] of this.served) {
      if (!wanted.has(port)) {
        this.served.delete(port);
        await closeServer(served.server);
      }
    }
    for (const [port, rule] of wanted) {
      const served = this.served.get(port);
      if (served?.server) {
        served.rule = rule;
        continue;
      }
      const entry: Served = served ?? { rule };
      entry.rule = rule;
      this.served.set(port, entry);
      entry.server = await this.listen(port, entry);
    }
  }

  ports(): number[] {
    return [...this.served.keys()];
  }

  async close(): Promise<void> {
    const all = [...this.served.values()];
    this.served.clear();
    await Promise.all(all.map((s) => closeServer(s.server)));
  }

  private async listen(port: number, entry: Served): Promise<Server | undefined> {
    const server = createServer((_req, res) => {
      const healthy = this.proxyHealthy();
      const { rule } = entry;
      res.setHeader('Content-Type', 'application/json');
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('X-Load-Balancing-Endpoint-Weight', String(rule.localEndpoints));
      res.statusCode = rule.localEndpoints !== 0 && healthy ? 200 : 503;
      res.end(serviceHealthBody(rule, healthy));
    });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, this.address, () => {
          server.off('error', reject);
          resolve();
        });
      });
      this.failed.delete(port);
      return server;
    } catch (err) {
      // Retried on the next sync (at the latest the periodic one).
      if (!this.failed.has(port)) {
        this.failed.add(port);
        this.logger.error(
          {
            node: this.nodeName,
            service: `${entry.rule.namespace}/${entry.rule.name}`,
            port,
            err: errorMessage(err),
          },
          'Failed to start healthcheck',
        );
      }
      return undefined;
    }
  }
}

function closeServer(server: Server | undefined): Promise<void> {
  if (!server) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}
