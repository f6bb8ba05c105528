/**
 * The Kubernetes protobuf messages kubectl 1.32 sends as request bodies (its typed `create`
 * commands: namespace, service, configmap, secret, serviceaccount, quota; drain's DeleteOptions /
 * Eviction), with the field numbers of
 * k8s.io/api generated.proto. Unknown fields are skipped.
 */
/**
 * `map` is map<string,string>; `bytesMap` map<string,bytes> (as base64, e.g. Secret.data);
 * `quantityMap` map<string,Quantity> (as quantity strings).
 */
export type FieldType =
  | 'string'
  | 'int'
  | 'bool'
  | 'bytes'
  | 'map'
  | 'bytesMap'
  | 'quantityMap'
  | 'time'
  | 'intOrString'
  | 'quantity'
  | Schema;

export interface FieldSpec {
  name: string;
  type: FieldType;
  repeated?: boolean;
  /** A Go pointer field: present on the wire only when set, so zero values are kept. */
  pointer?: boolean;
  /** An embedded struct whose fields JSON inlines (`json:",inline"`), e.g. LocalObjectReference. */
  inline?: boolean;
}

export type Schema = Record<number, FieldSpec>;

export const TYPE_META: Schema = {
  1: { name: 'apiVersion', type: 'string' },
  2: { name: 'kind', type: 'string' },
};

export const UNKNOWN: Schema = {
  1: { name: 'typeMeta', type: TYPE_META },
  2: { name: 'raw', type: 'bytes' },
  3: { name: 'contentEncoding', type: 'string' },
  4: { name: 'contentType', type: 'string' },
};

const OWNER_REFERENCE: Schema = {
  1: { name: 'kind', type: 'string' },
  3: { name: 'name', type: 'string' },
  4: { name: 'uid', type: 'string' },
  5: { name: 'apiVersion', type: 'string' },
  6: { name: 'controller', type: 'bool' },
  7: { name: 'blockOwnerDeletion', type: 'bool' },
};

export const OBJECT_META: Schema = {
  1: { name: 'name', type: 'string' },
  2: { name: 'generateName', type: 'string' },
  3: { name: 'namespace', type: 'string' },
  5: { name: 'uid', type: 'string' },
  6: { name: 'resourceVersion', type: 'string' },
  7: { name: 'generation', type: 'int' },
  8: { name: 'creationTimestamp', type: 'time' },
  9: { name: 'deletionTimestamp', type: 'time' },
  10: { name: 'deletionGracePeriodSeconds', type: 'int' },
  11: { name: 'labels', type: 'map' },
  12: { name: 'annotations', type: 'map' },
  13: { name: 'ownerReferences', type: OWNER_REFERENCE, repeated: true },
  14: { name: 'finalizers', type: 'string', repeated: true },
};

export const NAMESPACE: Schema = {
  1: { name: 'metadata', type: OBJECT_META },
  2: { name: 'spec', type: { 1: { name: 'finalizers', type: 'string', repeated: true } } },
  3: { name: 'status', type: { 1: { name: 'phase', type: 'string' } } },
};

const SERVICE_PORT: Schema = {
  1: { name: 'name', type: 'string' },
  2: { name: 'protocol', type: 'string' },
  3: { name: 'port', type: 'int' },
  4: { name: 'targetPort', type: 'intOrString' },
  5: { name: 'nodePort', type: 'int' },
  6: { name: 'appProtocol', type: 'string' },
};

const SERVICE_SPEC: Schema = {
  1: { name: 'ports', type: SERVICE_PORT, repeated: true },
  2: { name: 'selector', type: 'map' },
  3: { name: 'clusterIP', type: 'string' },
  4: { name: 'type', type: 'string' },
  5: { name: 'externalIPs', type: 'string', repeated: true },
  7: { name: 'sessionAffinity', type: 'string' },
  8: { name: 'loadBalancerIP', type: 'string' },
  9: { name: 'loadBalancerSourceRanges', type: 'string', repeated: true },
  10: { name: 'externalName', type: 'string' },
  11: { name: 'externalTrafficPolicy', type: 'string' },
  12: { name: 'healthCheckNodePort', type: 'int' },
  13: { name: 'publishNotReadyAddresses', type: 'bool' },
  17: { name: 'ipFamilyPolicy', type: 'string' },
  18: { name: 'clusterIPs', type: 'string', repeated: true },
  19: { name: 'ipFamilies', type: 'string', repeated: true },
  20: { name: 'allocateLoadBalancerNodePorts', type: 'bool' },
  21: { name: 'loadBalancerClass', type: 'string' },
  22: { name: 'internalTrafficPolicy', type: 'string' },
  23: { name: 'trafficDistribution', type: 'string' },
};

export const SERVICE: Schema = {
  1: { name: 'metadata', type: OBJECT_META },
  2: { name: 'spec', type: SERVICE_SPEC },
  3: { name: 'status', type: {} },
};

export const DELETE_OPTIONS: Schema = {
  1: { name: 'gracePeriodSeconds', type: 'int' },
  2: {
    name: 'preconditions',
    type: { 1: { name: 'uid', type: 'string' }, 2: { name: 'resourceVersion', type: 'string' } },
  },
  3: { name: 'orphanDependents', type: 'bool' },
  4: { name: 'propagationPolicy', type: 'string' },
  5: { name: 'dryRun', type: 'string', repeated: true },
};

export const EVICTION: Schema = {
  1: { name: 'metadata', type: OBJECT_META },
  2: { name: 'deleteOptions', type: DELETE_OPTIONS },
};

export const CONFIG_MAP: Schema = {
  1: { name: 'metadata', type: OBJECT_META },
  2: { name: 'data', type: 'map' },
  3: { name: 'binaryData', type: 'bytesMap' },
  4: { name: 'immutable', type: 'bool' },
};

export const SECRET: Schema = {
  1: { name: 'metadata', type: OBJECT_META },
  2: { name: 'data', type: 'bytesMap' },
  3: { name: 'type', type: 'string' },
  4: { name: 'stringData', type: 'map' },
  5: { name: 'immutable', type: 'bool' },
};

const OBJECT_REFERENCE: Schema = {
  1: { name: 'kind', type: 'string' },
  2: { name: 'namespace', type: 'string' },
  3: { name: 'name', type: 'string' },
  4: { name: 'uid', type: 'string' },
  5: { name: 'apiVersion', type: 'string' },
};

export const SERVICE_ACCOUNT: Schema = {
  1: { name: 'metadata', type: OBJECT_META },
  2: { name: 'secrets', type: OBJECT_REFERENCE, repeated: true },
  3: { name: 'imagePullSecrets', type: { 1: { name: 'name', type: 'string' } }, repeated: true },
  4: { name: 'automountServiceAccountToken', type: 'bool' },
};

export const RESOURCE_QUOTA: Schema = {
  1: { name: 'metadata', type: OBJECT_META },
  2: {
    name: 'spec',
    type: {
      1: { name: 'hard', type: 'quantityMap' },
      2: { name: 'scopes', type: 'string', repeated: true },
    },
  },
};

/** Messages by TypeMeta kind. */
export const MESSAGES: Record<string, Schema> = {
  Namespace: NAMESPACE,
  Service: SERVICE,
  ConfigMap: CONFIG_MAP,
  Secret: SECRET,
  ServiceAccount: SERVICE_ACCOUNT,
  ResourceQuota: RESOURCE_QUOTA,
  DeleteOptions: DELETE_OPTIONS,
  Eviction: EVICTION,
};
