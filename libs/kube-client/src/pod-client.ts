import {
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type V1Pod,
} from '@kubernetes/client-node';

/** The pod calls a scheduler makes (client-go's `Pods()` surface it uses). */
export class PodClient {
  private readonly core: CoreV1Api;

  constructor(kc: KubeConfig) {
    this.core = kc.makeApiClient(CoreV1Api);
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
    await this.core.createNamespacedPodBinding({
      namespace,
      name,
      body: {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { namespace, name, ...(uid ? { uid } : {}) },
        target: { apiVersion: 'v1', kind: 'Node', name: node },
      },
    });
  }

  /** Strategic-merge PATCH of `pods/<name>/status` (util.PatchPodStatus). */
  patchStatus(namespace: string, name: string, body: object): Promise<V1Pod> {
    return this.core.patchNamespacedPodStatus(
      { namespace, name, body },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
  }

  /** DELETE with the pod's own grace period (a preemption victim), guarded by its UID. */
  async delete(namespace: string, name: string, uid?: string): Promise<void> {
    await this.core.deleteNamespacedPod({
      namespace,
      name,
      body: uid ? { preconditions: { uid } } : undefined,
    });
  }
}
