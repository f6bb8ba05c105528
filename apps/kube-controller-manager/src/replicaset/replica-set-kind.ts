import type {
  LabelSelector,
  PodTemplateSpec,
  ReplicaSetObject,
  ReplicationControllerObject,
} from '@app/kube-client';
import { mapSelector } from '../util/label-selector';
import type { OwnerKind } from '../util/owner-refs';

/** A ReplicaSet or a ReplicationController: the shape the shared controller reads. */
export type ReplicaSetLike = ReplicaSetObject | ReplicationControllerObject;

/**
 * What differs between the ReplicaSet and ReplicationController controllers (upstream runs the
 * same code for both, pkg/controller/replication wraps pkg/controller/replicaset).
 */
export interface ReplicaSetKind {
  /** Controller name in logs and `--controllers`. */
  controllerName: string;
  /** Event source component. */
  component: string;
  owner: OwnerKind;
  /** Informer path of the collection across namespaces. */
  listPath: string;
  /** The object's path (for /status writes). */
  objectPath(namespace: string, name: string): string;
  selectorOf(obj: ReplicaSetLike): LabelSelector | undefined;
  templateOf(obj: ReplicaSetLike): PodTemplateSpec | undefined;
}

const path = (prefix: string, resource: string) => (namespace: string, name: string) =>
  `${prefix}/namespaces/${encodeURIComponent(namespace)}/${resource}/${encodeURIComponent(name)}`;

export const REPLICA_SET_KIND: ReplicaSetKind = {
  controllerName: 'replicaset-controller',
  component: 'replicaset-controller',
  owner: { apiVersion: 'apps/v1', kind: 'ReplicaSet' },
  listPath: '/apis/apps/v1/replicasets',
  objectPath: path('/apis/apps/v1', 'replicasets'),
  selectorOf: (obj) => (obj as ReplicaSetObject).spec?.selector,
  templateOf: (obj) => (obj as ReplicaSetObject).spec?.template,
};

export const REPLICATION_CONTROLLER_KIND: ReplicaSetKind = {
  controllerName: 'replicationcontroller-controller',
  component: 'replication-controller',
  owner: { apiVersion: 'v1', kind: 'ReplicationController' },
  listPath: '/api/v1/replicationcontrollers',
  objectPath: path('/api/v1', 'replicationcontrollers'),
  // An RC's selector defaults to its template's labels (done by the api-server).
  selectorOf: (obj) => {
    const rc = obj as ReplicationControllerObject;
    const selector = rc.spec?.selector ?? rc.spec?.template?.metadata?.labels;
    return selector ? mapSelector(selector) : undefined;
  },
  templateOf: (obj) => (obj as ReplicationControllerObject).spec?.template,
};
