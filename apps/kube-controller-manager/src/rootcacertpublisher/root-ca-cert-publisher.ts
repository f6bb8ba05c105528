import { Controller, type Logger, type Scheduler } from '@app/controller-runtime';
import {
  isConflict,
  isNotFound,
  type ConfigMapObject,
  type InformerAdapter,
  type KubeRest,
  type NamespaceObject,
} from '@app/kube-client';

export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
export const DESCRIPTION_ANNOTATION = 'kubernetes.io/description';
/** The annotation upstream's publisher sets (verified in controller source). */
export const ROOT_CA_DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

/**
 * upstream pkg/controller/certificates/rootcacertpublisher (`root-ca-certificate-publisher-controller`):
 * every namespace has the ConfigMap `kube-root-ca.crt` holding the cluster CA as `ca.crt`, with
 * the description annotation; edits and deletions are put back.
 */
export class RootCaCertPublisher {
  private readonly controller: Controller;

  constructor(
    private readonly deps: {
      rest: KubeRest;
      rootCa: string;
      namespaces: InformerAdapter<NamespaceObject>;
      configMaps: InformerAdapter<ConfigMapObject>;
      scheduler: Scheduler;
      logger: Logger;
    },
  ) {
    this.controller = new Controller({
      name: 'root-ca-certificate-publisher-controller',
      queueName: 'root_ca_cert_publisher',
      scheduler: deps.scheduler,
      logger: deps.logger,
      workers: 1,
      reconcile: (namespace) => this.sync(namespace),
    });
    this.controller.watch(deps.namespaces, { delete: false });
    const requeue = (cm: ConfigMapObject) => {
      if (cm.metadata?.name === ROOT_CA_CONFIGMAP) {
        this.controller.enqueueKey(cm.metadata.namespace ?? '');
      }
    };
    deps.configMaps.addEventHandler({
      onUpdate: (_old, cm) => requeue(cm),
      onDelete: (cm) => requeue('obj' in cm ? cm.obj : cm),
    });
  }

  async start(): Promise<void> {
    await this.controller.start();
  }

  async stop(): Promise<void> {
    await this.controller.stop();
  }

  private async sync(namespace: string): Promise<void> {
    const ns = this.deps.namespaces.get(namespace);
    if (!ns || ns.metadata?.deletionTimestamp) {
      return;
    }
    const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps`;
    const cm = this.deps.configMaps.get(`${namespace}/${ROOT_CA_CONFIGMAP}`);
    const data = { 'ca.crt': this.deps.rootCa };
    if (!cm) {
      try {
        await this.deps.rest.create(path, {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: {
            name: ROOT_CA_CONFIGMAP,
            annotations: { [DESCRIPTION_ANNOTATION]: ROOT_CA_DESCRIPTION },
          },
          data,
        });
      } catch (err) {
        if (isConflict(err) || (err as { code?: number }).code === 403 || isNotFound(err)) {
          return;
        }
        throw err;
      }
      return;
    }
    if (
      cm.data?.['ca.crt'] === this.deps.rootCa &&
      Object.keys(cm.data ?? {}).length === 1 &&
      cm.metadata?.annotations?.[DESCRIPTION_ANNOTATION]
    ) {
      return;
    }
    await this.deps.rest.replace(`${path}/${ROOT_CA_CONFIGMAP}`, {
      ...cm,
      metadata: {
        ...cm.metadata,
        annotations: {
          [DESCRIPTION_ANNOTATION]: ROOT_CA_DESCRIPTION,
          ...cm.metadata?.annotations,
        },
      },
      data,
    });
  }
}
