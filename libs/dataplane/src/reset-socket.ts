import type { Socket } from 'node:net';

/**
 * Resets a TCP connection (RST), or closes it when it is already sending its FIN: Node cannot
 * reset a socket whose shutdown is in flight (libuv's uv_tcp_close_reset refuses it), marks it
 * closing anyway and never closes its handle, and the process (or worker thread) then spins at
 * exit waiting for that handle.
 */
export function resetSocket(socket: Socket): void {
  if (socket.writableEnded) {
    socket.destroy();
  } else {
    socket.resetAndDestroy();
  }
}
