import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { NimbusRequest } from './request-context';

/** What an API call does, independent of its HTTP shape: used by the audit log and fault rules. */
export interface OperationInfo {
  /** Stable name, e.g. `instances.create`, `loadBalancers.backends.add`, `admin.faults.create`. */
  name: string;
  /** The resource type the call addresses, e.g. `instance`, `loadBalancer`. */
  resourceType: string;
  /** A change made behind the API's back (admin out-of-band calls). */
  outOfBand?: boolean;
}

const op = (name: string, resourceType: string, outOfBand = false): OperationInfo =>
  outOfBand ? { name, resourceType, outOfBand } : { name, resourceType };

/**
 * Every route's operation, keyed by `<Controller>.<handler>`. A route missing here fails the
 * operation-names e2e test, so new controllers cannot forget it.
 */
export const OPERATION_NAMES: Record<string, OperationInfo> = {
  'HealthController.healthz': op('health.liveness', 'health'),
  'HealthController.readyz': op('health.readiness', 'health'),
  'MetricsController.metricsText': op('metrics.get', 'metrics'),
  'ProjectsController.create': op('projects.create', 'project'),
  'ProjectsController.list': op('projects.list', 'project'),
  'ProjectsController.get': op('projects.get', 'project'),
  'ProjectsController.delete': op('projects.delete', 'project'),
  'ProjectsController.createToken': op('projects.tokens.create', 'token'),
  'ProjectsController.listTokens': op('projects.tokens.list', 'token'),
  'ProjectsController.deleteToken': op('projects.tokens.delete', 'token'),
  'ProjectQuotasController.list': op('projects.quotas.list', 'quota'),
  'ProjectQuotasController.set': op('projects.quotas.update', 'quota'),
  'QuotasController.list': op('quotas.list', 'quota'),
  'CatalogController.regions': op('regions.list', 'region'),
  'CatalogController.zones': op('zones.list', 'zone'),
  'CatalogController.instanceTypes': op('instanceTypes.list', 'instanceType'),
  'CatalogController.volumeTypes': op('volumeTypes.list', 'volumeType'),
  'OperationsController.list': op('operations.list', 'operation'),
  'OperationsController.get': op('operations.get', 'operation'),
  'InstancesController.create': op('instances.create', 'instance'),
  'InstancesController.list': op('instances.list', 'instance'),
  'InstancesController.get': op('instances.get', 'instance'),
  'InstancesController.update': op('instances.update', 'instance'),
  'InstancesController.terminate': op('instances.terminate', 'instance'),
  'InstancesController.stop': op('instances.stop', 'instance'),
  'InstancesController.start': op('instances.start', 'instance'),
  'InstancesController.reboot': op('instances.reboot', 'instance'),
  'InstanceImportController.import': op('instances.import', 'instance'),
  'VolumesController.create': op('volumes.create', 'volume'),
  'VolumesController.list': op('volumes.list', 'volume'),
  'VolumesController.get': op('volumes.get', 'volume'),
  'VolumesController.update': op('volumes.update', 'volume'),
  'VolumesController.delete': op('volumes.delete', 'volume'),
  'VolumesController.resize': op('volumes.resize', 'volume'),
  'VolumesController.attach': op('volumes.attach', 'volume'),
  'VolumesController.detach': op('volumes.detach', 'volume'),
  'NetworksController.create': op('networks.create', 'network'),
  'NetworksController.list': op('networks.list', 'network'),
  'NetworksController.get': op('networks.get', 'network'),
  'NetworksController.delete': op('networks.delete', 'network'),
  'RoutesController.create': op('routes.create', 'route'),
  'RoutesController.list': op('routes.list', 'route'),
  'RoutesController.get': op('routes.get', 'route'),
  'RoutesController.delete': op('routes.delete', 'route'),
  'LoadBalancersController.create': op('loadBalancers.create', 'loadBalancer'),
  'LoadBalancersController.list': op('loadBalancers.list', 'loadBalancer'),
  'LoadBalancersController.get': op('loadBalancers.get', 'loadBalancer'),
  'LoadBalancersController.update': op('loadBalancers.update', 'loadBalancer'),
  'LoadBalancersController.addBackends': op('loadBalancers.backends.add', 'loadBalancer'),
  'LoadBalancersController.removeBackends': op('loadBalancers.backends.remove', 'loadBalancer'),
  'LoadBalancersController.delete': op('loadBalancers.delete', 'loadBalancer'),
  'EventsController.stream': op('events.stream', 'event'),
  'AdminFaultsController.create': op('admin.faults.create', 'faultRule'),
  'AdminFaultsController.list': op('admin.faults.list', 'faultRule'),
  'AdminFaultsController.get': op('admin.faults.get', 'faultRule'),
  'AdminFaultsController.delete': op('admin.faults.delete', 'faultRule'),
  'AdminFaultsController.deleteAll': op('admin.faults.deleteAll', 'faultRule'),
  'AdminAuditController.list': op('admin.audit.list', 'auditEntry'),
  'OutOfBandController.crash': op('admin.instances.crash', 'instance', true),
  'OutOfBandController.stop': op('admin.instances.stop', 'instance', true),
  'OutOfBandController.terminate': op('admin.instances.terminate', 'instance', true),
  'OutOfBandController.changePrivateIp': op('admin.instances.privateIp', 'instance', true),
  'OutOfBandController.deleteLoadBalancer': op('admin.loadBalancers.delete', 'loadBalancer', true),
  'OutOfBandController.deleteRoute': op('admin.routes.delete', 'route', true),
  'ClockController.get': op('admin.clock.get', 'clock'),
  'ClockController.change': op('admin.clock.change', 'clock'),
  'TransitionsController.get': op('admin.transitions.get', 'transitions'),
  'TransitionsController.set': op('admin.transitions.set', 'transitions'),
  'TransitionsController.clear': op('admin.transitions.clear', 'transitions'),
  'ConsistencyController.get': op('admin.consistency.get', 'consistency'),
  'ConsistencyController.set': op('admin.consistency.set', 'consistency'),
  'RateLimitsController.get': op('admin.rateLimits.get', 'rateLimits'),
  'RateLimitsController.set': op('admin.rateLimits.set', 'rateLimits'),
  'ResetController.reset': op('admin.reset', 'project'),
  'ResetController.getSeed': op('admin.seed.get', 'seed'),
  'ResetController.setSeed': op('admin.seed.set', 'seed'),
  'ResetController.clearSeed': op('admin.seed.clear', 'seed'),
  'SnapshotController.take': op('admin.snapshot.take', 'snapshot'),
  'SnapshotController.restore': op('admin.snapshot.restore', 'snapshot'),
};

/** The operation of a controller method (undefined when the table lacks it). */
export function operationOf(controller: string, handler: string): OperationInfo | undefined {
  return OPERATION_NAMES[`${controller}.${handler}`];
}

/**
 * Runs first among the guards: names the call (and its resource id from the path) on the
 * request, so even a call the AuthGuard rejects is audited with its operation.
 */
@Injectable()
export class OperationGuard implements CanActivate {
  private readonly cache = new Map<unknown, OperationInfo | null>();

  canActivate(context: ExecutionContext): boolean {
    const handler = context.getHandler();
    let info = this.cache.get(handler);
    if (info === undefined) {
      info = operationOf(context.getClass().name, handler.name) ?? null;
      this.cache.set(handler, info);
    }
    const req = context.switchToHttp().getRequest<NimbusRequest>();
    const call = req.call;
    if (call && info) {
      call.operation = info;
      const params = req.params as Record<string, string | undefined>;
      call.resourceId ??=
        params.id ??
        params.tokenId ??
        (info.resourceType === 'project' ? params.projectId : undefined);
    }
    return true;
  }
}
