import type { Clock } from '@app/common';
import type { ResourceService } from '../api/resource-service';
import type { ResourceType } from '../registry/resource-type';
import type { ObjectStore } from '../storage/object-store';
import type { CommittedWrite } from '../storage/revision';

const PODS = '/pods';

/**
 * Plays the kubelet's last step of graceful deletion. There are no containers to stop, so a pod is
 * removed once its finalizers are gone and `stopSeconds` (how long its containers take to exit,
 * capped by the grace period) have passed since the delete.
 */
export class PodGraceReaper {
  private readonly terminating = new Map<string, { namespace: string; name: string }>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly store: ObjectStore,
    private readonly podKind: ResourceType,
    private readonly service: ResourceService,
    private readonly clock: Clock,
    private readonly stopSeconds: number,
    private readonly log: (message: string, error?: unknown) => void,
  ) {
    for (const pod of store.list(PODS)) {
      if (pod.object.metadata.deletionTimestamp) {
        this.terminating.set(`${pod.namespace}/${pod.name}`, {
          namespace: pod.namespace,
          name: pod.name,
        });
      }
    }
    this.unsubscribe = store.onWrite((write) => this.onWrite(write));
  }

  stop(): void {
    this.unsubscribe();
  }

  private onWrite({ revision, object }: CommittedWrite): void {
    if (revision.typeKey !== PODS) {
      return;
    }
    const key = `${revision.namespace}/${revision.name}`;
    if (revision.type !== 'DELETED' && object.metadata.deletionTimestamp) {
      this.terminating.set(key, { namespace: revision.namespace, name: revision.name });
    } else {
      this.terminating.delete(key);
    }
  }

  /** Removes every pod whose grace period is over. */
  reap(): void {
    for (const { namespace, name } of [...this.terminating.values()]) {
      const pod = this.store.get(PODS, namespace, name);
      if (!pod) {
        this.terminating.delete(`${namespace}/${name}`);
        continue;
      }
      const meta = pod.object.metadata;
      const grace = meta.deletionGracePeriodSeconds ?? 0;
      const deleteRequestedAt = Date.parse(meta.deletionTimestamp ?? '') - grace * 1000;
      if (this.clock.now() < deleteRequestedAt + Math.min(grace, this.stopSeconds) * 1000) {
        continue;
      }
      try {
        this.service.finishDeletion(this.podKind, pod);
      } catch (error) {
        this.log(`finishing deletion of pod ${namespace}/${name} failed`, error);
      }
    }
  }
}
