import { constants, createDeflate, createInflate, type Deflate, type Inflate } from 'node:zlib';
import { SPDY3_HEADER_DICTIONARY } from './dictionary';

/** Header names (lowercase, as SPDY requires) to their values (NUL-separated on the wire). */
export type SpdyHeaders = Map<string, string[]>;

/** An uncompressed SPDY/3 name/value block: a 32-bit count, then length-prefixed names and values. */
export function encodeHeaderPairs(headers: SpdyHeaders): Buffer {
  const parts: Buffer[] = [uint32(headers.size)];
  for (const [name, values] of headers) {
    const nameBytes = Buffer.from(name.toLowerCase(), 'utf8');
    const valueBytes = Buffer.from(values.join('\0'), 'utf8');
    parts.push(uint32(nameBytes.length), nameBytes, uint32(valueBytes.length), valueBytes);
  }
  return Buffer.concat(parts);
}

export function decodeHeaderPairs(block: Buffer): SpdyHeaders {
  const headers: SpdyHeaders = new Map();
  let offset = 0;
  const read = (): Buffer => {
    if (offset + 4 > block.length) {
      throw new Error('truncated header block');
    }
    const length = block.readUInt32BE(offset);
    offset += 4;
    if (offset + length > block.length) {
      throw new Error('truncated header block');
    }
    const bytes = block.subarray(offset, offset + length);
    offset += length;
    return bytes;
  };
  if (block.length < 4) {
    throw new Error('truncated header block');
  }
  const count = block.readUInt32BE(0);
  offset = 4;
  for (let i = 0; i < count; i++) {
    const name = read().toString('utf8');
    if (!name || name !== name.toLowerCase()) {
      throw new Error(`invalid header name ${JSON.stringify(name)}`);
    }
    const values = read().toString('utf8').split('\0');
    headers.set(name, [...(headers.get(name) ?? []), ...values]);
  }
  return headers;
}

function uint32(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value);
  return bytes;
}

/**
 * One direction's zlib context: SPDY compresses every header block of a connection as one
 * deflate stream primed with the dictionary, each block ending in a sync flush. Calls must not
 * overlap (the session runs them one after another).
 */
abstract class ZlibContext<T extends Inflate | Deflate> {
  private output: Buffer[] = [];
  private outputBytes = 0;
  /** Once zlib failed (bad data, or a block over the limit) the context is unusable. */
  private failure?: Error;

  constructor(
    protected readonly zlib: T,
    private readonly limit: number,
  ) {
    zlib.on('error', (error: Error) => (this.failure ??= error));
    zlib.on('data', (chunk: Buffer) => {
      this.outputBytes += chunk.length;
      if (this.outputBytes > this.limit) {
        // A small block can inflate to gigabytes: stop at the limit, not after the flush.
        this.failure ??= new Error(`header block exceeds ${this.limit} bytes`);
        this.output = [];
        zlib.destroy();
        return;
      }
      this.output.push(chunk);
    });
  }

  protected process(input: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      if (this.failure) {
        reject(this.failure);
        return;
      }
      let settled = false;
      const settle = () => {
        if (settled) {
          return;
        }
        settled = true;
        this.zlib.off('close', settle);
        const out = Buffer.concat(this.output);
        this.output = [];
        this.outputBytes = 0;
        if (this.failure) {
          reject(this.failure);
        } else {
          resolve(out);
        }
      };
      this.zlib.once('close', settle);
      this.zlib.write(input);
      this.zlib.flush(constants.Z_SYNC_FLUSH, settle);
    });
  }

  close(): void {
    this.zlib.close();
  }
}

/** Reads the peer's header blocks. */
export class HeaderDecompressor extends ZlibContext<Inflate> {
  constructor(maxBlockBytes = 1 << 20) {
    super(createInflate({ dictionary: SPDY3_HEADER_DICTIONARY }), maxBlockBytes);
  }

  async decode(compressed: Buffer): Promise<SpdyHeaders> {
    return decodeHeaderPairs(await this.process(compressed));
  }
}

/** Writes this side's header blocks. */
export class HeaderCompressor extends ZlibContext<Deflate> {
  constructor() {
    super(createDeflate({ dictionary: SPDY3_HEADER_DICTIONARY }), Number.MAX_SAFE_INTEGER);
  }

  encode(headers: SpdyHeaders): Promise<Buffer> {
    return this.process(encodeHeaderPairs(headers));
  }
}
