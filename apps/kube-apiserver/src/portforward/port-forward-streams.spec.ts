import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import {
  FLAG_FIN,
  FrameParser,
  FrameType,
  RstStatus,
  dataFrame,
  goAwayFrame,
  headerBlockOf,
  pingFrame,
  rstStreamFrame,
  streamIdOf,
  synStreamFrame,
  type Frame,
} from './spdy/frames';
import { HeaderCompressor, HeaderDecompressor } from './spdy/header-codec';
import { SpdySession } from './spdy/spdy-session';
import { PortForwardStreams, type PortForwardTarget } from './port-forward-streams';

/** The client half of kubectl's port-forward, from the same frames (stands in for spdystream). */
class SpdyClient {
  readonly frames: Frame[] = [];
  private readonly parser = new FrameParser();
  private readonly compressor = new HeaderCompressor();
  private readonly decompressor = new HeaderDecompressor();
  private nextId = 1;
  ended = false;

  constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.frames.push(...this.parser.push(chunk)));
    socket.on('close', () => (this.ended = true));
  }

  async open(headers: Record<string, string>, flags = 0, id = this.nextId): Promise<number> {
    this.nextId = id + 2;
    const block = await this.compressor.encode(
      new Map(Object.entries(headers).map(([k, v]) => [k, [v]])),
    );
    this.socket.write(synStreamFrame(id, flags, block));
    return id;
  }

  send(id: number, data: string | Buffer, fin = false): void {
    this.socket.write(dataFrame(id, fin ? FLAG_FIN : 0, Buffer.from(data)));
  }

  async until<T>(find: () => T | undefined, what: string): Promise<T> {
    for (let i = 0; i < 400; i++) {
      const found = find();
      if (found !== undefined) {
        return found;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error(`no ${what}; frames: ${JSON.stringify(this.frames.map(frameLabel))}`);
  }

  control(type: number, streamId?: number) {
    return this.frames.find(
      (f) =>
        f.kind === 'control' &&
        f.type === type &&
        (streamId === undefined || streamIdOf(f.payload) === streamId),
    ) as Extract<Frame, { kind: 'control' }> | undefined;
  }

  /** What the server sent on a stream so far, and whether it sent FIN. */
  data(id: number): { text: string; fin: boolean } {
    const frames = this.frames.filter((f) => f.kind === 'data' && f.streamId === id);
    return {
      text: Buffer.concat(
        frames.map((f) => (f.kind === 'data' ? f.data : Buffer.alloc(0))),
      ).toString(),
      fin: frames.some((f) => (f.flags & FLAG_FIN) !== 0),
    };
  }

  async replyHeaders(id: number) {
    const reply = await this.until(() => this.control(FrameType.SynReply, id), `SYN_REPLY ${id}`);
    return this.decompressor.decode(headerBlockOf(reply.type, reply.payload));
  }

  close(): void {
    this.compressor.close();
    this.decompressor.close();
    this.socket.destroy();
  }
}

function frameLabel(f: Frame): string {
  return f.kind === 'data' ? `data ${f.streamId} ${f.flags}` : `control ${f.type}`;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

describe('port-forward over SPDY (the kubelet streaming server Nimbus plays)', () => {
  let spdyServer: Server;
  let echoServer: Server;
  let echoPort: number;
  let client: SpdyClient;
  const sessions: SpdySession[] = [];
  let timeoutMs = 30_000;

  let dialDelayMs = 0;
  const target = (): PortForwardTarget => ({
    sandboxId: 'f'.repeat(64),
    dial: async (port) => {
      await new Promise((r) => setTimeout(r, dialDelayMs));
      return new Promise((resolve, reject) => {
        const socket = connect({
          host: '127.0.0.1',
          port: port === 80 ? echoPort : 1,
          allowHalfOpen: true,
        });
        socket.once('connect', () => resolve(socket));
        socket.once('error', reject);
      });
    },
    describeDialError: (port, error) => `dial ${port}: ${(error as NodeJS.ErrnoException).code}`,
  });

  /** As PortForwardServer wires them: the streams end with their session. */
  const serve = (socket: Socket) => {
    const streams = new PortForwardStreams(target(), timeoutMs);
    const session = new SpdySession(socket, streams);
    session.once('close', () => streams.close());
    sessions.push(session);
  };

  beforeEach(async () => {
    timeoutMs = 30_000;
    dialDelayMs = 0;
    echoServer = createServer({ allowHalfOpen: true }, (socket) => socket.pipe(socket));
    echoPort = await listen(echoServer);
    spdyServer = createServer((socket) => {
      serve(socket);
    });
    const port = await listen(spdyServer);
    client = new SpdyClient(connect({ host: '127.0.0.1', port }));
  });

  afterEach(async () => {
    client.close();
    sessions.splice(0).forEach((s) => s.shutdown());
    await new Promise((r) => spdyServer.close(r));
    await new Promise((r) => echoServer.close(r));
  });

  async function forwardPair(port: string, requestId: string) {
    const errorId = await client.open({ streamtype: 'error', port, requestid: requestId });
    expect(await client.replyHeaders(errorId)).toEqual(new Map());
    client.send(errorId, '', true); // kubectl closes its side of the error stream at once
    const dataId = await client.open({ streamtype: 'data', port, requestid: requestId });
    expect(await client.replyHeaders(dataId)).toEqual(new Map());
    return { errorId, dataId };
  }

  it('joins a request’s data stream to the pod port, both ways, and closes both streams after', async () => {
    const { errorId, dataId } = await forwardPair('80', '0');
    client.send(dataId, 'hello ');
    client.send(dataId, 'pod', true);
    await client.until(
      () => (client.data(dataId).fin ? true : undefined),
      'FIN on the data stream',
    );
    expect(client.data(dataId).text).toBe('hello pod');
    await client.until(
      () => (client.data(errorId).fin ? true : undefined),
      'FIN on the error stream',
    );
    expect(client.data(errorId).text).toBe('');
  });

  it('writes a failed dial to the error stream, in the kubelet’s words', async () => {
    const { errorId, dataId } = await forwardPair('81', '7');
    await client.until(() => (client.data(errorId).fin ? true : undefined), 'the error');
    expect(client.data(errorId).text).toBe(
      `error forwarding port 81 to pod ${'f'.repeat(64)}, uid : dial 81: ECONNREFUSED`,
    );
    expect(client.data(dataId).fin).toBe(true);
  });

  it('pairs streams of old clients by stream id when there is no request id', async () => {
    const errorId = await client.open({ streamtype: 'error', port: '80' });
    const dataId = await client.open({ streamtype: 'data', port: '80' });
    expect(dataId).toBe(errorId + 2);
    await client.replyHeaders(errorId);
    await client.replyHeaders(dataId);
    client.send(dataId, 'old', true);
    await client.until(() => (client.data(dataId).fin ? true : undefined), 'the echo');
    expect(client.data(dataId).text).toBe('old');
  });

  it.each([
    [{ streamtype: 'data' }, 'no port'],
    [{ streamtype: 'data', port: '0' }, 'port 0'],
    [{ streamtype: 'data', port: 'http' }, 'a port name'],
    [{ port: '80' }, 'no stream type'],
    [{ streamtype: 'stdout', port: '80' }, 'an unknown stream type'],
  ])('refuses a stream with %j (%s): RST_STREAM CANCEL, no reply', async (headers, _why) => {
    const id = await client.open(headers);
    const reset = await client.until(() => client.control(FrameType.RstStream, id), 'RST_STREAM');
    expect(reset.payload.readUInt32BE(4)).toBe(RstStatus.Cancel);
    expect(client.control(FrameType.SynReply, id)).toBeUndefined();
  });

  it('answers a stream id that does not grow with a protocol error', async () => {
    await client.open({ streamtype: 'error', port: '80', requestid: '0' });
    await client.open({ streamtype: 'data', port: '80', requestid: '0' }, 0, 2); // even: server-initiated ids only
    const reset = await client.until(() => client.control(FrameType.RstStream, 2), 'RST_STREAM');
    expect(reset.payload.readUInt32BE(4)).toBe(RstStatus.ProtocolError);
  });

  it('echoes the client’s pings, and tells a second stream of the same type it is a duplicate', async () => {
    client.socket.write(pingFrame(9));
    const ping = await client.until(() => client.control(FrameType.Ping), 'PING');
    expect(ping.payload.readUInt32BE(0)).toBe(9);
    const errorId = await client.open({ streamtype: 'error', port: '80', requestid: '3' });
    await client.open({ streamtype: 'error', port: '80', requestid: '3' });
    await client.until(
      () => (client.data(errorId).text ? true : undefined),
      'the duplicate message',
    );
    expect(client.data(errorId).text).toBe(
      'error processing stream for request 3: error stream already assigned',
    );
  });

  it('gives up on a request whose second stream never comes', async () => {
    timeoutMs = 50;
    await new Promise((r) => spdyServer.close(r));
    spdyServer = createServer((socket) => {
      serve(socket);
    });
    client.close();
    client = new SpdyClient(connect({ host: '127.0.0.1', port: await listen(spdyServer) }));
    const errorId = await client.open({ streamtype: 'error', port: '80', requestid: '5' });
    await client.until(() => (client.data(errorId).fin ? true : undefined), 'the timeout');
    expect(client.data(errorId).text).toBe('(request=5) timed out waiting for streams');
  });

  it('drops a stream the client resets, and opens no new streams after GOAWAY', async () => {
    const { dataId } = await forwardPair('80', '0');
    client.socket.write(rstStreamFrame(dataId, RstStatus.Cancel));
    await client.until(() => (sessions[0]?.openStreams === 0 ? true : undefined), 'streams gone');
    client.socket.write(goAwayFrame(dataId, 0));
    const late = await client.open({ streamtype: 'error', port: '80', requestid: '1' });
    await new Promise((r) => setTimeout(r, 50));
    expect(client.control(FrameType.SynReply, late)).toBeUndefined();
  });

  it('closes the pod connection of a stream the client reset while the dial was under way', async () => {
    dialDelayMs = 100;
    const { dataId } = await forwardPair('80', '0');
    client.socket.write(rstStreamFrame(dataId, RstStatus.Cancel));
    const openConnections = () =>
      new Promise<number>((resolve) => echoServer.getConnections((_e, n) => resolve(n)));
    await new Promise((r) => setTimeout(r, 150)); // the dial has completed by now
    await client.until(() => (sessions[0]?.openStreams === 0 ? true : undefined), 'streams gone');
    for (let i = 0; i < 50 && (await openConnections()) > 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(await openConnections()).toBe(0);
  });

  it('ends with GOAWAY when the server shuts down', async () => {
    await forwardPair('80', '0');
    sessions[0].shutdown();
    const goAway = await client.until(() => client.control(FrameType.GoAway), 'GOAWAY');
    expect(goAway.payload.readUInt32BE(0)).toBe(3);
    await client.until(() => (client.ended ? true : undefined), 'the connection closed');
  });
});
