import { isPlainObject, type KubeObject } from '../object/types';
import type { JsonSchema } from './json-schema';

/** apiextensions.k8s.io/v1 types, as far as the server reads them. */
export interface CrdNames {
  plural?: string;
  singular?: string;
  kind?: string;
  listKind?: string;
  shortNames?: string[];
  categories?: string[];
}

export interface CrdColumn {
  name?: string;
  type?: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath?: string;
}

export interface CrdScale {
  specReplicasPath?: string;
  statusReplicasPath?: string;
  labelSelectorPath?: string;
}

export interface CrdVersion {
  name?: string;
  served?: boolean;
  storage?: boolean;
  deprecated?: boolean;
  deprecationWarning?: string;
  schema?: { openAPIV3Schema?: JsonSchema };
  subresources?: { status?: Record<string, never>; scale?: CrdScale };
  additionalPrinterColumns?: CrdColumn[];
  selectableFields?: { jsonPath?: string }[];
}

export interface CrdSpec {
  group?: string;
  names?: CrdNames;
  scope?: string;
  versions?: CrdVersion[];
  conversion?: { strategy?: string; webhook?: unknown };
  preserveUnknownFields?: boolean;
}

export interface CrdCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface CrdStatus {
  acceptedNames?: CrdNames;
  conditions?: CrdCondition[];
  storedVersions?: string[];
}

export const CRD_GROUP = 'apiextensions.k8s.io';
export const CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

export function crdSpec(obj: KubeObject): CrdSpec {
  return isPlainObject(obj.spec) ? obj.spec : {};
}

export function crdStatus(obj: KubeObject): CrdStatus {
  return isPlainObject(obj.status) ? obj.status : {};
}

export function crdCondition(obj: KubeObject, type: string): CrdCondition | undefined {
  return (crdStatus(obj).conditions ?? []).find((c) => c.type === type);
}

export function isConditionTrue(obj: KubeObject, type: string): boolean {
  return crdCondition(obj, type)?.status === 'True';
}

export function storageVersionOf(spec: CrdSpec): string | undefined {
  return (spec.versions ?? []).find((v) => v.storage)?.name;
}
