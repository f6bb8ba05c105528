import { PatchStrategy, setHeaderOptions, type CoreV1Api } from '@app/kube-client';
import type { LoadBalancerIngress, Service, ServiceWriter } from './service-types';

const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/**
 * ServiceWriter over the api-server. Finalizers go to the main resource and the ingress to the
 * `status` subresource (the built-in api-server, like upstream's, keeps metadata writes off
 * `/status`); both as JSON merge patches replacing the whole list, which is what upstream's
 * two-way strategic merge patch amounts to for these fields.
 */
export class KubeServiceWriter implements ServiceWriter {
  constructor(private readonly core: CoreV1Api) {}

  async patchFinalizers(service: Service, finalizers: string[]): Promise<void> {
    await this.core.patchNamespacedService(
      {
        name: service.metadata?.name ?? '',
        namespace: service.metadata?.namespace ?? '',
        body: { metadata: { finalizers } },
      },
      MERGE_PATCH,
    );
  }

  async patchLoadBalancerStatus(service: Service, ingress: LoadBalancerIngress[]): Promise<void> {
    await this.core.patchNamespacedServiceStatus(
      {
        name: service.metadata?.name ?? '',
        namespace: service.metadata?.namespace ?? '',
        body: { status: { loadBalancer: { ingress: ingress.length > 0 ? ingress : null } } },
      },
      MERGE_PATCH,
    );
  }
}
