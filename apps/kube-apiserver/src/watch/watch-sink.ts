import type { ServerResponse } from 'node:http';
import type { WebSocket } from 'ws';
import type { Frame } from './watch-encoding';

/** Where a watch's encoded events go: a chunked HTTP response or a WebSocket. */
export interface WatchSink {
  /** Starts the stream; HTTP flushes status and headers at once (Go clients block on them). */
  open(contentType: string): void;
  send(frames: Frame[]): void;
  /**
   * Called every heartbeat interval. `idleFrame` is the encoding's in-band keep-alive (JSON's
   * newline) when the stream has been idle that long: byte streams write it, WebSockets ping.
   */
  heartbeat(idleFrame: Frame | undefined): void;
  end(): void;
  onClose(listener: () => void): void;
  /** Bytes accepted but not yet sent (a client that stopped reading is dropped). */
  readonly buffered: number;
  /** How a flush is scheduled; the hub batches all watchers' flushes into one callback. */
  scheduleFlush: (flush: () => void) => void;
}

/**
 * Chunked HTTP. Frames written in the same tick leave in one TLS record and syscall: with many
 * watchers and a burst of writes this is what keeps fan-out cheap.
 */
export class HttpWatchSink implements WatchSink {
  private pending: Frame[] = [];
  private flushScheduled = false;
  scheduleFlush: (flush: () => void) => void = (flush) => setImmediate(flush);

  constructor(private readonly res: ServerResponse) {}

  open(contentType: string): void {
    this.res.writeHead(200, {
      'Content-Type': contentType,
      'Cache-Control': 'no-cache, private',
      'Transfer-Encoding': 'chunked',
    });
    this.res.flushHeaders();
  }

  send(frames: Frame[]): void {
    this.pending.push(...frames);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      this.scheduleFlush(() => this.flush());
    }
  }

  heartbeat(idleFrame: Frame | undefined): void {
    // Protobuf streams have no keep-alive that fits their length-prefixed framing (upstream sends
    // none either); their clients ask for bookmarks instead.
    if (idleFrame !== undefined) {
      this.send([idleFrame]);
    }
  }

  end(): void {
    this.flush();
    this.res.end();
  }

  onClose(listener: () => void): void {
    this.res.on('close', listener);
  }

  get buffered(): number {
    return this.res.writableLength;
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.pending.length === 0 || this.res.writableEnded) {
      return;
    }
    const frames = this.pending;
    this.pending = [];
    this.res.write(
      frames.every((f) => typeof f === 'string')
        ? frames.join('')
        : Buffer.concat(frames.map((f) => (typeof f === 'string' ? Buffer.from(f) : f))),
    );
  }
}

/** Pings a WebSocket peer may leave unanswered before it counts as gone. */
const MISSED_PONGS_BEFORE_DROP = 3;

/**
 * A WebSocket (apiserver's HandleWS): one message per frame, text for JSON and binary for
 * protobuf; what the client sends is ignored; closing either side ends the watch. Heartbeats are
 * ping control frames, which every WebSocket client answers by itself and no event decoder sees
 * (a newline message would be a decode error for fabric8 and Headlamp); a peer that leaves
 * several pings unanswered is gone (a sleeping laptop, a dropped NAT entry) and is dropped
 * instead of holding its watch until the timeout.
 */
export class WebSocketWatchSink implements WatchSink {
  scheduleFlush: (flush: () => void) => void = (flush) => flush();
  private unansweredPings = 0;

  constructor(
    private readonly ws: WebSocket,
    private readonly text: boolean,
  ) {
    ws.on('pong', () => {
      this.unansweredPings = 0;
    });
  }

  open(): void {
    // The handshake already happened.
  }

  send(frames: Frame[]): void {
    for (const frame of frames) {
      if (this.ws.readyState === this.ws.OPEN) {
        this.ws.send(frame, { binary: !this.text });
      }
    }
  }

  heartbeat(): void {
    if (this.ws.readyState !== this.ws.OPEN) {
      return;
    }
    if (this.unansweredPings >= MISSED_PONGS_BEFORE_DROP) {
      this.ws.terminate();
      return;
    }
    this.unansweredPings++;
    this.ws.ping();
  }

  end(): void {
    if (this.ws.readyState === this.ws.OPEN) {
      this.ws.close(1000);
    }
  }

  onClose(listener: () => void): void {
    this.ws.on('close', listener);
  }

  get buffered(): number {
    return this.ws.bufferedAmount;
  }
}
