import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import {
  FLAG_FIN,
  FrameParser,
  FrameType,
  GoAwayStatus,
  RstStatus,
  dataFrame,
  goAwayFrame,
  headerBlockOf,
  pingFrame,
  rstStreamFrame,
  streamIdOf,
  synReplyFrame,
  type Frame,
} from './frames';
import { HeaderCompressor, HeaderDecompressor, type SpdyHeaders } from './header-codec';
import { SpdyStream, type StreamSender } from './spdy-stream';

/** How long a peer has to close after GOAWAY before the connection is cut. */
const SHUTDOWN_GRACE_MS = 1_000;

export interface SpdySessionHandler {
  /** Checks a new stream's headers: an error message refuses it (RST_STREAM CANCEL). */
  validate(stream: SpdyStream): string | undefined;
  /** A stream that was accepted; its SYN_REPLY is already queued ahead of anything written. */
  accept(stream: SpdyStream): void;
}

/**
 * The server end of a SPDY/3.1 connection (the role the kubelet's spdy.ResponseUpgrader plays):
 * the peer opens streams, each is validated, answered with SYN_REPLY and handed on; PINGs are
 * echoed; GOAWAY stops new streams. Frames go out in the order they were queued even though
 * header compression is asynchronous. Emits `close` once, when the transport is gone.
 */
export class SpdySession extends EventEmitter implements StreamSender {
  private readonly parser = new FrameParser();
  private readonly inflater = new HeaderDecompressor();
  private readonly deflater = new HeaderCompressor();
  private readonly streams = new Map<number, SpdyStream>();
  private incoming: Promise<void> = Promise.resolve();
  private outgoing: Promise<void> = Promise.resolve();
  private lastStreamId = 0;
  private goneAway = false;
  private closed = false;
  /** Streams whose readers are behind; the transport is paused while there are any. */
  private readonly backlog = new Set<number>();
  /** Writers told to wait until the transport drains (their stream's backpressure). */
  private waitingForDrain: (() => void)[] = [];

  constructor(
    private readonly transport: Duplex,
    private readonly handler: SpdySessionHandler,
    initial?: Buffer,
  ) {
    super();
    transport.on('data', (chunk: Buffer) => this.received(chunk));
    transport.on('end', () => this.close());
    transport.on('close', () => this.close());
    transport.on('error', () => this.close());
    transport.on('drain', () => this.releaseWriters());
    if (initial?.length) {
      this.received(initial);
    }
  }

  get openStreams(): number {
    return this.streams.size;
  }

  /** Says goodbye (GOAWAY) and closes the connection and every stream. */
  shutdown(): void {
    if (this.closed) {
      return;
    }
    this.enqueue(() => goAwayFrame(this.lastStreamId, GoAwayStatus.Ok));
    void this.outgoing.then(() => this.transport.end());
    // A peer that ignores GOAWAY and FIN must not hold the server's shutdown open.
    setTimeout(() => this.transport.destroy(), SHUTDOWN_GRACE_MS).unref();
    this.goneAway = true;
    for (const stream of this.streams.values()) {
      stream.abort();
    }
  }

  sendData(streamId: number, data: Buffer, fin: boolean, done: () => void): void {
    this.enqueue(() => dataFrame(streamId, fin ? FLAG_FIN : 0, data), done);
  }

  sendReset(streamId: number): void {
    this.enqueue(() => rstStreamFrame(streamId, RstStatus.Cancel));
  }

  forget(streamId: number): void {
    this.streams.delete(streamId);
  }

  backlogged(streamId: number): void {
    this.backlog.add(streamId);
    this.transport.pause();
  }

  drained(streamId: number): void {
    if (this.backlog.delete(streamId) && this.backlog.size === 0 && !this.closed) {
      this.transport.resume();
    }
  }

  private received(chunk: Buffer): void {
    if (this.closed) {
      return;
    }
    let frames: Frame[];
    try {
      frames = this.parser.push(chunk);
    } catch {
      this.fail();
      return;
    }
    for (const frame of frames) {
      this.incoming = this.incoming.then(() => this.handle(frame)).catch(() => this.fail());
    }
  }

  private async handle(frame: Frame): Promise<void> {
    if (this.closed) {
      return;
    }
    if (frame.kind === 'data') {
      this.streams.get(frame.streamId)?.receive(frame.data, (frame.flags & FLAG_FIN) !== 0);
      return;
    }
    const { type, payload, flags } = frame;
    switch (type) {
      case FrameType.SynStream:
        this.opened(streamIdOf(payload), flags, await this.decodeHeaders(type, payload));
        return;
      case FrameType.SynReply:
      case FrameType.Headers:
        // Decoded only to keep the shared zlib context in step; this end opens no streams.
        await this.decodeHeaders(type, payload);
        return;
      case FrameType.RstStream:
        this.streams.get(streamIdOf(payload))?.abort();
        return;
      case FrameType.Ping: {
        const id = payload.readUInt32BE(0);
        if (id % 2 === 1) {
          this.enqueue(() => pingFrame(id));
        }
        return;
      }
      case FrameType.GoAway:
        this.goneAway = true;
        return;
      default:
        // SETTINGS, WINDOW_UPDATE and unknown types: nothing to do (§2.6: ignore unknown frames).
        return;
    }
  }

  private decodeHeaders(type: number, payload: Buffer): Promise<SpdyHeaders> {
    return this.inflater.decode(headerBlockOf(type, payload));
  }

  private opened(id: number, flags: number, headers: SpdyHeaders): void {
    // The connection may have closed while the headers were being decompressed.
    if (this.goneAway || this.closed) {
      return;
    }
    if (id % 2 === 0 || id <= this.lastStreamId) {
      this.enqueue(() => rstStreamFrame(id, RstStatus.ProtocolError));
      return;
    }
    this.lastStreamId = id;
    const stream = new SpdyStream(id, headers, this);
    stream.on('error', () => undefined);
    if (this.handler.validate(stream) !== undefined) {
      this.enqueue(() => rstStreamFrame(id, RstStatus.Cancel));
      return;
    }
    this.streams.set(id, stream);
    // Encoded in its turn in the queue: one zlib call at a time, any failure caught there.
    this.enqueue(async () => synReplyFrame(id, 0, await this.deflater.encode(new Map())));
    if (flags & FLAG_FIN) {
      stream.receive(Buffer.alloc(0), true);
    }
    this.handler.accept(stream);
  }

  /** Queues a frame; `done` runs once the transport took it (after a drain if it was full). */
  private enqueue(build: () => Buffer | Promise<Buffer>, done?: () => void): void {
    this.outgoing = this.outgoing
      .then(async () => {
        if (this.closed) {
          done?.();
          return;
        }
        const frame = await build();
        if (this.transport.write(frame) || !done) {
          done?.();
        } else {
          this.waitingForDrain.push(done);
        }
      })
      .catch(() => this.fail());
  }

  private releaseWriters(): void {
    for (const done of this.waitingForDrain.splice(0)) {
      done();
    }
  }

  private fail(): void {
    if (!this.closed) {
      this.transport.destroy();
      this.close();
    }
  }

  private close(): void {
    if (this.closed) {
      return;
    }
    this.closed = true;
    for (const stream of this.streams.values()) {
      stream.abort();
    }
    this.streams.clear();
    this.releaseWriters();
    this.inflater.close();
    this.deflater.close();
    this.emit('close');
  }
}
