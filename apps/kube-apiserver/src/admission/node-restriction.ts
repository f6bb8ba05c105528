import type { AdmissionPlugin } from '../api/resource-service';
import { currentUser } from '../auth/request-user';
import { NODE_LEASE_NAMESPACE } from '../authz/node-authorizer';
import { nodeIdentity } from '../authz/node-identity';
import { podReferences } from '../authz/pod-references';
import { forbidden, notFound, type GroupResource } from '../errors/kube-error';
import { deepEqual } from '../object/deep-equal';
import { isPlainObject, type KubeObject } from '../object/types';
import type { ResourceType } from '../registry/resource-type';
import { forbiddenNodeLabels, modifiedLabels } from './node-labels';

const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (isPlainObject(v) ? v : {});
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const json = (v: unknown): string => JSON.stringify(v ?? null);

/** Reads the objects NodeRestriction compares against (upstream: informer listers). */
export interface NodeRestrictionLookup {
  pod(namespace: string, name: string): KubeObject | undefined;
  node(name: string): KubeObject | undefined;
}

type Operation = 'CREATE' | 'UPDATE' | 'DELETE';

interface Attributes {
  operation: Operation;
  type: ResourceType;
  subresource: string;
  namespace: string;
  name: string;
  object?: KubeObject;
  old?: KubeObject;
}

/**
 * The NodeRestriction admission plugin (plugin/pkg/admission/noderestriction/admission.go): a
 * node may only write its own Node (no taint changes, no labels outside the kubelet's set, never
 * `node-restriction.kubernetes.io/`), its own Lease and CSINode, the status of pods bound to it,
 * mirror pods bound to it, the capacity and conditions of its claims' status, tokens of its pods'
 * ServiceAccounts bound to those pods, and evict or delete only pods bound to it. Other users pass.
 */
export class NodeRestrictionAdmission implements AdmissionPlugin {
  constructor(private readonly lookup: NodeRestrictionLookup) {}

  admit(type: ResourceType, obj: KubeObject, requestedName: string): void {
    this.check({
      operation: 'CREATE',
      type,
      subresource: '',
      namespace: obj.metadata.namespace ?? '',
      name: requestedName || (obj.metadata.name ?? ''),
      object: obj,
    });
  }

  admitUpdateRequest(
    type: ResourceType,
    obj: KubeObject,
    old: KubeObject,
    subresource: string | undefined,
  ): void {
    this.check({
      operation: 'UPDATE',
      type,
      subresource: subresource ?? '',
      namespace: old.metadata.namespace ?? '',
      name: old.metadata.name ?? '',
      object: obj,
      old,
    });
  }

  admitDelete(type: ResourceType, old: KubeObject): void {
    this.check({
      operation: 'DELETE',
      type,
      subresource: '',
      namespace: old.metadata.namespace ?? '',
      name: old.metadata.name ?? '',
      old,
    });
  }

  /** `pods/eviction` (EvictionREST runs admission on the Eviction before anything else). */
  admitEviction(namespace: string, podName: string): void {
    const gr = { group: '', resource: 'pods' };
    this.forNode(gr, podName, (node) => {
      const pod = this.lookup.pod(namespace, podName);
      if (!pod) {
        throw notFound({ group: '', resource: 'pods' }, podName);
      }
      if (str(obj(pod.spec).nodeName) !== node) {
        throw forbidden(
          { group: '', resource: 'pods' },
          podName,
          `node ${node} can only evict pods with spec.nodeName set to itself`,
        );
      }
    });
  }

  /** `serviceaccounts/<name>/token` (admitServiceAccount): only bound to a pod on this node. */
  admitTokenRequest(namespace: string, serviceAccount: string, request: unknown): void {
    const gr = { group: '', resource: 'serviceaccounts' };
    this.forNode(gr, serviceAccount, (_node) => {
      const ref = obj(obj(obj(request).spec).boundObjectRef);
      const deny = (why: string) => forbidden(gr, serviceAccount, why);
      if (ref.apiVersion !== 'v1' || ref.kind !== 'Pod' || str(ref.name) === '') {
        throw deny('node requested token not bound to a pod');
      }
      if (str(ref.uid) === '') {
        throw deny('node requested token with a pod binding without a uid');
      }
      const pod = this.lookup.pod(namespace, str(ref.name));
      if (!pod) {
        throw notFound({ group: '', resource: 'pods' }, str(ref.name));
      }
      if (ref.uid !== pod.metadata.uid) {
        throw deny(
          `the UID in the bound object reference (${str(ref.uid)}) does not match the UID in record. The object might have been deleted and then recreated`,
        );
      }
      if (str(obj(pod.spec).nodeName) !== _node) {
        throw deny('node requested token bound to a pod scheduled on a different node');
      }
    });
  }

