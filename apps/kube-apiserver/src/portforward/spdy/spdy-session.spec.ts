import { Duplex, PassThrough } from 'node:stream';
import { dataFrame, synStreamFrame } from './frames';
import { HeaderCompressor } from './header-codec';
import { SpdySession } from './spdy-session';
import type { SpdyStream } from './spdy-stream';

describe('SpdySession backpressure', () => {
  it('stops reading the connection while a stream’s reader is a megabyte behind, and reads on once it catches up', async () => {
    const fromClient = new PassThrough();
    const toClient = new PassThrough();
    toClient.resume();
    const transport = Duplex.from({ readable: fromClient, writable: toClient });
    let accepted: SpdyStream | undefined;
    const session = new SpdySession(transport, {
      validate: () => undefined,
      accept: (stream) => (accepted = stream),
    });
    const compressor = new HeaderCompressor();
    fromClient.write(synStreamFrame(1, 0, await compressor.encode(new Map([['port', ['80']]]))));
    const chunk = Buffer.alloc(64 * 1024, 7);
    for (let i = 0; i < 20; i++) {
      fromClient.write(dataFrame(1, 0, chunk));
    }
    // Header decompression runs on libuv's pool: wait for the stream and the pause, not ticks.
    for (let i = 0; i < 400 && !(accepted && transport.isPaused()); i++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(accepted).toBeDefined();
    expect(transport.isPaused()).toBe(true);
    expect(accepted!.readableLength).toBeGreaterThanOrEqual(1 << 20);

    let read = 0;
    accepted!.on('data', (data: Buffer) => (read += data.length));
    for (let i = 0; i < 400 && read < 20 * chunk.length; i++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(read).toBe(20 * chunk.length);
    expect(transport.isPaused()).toBe(false);
    session.shutdown();
    compressor.close();
  });
});
