import {
  CoreV1Api,
  StorageV1Api,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  type V1CSINode,
  type V1Node,
  type V1PersistentVolume,
  type V1PersistentVolumeClaim,
  type V1Service,
  type V1StorageClass,
  type V1VolumeAttachment,
} from '@kubernetes/client-node';
import { noopLogger, waitForCacheSync, type Scheduler } from '@app/controller-runtime';
import { InformerAdapter } from './informer-adapter';
import { makeApiClient } from './api-clients';

export interface InformerFactoryOptions {
  scheduler?: Scheduler;
  /** Resync period of the Node informer (upstream: `--min-resync-period`, 12 h; 0 = none). */
  nodeResyncPeriodMs?: number;
  /** Resync period of the Service informer (0 = none). */
  serviceResyncPeriodMs?: number;
  onError?(resource: string, error: unknown): void;
}

/**
 * client-go's SharedInformerFactory, reduced to what the CCM watches: one shared informer per
 * resource, created on first use, started together.
 */
export class InformerFactory {
  private readonly core: CoreV1Api;
  private readonly storage: StorageV1Api;
  /** Informers of other resources (storage, …), by API path. */
  private readonly others = new Map<string, InformerAdapter<KubernetesObject>>();
  private nodeInformer: InformerAdapter<V1Node> | undefined;
  private serviceInformer: InformerAdapter<V1Service> | undefined;
  private started = false;

  constructor(
    private readonly kc: KubeConfig,
    private readonly options: InformerFactoryOptions = {},
  ) {
    this.core = makeApiClient(kc, CoreV1Api);
    this.storage = makeApiClient(kc, StorageV1Api);
  }

  nodes(): InformerAdapter<V1Node> {
    this.nodeInformer ??= this.track(
      new InformerAdapter<V1Node>(this.kc, '/api/v1/nodes', () => this.core.listNode(), {
        scheduler: this.options.scheduler,
        resyncPeriodMs: this.options.nodeResyncPeriodMs,
        onError: (e) => this.options.onError?.('nodes', e),
      }),
    );
    return this.nodeInformer;
  }

  services(): InformerAdapter<V1Service> {
    this.serviceInformer ??= this.track(
      new InformerAdapter<V1Service>(
        this.kc,
        '/api/v1/services',
        () => this.core.listServiceForAllNamespaces(),
        {
          scheduler: this.options.scheduler,
          resyncPeriodMs: this.options.serviceResyncPeriodMs,
          onError: (e) => this.options.onError?.('services', e),
        },
      ),
    );
    return this.serviceInformer;
  }

  persistentVolumeClaims(): InformerAdapter<V1PersistentVolumeClaim> {
    return this.shared('/api/v1/persistentvolumeclaims', () =>
      this.core.listPersistentVolumeClaimForAllNamespaces(),
    );
  }

  persistentVolumes(): InformerAdapter<V1PersistentVolume> {
    return this.shared('/api/v1/persistentvolumes', () => this.core.listPersistentVolume());
  }

  storageClasses(): InformerAdapter<V1StorageClass> {
    return this.shared('/apis/storage.k8s.io/v1/storageclasses', () =>
      this.storage.listStorageClass(),
    );
  }

  csiNodes(): InformerAdapter<V1CSINode> {
    return this.shared('/apis/storage.k8s.io/v1/csinodes', () => this.storage.listCSINode());
  }

  volumeAttachments(): InformerAdapter<V1VolumeAttachment> {
    return this.shared('/apis/storage.k8s.io/v1/volumeattachments', () =>
      this.storage.listVolumeAttachment(),
    );
  }

  /** Starts every informer asked for so far (and any asked for later). */
  async start(): Promise<void> {
    this.started = true;
    await Promise.all(this.all().map((i) => i.start()));
  }

  /** Resolves true once every started informer listed, false if `signal` aborted first. */
  waitForCacheSync(signal?: AbortSignal, scheduler?: Scheduler): Promise<boolean> {
    const s = scheduler ?? this.options.scheduler;
    if (!s) {
      throw new Error('waitForCacheSync needs a scheduler');
    }
    return waitForCacheSync('informer-factory', this.all(), s, noopLogger, signal);
  }

  async stop(): Promise<void> {
    this.started = false;
    await Promise.all(this.all().map((i) => i.stop()));
  }

  /** One informer per path, created on first use (no resync: the controllers asked for none). */
  private shared<T extends KubernetesObject>(
    path: string,
    list: () => Promise<KubernetesListObject<T>>,
  ): InformerAdapter<T> {
    let informer = this.others.get(path) as InformerAdapter<T> | undefined;
    if (!informer) {
      informer = this.track(
        new InformerAdapter<T>(this.kc, path, list, {
          scheduler: this.options.scheduler,
          onError: (e) => this.options.onError?.(path.split('/').pop() ?? path, e),
        }),
      );
      this.others.set(path, informer);
    }
    return informer;
  }

  private all(): InformerAdapter<KubernetesObject>[] {
    const all: InformerAdapter<KubernetesObject>[] = [...this.others.values()];
    for (const informer of [this.nodeInformer, this.serviceInformer]) {
      if (informer) {
        all.push(informer);
      }
    }
    return all;
  }

  private track<T extends KubernetesObject>(informer: InformerAdapter<T>): InformerAdapter<T> {
    if (this.started) {
      void informer.start();
    }
    return informer;
  }
}
