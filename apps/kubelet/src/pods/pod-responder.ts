import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { hostAddressOf, hostPortOf } from '@app/common';
import { errorMessage, type Logger } from '@app/controller-runtime';
import type { Container, PodObject } from '@app/kube-client';
import type { ServeMode } from './sim-annotations';
import type { TargetedPort } from './targeted-ports';

/** What a pod serves now (PodSim.serving()). */
export interface PodServing {
  ip: string | undefined;
  hostNetwork: boolean;
  running: Container[];
  mode: ServeMode;
  /** Ports Services send to the pod (EndpointSlices), served too while a container runs. */
  targeted?: readonly TargetedPort[];
}

/** Who answers: printed in every HTTP answer, so users see which pod a request reached. */
export interface PodIdentity {
  pod: string;
  namespace: string;
  node: string;
  podIP: string;
}

/** First line of an HTTP/1.x request: `GET /path HTTP/1.1`. */
const HTTP_REQUEST_START = /^[A-Z]{3,10} \S/;
/** How much of a request body the HTTP answer echoes. */
const ECHO_BODY_LIMIT = 64 * 1024;
/** How often a port that could not be bound is tried again. */
const BIND_RETRY_MS = 5000;

interface OpenPort {
  key: string;
  close(): Promise<void>;
}

/**
 * The stand-in for a pod's containers on the network (images cannot run here): while a
 * container runs, each port it declares (`ports[].containerPort`, TCP and UDP) and each port a
 * Service sends it (its EndpointSlices' ports, as a real server listens undeclared) is open at the
 * pod's host address, `hostAddressOf(podIP)`, on `hostPortOf(port)` (80 → 10080 without root).
 * HTTP requests get a JSON answer naming the pod, namespace, node and IP and echoing the request
 * (`GET /hostname` answers the pod name alone, as agnhost's netexec); other TCP data and UDP
 * datagrams are echoed (a UDP `hostname` gets the pod name). The `sim.nimbus.dev/serve`
 * annotation picks `http`, `echo` or `none` instead of `auto`.
 */
export class PodResponder {
  private readonly open = new Map<string, OpenPort>();
  private identity: PodIdentity | undefined;
  private last: { pod: PodObject; serving: PodServing } | undefined;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly warned = new Set<string>();

  constructor(
    private readonly node: string,
    private readonly logger: Logger,
  ) {}

  /** The pod or its simulation changed: opens and closes ports to match. */
  update(pod: PodObject, serving: PodServing): void {
    if (this.closed) {
      return;
    }
    this.last = { pod, serving };
    const host = serving.ip ? hostAddressOf(serving.ip) : undefined;
    const wanted = new Map<string, { protocol: 'TCP' | 'UDP'; containerPort: number }>();
    if (host && serving.mode !== 'none') {
      for (const c of serving.running) {
        for (const p of c.ports ?? []) {
          const protocol = p.protocol ?? 'TCP';
          if (protocol !== 'TCP' && protocol !== 'UDP') {
            continue; // SCTP: no user-space stand-in
          }
          const key = `${serving.mode}|${host}|${protocol}/${hostPortOf(p.containerPort)}`;
          wanted.set(key, { protocol, containerPort: p.containerPort });
        }
      }
      for (const t of serving.running.length > 0 ? (serving.targeted ?? []) : []) {
        const key = `${serving.mode}|${host}|${t.protocol}/${hostPortOf(t.port)}`;
        wanted.set(key, { protocol: t.protocol, containerPort: t.port });
      }
    }
    this.identity = serving.ip
      ? {
          pod: pod.metadata?.name ?? '',
          namespace: pod.metadata?.namespace ?? '',
          node: this.node,
          podIP: serving.ip,
        }
      : undefined;
    for (const [key, port] of this.open) {
      if (!wanted.has(key)) {
        this.open.delete(key);
        void port.close();
      }
    }
    for (const [key, want] of wanted) {
      if (!this.open.has(key)) {
        void this.listen(key, host!, want.protocol, want.containerPort, serving.mode);
      }
    }
  }

