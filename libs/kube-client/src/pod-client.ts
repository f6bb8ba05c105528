import type { KubeConfig, V1Pod } from '@kubernetes/client-node';
import { KubeRest } from './kube-rest';

const podPath = (namespace: string, name: string) =>
  `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}`;

/** The pod calls a scheduler makes (client-go's `Pods()` surface it uses), over plain JSON. */
export class PodClient {
  private readonly rest: KubeRest;

  constructor(kc: KubeConfig) {
    this.rest = new KubeRest(kc);
  }

  /**
   * `POST pods/<name>/binding` (DefaultBinder): the api-server sets `spec.nodeName` and
   * `PodScheduled=True`; a pod already bound is a 409.
   */
  async bind(
    namespace: string,
    name: string,
    uid: string | undefined,
    node: string,
  ): Promise<void> {
    await this.rest.create(`${podPath(namespace, name)}/binding`, {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { namespace, name, ...(uid ? { uid } : {}) },
      target: { apiVersion: 'v1', kind: 'Node', name: node },
    });
  }

  /** Strategic-merge PATCH of `pods/<name>/status` (util.PatchPodStatus). */
  patchStatus(namespace: string, name: string, body: object): Promise<V1Pod> {
    return this.rest.patch<V1Pod>(`${podPath(namespace, name)}/status`, body, 'strategic');
  }

  /** DELETE with the pod's own grace period (a preemption victim), guarded by its UID. */
  async delete(namespace: string, name: string, uid?: string): Promise<void> {
    await this.rest.delete(podPath(namespace, name), uid ? { preconditions: { uid } } : undefined);
  }
}
