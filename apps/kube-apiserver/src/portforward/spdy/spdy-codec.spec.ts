import { createHash } from 'node:crypto';
import { SPDY3_HEADER_DICTIONARY } from './dictionary';
import {
  FLAG_FIN,
  FrameParser,
  FrameType,
  controlFrame,
  dataFrame,
  headerBlockOf,
  pingFrame,
  streamIdOf,
  synStreamFrame,
} from './frames';
import {
  HeaderCompressor,
  HeaderDecompressor,
  decodeHeaderPairs,
  encodeHeaderPairs,
} from './header-codec';

describe('SPDY/3 codec', () => {
  it('builds the spec header dictionary byte for byte (the digest of moby/spdystream headerDictionary)', () => {
    expect(SPDY3_HEADER_DICTIONARY).toHaveLength(1423);
    expect(createHash('sha256').update(SPDY3_HEADER_DICTIONARY).digest('hex')).toBe(
      '51d27341373f923f3cd88e1eb7162aeaa3723d7585ff2399201dc06498407f02',
    );
  });

  it('reassembles frames however the bytes are split', () => {
    const wire = Buffer.concat([
      dataFrame(1, 0, Buffer.from('hello')),
      pingFrame(7),
      dataFrame(3, FLAG_FIN, Buffer.alloc(0)),
      synStreamFrame(5, FLAG_FIN, Buffer.from([1, 2, 3])),
    ]);
    for (let cut = 0; cut <= wire.length; cut++) {
      const parser = new FrameParser();
      const frames = [...parser.push(wire.subarray(0, cut)), ...parser.push(wire.subarray(cut))];
      expect(
        frames.map((f) => (f.kind === 'data' ? `data ${f.streamId}` : `control ${f.type}`)),
      ).toEqual([
        'data 1',
        `control ${FrameType.Ping}`,
        'data 3',
        `control ${FrameType.SynStream}`,
      ]);
      const [hello, , fin, syn] = frames;
      expect(hello?.kind === 'data' && hello.data.toString()).toBe('hello');
      expect(fin?.flags).toBe(FLAG_FIN);
      expect(syn?.kind === 'control' && streamIdOf(syn.payload)).toBe(5);
      expect(syn?.kind === 'control' && [...headerBlockOf(syn.type, syn.payload)]).toEqual([
        1, 2, 3,
      ]);
    }
  });

  it('stops inflating a header block at its limit (a small block can expand to gigabytes)', async () => {
    const bomb = await new HeaderCompressor().encode(new Map([['x', ['a'.repeat(8 << 20)]]]));
    expect(bomb.length).toBeLessThan(64 * 1024);
    const before = process.memoryUsage().arrayBuffers;
    await expect(new HeaderDecompressor(1024).decode(bomb)).rejects.toThrow(
      'header block exceeds 1024 bytes',
    );
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(4 << 20);
  });

  it('refuses control frames of another SPDY version and frames over the size limit', () => {
    const v2 = controlFrame(FrameType.Ping, 0, Buffer.alloc(4));
    v2.writeUInt16BE(0x8002, 0);
    expect(() => new FrameParser().push(v2)).toThrow('unsupported SPDY version 2');
    expect(() => new FrameParser(16).push(dataFrame(1, 0, Buffer.alloc(17)))).toThrow(
      'frame of 17 bytes exceeds the limit of 16',
    );
    // Control frames have a limit of their own (1 MiB): the header alone says it is too big.
    const huge = controlFrame(FrameType.SynStream, 0, Buffer.alloc(0));
    huge.writeUIntBE((1 << 20) + 1, 5, 3);
    expect(() => new FrameParser().push(huge)).toThrow('exceeds the limit of 1048576');
  });

  it('encodes name/value blocks with NUL-joined values and rejects uppercase names', () => {
    const headers = new Map([
      ['streamtype', ['data']],
      ['x-multi', ['a', 'b']],
    ]);
    expect(decodeHeaderPairs(encodeHeaderPairs(headers))).toEqual(headers);
    const upper = encodeHeaderPairs(new Map([['port', ['80']]]));
    upper.write('P', 8);
    expect(() => decodeHeaderPairs(upper)).toThrow('invalid header name "Port"');
    expect(() => decodeHeaderPairs(upper.subarray(0, 10))).toThrow('truncated header block');
  });

  it('compresses every block of a connection as one zlib stream primed with the dictionary', async () => {
    const compressor = new HeaderCompressor();
    const decompressor = new HeaderDecompressor();
    const blocks = [
      new Map([
        ['streamtype', ['error']],
        ['port', ['80']],
        ['requestid', ['0']],
      ]),
      new Map([
        ['streamtype', ['data']],
        ['port', ['80']],
        ['requestid', ['0']],
      ]),
      new Map<string, string[]>(),
    ];
    const compressed: Buffer[] = [];
    for (const block of blocks) {
      compressed.push(await compressor.encode(block));
    }
    // A later block refers back to the earlier ones: alone it cannot be read.
    expect(compressed[1].length).toBeLessThan(compressed[0].length);
    await expect(new HeaderDecompressor().decode(compressed[1])).rejects.toThrow();
    for (const [i, block] of compressed.entries()) {
      expect(await decompressor.decode(block)).toEqual(blocks[i]);
    }
    compressor.close();
    decompressor.close();
  });
});