  /** Runs `check` with the node's name when the requester is a node (Admit's preamble). */
  private forNode(gr: GroupResource, name: string, check: (node: string) => void): void {
    const user = currentUser();
    if (!user) {
      return;
    }
    const { isNode, nodeName } = nodeIdentity(user);
    if (!isNode) {
      return;
    }
    if (nodeName === '') {
      throw forbidden(gr, name, `could not determine node from user "${user.name}"`);
    }
    check(nodeName);
  }

  private check(a: Attributes): void {
    const gr = { group: a.type.group, resource: a.type.resource };
    this.forNode(gr, a.name, (node) => {
      const deny = (why: string) => forbidden(gr, a.name, why);
      switch (`${a.type.group}/${a.type.resource}`) {
        case '/pods':
          return this.pod(node, a, deny);
        case '/nodes':
          return this.node(node, a, deny);
        case '/persistentvolumeclaims':
          if (a.subresource !== 'status') {
            throw deny('may only update PVC status');
          }
          return this.claimStatus(node, a, deny);
        case 'coordination.k8s.io/leases':
          if (a.namespace !== NODE_LEASE_NAMESPACE) {
            throw deny(`can only access leases in the "${NODE_LEASE_NAMESPACE}" system namespace`);
          }
          if (a.name !== node) {
            throw deny('can only access node lease with the same name as the requesting node');
          }
          return;
        case 'storage.k8s.io/csinodes':
          if (a.name !== node) {
            throw deny('can only access CSINode with the same name as the requesting node');
          }
          return;
        default:
          return;
      }
    });
  }

  private pod(node: string, a: Attributes, deny: (why: string) => Error): void {
    if (a.subresource === 'status') {
      if (a.operation !== 'UPDATE') {
        throw deny(`unexpected operation "${a.operation}"`);
      }
      if (str(obj(a.old?.spec).nodeName) !== node) {
        throw deny(
          `node "${node}" can only update pod status for pods with spec.nodeName set to itself`,
        );
      }
      if (modifiedLabels(a.object?.metadata.labels, a.old?.metadata.labels).length > 0) {
        throw deny(`node "${node}" cannot update labels through pod status`);
      }
      const claims = (p?: KubeObject) =>
        json(
          (Array.isArray(obj(p?.status).resourceClaimStatuses)
            ? (obj(p?.status).resourceClaimStatuses as unknown[])
            : []
          ).map((s) => [obj(s).name, obj(s).resourceClaimName ?? null]),
        );
      if (claims(a.object) !== claims(a.old)) {
        throw deny(`node "${node}" cannot update resource claim statues`);
      }
      return;
    }
    if (a.subresource !== '') {
      throw deny(
        `unexpected pod subresource "${a.subresource}", only 'status' and 'eviction' are allowed`,
      );
    }
    if (a.operation === 'DELETE') {
      if (str(obj(a.old?.spec).nodeName) !== node) {
        throw deny(`node "${node}" can only delete pods with spec.nodeName set to itself`);
      }
      return;
    }
    if (a.operation !== 'CREATE') {
      throw deny(
        `unexpected operation "${a.operation}", node "${node}" can only create and delete mirror pods`,
      );
    }
    this.mirrorPod(node, a.object!, deny);
  }

