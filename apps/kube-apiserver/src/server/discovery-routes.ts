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
import type { OpenApiService } from '../discovery/openapi/openapi-service';
import { SERVER_VERSION } from '../discovery/version';
import type { ResourceRegistry } from '../registry/registry';
import { handleOpenApi } from './openapi-routes';
import { sendJson, sendRaw } from './responses';

/** `/version`, `/api`, `/apis`, `/api/v1`, `/apis/<g>[/<v>]`, `/openapi/*`; false when not one of them. */
export function handleDiscovery(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  registry: ResourceRegistry,
  openapi: OpenApiService,
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
  if (handleOpenApi(req, res, url, path, openapi, nowMs)) {
    return true;
  }
  return false;
}
