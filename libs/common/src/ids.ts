import { createHash, randomBytes, randomFillSync } from 'node:crypto';

/**
 * Random bytes drawn from the CSPRNG in blocks: one `randomBytes` call per id cost ~2 µs, a slice
 * of the pool ~0.1 µs, and a create makes several ids (resource, operation, change events).
 */
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

function randomHex(bytes: number): string {
  if (bytes > pool.length) {
    return randomBytes(bytes).toString('hex');
  }
  if (poolOffset + bytes > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const out = pool.toString('hex', poolOffset, poolOffset + bytes);
  poolOffset += bytes;
  return out;
}

/**
 * Generates resource identifiers. Random by default; with a seed the sequence is deterministic,
 * so two runs of a test see the same IDs.
 */
export class IdGenerator {
  private counter = 0;

  constructor(private seed?: string) {}

  /** Restart the deterministic sequence (e.g. after a reset). */
  reseed(seed?: string): void {
    this.seed = seed;
    this.counter = 0;
  }

  /** `hexChars` lowercase hex characters. */
  hex(hexChars: number): string {
    if (this.seed === undefined) {
      return randomHex(Math.ceil(hexChars / 2)).slice(0, hexChars);
    }
    let out = '';
    while (out.length < hexChars) {
      out += createHash('sha256').update(`${this.seed}:${this.counter++}`).digest('hex');
    }
    return out.slice(0, hexChars);
  }

  /** An id such as `i-0a1b2c3d4e5f60718`. */
  next(prefix: string, hexChars = 17): string {
    return `${prefix}-${this.hex(hexChars)}`;
  }
}
