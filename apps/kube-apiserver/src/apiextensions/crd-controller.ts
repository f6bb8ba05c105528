import type { Clock } from '@app/common';
import type { ResourceService } from '../api/resource-service';
import { afterThisTurnAsServer } from '../auth/request-user';
import { cloneJson, type KubeObject } from '../object/types';
import { deepEqual } from '../object/deep-equal';
import type { ResourceRegistry } from '../registry/registry';
import { typeKey, type ResourceType } from '../registry/resource-type';
import type { SchemaRegistry } from '../schema/schema-registry';
import type { ObjectStore } from '../storage/object-store';
import type { CommittedWrite } from '../storage/revision';
import { formatTime } from '../time/kube-time';
import { setCondition } from './crd-conditions';
import { calculateNames } from './crd-names';
import { crdDefinitions } from './crd-openapi';
import {
  CLEANUP_FINALIZER,
  CRD_GROUP,
  crdSpec,
  crdStatus,
  isConditionTrue,
  type CrdCondition,
  type CrdStatus,
} from './crd-types';
import { customResourceKinds } from './custom-resource-kinds';

const CRD_KEY = `${CRD_GROUP}/customresourcedefinitions`;
/** The manager upstream records for the api-server's own status writes. */
const MANAGER = 'kube-apiserver';

interface Served {
  kinds: ResourceType[];
  definitions: string[];
  /** The CRD's storage key while it is served (its custom resources). */
  storageKey: string;
  crd: KubeObject;
}

/**
 * apiextensions-apiserver's controllers in one: naming (acceptedNames, `NamesAccepted`),
 * establishing (`Established`), serving (custom resource kinds in the registry, schemas in
 * OpenAPI, discovery follows the registry) and the finalizer that deletes every custom resource
 * of a deleted CRD before letting it go. Driven by CRD writes; synchronous like the REST layer.
 */
export class CrdController {
  private readonly served = new Map<string, Served>();
  private readonly pending = new Set<string>();
  private scheduled = false;
  private stopped = false;
  private readonly unsubscribe: () => void;
  private readonly crdKind: ResourceType;

  constructor(
    private readonly store: ObjectStore,
    private readonly registry: ResourceRegistry,
    private readonly schemas: SchemaRegistry,
    private readonly service: ResourceService,
    private readonly clock: Clock,
    private readonly log: (message: string, error?: unknown) => void,
  ) {
    this.crdKind = registry.get(CRD_GROUP, 'v1', 'customresourcedefinitions');
    // CRDs established before a restart are served before the server takes requests.
    for (const stored of store.list(CRD_KEY)) {
      if (isConditionTrue(stored.object, 'Established')) {
        this.serve(stored.object);
      }
      this.pending.add(stored.name);
    }
    this.unsubscribe = store.onWrite((write) => this.onWrite(write));
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe();
  }

  /** Runs every pending reconcile (on the tick after the writes that asked for it). */
  private flush(): void {
    this.scheduled = false;
    if (this.stopped) {
      return;
    }
    for (const name of [...this.pending]) {
      this.pending.delete(name);
      try {
        this.reconcile(name);
      } catch (error) {
        this.log(`reconciling customresourcedefinition ${name} failed`, error);
      }
    }
  }

  /** A periodic pass: terminating CRDs waiting for their custom resources' finalizers. */
  resync(): void {
    for (const stored of this.store.list(CRD_KEY)) {
      if (stored.object.metadata.deletionTimestamp) {
        this.enqueue(stored.name);
      }
    }
  }

  private onWrite({ revision }: CommittedWrite): void {
    if (revision.typeKey === CRD_KEY) {
      this.enqueue(revision.name);
      // Names another CRD gave up may now be free for those in conflict.
      for (const other of this.store.list(CRD_KEY)) {
        if (other.name !== revision.name && !isConditionTrue(other.object, 'NamesAccepted')) {
          this.enqueue(other.name);
        }
      }
      return;
    }
    if (revision.type === 'DELETED') {
      for (const [name, served] of this.served) {
        if (served.storageKey === revision.typeKey && served.crd.metadata.deletionTimestamp) {
          this.enqueue(name);
        }
      }
    }
  }

  private enqueue(name: string): void {
    this.pending.add(name);
    this.schedule();
  }

  private schedule(): void {
    if (!this.scheduled) {
      this.scheduled = true;
      afterThisTurnAsServer(() => this.flush());
    }
  }

  private reconcile(name: string): void {
    const stored = this.store.get(CRD_KEY, '', name);
    if (!stored) {
      this.stopServing(name);
      return;
    }
    const crd = stored.object;
    if (crd.metadata.deletionTimestamp) {
      this.finalize(crd);
      return;
    }
    if (this.updateNames(crd)) {
      return; // the status write enqueues the next step
    }
    if (isConditionTrue(crd, 'NamesAccepted') && !isConditionTrue(crd, 'Established')) {
      this.writeStatus(crd, {
        type: 'Established',
        status: 'True',
        reason: 'InitialNamesAccepted',
        message: 'the initial names have been accepted',
      });
      return;
    }
    if (isConditionTrue(crd, 'Established')) {
      this.serve(crd);
    }
  }

