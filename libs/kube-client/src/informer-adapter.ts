import type { KubeConfig, KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import type {
  DeletedFinalStateUnknown,
  Informer,
  KubeObject,
  ResourceEventHandler,
  Scheduler,
  TimerHandle,
} from '@app/controller-runtime';
import { createResilientInformer, type ResilientInformer } from './resilient-informer';

export interface InformerAdapterOptions {
  /** Calls every handler's onUpdate(obj, obj) for each cached object this often (0 = never). */
  resyncPeriodMs?: number;
  /** Needed for resyncs. */
  scheduler?: Scheduler;
  labelSelector?: string;
  fieldSelector?: string;
  onError?(error: unknown): void;
}

/**
 * A client-node informer (restarting with backoff) behind controller-runtime's `Informer`
 * interface. client-node's update callback has only the new object and relist deletions look like
 * watch deletions, so this keeps its own copy per key: updates get (old, new), and a deletion
 * noticed while a relist is being applied is delivered as a `DeletedFinalStateUnknown` tombstone.
 */
export class InformerAdapter<T extends KubeObject> implements Informer<T> {
  private readonly handlers: ResourceEventHandler<T>[] = [];
  private readonly objects = new Map<string, T>();
  private readonly inner: ResilientInformer<KubernetesObject>;
  private synced = false;
  /** True from the moment a list answered until its items were applied (same macrotask). */
  private applyingList = false;
  private initialList = true;
  private resyncTimer: TimerHandle | undefined;
  private running = false;

  constructor(
    kc: KubeConfig,
    path: string,
    list: () => Promise<KubernetesListObject<KubernetesObject> | { items: T[] }>,
    private readonly options: InformerAdapterOptions = {},
  ) {
    const listed = async () => {
      const result = await list();
      // client-node applies the list (deletions, then adds/updates) synchronously right after
      // this promise settles; the flag is cleared once that macrotask is over.
      this.applyingList = true;
      setImmediate(() => {
        this.applyingList = false;
        this.initialList = false;
        this.synced = true;
      });
      return result;
    };
    this.inner = createResilientInformer<KubernetesObject>(
      kc,
      path,
      listed,
      {
        add: (obj) => this.onAddOrUpdate(obj as T),
        update: (obj) => this.onAddOrUpdate(obj as T),
        delete: (obj) => this.onDelete(obj as T),
        // A stop aborts the watch request; that is no failure worth reporting.
        error: (error) => {
          if (this.running) {
            options.onError?.(error);
          }
        },
      },
      { labelSelector: options.labelSelector, fieldSelector: options.fieldSelector },
    );
  }

  addEventHandler(handler: ResourceEventHandler<T>): void {
    this.handlers.push(handler);
    // Late registration sees the current cache as adds, like client-go's shared informer.
    for (const obj of this.objects.values()) {
      handler.onAdd?.(obj, false);
    }
  }

  hasSynced(): boolean {
    return this.synced;
  }

  async start(): Promise<void> {
    if (this.running) {
      return;
    }
    this.running = true;
    await this.inner.start();
    this.scheduleResync();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.resyncTimer?.cancel();
    await this.inner.stop();
  }

  /** The cached object (lister semantics): `name` or `namespace/name`. */
  get(key: string): T | undefined {
    return this.objects.get(key);
  }

  list(): T[] {
    return [...this.objects.values()];
  }

  private onAddOrUpdate(obj: T): void {
    const key = keyOf(obj);
    const old = this.objects.get(key);
    this.objects.set(key, obj);
    for (const handler of this.handlers) {
      if (old) {
        handler.onUpdate?.(old, obj);
      } else {
        handler.onAdd?.(obj, this.initialList && this.applyingList);
      }
    }
  }

  private onDelete(obj: T): void {
    const key = keyOf(obj);
    const last = this.objects.get(key) ?? obj;
    this.objects.delete(key);
    const delivered: T | DeletedFinalStateUnknown<T> = this.applyingList
      ? { kind: 'DeletedFinalStateUnknown', key, obj: last }
      : obj;
    for (const handler of this.handlers) {
      handler.onDelete?.(delivered);
    }
  }

  private scheduleResync(): void {
    const period = this.options.resyncPeriodMs ?? 0;
    const scheduler = this.options.scheduler;
    if (!period || !scheduler || !this.running) {
      return;
    }
    this.resyncTimer = scheduler.setTimer(() => {
      for (const obj of this.objects.values()) {
        for (const handler of this.handlers) {
          handler.onUpdate?.(obj, obj);
        }
      }
      this.scheduleResync();
    }, period);
  }
}

function keyOf(obj: KubeObject): string {
  const name = obj.metadata?.name ?? '';
  const namespace = obj.metadata?.namespace;
  return namespace ? `${namespace}/${name}` : name;
}
