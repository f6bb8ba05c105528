import { isPlainObject } from '../object/types';
import type { CrdSpec } from './crd-types';
import type { JsonSchema } from './json-schema';
import { TYPE_META_PROPERTIES } from '../schema/type-meta-schema';

type Json = Record<string, unknown>;

const OBJECT_META = '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

/** `com.example.stable.v1.CronTab`: the reversed group, version and kind, as upstream names them. */
export function definitionName(group: string, version: string, kind: string): string {
  return [...group.split('.').reverse(), version, kind].join('.');
}

/**
 * Drops what OpenAPI clients cannot use from a published schema (the builder's
 * ToStructuralOpenAPIV2 does the same): logical junctors, which only validate.
 */
function publishable(schema: unknown): unknown {
  if (Array.isArray(schema)) {
    return schema.map(publishable);
  }
  if (!isPlainObject(schema)) {
    return schema;
  }
  const out: Json = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'allOf' || k === 'anyOf' || k === 'oneOf' || k === 'not') {
      continue;
    }
    out[k] =
      k === 'properties' && isPlainObject(v)
        ? Object.fromEntries(Object.entries(v).map(([name, sub]) => [name, publishable(sub)]))
        : k === 'default' || k === 'example' || k === 'enum'
          ? v
          : publishable(v);
  }
  return out;
}

/**
 * The OpenAPI component schemas of a CRD's served versions (pkg/controller/openapi/builder): the
 * version's schema with `apiVersion`, `kind` and `metadata` (ObjectMeta) added and the
 * GroupVersionKind named, keyed by definition name.
 */
export function crdDefinitions(spec: CrdSpec): Record<string, Json> {
  const out: Record<string, Json> = {};
  const group = spec.group ?? '';
  const kind = spec.names?.kind ?? '';
  for (const version of spec.versions ?? []) {
    if (!version.served || !version.name) {
      continue;
    }
    const schema = (publishable(version.schema?.openAPIV3Schema ?? {}) ?? {}) as JsonSchema;
    out[definitionName(group, version.name, kind)] = {
      ...schema,
      type: 'object',
      properties: {
        ...(schema.properties ?? {}),
        ...TYPE_META_PROPERTIES,
        metadata: {
          allOf: [{ $ref: OBJECT_META }],
          description:
            "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
        },
      },
      'x-kubernetes-group-version-kind': [{ group, kind, version: version.name }],
    };
  }
  return out;
}
