import type { ResourceService } from '../api/resource-service';
import type { ResourceRegistry } from '../registry/registry';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/**
 * What kube-apiserver's bootstrap controllers create: the system namespaces and the
 * `default/kubernetes` Service on the first ClusterIP.
 */
/** The manager upstream records for objects the api-server creates itself. */
const MANAGER = 'kube-apiserver';

export function bootstrapCluster(
  service: ResourceService,
  registry: ResourceRegistry,
  apiserverIp: string,
  port: number,
): void {
  const namespaces = registry.get('', 'v1', 'namespaces');
  for (const name of SYSTEM_NAMESPACES) {
    if (!tryGet(() => service.get(namespaces, '', name))) {
      service.create(
        namespaces,
        '',
        { metadata: { name } },
        { dryRun: false, fieldManager: MANAGER },
      );
    }
  }
  const services = registry.get('', 'v1', 'services');
  if (!tryGet(() => service.get(services, 'default', 'kubernetes'))) {
    service.create(
      services,
      'default',
      {
        metadata: {
          name: 'kubernetes',
          labels: { component: 'apiserver', provider: 'kubernetes' },
        },
        spec: {
          type: 'ClusterIP',
          clusterIP: apiserverIp,
          ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: port }],
        },
      },
      { dryRun: false, fieldManager: MANAGER },
    );
  }
}

function tryGet(fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch {
    return false;
  }
}
