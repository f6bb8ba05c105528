import type { FieldError } from '../errors/kube-error';
import type { KubeObject } from '../object/types';

export type Scope = 'Cluster' | 'Namespaced';
export type Subresource =
  | 'status'
  | 'finalize'
  | 'eviction'
  | 'binding'
  | 'scale'
  // serviceaccounts/token: TokenRequest (server/token-request.ts).
  | 'token'
  // Served by a kubelet upstream; answered with an error here (server/streaming-subresources.ts).
  | 'log'
  | 'exec'
  | 'attach'
  | 'portforward'
  // pods/proxy and services/proxy: HTTP proxied to the pod (proxy/proxy-subresource.ts).
  | 'proxy';

/** One Table column: upstream name/type/format, wide columns have priority 1. */
export interface TableColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format?: string;
  description?: string;
  priority?: number;
  cell(obj: KubeObject, nowMs: number): unknown;
}

/** How strategic-merge patch treats a list at a dotted path (lists not listed are replaced). */
export interface ListStrategy {
  /** Merge key of a list of maps. */
  key?: string;
  /** A list of scalars merged as a set (e.g. metadata.finalizers). */
  primitive?: boolean;
}

/** Server-side context available to defaulting. */
export interface WriteContext {
  nowMs: number;
}

/** Where the `scale` subresource (autoscaling/v1 Scale) reads and writes a kind's replicas. */
export interface ScaleSpec {
  /** labels.Selector text of the pods the kind manages (Scale `status.selector`). */
  selector(obj: KubeObject): string;
  /** Dotted paths of the replica counts (custom resources' specReplicasPath/statusReplicasPath). */
  specReplicasPath?: string;
  statusReplicasPath?: string;
}

/**
 * A kind served from another kind's storage (events.k8s.io/v1 Events are core/v1 Events upstream):
 * objects are converted on the way in and out, watches follow the storage kind's writes.
 */
export interface StorageView {
  storage: ResourceType;
  toStorage(obj: KubeObject): KubeObject;
  fromStorage(obj: KubeObject): KubeObject;
}

/**
 * Everything the generic REST path needs to know about a kind. Adding a kind = adding one of
 * these to the registry.
 */
export interface ResourceType {
  group: string;
  version: string;
  /** Plural, as in the URL. */
  resource: string;
  kind: string;
  singular: string;
  scope: Scope;
  shortNames: string[];
  categories: string[];
  subresources: Subresource[];
  /** Extra field selectors beyond metadata.name / metadata.namespace. */
  fieldSelectors: Record<string, (obj: KubeObject) => string | undefined>;
  /** Table columns after Name (default: Created At). */
  columns?: TableColumn[];
  /** Strategic-merge list strategies by dotted path (metadata ones are added for every kind). */
  listStrategies: Record<string, ListStrategy>;
  /** Object keys holding metav1.MicroTime values (6 fractional digits). */
  microTimeKeys?: string[];
  /** Whether DELETE answers with a Status (true) or the object (false), as in the 1.32 OpenAPI. */
  deleteReturnsStatus: boolean;
  /** Set when the kind has no storage of its own. */
  view?: StorageView;
  /** Whether a create may set .status (nodes); otherwise status starts from the kind's defaults. */
  statusOnCreate?: boolean;
  /** Defaulting on create (after metadata is set). */
  defaultOnCreate?(obj: KubeObject, ctx: WriteContext): void;
  /** The strategy's PrepareForUpdate: server-owned fields derived from the old object. */
  prepareForUpdate?(obj: KubeObject, old: KubeObject): void;
  /** Decode-time defaults applied on every write (create, update, patch), like SetDefaults_*. */
  defaultOnWrite?(obj: KubeObject): void;
  /**
   * A custom resource (CRD): served as apiextensions-apiserver serves them — JSON and YAML only
   * (no protobuf), no strategic merge patch (415).
   */
  customResource?: boolean;
  /** `spec.replicas` / `status.replicas` exposed through `/scale`. */
  scale?: ScaleSpec;
  /**
   * What a change of bumps `metadata.generation` (default: everything but metadata and status;
   * Deployments add their annotations, which the controller copies to ReplicaSets).
   */
  generationSource?(obj: KubeObject): unknown;
  /** DefaultGarbageCollectionPolicy when a DELETE names none (batch/v1 Jobs orphan their pods). */
  defaultPropagationPolicy?: 'Orphan';
  /**
   * A kind with no storage that only answers `create` (TokenReview, SubjectAccessReview and the
   * other reviews, server/review-handler.ts): discovery lists the one verb, other methods are 405.
   */
  createOnly?: boolean;
  /**
   * A kind with no storage whose objects are computed on every GET (ComponentStatus, by probing
   * the components: server/component-statuses.ts); only get and list are served.
   */
  probed?: boolean;
  /**
   * The delete strategy of kinds whose first DELETE only marks them (CRDs add their cleanup
   * finalizer and a Terminating condition): mutates the object being marked for deletion.
   */
  markForDeletion?(obj: KubeObject, nowMs: number): void;
  /** The kind of its lists when not `<Kind>List` (a CRD's `names.listKind`). */
  listKind?: string;
  /** Verbs discovery lists when not all are served (a terminating CRD's kinds). */
  verbs?: string[];
  /** A Warning header on every request for the kind (deprecated custom resource versions). */
  warning?: string;
  /**
   * Custom resources: drops fields the schema does not specify (pruning) and returns their
   * paths, which field validation reports as unknown fields.
   */
  prune?(obj: KubeObject): string[];
  /** Validation; `old` is set on update. */
  validate?(obj: KubeObject, old: KubeObject | undefined): FieldError[];
}

export function hasStatus(type: ResourceType): boolean {
  return type.subresources.includes('status');
}

export function apiVersionOf(type: { group: string; version: string }): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

/** "<group>/<resource>": the storage prefix of a kind (of its storage kind, for views). */
export function typeKey(type: { group: string; resource: string; view?: StorageView }): string {
  const stored = type.view?.storage ?? type;
  return `${stored.group}/${stored.resource}`;
}