  /** The pod left the node: every port closes, with its connections. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    const ports = [...this.open.values()];
    this.open.clear();
    await Promise.all(ports.map((p) => p.close()));
  }

  private async listen(
    key: string,
    address: string,
    protocol: 'TCP' | 'UDP',
    containerPort: number,
    mode: ServeMode,
  ): Promise<void> {
    const port = hostPortOf(containerPort);
    const placeholder: OpenPort = { key, close: () => Promise.resolve() };
    this.open.set(key, placeholder);
    try {
      const opened =
        protocol === 'TCP'
          ? await this.listenTcp(key, address, port, containerPort, mode)
          : await this.listenUdp(key, address, port);
      if (this.open.get(key) !== placeholder || this.closed) {
        await opened.close(); // closed or changed while binding
        return;
      }
      this.open.set(key, opened);
      this.warned.delete(key);
    } catch (err) {
      if (this.open.get(key) === placeholder) {
        this.open.delete(key);
      }
      if (!this.warned.has(key)) {
        this.warned.add(key);
        this.logger.warn(
          {
            pod: this.describe(),
            address: `${address}:${port}/${protocol}`,
            err: errorMessage(err),
          },
          'pod responder could not open its port (retrying every 5s)',
        );
      }
      this.scheduleRetry();
    }
  }

  /** Ports that could not be bound (taken) are tried again with the latest wishes. */
  private scheduleRetry(): void {
    if (this.closed || this.retry) {
      return;
    }
    this.retry = setTimeout(() => {
      this.retry = undefined;
      if (this.last) {
        this.update(this.last.pod, this.last.serving);
      }
    }, BIND_RETRY_MS);
    this.retry.unref();
  }

  private describe(): string {
    return this.identity ? `${this.identity.namespace}/${this.identity.pod}` : '';
  }

  private async listenTcp(
    key: string,
    address: string,
    port: number,
    containerPort: number,
    mode: ServeMode,
  ): Promise<OpenPort> {
    const sockets = new Set<Socket>();
    const http = createHttpServer((req, res) => this.answerHttp(req, res, containerPort));
    http.keepAliveTimeout = 60_000;
    const server: Server = createTcpServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      if (mode === 'http') {
        http.emit('connection', socket);
        return;
      }
      if (mode === 'echo') {
        socket.pipe(socket);
        return;
      }
      socket.once('data', (chunk: Buffer) => {
        socket.pause();
        socket.unshift(chunk);
        if (HTTP_REQUEST_START.test(chunk.toString('latin1', 0, 16))) {
          http.emit('connection', socket);
        } else {
          socket.pipe(socket);
        }
        socket.resume();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, address, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return {
      key,
      close: () =>
        new Promise<void>((resolve) => {
          for (const s of sockets) {
            s.destroy();
          }
          http.close();
          server.close(() => resolve());
        }),
    };
  }

  private async listenUdp(key: string, address: string, port: number): Promise<OpenPort> {
    const socket: UdpSocket = createSocket('udp4');
    socket.on('message', (msg, from) => {
      const reply =
        msg.toString('latin1').trim() === 'hostname' ? Buffer.from(this.identity?.pod ?? '') : msg;
      socket.send(reply, from.port, from.address);
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, address, () => {
        socket.off('error', reject);
        socket.on('error', () => undefined);
        resolve();
      });
    });
    return { key, close: () => new Promise<void>((resolve) => socket.close(() => resolve())) };
  }

  private answerHttp(req: IncomingMessage, res: ServerResponse, port: number): void {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      if (size < ECHO_BODY_LIMIT) {
        chunks.push(chunk);
      }
      size += chunk.length;
    });
    req.on('end', () => {
      const who = this.identity;
      res.setHeader('X-Nimbus-Pod', who ? `${who.namespace}/${who.pod}` : '');
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/hostname') {
        res.setHeader('Content-Type', 'text/plain; charset=utf-8');
        res.end(who?.pod ?? '');
        return;
      }
      const body = Buffer.concat(chunks).subarray(0, ECHO_BODY_LIMIT).toString('utf8');
      res.setHeader('Content-Type', 'application/json');
      res.end(
        `${JSON.stringify(
          {
            ...who,
            port,
            note: 'Nimbus simulated pod: no container runs; the kubelet answers on its ports',
            request: {
              method: req.method,
              url: req.url,
              headers: req.headers,
              ...(body ? { body } : {}),
            },
          },
          null,
          2,
        )}\n`,
      );
    });
  }
}
