import type { Type } from 'protobufjs';
import { readVendoredJson } from '../vendored';
import { fullName, KubeProto, META_V1 } from './kube-proto';

type Json = Record<string, unknown>;

/** Go zero values of the types with custom JSON. */
const SPECIAL_ZERO: Record<string, unknown> = {
  [`${META_V1}.Time`]: null,
  [`${META_V1}.MicroTime`]: null,
  [`${META_V1}.Duration`]: '0s',
  [`${META_V1}.FieldsV1`]: null,
  'k8s.io.apimachinery.pkg.runtime.RawExtension': null,
  'k8s.io.apimachinery.pkg.util.intstr.IntOrString': 0,
  'k8s.io.apimachinery.pkg.api.resource.Quantity': '0',
};

function zeroOf(proto: KubeProto, type: Type): unknown {
  const name = fullName(type);
  if (name in SPECIAL_ZERO) {
    return SPECIAL_ZERO[name];
  }
  if (proto.isListWrapper(type)) {
    return null;
  }
  const facts = proto.fieldsOf(type);
  const out: Json = {};
  for (const field of type.fieldsArray) {
    const fact = facts.get(field.name);
    if (!fact) {
      continue;
    }
    const message = field.resolvedType as Type | null;
    if (fact.inline && message) {
      Object.assign(out, zeroOf(proto, message));
    } else if (field.map || field.repeated || fact.pointer) {
      if (!fact.omitEmpty) {
        out[fact.jsonName] = null;
      }
    } else if (message) {
      // Go's omitempty never omits a struct.
      out[fact.jsonName] = zeroOf(proto, message);
    } else if (!fact.omitEmpty) {
      out[fact.jsonName] =
        field.type === 'string' || field.type === 'bytes' ? '' : field.type === 'bool' ? false : 0;
    }
  }
  return out;
}

/**
 * What Go's JSON encoder writes for a new, empty object of the kind (runtime.Creater.New): the
 * "live object" of a create for managed fields, e.g. a Pod is
 * `{"metadata":{"creationTimestamp":null},"spec":{"containers":null},"status":{}}`.
 * Kinds without a Go type (custom resources) start from `{}`. Built-in kinds come from the table
 * generated out of the same schema (`zero-objects.json`), so a start does not parse the whole
 * protobuf schema for its first writes; anything else is computed.
 */
export function goZeroObject(group: string, version: string, kind: string): Json {
  const key = zeroObjectKey(group, version, kind);
  let zero = cache.get(key);
  if (!zero) {
    const listed = generatedTable()[key];
    zero = JSON.stringify(listed ?? computeGoZeroObject(group, version, kind));
    cache.set(key, zero);
  }
  return JSON.parse(zero) as Json;
}

/** The zero object of the kind, from the protobuf schema. */
export function computeGoZeroObject(group: string, version: string, kind: string): Json {
  const proto = KubeProto.get();
  const type = proto.hasPackage(group, version)
    ? proto.typeForKind(group, version, kind)
    : undefined;
  return type ? (zeroOf(proto, type) as Json) : {};
}

/**
 * The zero object of every kind of every served group version (the messages with `metadata`):
 * what `npm run generate:zero-objects` writes to the vendored `generated/zero-objects.json`.
 */
export function computeZeroObjectTable(): Record<string, Json> {
  const proto = KubeProto.get();
  const table: Record<string, Json> = {};
  for (const [group, version, pkg] of proto.groupVersions()) {
    for (const type of proto.messagesOf(pkg)) {
      if (type.fields.metadata) {
        table[zeroObjectKey(group, version, type.name)] = zeroOf(proto, type) as Json;
      }
    }
  }
  return Object.fromEntries(Object.entries(table).sort(([a], [b]) => a.localeCompare(b)));
}

export const ZERO_OBJECTS_FILE = 'zero-objects.json';

const zeroObjectKey = (group: string, version: string, kind: string) =>
  `${group}/${version}/${kind}`;

let table: Record<string, Json> | undefined;

function generatedTable(): Record<string, Json> {
  table ??= readVendoredJson<Record<string, Json>>('generated', ZERO_OBJECTS_FILE);
  return table;
}

const cache = new Map<string, string>();
