import type { ServiceClient } from '@app/kube-client';
import type { ServiceCondition } from './load-balancer-conditions';
import type { LoadBalancerIngress, Service, ServiceWriter } from './service-types';

/**
 * ServiceWriter over the api-server. Finalizers go to the main resource and the ingress to the
 * `status` subresource (the built-in api-server keeps metadata writes off `/status`); both are
 * merge patches replacing the whole list, which is what upstream's two-way strategic merge patch
 * amounts to for these fields (no resourceVersion, as upstream).
 */
export class KubeServiceWriter implements ServiceWriter {
  constructor(private readonly services: ServiceClient) {}

  async patchFinalizers(service: Service, finalizers: string[]): Promise<void> {
    const { namespace = '', name = '' } = service.metadata ?? {};
    await this.services.patchFinalizers(namespace, name, finalizers);
  }

  async patchLoadBalancerStatus(service: Service, ingress: LoadBalancerIngress[]): Promise<void> {
    const { namespace = '', name = '' } = service.metadata ?? {};
    await this.services.patchLoadBalancerStatus(namespace, name, { ingress });
  }

  async patchConditions(
    service: Service,
    conditions: readonly ServiceCondition[],
    removeTypes: readonly string[] = [],
  ): Promise<void> {
    const { namespace = '', name = '' } = service.metadata ?? {};
    const removals = removeTypes.map((type) => ({ type, $patch: 'delete' }));
    await this.services.patchStatus(
      namespace,
      name,
      { status: { conditions: [...conditions, ...removals] } },
      'strategic',
    );
  }
}
