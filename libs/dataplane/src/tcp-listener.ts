import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Backend } from './backend-pool';
import { Listener } from './listener';
import { resetSocket } from './reset-socket';
import { plainAddress } from './source-ranges';
import type { BackendCounters } from './types';

/** Dials per connection before giving up (each on another backend). */
const MAX_DIALS = 3;
const DIAL_TIMEOUT_MS = 5000;

/** One client connection spliced to one backend connection. */
interface Splice {
  client: Socket;
  upstream: Socket;
  backendId: string;
}

/** A backend connection dialled for a client, or why there is none. */
type Upstream =
  | { upstream: Socket; backend: Backend; counters: BackendCounters; handed?: HandOff }
  | { refused: true };

/**
 * A connection handed over by another listener of this process (see `inProcess`): the backend
 * socket this listener dialled for it, and how to account for the caller's client on it.
 */
export interface HandOff {
  upstream: Socket;
  /** Counts `client` ↔ `upstream` as this listener's connection (the caller pipes them). */
  adopt(client: Socket): void;
  /** The caller's client went away before `adopt`: closes the dial. */
  abandon(): void;
}

/**
 * The TCP listeners of this process by bound `address:port`. A listener whose backend is one of
 * them (the cloud LB dialling a node's NodePort that kube-proxy serves in the same `nimbus up`)
 * hands the connection over instead of dialling it: the receiving listener applies its own rules
 * (source ranges for the dialler's address, scheduler, affinity, counters) and dials its backend,
 * and the client is piped straight to that backend — one user-space hop instead of two, as the
 * kernel's forwarding would cost nothing per packet. Everything a client or backend sees, and
 * both listeners' counters, stay as with the second hop.
 */
const inProcess = new Map<string, TcpListener>();

/** The source address a loopback dial without `localAddress` gets on Linux (its route's `src`). */
const LOOPBACK_DIAL_SOURCE = '127.0.0.1';

/**
 * A TCP listener: accepts, filters by source range, picks a backend, dials it (another one if
 * the dial fails) and pipes both directions with backpressure (`pipe` pauses the faster side
 * while the slower one's buffer is full). Half-closes pass through; a reset on one side resets
 * the other. No data is read from a client before its backend answered (`pauseOnConnect`).
 */
export class TcpListener extends Listener<Server> {
  private server?: Server;
  private registeredAs?: string;
  private readonly splices = new Set<Splice>();
  /** Clients still waiting for a backend (health answers, dials). */
  private readonly waiting = new Set<Socket>();

  protected bindSocket(address: string, port: number): Promise<{ handle: Server; port: number }> {
    return listenTcp(address, port, (socket) => this.accept(socket));
  }

