import { cloneJson, isPlainObject, type KubeObject } from '../object/types';
import { defineKind } from '../registry/define-kind';
import { getPath } from '../registry/object-path';
import type { ResourceType, StorageView, Subresource } from '../registry/resource-type';
import { validateName } from '../registry/validation';
import { crdSpec, type CrdSpec, type CrdVersion } from './crd-types';
import type { JsonSchema } from './json-schema';
import { printerColumns } from './printer-columns';
import { validateCelRules } from './cel-rules';
import { applyDefaults } from './schema-defaults';
import { pruneObject } from './schema-pruning';
import { validateAgainstSchema } from './schema-validation';

/** `.spec.replicas` → `spec.replicas` (the dotted paths the scale subresource walks). */
const dotted = (jsonPath: string | undefined) => jsonPath?.replace(/^\./, '');

/** Prunes then defaults an object with a version's schema, as decoding a custom resource does. */
function normalize(obj: KubeObject, schema: JsonSchema | undefined): string[] {
  const pruned = pruneObject(obj, schema);
  applyDefaults(obj, schema);
  return pruned;
}

/**
 * The served kinds of a CRD: one ResourceType per served version, all views of one storage
 * (`<group>/<plural>`). `conversion: None` only rewrites apiVersion, so every version reads and
 * writes the same objects; reads prune and default with the reading version's schema.
 */
/** What discovery lists for the kinds of a terminating CRD (no more creates). */
const TERMINATING_VERBS = ['delete', 'deletecollection', 'get', 'list', 'watch'];

export function customResourceKinds(crd: KubeObject): ResourceType[] {
  const spec = crdSpec(crd);
  const group = spec.group ?? '';
  const names = spec.names ?? {};
  const storageVersion = (spec.versions ?? []).find((v) => v.storage)?.name ?? '';
  const storage = defineKind({
    group,
    version: storageVersion,
    resource: names.plural ?? '',
    kind: names.kind ?? '',
    scope: spec.scope === 'Cluster' ? 'Cluster' : 'Namespaced',
  });
  const terminating = crd.metadata.deletionTimestamp !== undefined;
  return (spec.versions ?? [])
    .filter((v) => v.served && v.name)
    .map((v) => {
      const kind = versionKind(spec, v, storage);
      return terminating ? { ...kind, verbs: TERMINATING_VERBS } : kind;
    });
}

function versionKind(spec: CrdSpec, v: CrdVersion, storage: ResourceType): ResourceType {
  const group = spec.group ?? '';
  const apiVersion = `${group}/${v.name}`;
  const schema = v.schema?.openAPIV3Schema;
  const names = spec.names ?? {};
  const subresources: Subresource[] = [];
  if (v.subresources?.status !== undefined) {
    subresources.push('status');
  }
  const scale = v.subresources?.scale;
  if (scale) {
    subresources.push('scale');
  }
  const view: StorageView = {
    storage,
    toStorage: (obj) => ({ ...obj, apiVersion: `${group}/${storage.version}` }),
    fromStorage: (obj) => {
      const out = cloneJson(obj);
      out.apiVersion = apiVersion;
      normalize(out, schema);
      return out;
    },
  };
  return defineKind({
    group,
    version: v.name ?? '',
    resource: names.plural ?? '',
    kind: names.kind ?? '',
    singular: names.singular ?? (names.kind ?? '').toLowerCase(),
    ...(names.listKind ? { listKind: names.listKind } : {}),
    scope: spec.scope === 'Cluster' ? 'Cluster' : 'Namespaced',
    shortNames: names.shortNames ?? [],
    categories: names.categories ?? [],
    subresources,
    customResource: true,
    deleteReturnsStatus: true,
    view,
    columns: printerColumns(v.additionalPrinterColumns),
    ...(scale
      ? {
          scale: {
            specReplicasPath: dotted(scale.specReplicasPath),
            statusReplicasPath: dotted(scale.statusReplicasPath),
            selector: (obj: KubeObject) => {
              const path = dotted(scale.labelSelectorPath);
              const value = path ? getPath(obj, path) : undefined;
              return typeof value === 'string' ? value : '';
            },
          },
        }
      : {}),
    fieldSelectors: selectableFields(v),
    ...(v.deprecated ? { warning: v.deprecationWarning ?? deprecationWarning(spec, v) } : {}),
    // Without a status subresource every change but metadata's is a new generation.
    ...(v.subresources?.status === undefined ? { generationSource: withoutMetadata } : {}),
    prune: (obj) => pruneObject(obj, schema),
    defaultOnWrite: (obj) => {
      normalize(obj, schema);
    },
    validate: (obj, old) => {
      const errors = [
        ...validateName(obj.metadata.name, 'subdomain'),
        ...validateAgainstSchema(withoutMetadata(obj), schema),
      ];
      // CEL rules run on well-typed objects only (their errors would be noise otherwise).
      return errors.length > 0
        ? errors
        : validateCelRules(celSelf(obj), old && celSelf(old), schema);
    },
  });
}

/**
 * selectableFields (CustomResourceFieldSelectors, on by default since 1.31): field selectors on
 * string, integer and boolean fields besides metadata.name and metadata.namespace.
 */
function selectableFields(v: CrdVersion): Record<string, (obj: KubeObject) => string | undefined> {
  const getters: Record<string, (obj: KubeObject) => string | undefined> = {};
  for (const field of v.selectableFields ?? []) {
    const path = dotted(field.jsonPath);
    if (path) {
      getters[path] = (obj) => {
        const value = getPath(obj, path);
        if (value === undefined || value === null) {
          return undefined;
        }
        return typeof value === 'string' ? value : JSON.stringify(value);
      };
    }
  }
  return getters;
}

/** defaultDeprecationWarning: `<group>/<version> <Kind> is deprecated; use <group>/<newer> <Kind>`. */
function deprecationWarning(spec: CrdSpec, v: CrdVersion): string {
  const group = spec.group ?? '';
  const kind = spec.names?.kind ?? '';
  const message = `${group}/${v.name} ${kind} is deprecated`;
  const successor = (spec.versions ?? []).find(
    (o) => o.served && !o.deprecated && o.name !== v.name,
  );
  return successor ? `${message}; use ${group}/${successor.name} ${kind}` : message;
}

/** The object as CEL rules at the root see it: metadata limited to name and generateName. */
function celSelf(obj: KubeObject): Record<string, unknown> {
  const { name, generateName } = obj.metadata;
  return {
    ...obj,
    metadata: {
      ...(name !== undefined ? { name } : {}),
      ...(generateName !== undefined ? { generateName } : {}),
    },
  };
}

/** The object as the schema validator sees it (ObjectMeta has its own validation). */
function withoutMetadata(obj: KubeObject): Record<string, unknown> {
  const { metadata: _metadata, ...rest } = obj;
  return isPlainObject(rest) ? rest : {};
}
