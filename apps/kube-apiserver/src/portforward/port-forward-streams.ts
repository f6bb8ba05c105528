import type { Socket } from 'node:net';
import type { SpdySessionHandler } from './spdy/spdy-session';
import type { SpdyStream } from './spdy/spdy-stream';

/** Header names of the port-forward protocol (k8s.io/api/core/v1 `PortHeader` etc.). */
const STREAM_TYPE = 'streamtype';
const PORT = 'port';
const REQUEST_ID = 'requestid';

/** The kubelet's `DefaultStreamCreationTimeout`: how long a request's second stream may take. */
export const STREAM_CREATION_TIMEOUT_MS = 30_000;
/** How long containerd waits for the other direction once one has finished (socat's 1 s). */
const HALF_CLOSE_GRACE_MS = 1_000;

/** Where a forwarded connection goes: opens a socket to the pod's port, or fails with Go's text. */
export interface PortForwardTarget {
  /** The id the kubelet's error messages name the pod by (the CRI sandbox). */
  sandboxId: string;
  dial(port: number): Promise<Socket>;
  /** The runtime's message for a failed dial (containerd's wording). */
  describeDialError(port: number, error: unknown): string;
}

interface StreamPair {
  requestId: string;
  error?: SpdyStream;
  data?: SpdyStream;
  timer?: NodeJS.Timeout;
}

/**
 * Serves the portforward.k8s.io protocol on one SPDY connection, as the kubelet's
 * httpStreamHandler (pkg/kubelet/cri/streaming/portforward/httpstream.go): every forwarded
 * connection arrives as an error stream and a data stream with the same `requestID`; once both
 * are there, the data stream is joined to a socket on the pod's port, and a failure is written
 * to the error stream.
 */
export class PortForwardStreams implements SpdySessionHandler {
  private readonly pairs = new Map<string, StreamPair>();
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly target: PortForwardTarget,
    private readonly streamCreationTimeoutMs = STREAM_CREATION_TIMEOUT_MS,
  ) {}

  /** httpStreamReceived: the port and stream-type headers are required and checked. */
  validate(stream: SpdyStream): string | undefined {
    const port = stream.header(PORT);
    if (!port) {
      return `"${PORT}" header is required`;
    }
    if (!/^\d+$/.test(port) || Number(port) > 65535) {
      return `unable to parse "${port}" as a port`;
    }
    if (Number(port) < 1) {
      return `port "${port}" must be > 0`;
    }
    const type = stream.header(STREAM_TYPE);
    if (!type) {
      return `"${STREAM_TYPE}" header is required`;
    }
    if (type !== 'error' && type !== 'data') {
      return `invalid stream type "${type}"`;
    }
    return undefined;
  }

  accept(stream: SpdyStream): void {
    const requestId = this.requestIdOf(stream);
    let pair = this.pairs.get(requestId);
    if (!pair) {
      pair = { requestId };
      this.pairs.set(requestId, pair);
      const created = pair;
      created.timer = setTimeout(() => {
        this.pairs.delete(requestId);
        // Tell the client on the error stream; read and drop anything else it sends, so an
        // abandoned stream cannot hold the connection paused.
        created.error?.resume().end(`(request=${requestId}) timed out waiting for streams`);
        created.data?.destroy();
      }, this.streamCreationTimeoutMs);
    }
    const type = stream.header(STREAM_TYPE) as 'error' | 'data';
    if (pair[type]) {
      pair.error?.write(
        `error processing stream for request ${requestId}: ${type} stream already assigned`,
      );
      stream.destroy();
      return;
    }
    pair[type] = stream;
    if (pair.error && pair.data) {
      clearTimeout(pair.timer);
      this.pairs.delete(requestId);
      void this.forward(pair.error, pair.data);
    }
  }

  /** Ends every forwarded connection (the SPDY connection is gone). */
  close(): void {
    for (const pair of this.pairs.values()) {
      this.remove(pair);
    }
    for (const socket of this.sockets) {
      socket.destroy();
    }
  }

  private remove(pair: StreamPair): void {
    clearTimeout(pair.timer);
    this.pairs.delete(pair.requestId);
    pair.error?.destroy();
    pair.data?.destroy();
  }

  /**
   * Clients before request ids: the error stream's id names the request, the data stream's id
   * is two more (httpstream.go's best effort for old clients).
   */
  private requestIdOf(stream: SpdyStream): string {
    const id = stream.header(REQUEST_ID);
    if (id) {
      return id;
    }
    return String(stream.header(STREAM_TYPE) === 'data' ? stream.id - 2 : stream.id);
  }

  private async forward(errorStream: SpdyStream, dataStream: SpdyStream): Promise<void> {
    const port = Number(dataStream.header(PORT));
    // The error stream carries nothing from the client; drain it so its FIN is seen.
    errorStream.resume();
    let socket: Socket;
    try {
      socket = await this.target.dial(port);
      if (dataStream.destroyed) {
        // The client reset the stream while the dial was under way.
        socket.destroy();
        errorStream.end();
        return;
      }
    } catch (error) {
      if (!errorStream.destroyed) {
        errorStream.end(
          `error forwarding port ${port} to pod ${this.target.sandboxId}, uid : ` +
            this.target.describeDialError(port, error),
        );
      }
      dataStream.end();
      return;
    }
    this.sockets.add(socket);
    let finished = false;
    let grace: NodeJS.Timeout | undefined;
    const finish = () => {
      if (finished) {
        return;
      }
      finished = true;
      clearTimeout(grace);
      this.sockets.delete(socket);
      socket.destroy();
      errorStream.end();
      dataStream.end();
    };
    // One direction done: give the other a moment, as containerd does, then close both.
    const oneDirectionDone = () => {
      grace ??= setTimeout(finish, HALF_CLOSE_GRACE_MS);
    };
    socket.on('error', finish);
    socket.on('close', finish);
    dataStream.on('close', finish);
    socket.pipe(dataStream, { end: false });
    dataStream.pipe(socket, { end: false });
    socket.on('end', () => {
      dataStream.end();
      oneDirectionDone();
    });
    dataStream.on('end', () => {
      socket.end();
      oneDirectionDone();
    });
  }
}
