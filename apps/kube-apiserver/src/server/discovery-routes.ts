import type { IncomingMessage, ServerResponse } from 'node:http';
import { KubeError } from '../errors/kube-error';
import {
  AGGREGATED_CONTENT_TYPE,
  aggregatedDiscovery,
  apiResourceList,
  legacyApiGroup,
  legacyApiGroupList,
  legacyApiVersions,
  wantsAggregated,
} from '../discovery/discovery';
import type { OpenApiV3 } from '../discovery/openapi';
import { SERVER_VERSION } from '../discovery/version';
import type { ResourceRegistry } from '../registry/registry';
import { sendJson, sendRaw } from './responses';

const ONE_YEAR_MS = 365 * 24 * 3600 * 1000;

/** `/version`, `/api`, `/apis`, `/api/v1`, `/apis/<g>[/<v>]`, `/openapi/*`; false when not one of them. */
export function handleDiscovery(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  registry: ResourceRegistry,
  openapi: OpenApiV3,
  nowMs: number,
): boolean {
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const accept = req.headers.accept;
  if (path === '/version') {
    sendJson(res, 200, SERVER_VERSION);
    return true;
  }
  if (path === '/api' || path === '/apis') {
    const aggregated = wantsAggregated(accept);
    if (aggregated) {
      const body = aggregatedDiscovery(registry, path === '/api', aggregated);
      sendRaw(
        res,
        200,
        JSON.stringify(body),
        AGGREGATED_CONTENT_TYPE.replace('v=v2', `v=${aggregated}`),
      );
    } else if (path === '/api') {
      sendJson(
        res,
        200,
        legacyApiVersions(
          req.socket.localAddress ? `${req.socket.localAddress}:${req.socket.localPort ?? ''}` : '',
        ),
      );
    } else {
      sendJson(res, 200, legacyApiGroupList(registry));
    }
    return true;
  }
  if (path === '/api/v1') {
    sendJson(res, 200, apiResourceList(registry, { group: '', version: 'v1' }));
    return true;
  }
  let m = /^\/apis\/([^/]+)$/.exec(path);
  if (m) {
    const group = legacyApiGroup(registry, m[1]);
    if (!group) {
      throw new KubeError(404, 'NotFound', 'the server could not find the requested resource');
    }
    sendJson(res, 200, group);
    return true;
  }
  m = /^\/apis\/([^/]+)\/([^/]+)$/.exec(path);
  if (m) {
    if (!registry.hasGroupVersion(m[1], m[2])) {
      throw new KubeError(404, 'NotFound', 'the server could not find the requested resource');
    }
    sendJson(res, 200, apiResourceList(registry, { group: m[1], version: m[2] }));
    return true;
  }
  if (path === '/openapi/v3') {
    sendJson(res, 200, openapi.root());
    return true;
  }
  m = /^\/openapi\/v3\/(.+)$/.exec(path);
  if (m) {
    const doc = openapi.document(m[1]);
    if (!doc) {
      throw new KubeError(404, 'NotFound', 'the server could not find the requested resource');
    }
    const hash = url.searchParams.get('hash');
    if (hash && hash !== doc.hash) {
      res.writeHead(301, { Location: `/openapi/v3/${m[1]}?hash=${doc.hash}`, 'Content-Length': 0 });
      res.end();
      return true;
    }
    const headers: Record<string, string> = { ETag: `"${doc.hash}"`, Vary: 'Accept' };
    if (hash) {
      headers['Cache-Control'] = 'public, immutable';
      headers.Expires = new Date(nowMs + ONE_YEAR_MS).toUTCString();
    }
    if (req.headers['if-none-match'] === `"${doc.hash}"`) {
      res.writeHead(304, headers);
      res.end();
      return true;
    }
    sendRaw(res, 200, doc.body, 'application/json', headers);
    return true;
  }
  if (path === '/openapi/v2' || path === '/swagger.json') {
    throw new KubeError(404, 'NotFound', 'the server could not find the requested resource');
  }
  return false;
}
