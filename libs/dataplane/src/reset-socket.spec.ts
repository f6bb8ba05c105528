import { connect, createServer, type Socket } from 'node:net';
import { once } from 'node:events';
import { resetSocket } from './reset-socket';

/** A server socket in the state that matters: its peer half-closed, its own FIN in flight. */
async function socketSendingItsFin(): Promise<{ socket: Socket; close: () => void }> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const client = connect((server.address() as { port: number }).port, '127.0.0.1');
  client.on('error', () => undefined);
  client.resume();
  const [socket] = await accepted;
  socket.on('error', () => undefined);
  socket.pipe(socket);
  client.end('x');
  // pipe() ends the socket on its 'end', before this listener runs: the shutdown is in flight.
  await once(socket, 'end');
  return { socket, close: () => (client.destroy(), server.close()) };
}

describe('resetSocket', () => {
  it('should close a socket whose FIN is in flight (a reset there would never close its handle)', async () => {
    const { socket, close } = await socketSendingItsFin();
    expect(socket.writableEnded).toBe(true);
    const closed = once(socket, 'close');
    resetSocket(socket);
    await closed;
    expect(socket.destroyed).toBe(true);
    close();
  });

  it('should reset a socket that has not ended', async () => {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const accepted = once(server, 'connection') as Promise<[Socket]>;
    const client = connect((server.address() as { port: number }).port, '127.0.0.1');
    const [socket] = await accepted;
    const clientError = once(client, 'error') as Promise<[NodeJS.ErrnoException]>;
    resetSocket(socket);
    const [error] = await clientError;
    expect(error.code).toBe('ECONNRESET');
    server.close();
  });
});
