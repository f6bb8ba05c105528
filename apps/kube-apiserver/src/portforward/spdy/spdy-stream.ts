import { Duplex } from 'node:stream';
import type { SpdyHeaders } from './header-codec';

/** What a stream needs from its session to put frames on the wire. */
export interface StreamSender {
  sendData(streamId: number, data: Buffer, fin: boolean, done: () => void): void;
  sendReset(streamId: number): void;
  forget(streamId: number): void;
  /** The stream holds more unread data than it should: stop reading the connection. */
  backlogged(streamId: number): void;
  /** The stream's reader wants more: the connection may be read again. */
  drained(streamId: number): void;
}

/** Frames of one data frame at most; keeps one large write from holding the connection. */
const MAX_DATA_FRAME = 32 * 1024;
/** Unread bytes a stream may hold before the connection stops being read. */
const READ_HIGH_WATER = 1 << 20;

/**
 * One SPDY stream the peer opened, as a Node duplex: what the peer sends is readable (its FIN
 * ends it), what is written goes out as DATA frames (`end()` sends FIN). Destroying a stream
 * that is not closed both ways resets it (RST_STREAM CANCEL, as spdystream's Reset). SPDY/3.1
 * flow control is not used: moby/spdystream, the only client, neither sends nor honours
 * WINDOW_UPDATE. As in the kubelet, a reader that falls behind stops the whole connection being
 * read, which TCP (or the WebSocket) passes back to the client.
 */
export class SpdyStream extends Duplex {
  private remoteEnded = false;
  private localEnded = false;
  private resetByPeer = false;

  constructor(
    readonly id: number,
    readonly headers: SpdyHeaders,
    private readonly sender: StreamSender,
  ) {
    super({ allowHalfOpen: true, readableHighWaterMark: READ_HIGH_WATER });
  }

  /** The first value of a header (names are lowercase on the wire). */
  header(name: string): string | undefined {
    return this.headers.get(name.toLowerCase())?.[0];
  }

  /** Data the peer sent (session side). */
  receive(data: Buffer, fin: boolean): void {
    if (this.remoteEnded || this.destroyed) {
      return;
    }
    if (data.length && !this.push(data)) {
      this.sender.backlogged(this.id);
    }
    if (fin) {
      this.remoteEnded = true;
      this.push(null);
    }
  }

  /** The peer reset the stream, or the connection went away (session side). */
  abort(): void {
    this.resetByPeer = true;
    this.destroy();
  }

  override _read(): void {
    this.sender.drained(this.id);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void) {
    if (chunk.length <= MAX_DATA_FRAME) {
      this.sender.sendData(this.id, chunk, false, () => done());
      return;
    }
    let offset = 0;
    const next = () => {
      const part = chunk.subarray(offset, offset + MAX_DATA_FRAME);
      offset += part.length;
      this.sender.sendData(this.id, part, false, offset < chunk.length ? next : () => done());
    };
    next();
  }

  override _final(done: (error?: Error | null) => void): void {
    this.localEnded = true;
    this.sender.sendData(this.id, Buffer.alloc(0), true, () => done());
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    if (!this.resetByPeer && !(this.remoteEnded && this.localEnded)) {
      this.sender.sendReset(this.id);
    }
    this.sender.forget(this.id);
    this.sender.drained(this.id);
    done(error);
  }
}
