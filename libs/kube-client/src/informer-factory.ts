import { CoreV1Api, type KubeConfig, type V1Node, type V1Service } from '@kubernetes/client-node';
import { noopLogger, waitForCacheSync, type Scheduler } from '@app/controller-runtime';
import { InformerAdapter } from './informer-adapter';

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
  private nodeInformer: InformerAdapter<V1Node> | undefined;
  private serviceInformer: InformerAdapter<V1Service> | undefined;
  private started = false;

  constructor(
    private readonly kc: KubeConfig,
    private readonly options: InformerFactoryOptions = {},
  ) {
    this.core = kc.makeApiClient(CoreV1Api);
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

  private all(): (InformerAdapter<V1Node> | InformerAdapter<V1Service>)[] {
    const all: (InformerAdapter<V1Node> | InformerAdapter<V1Service>)[] = [];
    if (this.nodeInformer) {
      all.push(this.nodeInformer);
    }
    if (this.serviceInformer) {
      all.push(this.serviceInformer);
    }
    return all;
  }

  private track<T extends V1Node | V1Service>(informer: InformerAdapter<T>): InformerAdapter<T> {
    if (this.started) {
      void informer.start();
    }
    return informer;
  }
}
