import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { badRequest } from '../errors/kube-error';
import type { PortForwardTarget } from './port-forward-streams';

/** The kubelet's binary channel protocol for port-forward WebSockets (client-node's PortForward). */
export const CHANNEL_PROTOCOL = 'v4.channel.k8s.io';

/** Past this much unsent data the pod socket is paused until the WebSocket catches up. */
const HIGH_WATER_BYTES = 1 << 20;

/**
 * The `ports` query of a WebSocket port-forward (PodPortForwardOptions; the kubelet's
 * NewV4Options rules: required, each > 0, comma lists allowed).
 */
export function channelPorts(query: URLSearchParams): number[] {
  const values = query.getAll('ports');
  if (values.length === 0) {
    throw badRequest('query parameter "port" is required');
  }
  const ports: number[] = [];
  for (const value of values) {
    if (!value) {
      throw badRequest('query parameter "port" cannot be empty');
    }
    for (const part of value.split(',')) {
      const port = /^\d+$/.test(part) ? Number(part) : NaN;
      if (!(port <= 65535)) {
        throw badRequest(`unable to parse "${value}" as a port`);
      }
      if (port < 1) {
        throw badRequest(`port "${value}" must be > 0`);
      }
      ports.push(port);
    }
  }
  return ports;
}

/**
 * Serves port-forward over the channel WebSocket protocol, as the kubelet's
 * handleWebSocketStreams (pkg/kubelet/cri/streaming/portforward/websocket.go): port i gets data
 * channel 2i and error channel 2i+1, each opened with the port as two little-endian bytes; every
 * message starts with its channel byte. One connection per port; the WebSocket closes once every
 * port's connection has ended.
 */
export function serveChannelPortForward(
  ws: WebSocket,
  ports: number[],
  target: PortForwardTarget,
): void {
  const sockets = new Map<number, Socket>();
  /** Ports whose connection is over (or never came): what the client sends them is dropped. */
  const finished = new Set<number>();
  /** What the client sent for a port before its connection to the pod was open. */
  const early = new Map<number, Buffer[]>();
  let earlyBytes = 0;
  let open = ports.length;
  // A malformed frame is an 'error' on the WebSocket: end this connection, not the process.
  ws.on('error', () => ws.terminate());
  const send = (channel: number, data: Buffer, done?: () => void) => {
    if (ws.readyState === ws.OPEN) {
      ws.send(Buffer.concat([Buffer.of(channel), data]), done);
    }
  };
  const portDone = (index: number) => {
    finished.add(index);
    earlyBytes -= (early.get(index) ?? []).reduce((n, b) => n + b.length, 0);
    early.delete(index);
    open -= 1;
    if (open === 0 && ws.readyState === ws.OPEN) {
      ws.close(1000);
    }
  };
  // The client is read no faster than the pods take its data (as wsstream's blocking writes):
  // the WebSocket is paused while any pod socket is full or too much waits for a dial.
  const blocked = new Set<Socket>();
  const readOnIfClear = () => {
    if (blocked.size === 0 && earlyBytes < HIGH_WATER_BYTES) {
      ws.resume();
    }
  };
  const unblock = (socket: Socket) => {
    if (blocked.delete(socket)) {
      readOnIfClear();
    }
  };
  const writeToPod = (socket: Socket, data: Buffer) => {
    if (!socket.write(data) && !blocked.has(socket)) {
      blocked.add(socket);
      ws.pause();
      socket.once('drain', () => unblock(socket));
    }
  };
  ws.on('message', (message: Buffer, isBinary: boolean) => {
    if (!isBinary || message.length === 0) {
      return;
    }
    // Only data channels carry anything from the client; error channels are write-only.
    const channel = message[0];
    const index = channel / 2;
    if (channel % 2 !== 0 || index >= ports.length || finished.has(index)) {
      return;
    }
    const socket = sockets.get(index);
    if (socket) {
      writeToPod(socket, message.subarray(1));
      return;
    }
    early.set(index, [...(early.get(index) ?? []), Buffer.from(message.subarray(1))]);
    earlyBytes += message.length - 1;
    if (earlyBytes >= HIGH_WATER_BYTES) {
      ws.pause(); // resumed once the dial settles
    }
  });
  ws.on('close', () => {
    for (const socket of sockets.values()) {
      socket.destroy();
    }
  });
  ports.forEach((port, i) => {
    const portBytes = Buffer.alloc(2);
    portBytes.writeUInt16LE(port);
    send(2 * i, portBytes);
    send(2 * i + 1, portBytes);
    target.dial(port).then(
      (socket) => {
        if (ws.readyState !== ws.OPEN) {
          socket.destroy();
          return;
        }
        sockets.set(i, socket);
        for (const chunk of early.get(i) ?? []) {
          earlyBytes -= chunk.length;
          writeToPod(socket, chunk);
        }
        early.delete(i);
        readOnIfClear();
        socket.on('data', (chunk: Buffer) => {
          send(2 * i, chunk, () => {
            if (socket.isPaused() && ws.bufferedAmount < HIGH_WATER_BYTES) {
              socket.resume();
            }
          });
          if (ws.bufferedAmount >= HIGH_WATER_BYTES) {
            socket.pause();
          }
        });
        // The protocol has no half-close: the pod's end of the connection ends it.
        socket.on('end', () => socket.end());
        socket.on('error', () => socket.destroy());
        socket.once('close', () => {
          sockets.delete(i);
          portDone(i);
          unblock(socket);
        });
      },
      (error: unknown) => {
        send(
          2 * i + 1,
          Buffer.from(
            `error forwarding port ${port} to pod ${target.sandboxId}, uid : ` +
              target.describeDialError(port, error),
          ),
        );
        portDone(i);
        readOnIfClear();
      },
    );
  });
}
