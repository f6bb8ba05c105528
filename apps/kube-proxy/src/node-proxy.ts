import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostAddressOf, type Clock } from '@app/common';
import { errorMessage, type Logger } from '@app/controller-runtime';
import type { NodeObject } from '@app/kube-client';
import { ProxierHealth, type HealthResponse } from './proxier-health';
import type { HealthCheckRule } from './proxy/proxy-rules';
import { ServiceHealthServers } from './service-health-servers';

/** How often a health server that could not bind tries again (upstream retries every 5 s). */
const BIND_RETRY_MS = 5000;

export interface NodeProxyOptions {
  nodeName: string;
  /** The node's InternalIP (a cloud address; served on its loopback stand-in). */
  nodeIp: string;
  clock: Clock;
  logger: Logger;
  monotonicSeconds(): number;
}

/**
 * The kube-proxy of one simulated node: the proxier's health, served as `/healthz` and `/livez`
 * on `<node address>:<healthz port>` (the node's InternalIP mapped onto loopback by
 * hostAddressOf), and the node's healthCheckNodePort servers. Its NodePorts are virtual servers
 * of the process's data plane on the same address (Proxier).
 */
export class NodeProxy {
  readonly health: ProxierHealth;
  readonly address: string;
  private server: Server | undefined;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;
  private boundPort: number | undefined;
  private loggedBindFailure = false;
  private requestedPort = 0;
  private cidrs: readonly string[] = [];
  private readonly serviceHealth: ServiceHealthServers;

  constructor(private readonly options: NodeProxyOptions) {
    this.health = new ProxierHealth(options.monotonicSeconds);
    const address = hostAddressOf(options.nodeIp);
    if (!address) {
      throw new Error(`node ${options.nodeName}: ${options.nodeIp} has no host address (IPv6?)`);
    }
    this.address = address;
    this.health.updated(options.clock.now());
    this.serviceHealth = new ServiceHealthServers(
      address,
      options.nodeName,
      () => this.health.isHealthy(options.clock.now()),
      options.logger,
    );
  }

  /** The healthCheckNodePort servers this node should run now. */
  syncServiceHealth(rules: readonly HealthCheckRule[]): Promise<void> {
    return this.closed ? Promise.resolve() : this.serviceHealth.sync(rules);
  }

  get nodeName(): string {
    return this.options.nodeName;
  }

  /** `http://<address>:<port>` once the health server listens. */
  get healthzUrl(): string | undefined {
    return this.boundPort === undefined ? undefined : `http://${this.address}:${this.boundPort}`;
  }

  get port(): number | undefined {
    return this.boundPort;
  }

  /** The node's pod CIDRs (IPv4 and IPv6), as last seen on the Node. */
  get podCIDRs(): readonly string[] {
    return this.cidrs;
  }

  /**
   * The Node changed (taints, deletion): eligibility for /healthz follows it. Answers whether its
   * pod CIDRs changed (the proxier's rules depend on them).
   */
  syncNode(node: NodeObject | undefined): boolean {
    const cidrs = node?.spec?.podCIDRs ?? (node?.spec?.podCIDR ? [node.spec.podCIDR] : []);
    const changed = cidrs.join(',') !== this.cidrs.join(',');
    this.cidrs = cidrs;
    const now = this.options.clock.now();
    this.health.queued(now);
    this.health.syncNode(node);
    this.health.updated(now);
    return changed;
  }

  /**
   * Binds the health server on `port` (0 = any free one); on failure (port in use) logs it and
   * retries in the background.
   */
  async start(port: number): Promise<void> {
    this.requestedPort = port;
    await this.listen();
  }

  async stop(): Promise<void> {
    this.closed = true;
    if (this.retry) {
      clearTimeout(this.retry);
    }
    await this.serviceHealth.close();
    const server = this.server;
    this.server = undefined;
    if (server) {
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    }
  }

  private async listen(): Promise<void> {
    if (this.closed) {
      return;
    }
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      const now = this.options.clock.now();
      let answer: HealthResponse | undefined;
      if (path === '/healthz') {
        answer = this.health.healthz(now);
      } else if (path === '/livez') {
        answer = this.health.livez(now);
      }
      if (!answer) {
        res.statusCode = 404;
        res.setHeader('Content-Type', 'text/plain; charset=utf-8');
        res.setHeader('X-Content-Type-Options', 'nosniff');
        res.end('404 page not found\n');
        return;
      }
      res.statusCode = answer.status;
      res.setHeader('Content-Type', 'application/json');
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.end(answer.body);
    });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.requestedPort, this.address, () => resolve());
      });
    } catch (err) {
      const target = `${this.address}:${this.requestedPort}`;
      if (!this.loggedBindFailure) {
        this.options.logger.error(
          { node: this.options.nodeName, address: target, err: errorMessage(err) },
          `failed to start proxier healthz on ${target}: ${errorMessage(err)} (kube-proxy health of node ${this.options.nodeName} unavailable; retrying every 5s)`,
        );
        this.loggedBindFailure = true;
      }
      this.retry = setTimeout(() => void this.listen(), BIND_RETRY_MS);
      this.retry.unref();
      return;
    }
    if (this.closed) {
      server.close();
      return;
    }
    this.server = server;
    this.boundPort = (server.address() as AddressInfo).port;
    this.options.logger.info(
      { node: this.options.nodeName, address: this.healthzUrl },
      'Starting healthz HTTP server',
    );
  }
}
