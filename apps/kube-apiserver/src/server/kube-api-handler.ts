import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '@app/common';
import type { Authenticator } from '../auth/authenticator';
import { impersonate } from '../auth/impersonation';
import { runAsUser } from '../auth/request-user';
import type { UserInfo } from '../auth/user-info';
import type { Authorizer } from '../authz/authorizer';
import { forbiddenError } from '../authz/forbidden';
import { requestAttributes } from '../authz/request-info';
import type { OidcDiscovery } from '../auth/oidc-discovery';
import { KubeError, methodNotAllowed, unauthorized } from '../errors/kube-error';
import type { OpenApiService } from '../discovery/openapi/openapi-service';
import type { ResourceRegistry } from '../registry/registry';
import { handleDiscovery } from './discovery-routes';
import type { ApiServerMetrics } from './metrics';
import { checkTimeoutParam } from '../api/query-params';
import type { ResourceHandler } from './resource-handler';
import { HealthEndpoints, type HealthState } from './health';
import { sendError, sendRaw } from './responses';
import { checkRequestPath } from './request-path';
import { parseResourcePath, type ResourceRoute } from './route';

const DISCOVERY = /^\/(version|api|apis|api\/v1|apis\/[^/]+(\/[^/]+)?|openapi\/.*|metrics)\/?$/;

export interface HandlerDeps {
  registry: ResourceRegistry;
  openapi: OpenApiService;
  auth: Authenticator;
  authorizer: Authorizer;
  oidc: OidcDiscovery;
  resources: ResourceHandler;
  metrics: ApiServerMetrics;
  clock: Clock;
  health: HealthState;
  currentRv: () => number;
  openWatches: () => number;
  log: (message: string, error?: unknown) => void;
}

export interface ResolvedRequest {
  url: URL;
  route: ResourceRoute;
  /** A legacy `/api/v1/watch/…` or `/apis/<g>/<v>/watch/…` path. */
  legacyWatch: boolean;
}

/**
 * A resource URL and whether it is a legacy watch path: `/api/v1/watch/namespaces/ns/pods/p` is a
 * watch on pods with `metadata.name=p` (Ruby kubeclient uses these).
 */
export function resolveResource(
  path: string | URL,
  registry: ResourceRegistry,
): ResolvedRequest | undefined {
  const url = typeof path === 'string' ? new URL(path, 'https://localhost') : path;
  const legacy = /^(\/api\/v1|\/apis\/[^/]+\/[^/]+)\/watch(\/.*)$/.exec(url.pathname);
  const route = parseResourcePath(legacy ? legacy[1] + legacy[2] : url.pathname, registry);
  if (!route) {
    return undefined;
  }
  if (legacy && route.subresource !== undefined) {
    // Upstream registers no /watch/ route for subresources (the prefix must not turn a
    // pods/proxy POST into a "watch" that a read-only role may make).
    throw new KubeError(404, 'NotFound', 'the server could not find the requested resource');
  }
  return { url, route, legacyWatch: legacy !== null };
}

/**
 * Who a request runs as, and whether that user may make it: the bearer token (401 without a valid
 * one), impersonation headers, then the authorizer (403 with upstream's message). `authorization`
 * overrides the header (WebSocket watches carry the token in a subprotocol).
 */
export function authenticateAndAuthorize(
  req: IncomingMessage,
  deps: Pick<HandlerDeps, 'auth' | 'authorizer'>,
  authorization = req.headers.authorization,
): UserInfo {
  const requester = deps.auth.authenticate(authorization);
  if (!requester) {
    throw unauthorized();
  }
  const user = impersonate(req.headers, requester, deps.authorizer);
  const attributes = requestAttributes(req.method ?? 'GET', req.url ?? '/');
  const decision = deps.authorizer.authorize(user, attributes);
  if (!decision.allowed) {
    throw forbiddenError(user.name, attributes, decision.reason);
  }
  return user;
}

/**
 * Entry point of every request: health and version are public (as with upstream's
 * system:public-info-viewer), everything else needs a bearer token (the token file or a
 * ServiceAccount token) and the authorizer's consent, and runs as that user.
 */
export function createKubeApiHandler(deps: HandlerDeps) {
  const { registry, openapi, resources, metrics, clock } = deps;
  const health = new HealthEndpoints(deps.health);
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now();
    let verb = req.method ?? 'GET';
    let group = '';
    let resource = '';
    try {
      checkRequestPath(req.url ?? '/');
      const url = new URL(req.url ?? '/', 'https://localhost');
      const path = url.pathname;
      const healthRoute = health.route(path);
      if (healthRoute && !healthRoute.check) {
        health.answer(res, healthRoute.endpoint, url.searchParams);
        return;
      }
      if (path === '/version' && (req.method === 'GET' || req.method === 'HEAD')) {
        if (handleDiscovery(req, res, url, registry, openapi, clock.now())) {
          return;
        }
      }
      const user = authenticateAndAuthorize(req, deps);
      if (healthRoute?.check) {
        // One check's own path: authorised like any other non-resource URL.
        health.answerCheck(res, healthRoute.check);
        return;
      }
      verb = await runAsUser(user, async () => {
        const served = await serve(req, res, url);
        return served ?? verb;
      });
    } catch (error) {
      sendError(res, error, (e) => deps.log(`${req.method ?? ''} ${req.url ?? ''} failed`, e), req);
    } finally {
      const code = String(res.statusCode);
      metrics.requests.inc({ verb, group, resource, code });
      if (verb !== 'WATCH') {
        metrics.duration.observe({ verb, resource }, (performance.now() - started) / 1000);
      }
    }

    /** An authorised request; answers its verb for metrics (undefined: keep the method). */
    async function serve(
      req: IncomingMessage,
      res: ServerResponse,
      url: URL,
    ): Promise<string | undefined> {
      const path = url.pathname;
      if (deps.oidc.handle(path, req, res)) {
        return undefined;
      }
      if (path === '/metrics') {
        metrics.resourceVersion.set(deps.currentRv());
        metrics.watches.set(deps.openWatches());
        sendRaw(res, 200, await metrics.registry.metrics(), metrics.registry.contentType);
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD' && DISCOVERY.test(path)) {
        throw methodNotAllowed();
      }
      if (handleDiscovery(req, res, url, registry, openapi, clock.now())) {
        return;
      }
      const resolved = resolveResource(url, registry);
      if (!resolved) {
        throw new KubeError(404, 'NotFound', 'the server could not find the requested resource');
      }
      const { route } = resolved;
      group = route.type.group;
      resource = route.subresource
        ? `${route.type.resource}/${route.subresource}`
        : route.type.resource;
      const proxied = route.subresource === 'proxy'; // the query is the backend's
      if (!proxied && !resolved.legacyWatch && !resources.isWatch(route, url.searchParams, false)) {
        checkTimeoutParam(url.searchParams);
      }
      return resources.handle(req, res, route, url.searchParams, resolved.legacyWatch);
    }
  };
}
