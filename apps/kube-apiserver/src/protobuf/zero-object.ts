import type { Type } from 'protobufjs';
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
 * Kinds without a Go type (custom resources) start from `{}`.
 */
export function goZeroObject(group: string, version: string, kind: string): Json {
  const key = `${group}/${version}/${kind}`;
  let zero = cache.get(key);
  if (!zero) {
    const proto = KubeProto.get();
    const type = proto.hasPackage(group, version)
      ? proto.typeForKind(group, version, kind)
      : undefined;
    zero = JSON.stringify(type ? zeroOf(proto, type) : {});
    cache.set(key, zero);
  }
  return JSON.parse(zero) as Json;
}

const cache = new Map<string, string>();
