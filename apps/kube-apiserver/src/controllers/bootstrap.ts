import type { ResourceService } from '../api/resource-service';
import { SYSTEM_PRIORITY_CLASSES } from '../registry/kinds/priority-class.kind';
import type { ResourceRegistry } from '../registry/registry';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** The manager upstream records for objects the api-server creates itself. */
const MANAGER = 'kube-apiserver';

/**
 * What kube-apiserver's bootstrap controllers and post-start hooks create: the system namespaces,
 * the `default/kubernetes` Service on the first ClusterIP and the system PriorityClasses
 * (`scheduling/bootstrap-system-priority-classes`: created when missing, left alone otherwise).
 */
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
  const priorityClasses = registry.get('scheduling.k8s.io', 'v1', 'priorityclasses');
  for (const { name, value, description } of SYSTEM_PRIORITY_CLASSES) {
    if (!tryGet(() => service.get(priorityClasses, '', name))) {
      service.create(
        priorityClasses,
        '',
        { metadata: { name }, value, description },
        { dryRun: false, fieldManager: MANAGER },
      );
    }
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
