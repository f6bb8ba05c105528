import type { KubeConfig } from '@kubernetes/client-node';
import {
  noopLogger,
  waitForCacheSync,
  type KubeObject,
  type Scheduler,
} from '@app/controller-runtime';
import { InformerAdapter } from './informer-adapter';
import type { KubeRest } from './kube-rest';
import type {
  ListObject,
  ConfigMapObject,
  LeaseObject,
  NamespaceObject,
  NodeObject,
  PodObject,
  ServiceAccountObject,
  ServiceObject,
} from './wire-types';

export interface SharedInformersOptions {
  scheduler: Scheduler;
  onError?(resource: string, error: unknown): void;
}

export interface InformerSelectors {
  labelSelector?: string;
  fieldSelector?: string;
}

/**
 * client-go's SharedInformerFactory for components that work on raw JSON objects (the
 * kube-controller-manager, simulated kubelets, kube-proxy): one informer per resource path and
 * selectors, shared by every controller asking for it, listed with `KubeRest` (plain JSON, the
 * same shape the watch delivers) and watched with client-node's ListWatch.
 */
export class SharedInformers {
  private readonly informers = new Map<string, InformerAdapter<KubeObject>>();
  private started = false;

  constructor(
    private readonly kc: KubeConfig,
    private readonly rest: KubeRest,
    private readonly options: SharedInformersOptions,
  ) {}

  /** The shared informer for a collection path such as `/api/v1/pods`. */
  informer<T extends KubeObject>(
    path: string,
    selectors: InformerSelectors = {},
  ): InformerAdapter<T> {
    const key = `${path}?${selectors.labelSelector ?? ''}&${selectors.fieldSelector ?? ''}`;
    let informer = this.informers.get(key);
    if (!informer) {
      informer = new InformerAdapter<KubeObject>(
        this.kc,
        path,
        () =>
          this.rest.get<ListObject<KubeObject>>(path, {
            labelSelector: selectors.labelSelector,
            fieldSelector: selectors.fieldSelector,
          }),
        {
          scheduler: this.options.scheduler,
          labelSelector: selectors.labelSelector,
          fieldSelector: selectors.fieldSelector,
          onError: (e) => this.options.onError?.(path, e),
        },
      );
      this.informers.set(key, informer);
      if (this.started) {
        void informer.start();
      }
    }
    return informer as unknown as InformerAdapter<T>;
  }

  nodes(): InformerAdapter<NodeObject> {
    return this.informer<NodeObject>('/api/v1/nodes');
  }

  pods(selectors?: InformerSelectors): InformerAdapter<PodObject> {
    return this.informer<PodObject>('/api/v1/pods', selectors);
  }

  services(): InformerAdapter<ServiceObject> {
    return this.informer<ServiceObject>('/api/v1/services');
  }

  namespaces(): InformerAdapter<NamespaceObject> {
    return this.informer<NamespaceObject>('/api/v1/namespaces');
  }

  serviceAccounts(): InformerAdapter<ServiceAccountObject> {
    return this.informer<ServiceAccountObject>('/api/v1/serviceaccounts');
  }

  configMaps(selectors?: InformerSelectors): InformerAdapter<ConfigMapObject> {
    return this.informer<ConfigMapObject>('/api/v1/configmaps', selectors);
  }

  /** Leases of one namespace (`kube-node-lease` for node heartbeats). */
  leases(namespace: string): InformerAdapter<LeaseObject> {
    return this.informer<LeaseObject>(
      `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases`,
    );
  }

  /** Starts every informer asked for so far (and any asked for later). */
  async start(): Promise<void> {
    this.started = true;
    await Promise.all([...this.informers.values()].map((i) => i.start()));
  }

  /** Resolves true once every informer listed, false if `signal` aborted first. */
  waitForCacheSync(signal?: AbortSignal): Promise<boolean> {
    return waitForCacheSync(
      'shared-informers',
      [...this.informers.values()],
      this.options.scheduler,
      noopLogger,
      signal,
    );
  }

  async stop(): Promise<void> {
    this.started = false;
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
  }
}
