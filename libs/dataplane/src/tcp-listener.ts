import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Backend } from './backend-pool';
import { Listener } from './listener';
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

/**
 * A TCP listener: accepts, filters by source range, picks a backend, dials it (another one if
 * the dial fails) and pipes both directions with backpressure (`pipe` pauses the faster side
 * while the slower one's buffer is full). Half-closes pass through; a reset on one side resets
 * the other. No data is read from a client before its backend answered (`pauseOnConnect`).
 */
export class TcpListener extends Listener<Server> {
  private server?: Server;
  private readonly splices = new Set<Splice>();
  /** Clients still waiting for a backend (health answers, dials). */
  private readonly waiting = new Set<Socket>();

  protected bindSocket(address: string, port: number): Promise<{ handle: Server; port: number }> {
    return listenTcp(address, port, (socket) => this.accept(socket));
  }

  protected adopt(server: Server): void {
    this.server = server;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
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
    const tried = new Set<string>();
    for (let dial = 0; dial < MAX_DIALS; dial++) {
      const backend = await this.host.choose(clientAddress, this.destination, tried);
      if (!backend) {
        break;
      }
      const counters = this.countersOf(backend.id);
      const upstream = await dialBackend(backend.address, this.targetPort(backend)).catch(
        () => undefined,
      );
      if (!upstream) {
        counters.connectFailures++;
        this.host.release(backend, clientAddress);
        this.host.connectFailed(backend);
        tried.add(backend.id);
        continue;
      }
      if (client.destroyed || !this.waiting.has(client)) {
        upstream.destroy();
        this.host.release(backend, clientAddress);
        return;
      }
      this.waiting.delete(client);
      this.splice(client, upstream, backend, clientAddress, counters);
      return;
    }
    if (!client.destroyed) {
      this.rejected[tried.size > 0 ? 'backend_unreachable' : 'no_backend']++;
      client.resetAndDestroy();
    }
  }

  private splice(
    client: Socket,
    upstream: Socket,
    backend: Backend,
    clientAddress: string,
    counters: BackendCounters,
  ): void {
    const splice: Splice = { client, upstream, backendId: backend.id };
    this.splices.add(splice);
    counters.connections++;
    counters.active++;
    client.removeAllListeners('error');
    // A reset on one side resets the other; a plain error just ends both.
    client.on('error', (err: NodeJS.ErrnoException) =>
      err.code === 'ECONNRESET' ? upstream.resetAndDestroy() : upstream.destroy(),
    );
    upstream.on('error', (err: NodeJS.ErrnoException) =>
      err.code === 'ECONNRESET' ? client.resetAndDestroy() : client.destroy(),
    );
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
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
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
