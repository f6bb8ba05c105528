/**
 * SPDY/3.1 framing (draft-mbelshe-httpbis-spdy-00 §2.2, plus 3.1's WINDOW_UPDATE), as far as
 * Kubernetes' streaming protocols use it: kubectl's port-forward speaks it through
 * github.com/moby/spdystream. Header blocks stay compressed here; `HeaderCodec` handles them.
 */

export const SPDY_VERSION = 3;

export const FrameType = {
  SynStream: 1,
  SynReply: 2,
  RstStream: 3,
  Settings: 4,
  Ping: 6,
  GoAway: 7,
  Headers: 8,
  WindowUpdate: 9,
} as const;

/** FLAG_FIN on data frames and on SYN_STREAM / SYN_REPLY / HEADERS. */
export const FLAG_FIN = 0x01;
/** SYN_STREAM's FLAG_UNIDIRECTIONAL: the sender will never receive data on the stream. */
export const FLAG_UNIDIRECTIONAL = 0x02;

/** RST_STREAM status codes (§2.6.3). */
export const RstStatus = {
  ProtocolError: 1,
  InvalidStream: 2,
  RefusedStream: 3,
  Cancel: 5,
  InternalError: 6,
} as const;

/** GOAWAY status codes (§2.6.6). */
export const GoAwayStatus = { Ok: 0, ProtocolError: 1, InternalError: 2 } as const;

/** The largest payload a frame's 24-bit length can carry. */
export const MAX_FRAME_PAYLOAD = 0xffffff;

export type Frame =
  | { kind: 'data'; streamId: number; flags: number; data: Buffer }
  | { kind: 'control'; type: number; flags: number; payload: Buffer };

const HEADER_BYTES = 8;

/** Control frames (headers, pings, settings) are small; a larger one is an attack, not traffic. */
export const MAX_CONTROL_PAYLOAD = 1 << 20;

/**
 * Splits a byte stream into frames. Feed it what arrives; it returns the whole frames so far
 * and keeps the rest (copied together only once a frame is complete, so a large frame arriving
 * in many chunks costs one copy). A control frame of another SPDY version is a protocol error.
 */
export class FrameParser {
  private parts: Buffer[] = [];
  private size = 0;
  /** Bytes needed before the next frame can be cut: its header, then header + payload. */
  private need = HEADER_BYTES;

  constructor(
    private readonly maxPayload = MAX_FRAME_PAYLOAD,
    private readonly maxControlPayload = MAX_CONTROL_PAYLOAD,
  ) {}

  push(chunk: Buffer): Frame[] {
    this.parts.push(chunk);
    this.size += chunk.length;
    if (this.size < this.need) {
      return [];
    }
    const pending = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts);
    const frames: Frame[] = [];
    let offset = 0;
    this.need = HEADER_BYTES;
    while (pending.length - offset >= HEADER_BYTES) {
      const first = pending.readUInt32BE(offset);
      const control = (first & 0x80000000) !== 0;
      const length = pending.readUIntBE(offset + 5, 3);
      const limit = control ? this.maxControlPayload : this.maxPayload;
      if (length > limit) {
        throw new Error(`frame of ${length} bytes exceeds the limit of ${limit}`);
      }
      if (pending.length - offset < HEADER_BYTES + length) {
        this.need = HEADER_BYTES + length;
        break;
      }
      const flags = pending[offset + 4];
      const payload = pending.subarray(offset + HEADER_BYTES, offset + HEADER_BYTES + length);
      if (control) {
        const version = (first >>> 16) & 0x7fff;
        if (version !== SPDY_VERSION) {
          throw new Error(`unsupported SPDY version ${version}`);
        }
        frames.push({ kind: 'control', type: first & 0xffff, flags, payload });
      } else {
        frames.push({ kind: 'data', streamId: first & 0x7fffffff, flags, data: payload });
      }
      offset += HEADER_BYTES + length;
    }
    const rest = pending.subarray(offset);
    this.parts = rest.length ? [rest] : [];
    this.size = rest.length;
    return frames;
  }
}

export function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  header.writeUInt16BE(type, 2);
  header[4] = flags;
  header.writeUIntBE(payload.length, 5, 3);
  return Buffer.concat([header, payload]);
}

export function dataFrame(streamId: number, flags: number, data: Buffer): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt32BE(streamId & 0x7fffffff, 0);
  header[4] = flags;
  header.writeUIntBE(data.length, 5, 3);
  return Buffer.concat([header, data]);
}

function words(...values: number[]): Buffer {
  const payload = Buffer.alloc(values.length * 4);
  values.forEach((value, i) => payload.writeUInt32BE(value >>> 0, i * 4));
  return payload;
}

export function synReplyFrame(streamId: number, flags: number, headerBlock: Buffer): Buffer {
  return controlFrame(
    FrameType.SynReply,
    flags,
    Buffer.concat([words(streamId & 0x7fffffff), headerBlock]),
  );
}

export function synStreamFrame(streamId: number, flags: number, headerBlock: Buffer): Buffer {
  // Associated stream 0, priority 0, slot 0.
  return controlFrame(
    FrameType.SynStream,
    flags,
    Buffer.concat([words(streamId & 0x7fffffff, 0), Buffer.alloc(2), headerBlock]),
  );
}

export function rstStreamFrame(streamId: number, status: number): Buffer {
  return controlFrame(FrameType.RstStream, 0, words(streamId & 0x7fffffff, status));
}

export function pingFrame(id: number): Buffer {
  return controlFrame(FrameType.Ping, 0, words(id));
}

export function goAwayFrame(lastGoodStreamId: number, status: number): Buffer {
  return controlFrame(FrameType.GoAway, 0, words(lastGoodStreamId & 0x7fffffff, status));
}

/** The stream id a SYN_STREAM, SYN_REPLY, RST_STREAM, HEADERS or WINDOW_UPDATE payload starts with. */
export function streamIdOf(payload: Buffer): number {
  if (payload.length < 4) {
    throw new Error('control frame too short for a stream id');
  }
  return payload.readUInt32BE(0) & 0x7fffffff;
}

/** Where a control frame's compressed header block starts (SYN_STREAM has 10 bytes before it). */
export function headerBlockOf(type: number, payload: Buffer): Buffer {
  const start = type === FrameType.SynStream ? 10 : 4;
  if (payload.length < start) {
    throw new Error('control frame too short for its header block');
  }
  return payload.subarray(start);
}