  protected adopt(server: Server): void {
    this.server = server;
    const bound = server.address() as AddressInfo;
    this.registeredAs = `${bound.address}:${bound.port}`;
    inProcess.set(this.registeredAs, this);
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (this.registeredAs && inProcess.get(this.registeredAs) === this) {
      inProcess.delete(this.registeredAs);
    }
    for (const socket of this.waiting) {
      socket.destroy();
    }
    for (const s of this.splices) {
      s.client.destroy();
      s.upstream.destroy();
    }
    if (server) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  backendUnavailable(): void {
    // Established TCP connections stay with their backend until they end (IPVS graceful termination).
  }

  sweep(): void {}

  /** Open splices (for tests and introspection): bytes buffered inside the proxy. */
  bufferedBytes(): number {
    let total = 0;
    for (const s of this.splices) {
      total +=
        s.client.writableLength +
        s.upstream.writableLength +
        s.client.readableLength +
        s.upstream.readableLength;
    }
    return total;
  }

  get openConnections(): number {
    return this.splices.size;
  }

  protected override addLiveBytes(backends: Record<string, BackendCounters>): void {
    for (const s of this.splices) {
      const c = backends[s.backendId];
      if (c) {
        c.bytesIn += s.client.bytesRead;
        c.bytesOut += s.upstream.bytesRead;
      }
    }
  }

  private accept(client: Socket): void {
    const clientAddress = plainAddress(client.remoteAddress ?? '');
    if (!this.host.allows(clientAddress)) {
      this.rejected.source_range++;
      // Closed, not reset: resetAndDestroy() on a socket still inside its 'connection' event
      // leaves a handle that never finishes closing, and Node spins at exit waiting for it.
      client.destroy();
      return;
    }
    this.waiting.add(client);
    client.on('error', () => client.destroy());
    client.once('close', () => this.waiting.delete(client));
    void this.forward(client, clientAddress);
  }

  private async forward(client: Socket, clientAddress: string): Promise<void> {
    const gone = () => client.destroyed || !this.waiting.has(client);
    const result = await this.connectUpstream(clientAddress, gone);
    if ('refused' in result) {
      if (!client.destroyed) {
        resetSocket(client);
      }
      return;
    }
    const { upstream, backend, counters, handed } = result;
    if (gone()) {
      upstream.destroy();
      handed?.abandon();
      this.host.release(backend, clientAddress);
      return;
    }
    this.waiting.delete(client);
    this.splice(client, upstream, backend, clientAddress, counters, true);
    handed?.adopt(client);
  }

  /**
   * A connection from another listener of this process dialling this one (see `inProcess`), as if
   * it came from the dialler's loopback address: undefined when this listener refuses it (the
   * caller resets its client, as this listener would have).
   */
  async handOff(): Promise<HandOff | undefined> {
    const from = LOOPBACK_DIAL_SOURCE;
    if (!this.host.allows(from)) {
      this.rejected.source_range++;
      return undefined;
    }
    const result = await this.connectUpstream(from, () => this.server === undefined);
    if ('refused' in result) {
      return undefined;
    }
    const { upstream, backend, counters, handed } = result;
    return {
      upstream,
      adopt: (client) => {
        this.splice(client, upstream, backend, from, counters, false);
        handed?.adopt(client);
      },
      abandon: () => {
        upstream.destroy();
        handed?.abandon();
        this.host.release(backend, from);
      },
    };
  }

  /**
   * Chooses a backend and dials it (another one if the dial fails, up to MAX_DIALS); a backend of
   * this process's own listeners is handed over rather than dialled. Counts refusals.
   */
  private async connectUpstream(clientAddress: string, gone: () => boolean): Promise<Upstream> {
    const tried = new Set<string>();
    for (let dial = 0; dial < MAX_DIALS; dial++) {
      const backend = await this.host.choose(clientAddress, this.destination, tried);
      if (!backend) {
        break;
      }
      const counters = this.countersOf(backend.id);
      const port = this.targetPort(backend);
      const local = inProcess.get(`${backend.address}:${port}`);
      if (local && local !== this) {
        const handed = await local.handOff();
        if (!handed) {
          // What the second hop does: it accepts, then resets; the client sees the reset.
          counters.connections++;
          this.host.release(backend, clientAddress);
          return { refused: true };
        }
        if (gone()) {
          handed.abandon();
          this.host.release(backend, clientAddress);
          return { refused: true };
        }
        return { upstream: handed.upstream, backend, counters, handed };
      }
      const upstream = await dialBackend(backend.address, port).catch(() => undefined);
      if (!upstream) {
        counters.connectFailures++;
        this.host.release(backend, clientAddress);
        this.host.connectFailed(backend);
        tried.add(backend.id);
        continue;
      }
      return { upstream, backend, counters };
    }
    if (!gone()) {
      this.rejected[tried.size > 0 ? 'backend_unreachable' : 'no_backend']++;
    }
    return { refused: true };
  }

  private splice(
    client: Socket,
    upstream: Socket,
    backend: Backend,
    clientAddress: string,
    counters: BackendCounters,
    pipe: boolean,
  ): void {
    const splice: Splice = { client, upstream, backendId: backend.id };
    this.splices.add(splice);
    counters.connections++;
    counters.active++;
    if (pipe) {
      client.removeAllListeners('error');
      // A reset on one side resets the other; a plain error just ends both.
      client.on('error', (err: NodeJS.ErrnoException) =>
        err.code === 'ECONNRESET' ? resetSocket(upstream) : upstream.destroy(),
      );
      upstream.on('error', (err: NodeJS.ErrnoException) =>
        err.code === 'ECONNRESET' ? resetSocket(client) : client.destroy(),
      );
    }
    let closed = 0;
    const onClose = () => {
      if (++closed < 2) {
        // The other side follows: a socket closed without a FIN exchange takes its peer along.
        if (client.destroyed && !upstream.destroyed && !client.readableEnded) {
          upstream.destroy();
        } else if (upstream.destroyed && !client.destroyed && !upstream.readableEnded) {
          client.destroy();
        }
        return;
      }
      this.splices.delete(splice);
      counters.active--;
      counters.bytesIn += client.bytesRead;
      counters.bytesOut += upstream.bytesRead;
      this.host.release(backend, clientAddress);
    };
    client.once('close', onClose);
    upstream.once('close', onClose);
    if (pipe) {
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    }
  }
}

function listenTcp(
  address: string,
  port: number,
  onConnection: (socket: Socket) => void,
): Promise<{ handle: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true });
    server.once('error', reject);
    server.listen({ host: address, port, exclusive: true }, () => {
      server.off('error', reject);
      server.on('error', () => undefined);
      server.on('connection', onConnection);
      const bound = server.address();
      resolve({ handle: server, port: typeof bound === 'object' && bound ? bound.port : port });
    });
  });
}

function dialBackend(address: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: address, port, allowHalfOpen: true, noDelay: true });
    const fail = (err: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    const timer = setTimeout(
      () => fail(new Error(`connect to ${address}:${port} timed out`)),
      DIAL_TIMEOUT_MS,
    );
    socket.once('error', fail);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', fail);
      // Errors before the splice attaches its handlers must not go unhandled.
      socket.on('error', () => undefined);
      resolve(socket);
    });
  });
}
