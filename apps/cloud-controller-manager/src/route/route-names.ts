/*
 * Names the upstream route controller uses (k8s.io/cloud-provider controllers/route), verbatim:
 * a controller author greps for these.
 */

/** `--controllers` name and alias (names/controller_names.go). */
export const ROUTE_CONTROLLER_NAME = 'node-route-controller';
export const ROUTE_CONTROLLER_ALIAS = 'route';
/** The API client's user agent (DefaultInitFuncConstructors). */
export const ROUTE_CONTROLLER_CLIENT_NAME = 'route-controller';
/** `source.component` of its events — with an underscore, unlike the other controllers. */
export const ROUTE_EVENT_COMPONENT = 'route_controller';

export const FAILED_TO_CREATE_ROUTE = 'FailedToCreateRoute';

/** The node condition the controller owns. */
export const NETWORK_UNAVAILABLE = 'NetworkUnavailable';
export const ROUTE_CREATED = {
  status: 'False',
  reason: 'RouteCreated',
  message: 'RouteController created a route',
} as const;
export const NO_ROUTE_CREATED = {
  status: 'True',
  reason: 'NoRouteCreated',
  message: 'RouteController failed to create a route',
} as const;

/** At most this many CreateRoute/DeleteRoute calls in flight (maxConcurrentRouteOperations). */
export const MAX_CONCURRENT_ROUTE_OPERATIONS = 200;

/** `--route-reconciliation-period` default. */
export const DEFAULT_ROUTE_RECONCILIATION_PERIOD_MS = 10_000;

/** Counter incremented on every reconcile (parity metric). */
export const ROUTE_SYNC_TOTAL_METRIC = 'route_controller_route_sync_total';
