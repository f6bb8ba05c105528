import { badRequest } from '../errors/kube-error';
import {
  configMapKind,
  limitRangeKind,
  secretKind,
  serviceAccountKind,
} from './kinds/config.kinds';
import { resourceQuotaKind } from './kinds/resource-quota.kind';
import {
  validatingAdmissionPolicyBindingKind,
  validatingAdmissionPolicyKind,
} from './kinds/admission-policy.kinds';
import { controllerRevisionKind } from './kinds/controller-revision.kind';
import { cronJobKind } from './kinds/cron-job.kind';
import { daemonSetKind } from './kinds/daemon-set.kind';
import { deploymentKind } from './kinds/deployment.kind';
import { endpointSliceKind } from './kinds/endpoint-slice.kind';
import { endpointsKind } from './kinds/endpoints.kind';
import { eventKind, eventsV1Kind } from './kinds/event.kind';
import {
  horizontalPodAutoscalerKind,
  horizontalPodAutoscalerV1Kind,
} from './kinds/horizontal-pod-autoscaler.kind';
import { jobKind } from './kinds/job.kind';
import { leaseKind } from './kinds/lease.kind';
import { nodeMetricsKind, podMetricsKind } from './kinds/metrics.kinds';
import { namespaceKind } from './kinds/namespace.kind';
import { nodeKind } from './kinds/node.kind';
import { podDisruptionBudgetKind } from './kinds/pod-disruption-budget.kind';
import { ingressClassKind } from './kinds/ingress-class.kind';
import { ingressKind } from './kinds/ingress.kind';
import { networkPolicyKind } from './kinds/network-policy.kind';
import { podKind } from './kinds/pod.kind';
import { podTemplateKind } from './kinds/pod-template.kind';
import { runtimeClassKind } from './kinds/runtime-class.kind';
import { priorityClassKind } from './kinds/priority-class.kind';
import {
  clusterRoleBindingKind,
  clusterRoleKind,
  roleBindingKind,
  roleKind,
} from './kinds/rbac.kinds';
import { REVIEW_KINDS } from './kinds/review.kinds';
import { componentStatusKind } from './kinds/component-status.kind';
import { replicaSetKind } from './kinds/replica-set.kind';
import { replicationControllerKind } from './kinds/replication-controller.kind';
import { serviceKind } from './kinds/service.kind';
import { statefulSetKind } from './kinds/stateful-set.kind';
import {
  csiDriverKind,
  csiNodeKind,
  persistentVolumeClaimKind,
  persistentVolumeKind,
  storageClassKind,
  volumeAttachmentKind,
} from './kinds/storage.kinds';
import { customResourceDefinitionKind } from './kinds/custom-resource-definition.kind';
import { typeKey, type ListStrategy, type ResourceType } from './resource-type';

/** Every kind the server serves, in discovery order. */
export const BUILTIN_KINDS: ResourceType[] = [
  namespaceKind,
  nodeKind,
  podKind,
  serviceKind,
  endpointsKind,
  eventKind,
  configMapKind,
  secretKind,
  serviceAccountKind,
  persistentVolumeKind,
  persistentVolumeClaimKind,
  resourceQuotaKind,
  limitRangeKind,
  podTemplateKind,
  replicationControllerKind,
  deploymentKind,
  replicaSetKind,
  statefulSetKind,
  daemonSetKind,
  controllerRevisionKind,
  endpointSliceKind,
  eventsV1Kind,
  horizontalPodAutoscalerKind,
  horizontalPodAutoscalerV1Kind,
  jobKind,
  cronJobKind,
  ingressKind,
  ingressClassKind,
  networkPolicyKind,
  podDisruptionBudgetKind,
  storageClassKind,
  volumeAttachmentKind,
  csiDriverKind,
  csiNodeKind,
  leaseKind,
  priorityClassKind,
  runtimeClassKind,
  roleKind,
  clusterRoleKind,
  roleBindingKind,
  clusterRoleBindingKind,
  customResourceDefinitionKind,
  validatingAdmissionPolicyKind,
  validatingAdmissionPolicyBindingKind,
  ...REVIEW_KINDS,
  componentStatusKind,
  nodeMetricsKind,
  podMetricsKind,
];

const METADATA_STRATEGIES: Record<string, ListStrategy> = {
  'metadata.ownerReferences': { key: 'uid' },
  'metadata.finalizers': { primitive: true },
};

export interface GroupVersion {
  group: string;
  version: string;
}

/**
 * Looks kinds up by URL coordinates; the single source for discovery, OpenAPI and REST. Kinds
 * defined at run time (custom resources) come and go through `register`/`unregister`.
 */
export class ResourceRegistry {
  private readonly byPath = new Map<string, ResourceType>();
  private readonly listeners = new Set<() => void>();
  readonly kinds: ResourceType[];

  constructor(kinds: ResourceType[] = BUILTIN_KINDS) {
    this.kinds = [...kinds];
    for (const kind of kinds) {
      this.index(kind);
    }
  }

  private index(kind: ResourceType): void {
    kind.listStrategies = { ...METADATA_STRATEGIES, ...kind.listStrategies };
    this.byPath.set(`${kind.group}/${kind.version}/${kind.resource}`, kind);
  }

  /** Adds (or replaces, by group/version/resource) kinds defined at run time. */
  register(kinds: ResourceType[]): void {
    for (const kind of kinds) {
      const existing = this.find(kind.group, kind.version, kind.resource);
      if (existing) {
        this.kinds.splice(this.kinds.indexOf(existing), 1, kind);
      } else {
        this.kinds.push(kind);
      }
      this.index(kind);
    }
    this.changed();
  }

  unregister(kinds: ResourceType[]): void {
    for (const kind of kinds) {
      const key = `${kind.group}/${kind.version}/${kind.resource}`;
      if (this.byPath.get(key) === kind) {
        this.byPath.delete(key);
        this.kinds.splice(this.kinds.indexOf(kind), 1);
      }
    }
    this.changed();
  }

  /** Called after every register/unregister (discovery caches, OpenAPI, controllers). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const listener of this.listeners) {
      listener();
    }
  }

  /**
   * One kind per storage key, for controllers that walk every stored object: the kind owning
   * the storage, or the first view of a storage no served kind owns (custom resources).
   */
  storageKinds(): ResourceType[] {
    const byKey = new Map<string, ResourceType>();
    for (const kind of this.kinds) {
      if (!kind.view) {
        byKey.set(typeKey(kind), kind);
      }
    }
    for (const kind of this.kinds) {
      if (!byKey.has(typeKey(kind))) {
        byKey.set(typeKey(kind), kind);
      }
    }
    return [...byKey.values()];
  }

  find(group: string, version: string, resource: string): ResourceType | undefined {
    return this.byPath.get(`${group}/${version}/${resource}`);
  }

  get(group: string, version: string, resource: string): ResourceType {
    const kind = this.find(group, version, resource);
    if (!kind) {
      throw badRequest(`unknown resource ${resource} in ${group || 'core'}/${version}`);
    }
    return kind;
  }

  /** Group versions in discovery order; the core group ("") first. */
  groupVersions(): GroupVersion[] {
    const seen = new Map<string, GroupVersion>();
    for (const k of this.kinds) {
      seen.set(`${k.group}/${k.version}`, { group: k.group, version: k.version });
    }
    return [...seen.values()];
  }

  kindsOf(gv: GroupVersion): ResourceType[] {
    return this.kinds.filter((k) => k.group === gv.group && k.version === gv.version);
  }

  hasGroupVersion(group: string, version: string): boolean {
    return this.kinds.some((k) => k.group === group && k.version === version);
  }
}