  /** The naming controller: true when it wrote a new status. */
  private updateNames(crd: KubeObject): boolean {
    const others = this.store.list(CRD_KEY).map((s) => s.object);
    const result = calculateNames(crd, others);
    const now = formatTime(this.clock.now());
    const status = crdStatus(crd);
    let conditions = setCondition(status.conditions, result.namesAccepted, now);
    conditions = setCondition(conditions, result.established, now);
    const next: CrdStatus = { ...status, acceptedNames: result.acceptedNames, conditions };
    if (deepEqual(next, status)) {
      return false;
    }
    this.putStatus(crd, next);
    return true;
  }

  private writeStatus(crd: KubeObject, condition: CrdCondition): void {
    const status = crdStatus(crd);
    const conditions = setCondition(status.conditions, condition, formatTime(this.clock.now()));
    this.putStatus(crd, { ...status, conditions });
  }

  private putStatus(crd: KubeObject, status: CrdStatus): KubeObject {
    const next = cloneJson(crd);
    next.status = status;
    return this.service.update(this.crdKind, '', crd.metadata.name ?? '', next, 'status', {
      dryRun: false,
      fieldManager: MANAGER,
    }).object;
  }

  /** Registers (or refreshes) the kinds and schemas of an established CRD. */
  private serve(crd: KubeObject): void {
    const name = crd.metadata.name ?? '';
    const current = this.served.get(name);
    if (
      current &&
      deepEqual(current.crd.spec, crd.spec) &&
      deepEqual(current.crd.status, crd.status) &&
      current.crd.metadata.deletionTimestamp === crd.metadata.deletionTimestamp
    ) {
      current.crd = crd;
      return;
    }
    const accepted = crdStatus(crd).acceptedNames ?? {};
    const spec = crdSpec(crd);
    const named = cloneJson(crd);
    named.spec = { ...spec, names: { ...spec.names, ...accepted } };
    const kinds = customResourceKinds(named);
    const definitions = crdDefinitions(crdSpec(named));
    const gone = (current?.definitions ?? []).filter((d) => !(d in definitions));
    if (current) {
      this.registry.unregister(current.kinds.filter((k) => !kinds.some((n) => same(n, k))));
    }
    this.schemas.registerDefinitions(definitions);
    if (gone.length) {
      this.schemas.removeDefinitions(gone);
    }
    this.registry.register(kinds);
    this.served.set(name, {
      kinds,
      definitions: Object.keys(definitions),
      storageKey: kinds[0] ? typeKey(kinds[0]) : '',
      crd,
    });
  }

  private stopServing(name: string): void {
    const current = this.served.get(name);
    if (!current) {
      return;
    }
    this.served.delete(name);
    this.registry.unregister(current.kinds);
    this.schemas.removeDefinitions(current.definitions);
  }

  /**
   * The finalizer controller: deletes every custom resource (their own finalizers respected),
   * then drops `customresourcecleanup.apiextensions.k8s.io` so the CRD goes.
   */
  private finalize(crd: KubeObject): void {
    const name = crd.metadata.name ?? '';
    if (!(crd.metadata.finalizers ?? []).includes(CLEANUP_FINALIZER)) {
      return;
    }
    if (this.served.has(name)) {
      this.serve(crd); // discovery stops offering create
    }
    const served = this.served.get(name);
    let outcome: CrdCondition;
    if (!isConditionTrue(crd, 'Established') || !served?.kinds[0]) {
      outcome = {
        type: 'Terminating',
        status: 'False',
        reason: 'NeverEstablished',
        message: 'resource was never established',
      };
    } else {
      const kind = served.kinds[0];
      for (const item of [...this.service.storeOf(kind).list()]) {
        if (!item.object.metadata.deletionTimestamp) {
          try {
            this.service.delete(kind, item.namespace, item.name, {});
          } catch (error) {
            this.log(`deleting ${kind.resource}.${kind.group} ${item.name} failed`, error);
          }
        }
      }
      if (this.service.storeOf(kind).list().length > 0) {
        const inProgress: CrdCondition = {
          type: 'Terminating',
          status: 'True',
          reason: 'InstanceDeletionInProgress',
          message: 'CustomResource deletion is in progress',
        };
        const current = crdStatus(crd).conditions?.find((c) => c.type === 'Terminating');
        if (current?.reason !== inProgress.reason) {
          this.writeStatus(crd, inProgress);
        }
        return; // custom resources with finalizers: back when they go (or on resync)
      }
      outcome = {
        type: 'Terminating',
        status: 'False',
        reason: 'InstanceDeletionCompleted',
        message: 'removed all instances',
      };
    }
    const withStatus = this.putStatus(crd, {
      ...crdStatus(crd),
      conditions: setCondition(crdStatus(crd).conditions, outcome, formatTime(this.clock.now())),
    });
    const next = cloneJson(withStatus);
    next.metadata.finalizers = (next.metadata.finalizers ?? []).filter(
      (f) => f !== CLEANUP_FINALIZER,
    );
    this.service.update(this.crdKind, '', name, next, undefined, {
      dryRun: false,
      fieldManager: MANAGER,
    });
  }
}

function same(a: ResourceType, b: ResourceType): boolean {
  return a.group === b.group && a.version === b.version && a.resource === b.resource;
}
