import type { QuotaEvaluator } from '@app/common';
import { Indexer, isDeletedFinalStateUnknown, type KubeObject } from '@app/controller-runtime';
import { isNotFound, type KubeRest, type SharedInformers } from '@app/kube-client';

/** What a monitor tells the controller: an object of a tracked resource changed usage. */
export type Replenish = (
  evaluator: QuotaEvaluator,
  namespace: string,
  old: KubeObject | undefined,
  obj: KubeObject | undefined,
) => void;

interface Monitor {
  byNamespace: Indexer<KubeObject>;
  hasSynced(): boolean;
}

interface ApiGroup {
  preferredVersion?: { version: string };
}
interface ApiResourceList {
  resources?: { name: string }[];
}

/** No served resource for a `count/<resource>.<group>` name; the quota counts it as zero. */
export class UnknownResourceError extends Error {}

/**
 * The resource quota controller's QuotaMonitor: one informer per resource a quota tracks, made
 * when a quota first names it (so `count/widgets.example.com` works for custom resources, found
 * through discovery of the group's preferred version), each indexed by namespace and reporting
 * changes that can free quota (deletions, a pod turning terminal, a Service or claim shrinking).
 */
export class QuotaMonitors {
  private readonly monitors = new Map<string, Monitor>();
  private readonly pending = new Map<string, Promise<Monitor>>();

  constructor(
    private readonly informers: SharedInformers,
    private readonly rest: KubeRest,
    /** The shared pod informer's namespace index (pods are always watched). */
    private readonly podsByNamespace: Indexer<KubeObject>,
    private readonly podsHaveSynced: () => boolean,
    private readonly onChange: Replenish,
  ) {}

  /**
   * The evaluator's objects in the namespace, or undefined while its informer is still listing
   * (the sync is retried); throws UnknownResourceError when no such resource is served.
   */
  async objectsIn(evaluator: QuotaEvaluator, namespace: string): Promise<KubeObject[] | undefined> {
    const monitor = await this.monitorFor(evaluator);
    return monitor.hasSynced() ? monitor.byNamespace.byIndex(namespace) : undefined;
  }

  private monitorFor(evaluator: QuotaEvaluator): Promise<Monitor> {
    const key = `${evaluator.group}/${evaluator.resource}`;
    const known = this.monitors.get(key);
    if (known) {
      return Promise.resolve(known);
    }
    let pending = this.pending.get(key);
    if (!pending) {
      pending = this.create(evaluator).finally(() => this.pending.delete(key));
      this.pending.set(key, pending);
    }
    return pending;
  }

  private async create(evaluator: QuotaEvaluator): Promise<Monitor> {
    const key = `${evaluator.group}/${evaluator.resource}`;
    const isPods = key === '/pods';
    const informer = isPods
      ? this.informers.pods()
      : this.informers.informer<KubeObject>(await this.collectionPath(evaluator));
    const monitor: Monitor = isPods
      ? { byNamespace: this.podsByNamespace, hasSynced: this.podsHaveSynced }
      : {
          byNamespace: new Indexer(informer, (o) => [o.metadata?.namespace ?? '']),
          hasSynced: () => informer.hasSynced(),
        };
    informer.addEventHandler({
      onUpdate: (old, obj) => this.onChange(evaluator, obj.metadata?.namespace ?? '', old, obj),
      onDelete: (obj) => {
        const gone = isDeletedFinalStateUnknown(obj) ? obj.obj : obj;
        this.onChange(evaluator, gone.metadata?.namespace ?? '', gone, undefined);
      },
    });
    this.monitors.set(key, monitor);
    return monitor;
  }

  /** `/api/v1/<resource>` or `/apis/<group>/<preferred version>/<resource>`, if served. */
  private async collectionPath({ group, resource }: QuotaEvaluator): Promise<string> {
    try {
      let prefix = '/api/v1';
      if (group !== '') {
        const version = (await this.rest.get<ApiGroup>(`/apis/${group}`)).preferredVersion?.version;
        prefix = `/apis/${group}/${version}`;
      }
      const list = await this.rest.get<ApiResourceList>(prefix);
      if (list.resources?.some((r) => r.name === resource)) {
        return `${prefix}/${resource}`;
      }
    } catch (err) {
      if (!isNotFound(err)) {
        throw err;
      }
    }
    throw new UnknownResourceError(
      `the server serves no resource "${resource}"${group ? ` in group "${group}"` : ''}`,
    );
  }
}
