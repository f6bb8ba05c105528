import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Backend } from './backend-pool';
import { Listener } from './listener';
import { plainAddress } from './source-ranges';
import type { BackendCounters } from './types';

/** Datagrams held per flow while its backend is chosen and its socket connects. */
const MAX_QUEUED = 64;

/** One client address:port and the connected socket that carries its datagrams to a backend. */
class UdpFlow {
  backend?: Backend;
  lastActive: number;
  private socket?: Socket;
  private counters?: BackendCounters;
  private connected = false;
  private queue: Buffer[] = [];
  private closed = false;

  constructor(
    readonly key: string,
    readonly client: string,
    readonly clientPort: number,
    readonly rawClientAddress: string,
    now: number,
  ) {
    this.lastActive = now;
  }

  get open(): boolean {
    return !this.closed;
  }

  /** The socket dialling `backend`; datagrams queue until `markConnected`. */
  attach(socket: Socket, backend: Backend, counters: BackendCounters): void {
    this.socket = socket;
    this.backend = backend;
    this.counters = counters;
  }

  markConnected(): void {
    this.connected = true;
    const queued = this.queue;
    this.queue = [];
    queued.forEach((d) => this.send(d));
  }

  send(datagram: Buffer): void {
    if (this.closed) {
      return;
    }
    if (this.connected) {
      this.socket!.send(datagram);
      this.counters!.bytesIn += datagram.length;
    } else if (this.queue.length < MAX_QUEUED) {
      this.queue.push(datagram);
    }
  }

  close(): void {
    if (this.closed) {
      return;
    }
    this.closed = true;
    this.queue = [];
    this.socket?.close();
  }
}

/**
 * A UDP listener: every client address:port is a flow with its own connected socket to the
 * backend chosen for its first datagram, so replies find their way back. A flow ends after
 * `udpIdleTimeoutMs` of clock time without datagrams, when its backend leaves or turns
 * unhealthy (the next datagram chooses again, as kube-proxy clears conntrack entries), or when
 * the backend answers with ICMP port unreachable.
 */
export class UdpListener extends Listener<Socket> {
  private socket?: Socket;
  private readonly flows = new Map<string, UdpFlow>();

  protected bindSocket(address: string, port: number): Promise<{ handle: Socket; port: number }> {
    return bindUdp(address, port);
  }

  protected adopt(socket: Socket): void {
    this.socket = socket;
    socket.on('message', (datagram, rinfo) => this.receive(datagram, rinfo));
    socket.on('error', () => undefined);
  }

  async close(): Promise<void> {
    for (const flow of [...this.flows.values()]) {
      this.endFlow(flow);
    }
    const socket = this.socket;
    this.socket = undefined;
    if (socket) {
      await new Promise<void>((resolve) => socket.close(() => resolve()));
    }
  }

  backendUnavailable(backendId: string): void {
    for (const flow of [...this.flows.values()]) {
      if (flow.backend?.id === backendId) {
        this.endFlow(flow);
      }
    }
  }

  sweep(): void {
    const now = this.host.clock.now();
    for (const flow of [...this.flows.values()]) {
      if (now - flow.lastActive >= this.host.udpIdleTimeoutMs) {
        this.endFlow(flow);
      }
    }
  }

  get openFlows(): number {
    return this.flows.size;
  }

  private receive(datagram: Buffer, rinfo: RemoteInfo): void {
    const key = `${rinfo.address}|${rinfo.port}`;
    let flow = this.flows.get(key);
    if (!flow) {
      const client = plainAddress(rinfo.address);
      if (!this.host.allows(client)) {
        this.rejected.source_range++;
        return;
      }
      if (this.flows.size >= this.host.udpMaxSessions) {
        this.rejected.session_limit++;
        return;
      }
      flow = new UdpFlow(key, client, rinfo.port, rinfo.address, this.host.clock.now());
      this.flows.set(key, flow);
      void this.connect(flow);
    } else {
      flow.lastActive = this.host.clock.now();
      if (flow.backend) {
        this.host.touch(flow.client, flow.backend);
      }
    }
    flow.send(datagram);
  }

  private async connect(flow: UdpFlow): Promise<void> {
    const backend = await this.host.choose(flow.client, this.destination);
    if (!flow.open) {
      if (backend) {
        this.host.release(backend, flow.client);
      }
      return;
    }
    if (!backend) {
      this.rejected.no_backend++;
      this.endFlow(flow);
      return;
    }
    const counters = this.countersOf(backend.id);
    counters.connections++;
    counters.active++;
    const upstream = createSocket(isIPv6(backend.address) ? 'udp6' : 'udp4');
    flow.attach(upstream, backend, counters);
    upstream.on('message', (reply) => {
      flow.lastActive = this.host.clock.now();
      counters.bytesOut += reply.length;
      this.socket?.send(reply, flow.clientPort, flow.rawClientAddress);
    });
    // ICMP port unreachable surfaces as ECONNREFUSED on a connected socket: the flow ends and the
    // client's next datagram chooses again.
    upstream.on('error', () => {
      counters.connectFailures++;
      this.host.connectFailed(backend);
      this.endFlow(flow);
    });
    upstream.once('close', () => {
      counters.active--;
      this.host.release(backend, flow.client);
    });
    upstream.connect(this.targetPort(backend), backend.address, () => flow.markConnected());
  }

  private endFlow(flow: UdpFlow): void {
    if (this.flows.get(flow.key) === flow) {
      this.flows.delete(flow.key);
    }
    flow.close();
  }
}

function bindUdp(address: string, port: number): Promise<{ handle: Socket; port: number }> {
  return new Promise((resolve, reject) => {
    const socket = isIPv6(address)
      ? createSocket({ type: 'udp6', ipv6Only: true })
      : createSocket('udp4');
    socket.once('error', (err) => {
      socket.close();
      reject(err);
    });
    socket.bind({ address, port, exclusive: true }, () => {
      socket.removeAllListeners('error');
      resolve({ handle: socket, port: socket.address().port });
    });
  });
}