  /** admitPodCreate: nodes create only mirror pods of their own, referencing nothing. */
  private mirrorPod(node: string, pod: KubeObject, deny: (why: string) => Error): void {
    if (pod.metadata.annotations?.[MIRROR_POD_ANNOTATION] === undefined) {
      throw deny(
        `pod does not have "${MIRROR_POD_ANNOTATION}" annotation, node "${node}" can only create mirror pods`,
      );
    }
    if (str(obj(pod.spec).nodeName) !== node) {
      throw deny(`node "${node}" can only create pods with spec.nodeName set to itself`);
    }
    const owners = (
      Array.isArray(pod.metadata.ownerReferences) ? pod.metadata.ownerReferences : []
    ).map(obj);
    if (owners.length > 1) {
      throw deny(`node "${node}" can only create pods with a single owner reference set to itself`);
    }
    const owner = owners[0];
    if (!owner || owner.apiVersion !== 'v1' || owner.kind !== 'Node' || owner.name !== node) {
      throw deny(`node "${node}" can only create pods with an owner reference set to itself`);
    }
    if (owner.controller !== true) {
      throw deny(
        `node "${node}" can only create pods with a controller owner reference set to itself`,
      );
    }
    if (owner.blockOwnerDeletion === true) {
      throw deny(`node "${node}" must not set blockOwnerDeletion on an owner reference`);
    }
    const self = this.lookup.node(node);
    if (!self) {
      throw notFound({ group: '', resource: 'nodes' }, node);
    }
    if (owner.uid !== self.metadata.uid) {
      throw deny(
        `node ${node} UID mismatch: expected ${str(owner.uid)} got ${String(self.metadata.uid)}`,
      );
    }
    const refs = podReferences(pod);
    if (str(obj(pod.spec).serviceAccountName) !== '') {
      throw deny(`node "${node}" can not create pods that reference a service account`);
    }
    if (refs.secrets.length > 0) {
      throw deny(`node "${node}" can not create pods that reference secrets`);
    }
    if (refs.configmaps.length > 0) {
      throw deny(`node "${node}" can not create pods that reference configmaps`);
    }
    const volumes = Array.isArray(obj(pod.spec).volumes)
      ? (obj(pod.spec).volumes as unknown[])
      : [];
    const projected = volumes.flatMap((v): unknown[] => {
      const sources: unknown = obj(obj(v).projected).sources;
      return Array.isArray(sources) ? (sources as unknown[]) : [];
    });
    if (projected.some((s) => isPlainObject(obj(s).clusterTrustBundle))) {
      throw deny(`node "${node}" can not create pods that reference clustertrustbundles`);
    }
    if (volumes.some((v) => isPlainObject(obj(v).persistentVolumeClaim))) {
      throw deny(`node "${node}" can not create pods that reference persistentvolumeclaims`);
    }
  }

  /** admitNode: its own Node only; no configSource, taint changes or protected labels. */
  private node(node: string, a: Attributes, deny: (why: string) => Error): void {
    if (a.name !== node) {
      throw deny(`node "${node}" is not allowed to modify node "${a.name}"`);
    }
    const spec = obj(a.object?.spec);
    if (a.operation === 'CREATE') {
      if (spec.configSource !== undefined && spec.configSource !== null) {
        throw deny(`node "${node}" is not allowed to create pods with a non-nil configSource`);
      }
      const forbiddenLabels = forbiddenNodeLabels(modifiedLabels(a.object?.metadata.labels, {}));
      if (forbiddenLabels.length > 0) {
        throw deny(
          `node "${node}" is not allowed to set the following labels: ${forbiddenLabels.join(', ')}`,
        );
      }
    }
    if (a.operation === 'UPDATE') {
      const oldSpec = obj(a.old?.spec);
      if (
        spec.configSource !== undefined &&
        spec.configSource !== null &&
        !deepEqual(spec.configSource, oldSpec.configSource)
      ) {
        throw deny(
          `node "${node}" is not allowed to update configSource to a new non-nil configSource`,
        );
      }
      if (!deepEqual(taintsOf(spec), taintsOf(oldSpec))) {
        throw deny(`node "${node}" is not allowed to modify taints`);
      }
      const forbiddenLabels = forbiddenNodeLabels(
        modifiedLabels(a.object?.metadata.labels, a.old?.metadata.labels),
      );
      if (forbiddenLabels.length > 0) {
        throw deny(`is not allowed to modify labels: ${forbiddenLabels.join(', ')}`);
      }
    }
  }

  /** admitPVCStatus: a node changes only status.capacity, conditions and allocated resources. */
  private claimStatus(node: string, a: Attributes, deny: (why: string) => Error): void {
    if (a.operation !== 'UPDATE') {
      throw deny(`unexpected operation "${a.operation}"`);
    }
    const comparable = (pvc: KubeObject | undefined) => {
      const { resourceVersion: _rv, managedFields: _mf, ...metadata } = pvc?.metadata ?? {};
      const {
        capacity: _c,
        conditions: _cond,
        allocatedResourceStatuses: _ars,
        allocatedResources: _ar,
        ...status
      } = obj(pvc?.status);
      return { ...pvc, metadata, status };
    };
    if (!deepEqual(comparable(a.object), comparable(a.old))) {
      throw deny(
        `node "${node}" is not allowed to update fields other than status.capacity and status.conditions`,
      );
    }
  }
}

/** Semantic equality treats a missing and an empty taint list alike. */
const taintsOf = (spec: Json): unknown[] =>
  Array.isArray(spec.taints) && spec.taints.length > 0 ? spec.taints : [];
