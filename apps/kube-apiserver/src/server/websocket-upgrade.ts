import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { ResourceRegistry } from '../registry/registry';
import { KubeError, methodNotAllowed, unauthorized } from '../errors/kube-error';
import { resolveResource } from './kube-api-handler';
import type { ResourceHandler } from './resource-handler';
import { sendError } from './responses';
import { portForwardTransport, type PortForwardServer } from '../portforward/port-forward-upgrade';

/** The subprotocol that carries a bearer token (apiserver/pkg/authentication/request/websocket). */
export const BEARER_PROTOCOL_PREFIX = 'base64url.bearer.authorization.k8s.io.';

export interface UpgradeDeps {
  registry: ResourceRegistry;
  resources: ResourceHandler;
  /** Authenticates an `Authorization` header value (the token file today, RBAC's authenticator later). */
  /** Authenticates and authorises the request (throws 401/403 KubeErrors). */
  authorize: (req: IncomingMessage, authorization: string | undefined) => unknown;
  /** The normal request handler, for upgrade requests that are not watches. */
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  /** Serves `pods/portforward` upgrades (SPDY, or SPDY tunnelled in a WebSocket). */
  portForward?: PortForwardServer;
  log: (message: string, error?: unknown) => void;
}

/**
 * Splits Sec-WebSocket-Protocol into the bearer token (if any) and the other protocols, as the
 * apiserver's ProtocolAuthenticator does; throws its errors.
 */
export function bearerFromProtocols(header: string | undefined): {
  token?: string;
  protocols: string[];
} {
  const protocols: string[] = [];
  let token: string | undefined;
  for (const raw of (header ?? '').split(',')) {
    const protocol = raw.trim();
    if (!protocol) {
      continue;
    }
    if (!protocol.startsWith(BEARER_PROTOCOL_PREFIX)) {
      protocols.push(protocol);
      continue;
    }
    if (token !== undefined) {
      throw new Error('multiple base64.bearer.authorization tokens specified');
    }
    const encoded = protocol.slice(BEARER_PROTOCOL_PREFIX.length);
    if (!/^[A-Za-z0-9_-]*$/.test(encoded)) {
      throw new Error('invalid base64.bearer.authorization token encoding');
    }
    token = Buffer.from(encoded, 'base64url').toString('utf8');
  }
  if (token && protocols.length === 0) {
    throw new Error('missing additional subprotocol');
  }
  return { token, protocols };
}

/** Answers an upgrade request with a normal HTTP response on its socket. */
function respondOverSocket(
  req: IncomingMessage,
  socket: Duplex,
  respond: (res: ServerResponse) => void,
): void {
  const res = new ServerResponse(req);
  res.shouldKeepAlive = false;
  res.assignSocket(socket as never);
  res.on('finish', () => {
    res.detachSocket(socket as never);
    socket.end();
  });
  respond(res);
}

/** A bare status line, as golang.org/x/net/websocket answers a failed handshake. */
function rawStatus(socket: Duplex, code: number, text: string): void {
  socket.end(`HTTP/1.1 ${code} ${text}\r\n\r\n`);
}

/**
 * WebSocket watches (the apiserver's watch HandleWS): a watch request upgraded to a WebSocket
 * is served one event per message. The handshake behaves like golang.org/x/net/websocket's: an
 * Origin header is required (403 without), one subprotocol at most is accepted and echoed (400
 * for more), after the bearer-token subprotocol has authenticated and been removed. Upgrade
 * requests that are not watches get their normal HTTP answer.
 */
export function createUpgradeHandler(deps: UpgradeDeps) {
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: (protocols) =>
      [...protocols].find((p) => !p.startsWith(BEARER_PROTOCOL_PREFIX)) ?? false,
  });
  const fail = (req: IncomingMessage, socket: Duplex, error: unknown) =>
    respondOverSocket(req, socket, (res) =>
      sendError(res, error, (e) => deps.log(`upgrade ${req.url ?? ''} failed`, e), req),
    );

  return (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy());
    try {
      if (deps.portForward && upgradePortForward(req, socket, head, deps, deps.portForward)) {
        return;
      }
    } catch (error) {
      if (!(error instanceof KubeError)) {
        deps.log(`upgrade ${req.url ?? ''} failed`, error);
      }
      fail(req, socket, error);
      return;
    }
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
      respondOverSocket(req, socket, (res) => deps.handler(req, res));
      return;
    }
    try {
      const resolved = resolveResource(req.url ?? '/', deps.registry);
      const query = resolved?.url.searchParams ?? new URLSearchParams();
      if (!resolved || !deps.resources.isWatch(resolved.route, query, resolved.legacyWatch)) {
        respondOverSocket(req, socket, (res) => deps.handler(req, res));
        return;
      }
      let offered: { token?: string; protocols: string[] };
      try {
        offered = bearerFromProtocols(req.headers['sec-websocket-protocol']);
      } catch {
        throw unauthorized();
      }
      const authorization =
        offered.token !== undefined ? `Bearer ${offered.token}` : req.headers.authorization;
      deps.authorize(req, authorization);
      const origin = req.headers.origin;
      if (!origin || origin === 'null' || !/^[a-z][a-z0-9+.-]*:/i.test(origin)) {
        rawStatus(socket, 403, 'Forbidden');
        return;
      }
      if (offered.protocols.length > 1) {
        rawStatus(socket, 400, 'Bad Request');
        return;
      }
      const { route, url, legacyWatch } = resolved;
      const start = deps.resources.prepareWebSocketWatch(req, route, url.searchParams, legacyWatch);
      wss.handleUpgrade(req, socket, head, (ws) => {
        start(ws).catch((error: unknown) => {
          deps.log(`websocket watch ${req.url ?? ''} failed`, error);
          ws.close(1011);
        });
      });
    } catch (error) {
      if (!(error instanceof KubeError)) {
        deps.log(`upgrade ${req.url ?? ''} failed`, error);
      }
      fail(req, socket, error);
    }
  };
}

/**
 * A `pods/portforward` upgrade in a protocol the port-forward server speaks: authenticated and
 * authorised like any request (the token may ride in a WebSocket subprotocol), then upgraded.
 * Returns false for anything else (other requests, WebSockets without the SPDY tunnel).
 */
function upgradePortForward(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  deps: UpgradeDeps,
  portForward: PortForwardServer,
): boolean {
  const resolved = resolveResource(req.url ?? '/', deps.registry);
  if (!resolved) {
    return false;
  }
  const { route, url } = resolved;
  if (
    route.subresource !== 'portforward' ||
    route.type.group !== '' ||
    route.type.resource !== 'pods' ||
    !route.namespace ||
    !route.name
  ) {
    return false;
  }
  const websocket = (req.headers.upgrade ?? '').toLowerCase() === 'websocket';
  let offered: { token?: string; protocols: string[] } = { protocols: [] };
  if (websocket) {
    try {
      offered = bearerFromProtocols(req.headers['sec-websocket-protocol']);
    } catch {
      throw unauthorized();
    }
  }
  const transport = portForwardTransport(req, offered.protocols);
  if (!transport) {
    return false;
  }
  if (req.method !== 'GET' && req.method !== 'POST') {
    throw methodNotAllowed(); // upstream's connecter serves GET and POST only
  }
  deps.authorize(
    req,
    offered.token !== undefined ? `Bearer ${offered.token}` : req.headers.authorization,
  );
  portForward.prepare(req, transport, route.namespace, route.name, url.searchParams)(socket, head);
  return true;
}
