import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, createWebSocketStream, type WebSocket } from 'ws';
import { KubeError, badRequest, internalError, notFound } from '../errors/kube-error';
import type { KubeObject } from '../object/types';
import { getString } from '../registry/object-path';
import { CHANNEL_PROTOCOL, channelPorts, serveChannelPortForward } from './channel-port-forward';
import { PortForwardStreams } from './port-forward-streams';
import { podPortTarget } from './pod-target';
import { SpdySession } from './spdy/spdy-session';

/** The subprotocol of port-forwarding (client-go `PortForwardProtocolV1Name`). */
export const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';
/** kubectl 1.31+ tunnels the SPDY connection through a WebSocket with this subprotocol (KEP-4006). */
export const TUNNELED_PORT_FORWARD_PROTOCOL = `SPDY/3.1+${PORT_FORWARD_PROTOCOL}`;

export interface PortForwardDeps {
  pod(namespace: string, name: string): KubeObject | undefined;
}

export type PortForwardTransport = 'spdy' | 'tunnel' | 'channel';

/**
 * How the request asks to upgrade: SPDY itself (kubectl ≤ 1.30, or its fallback), SPDY tunnelled
 * in a WebSocket (kubectl 1.31+), or the channel WebSocket protocol (client-node's PortForward;
 * also a WebSocket that names no subprotocol, as the kubelet accepts).
 */
export function portForwardTransport(
  req: IncomingMessage,
  websocketProtocols: string[],
): PortForwardTransport | undefined {
  const upgrade = (req.headers.upgrade ?? '').toLowerCase();
  if (upgrade === 'websocket') {
    if (websocketProtocols.includes(TUNNELED_PORT_FORWARD_PROTOCOL)) {
      return 'tunnel';
    }
    return websocketProtocols.length === 0 || websocketProtocols.includes(CHANNEL_PROTOCOL)
      ? 'channel'
      : undefined;
  }
  return upgrade.split(',').some((p) => p.trim() === 'spdy/3.1') ? 'spdy' : undefined;
}

/**
 * `pods/portforward` upgrades: where a real api-server proxies to the kubelet's streaming
 * server, Nimbus's api-server plays that server itself (the simulated kubelets have none) and
 * joins each forwarded connection to the pod's responder. Open connections end with the server.
 */
export class PortForwardServer {
  private readonly sessions = new Set<SpdySession>();
  private readonly channels = new Set<WebSocket>();
  private readonly websockets = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: (protocols) =>
      [TUNNELED_PORT_FORWARD_PROTOCOL, CHANNEL_PROTOCOL].find((p) => protocols.has(p)) ?? false,
  });

  constructor(private readonly deps: PortForwardDeps) {}

  /**
   * Checks the pod and the handshake (KubeErrors for the caller to answer with) and returns the
   * function that completes the upgrade on the socket.
   */
  prepare(
    req: IncomingMessage,
    transport: PortForwardTransport,
    namespace: string,
    name: string,
    query: URLSearchParams,
  ): (socket: Duplex, head: Buffer) => void {
    const ports = transport === 'channel' ? channelPorts(query) : [];
    const pod = this.deps.pod(namespace, name);
    if (!pod) {
      throw notFound({ group: '', resource: 'pods' }, name);
    }
    if (!getString(pod, 'spec.nodeName')) {
      throw badRequest(`pod ${name} does not have a host assigned`);
    }
    const uid = pod.metadata.uid ?? '';
    const podIP = getString(pod, 'status.podIP');
    if (!podIP) {
      // The kubelet's GetPortForward before the sandbox exists (format.PodDesc names the pod).
      throw internalError(`failed to find sandboxID for pod ${name}_${namespace}(${uid})`);
    }
    const target = podPortTarget({ uid, podIP });
    if (transport === 'tunnel') {
      return (socket, head) =>
        this.websockets.handleUpgrade(req, socket, head, (ws) => {
          const stream = createWebSocketStream(ws);
          stream.on('error', () => ws.terminate());
          this.serve(stream, new PortForwardStreams(target));
        });
    }
    if (transport === 'channel') {
      return (socket, head) =>
        this.websockets.handleUpgrade(req, socket, head, (ws) => {
          this.channels.add(ws);
          ws.once('close', () => this.channels.delete(ws));
          serveChannelPortForward(ws, ports, target);
        });
    }
    const offered = String(req.headers['x-stream-protocol-version'] ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
    if (offered.length === 0) {
      throw badRequest('unable to upgrade: X-Stream-Protocol-Version is required');
    }
    if (!offered.includes(PORT_FORWARD_PROTOCOL)) {
      throw new KubeError(
        403,
        'Forbidden',
        `unable to upgrade: unable to negotiate protocol: client supports [${offered.join(' ')}], ` +
          `server accepts [${PORT_FORWARD_PROTOCOL}]`,
      );
    }
    return (socket, head) => {
      socket.write(
        'HTTP/1.1 101 Switching Protocols\r\n' +
          'Connection: Upgrade\r\n' +
          'Upgrade: SPDY/3.1\r\n' +
          `X-Stream-Protocol-Version: ${PORT_FORWARD_PROTOCOL}\r\n\r\n`,
      );
      this.serve(socket, new PortForwardStreams(target), head);
    };
  }

  /** Open port-forward connections (for tests and metrics). */
  get size(): number {
    return this.sessions.size + this.channels.size;
  }

  /** Ends every port-forward connection (the server is stopping). */
  close(): void {
    for (const session of this.sessions) {
      session.shutdown();
    }
    for (const ws of this.channels) {
      ws.close(1001);
      setTimeout(() => ws.terminate(), 1_000).unref();
    }
    this.websockets.close();
  }

  private serve(transport: Duplex, streams: PortForwardStreams, head?: Buffer): void {
    const session = new SpdySession(transport, streams, head);
    this.sessions.add(session);
    session.once('close', () => {
      this.sessions.delete(session);
      streams.close();
      transport.destroy();
    });
  }
}
