import { CONTROLLER_MANAGER } from '../api/field-managers';
import { afterThisTurnAsServer } from '../auth/request-user';
import type { ResourceService } from '../api/resource-service';
import type { ResourceRegistry } from '../registry/registry';
import { typeKey } from '../registry/resource-type';
import type { ObjectStore } from '../storage/object-store';
import type { CommittedWrite } from '../storage/revision';

const NAMESPACES = '/namespaces';

/**
 * The namespace controller's deletion half: empties Terminating namespaces (deleting each object,
 * respecting finalizers and pod grace), then removes the `kubernetes` finalizer through
 * `namespaces/<ns>/finalize`, which lets the namespace go.
 */
export class NamespaceFinalizer {
  private scheduled = false;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly store: ObjectStore,
    private readonly registry: ResourceRegistry,
    private readonly service: ResourceService,
    private readonly log: (message: string, error?: unknown) => void,
  ) {
    this.unsubscribe = store.onWrite((write) => this.onWrite(write));
  }

  stop(): void {
    this.unsubscribe();
  }

  private onWrite(write: CommittedWrite): void {
    const { revision, object } = write;
    const relevant =
      (revision.typeKey === NAMESPACES &&
        object.metadata.deletionTimestamp !== undefined &&
        revision.type === 'MODIFIED') ||
      (revision.type === 'DELETED' &&
        revision.namespace !== '' &&
        this.isTerminating(revision.namespace));
    if (relevant && !this.scheduled) {
      this.scheduled = true;
      afterThisTurnAsServer(() => {
        this.scheduled = false;
        this.reconcile();
      });
    }
  }

  private isTerminating(namespace: string): boolean {
    return (
      this.store.get(NAMESPACES, '', namespace)?.object.metadata.deletionTimestamp !== undefined
    );
  }

  /** One pass over every Terminating namespace. */
  reconcile(): void {
    const namespaceKind = this.registry.get('', 'v1', 'namespaces');
    for (const ns of this.store.list(NAMESPACES)) {
      if (!ns.object.metadata.deletionTimestamp) {
        continue;
      }
      try {
        let remaining = 0;
        for (const kind of this.registry.storageKinds()) {
          if (kind.scope !== 'Namespaced') {
            continue;
          }
          for (const obj of [...this.store.list(typeKey(kind), ns.name)]) {
            // Terminating objects wait for their finalizers / the pod grace reaper.
            if (!obj.object.metadata.deletionTimestamp) {
              this.service.delete(kind, ns.name, obj.name, {});
            }
          }
          remaining += this.store.list(typeKey(kind), ns.name).length;
        }
        const current = this.store.get(NAMESPACES, '', ns.name);
        const finalizers =
          (current?.object.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [];
        if (current && remaining === 0 && finalizers.includes('kubernetes')) {
          this.service.update(
            namespaceKind,
            '',
            ns.name,
            {
              ...current.object,
              spec: { finalizers: finalizers.filter((f) => f !== 'kubernetes') },
            },
            'finalize',
            { dryRun: false, fieldManager: CONTROLLER_MANAGER },
          );
        }
      } catch (error) {
        this.log(`finalizing namespace ${ns.name} failed`, error);
      }
    }
  }
}
