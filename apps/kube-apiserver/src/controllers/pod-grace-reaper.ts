import type { ResourceService } from '../api/resource-service';
import type { ResourceType } from '../registry/resource-type';
import type { ObjectStore } from '../storage/object-store';
import type { CommittedWrite } from '../storage/revision';

const PODS = '/pods';

/**
 * Plays the kubelet's last step of graceful deletion: a pod whose grace period has run out (and
 * that has no finalizers left) is removed. There are no real containers to stop.
 */
export class PodGraceReaper {
  private readonly terminating = new Map<string, { namespace: string; name: string }>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly store: ObjectStore,
    private readonly podKind: ResourceType,
    private readonly service: ResourceService,
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
      try {
        this.service.finishDeletion(this.podKind, pod);
      } catch (error) {
        this.log(`finishing deletion of pod ${namespace}/${name} failed`, error);
      }
    }
  }
}
