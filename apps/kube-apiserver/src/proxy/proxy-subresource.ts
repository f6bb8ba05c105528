import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { hostAddressOf, hostPortOf } from '@app/common';
import { badRequest, notFound, serviceUnavailable } from '../errors/kube-error';
import { goDialErrorText } from '../net/go-dial-error';
import { sendError } from '../server/responses';
import type { KubeObject } from '../object/types';
import type { ResourceRoute } from '../server/route';
import {
  podLocation,
  serviceLocation,
  splitSchemeNamePort,
  type ProxyLocation,
} from './proxy-location';

export interface ProxyDeps {
  pod(namespace: string, name: string): KubeObject | undefined;
  service(namespace: string, name: string): KubeObject | undefined;
  endpoints(namespace: string, name: string): KubeObject | undefined;
  random?: () => number;
}

/** Headers that belong to one hop (RFC 9110 §7.6.1, Go's httputil.ReverseProxy list). */
const HOP_BY_HOP = new Set([
  'connection',
  'proxy-connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/**
 * What identifies the caller to the api-server, which upstream's filters consume before a request
 * is proxied: the credentials, impersonation headers, and WebSocket headers (a bearer token may
 * ride in the subprotocol; upgrades are not proxied here).
 */
const IDENTITY = /^(authorization|impersonate-.*|sec-websocket-.*)$/;

/**
 * `pods/<[scheme:]name[:port]>/proxy/<path>` and `services/<…>/proxy/<path>` (what `kubectl proxy`
 * and `kubectl get --raw …/proxy/…` reach): the api-server forwards the HTTP request to the pod —
 * for a Service, to one of its ready endpoints — as upstream's UpgradeAwareHandler does, at the
 * pod's host address (`hostAddressOf(podIP)`:`hostPortOf(port)`) where its responder listens.
 * The caller's credentials stay here: upstream's authentication filter drops the Authorization
 * header before proxying.
 */
export class ProxySubresource {
  constructor(private readonly deps: ProxyDeps) {}

  serve(req: IncomingMessage, res: ServerResponse, route: ResourceRoute): Promise<void> {
    const location = this.locate(route);
    const url = req.url ?? '/';
    const rawQuery = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
    const query = rawQuery ? `?${rawQuery}` : '';
    if (!route.proxyPath && (req.method === 'GET' || req.method === 'HEAD')) {
      // upstream's proxyRedirectsforRootPath: `…/proxy` → `…/proxy/`, so relative links resolve.
      res.writeHead(301, { Location: `${url.split('?')[0]}/${query}` });
      res.end();
      return Promise.resolve();
    }
    const host = hostAddressOf(location.ip);
    const port = Number(location.port);
    if (!host || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw serviceUnavailable(
        `error trying to reach service: dial tcp ${location.ip}:${location.port}: address not allowed`,
      );
    }
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name) && !IDENTITY.test(name)) {
        headers[name] = value;
      }
    }
    headers.host = `${location.ip}:${location.port}`;
    const forwardedFor = req.socket.remoteAddress ?? '';
    headers['x-forwarded-for'] = req.headers['x-forwarded-for']
      ? `${String(req.headers['x-forwarded-for'])}, ${forwardedFor}`
      : forwardedFor;
    const send = location.scheme === 'https' ? httpsRequest : httpRequest;
    return new Promise((resolve) => {
      const upstream = send(
        {
          host,
          port: hostPortOf(port),
          method: req.method,
          path: (route.proxyPath || '/') + query,
          headers,
          rejectUnauthorized: false,
        },
        (answer) => {
          const out: Record<string, string | string[]> = {};
          for (const [name, value] of Object.entries(answer.headers)) {
            if (value !== undefined && !HOP_BY_HOP.has(name)) {
              out[name] = value;
            }
          }
          res.writeHead(answer.statusCode ?? 502, out);
          answer.pipe(res);
          answer.on('end', () => resolve());
          answer.on('error', () => {
            res.destroy();
            resolve();
          });
        },
      );
      upstream.on('error', (error: NodeJS.ErrnoException) => {
        if (res.destroyed) {
          // The caller went away first (and so the request to the pod was cut).
        } else if (res.headersSent) {
          res.destroy();
        } else {
          const reason = `dial tcp ${location.ip}:${location.port}: ${goDialErrorText(error)}`;
          sendError(
            res,
            serviceUnavailable(`error trying to reach service: ${reason}`),
            () => {},
            req,
          );
        }
        resolve();
      });
      res.on('close', () => upstream.destroy());
      req.pipe(upstream);
    });
  }

  private locate(route: ResourceRoute): ProxyLocation {
    const namespace = route.namespace ?? '';
    const id = route.name ?? '';
    const kind = route.type.resource === 'pods' ? 'pod' : 'service';
    const parsed = splitSchemeNamePort(id);
    if (!parsed) {
      throw badRequest(`invalid ${kind} request "${id}"`);
    }
    if (kind === 'pod') {
      const pod = this.deps.pod(namespace, parsed.name);
      if (!pod) {
        throw notFound({ group: '', resource: 'pods' }, parsed.name);
      }
      return podLocation(pod, parsed.scheme, parsed.port);
    }
    const service = this.deps.service(namespace, parsed.name);
    if (!service) {
      throw notFound({ group: '', resource: 'services' }, parsed.name);
    }
    return serviceLocation(
      id,
      parsed.name,
      service,
      this.deps.endpoints(namespace, parsed.name),
      (name) => this.deps.pod(namespace, name),
      parsed.scheme,
      parsed.port,
      this.deps.random,
    );
  }
}
