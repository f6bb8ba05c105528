import type { KubeRest, LeaseObject } from '@app/kube-client';
import type { Row } from './report';

const CONTROL_PLANE = ['kube-controller-manager', 'kube-scheduler', 'cloud-controller-manager'];

/**
 * Whether the control plane kept its leases: each Lease's `leaseTransitions` counts the times its
 * holder changed since the first leader (a loss, then `nimbus up` restarting the component).
 */
export async function leaseRows(rest: KubeRest, phase: string): Promise<Row[]> {
  const counts = await Promise.all(
    CONTROL_PLANE.map(async (name) => {
      const lease = await rest.get<LeaseObject>(
        `/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/${name}`,
      );
      return `${name} ${lease.spec?.leaseTransitions ?? 0}`;
    }),
  );
  return [[`  lease transitions (losses) after ${phase}`, counts.join(', ')]];
}
