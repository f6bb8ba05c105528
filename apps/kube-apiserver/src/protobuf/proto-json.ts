import type { Field, Type } from 'protobufjs';
import { formatGoDuration, parseGoDurationNs } from '@app/common';
import { formatMicroTime, formatTime } from '../time/kube-time';
import { fullName, META_V1, type KubeProto } from './kube-proto';
import { protobufjs } from './protobufjs';

type Json = Record<string, unknown>;
/** A decoded protobufjs message (own properties = fields present on the wire). */
type Message = Record<string, unknown>;

const hasOwn = (o: object, key: string) => Object.prototype.hasOwnProperty.call(o, key);

/** Types whose JSON form is not their protobuf structure (custom MarshalJSON in Go). */
interface SpecialType {
  toJson(message: Message, proto: KubeProto): unknown;
  /** `value` undefined = the Go zero value of a non-pointer field. */
  fromJson(value: unknown): Message;
}

const toNumber = (v: unknown): number =>
  typeof v === 'object' && v !== null
    ? protobufjs()
        .util.LongBits.from(v as never)
        .toNumber()
    : Number(v ?? 0);

const RFC3339 = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/;

function timestamp(value: unknown, micro: boolean): Message {
  const m = typeof value === 'string' ? RFC3339.exec(value) : null;
  if (!m) {
    return {};
  }
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) {
    return {};
  }
  const nanos = micro ? Number((m[2] ?? '').padEnd(9, '0').slice(0, 9)) : 0;
  return { seconds: Math.floor(ms / 1000), nanos };
}

const present = (m: Message) => hasOwn(m, 'seconds') || hasOwn(m, 'nanos');

const SPECIAL: Record<string, SpecialType> = {
  [`${META_V1}.Time`]: {
    toJson: (m) => (present(m) ? formatTime(toNumber(m.seconds) * 1000) : null),
    fromJson: (v) => timestamp(v, false),
  },
  [`${META_V1}.MicroTime`]: {
    toJson: (m) => {
      if (!present(m)) {
        return null;
      }
      const nanos = toNumber(m.nanos);
      return formatMicroTime(
        toNumber(m.seconds) * 1000 + Math.floor(nanos / 1e6),
        Math.floor(nanos / 1e3) % 1000,
      );
    },
    fromJson: (v) => timestamp(v, true),
  },
  [`${META_V1}.Duration`]: {
    toJson: (m) => formatGoDuration(toNumber(m.duration)),
    fromJson: (v) => ({ duration: typeof v === 'string' ? parseGoDurationNs(v) : 0 }),
  },
  [`${META_V1}.FieldsV1`]: {
    toJson: (m) => parseRaw(m.Raw) ?? {},
    fromJson: (v) => (v === undefined ? {} : { Raw: Buffer.from(JSON.stringify(v)) }),
  },
  'k8s.io.apimachinery.pkg.runtime.RawExtension': {
    toJson: (m, proto) => rawExtensionToJson(m.raw, proto),
    fromJson: (v) => (v === undefined || v === null ? {} : { raw: Buffer.from(JSON.stringify(v)) }),
  },
  'k8s.io.apimachinery.pkg.util.intstr.IntOrString': {
    toJson: (m) => (toNumber(m.type) === 1 ? (m.strVal ?? '') : toNumber(m.intVal)),
    fromJson: (v) =>
      typeof v === 'string'
        ? { type: 1, intVal: 0, strVal: v }
        : { type: 0, intVal: Number(v ?? 0), strVal: '' },
  },
  'k8s.io.apimachinery.pkg.api.resource.Quantity': {
    toJson: (m) => (typeof m.string === 'string' && m.string !== '' ? m.string : '0'),
    fromJson: (v) => ({
      string: v === undefined || v === null ? '0' : typeof v === 'string' ? v : JSON.stringify(v),
    }),
  },
};

function parseRaw(raw: unknown): unknown {
  if (!(raw instanceof Uint8Array) || raw.length === 0) {
    return undefined;
  }
  try {
    return JSON.parse(Buffer.from(raw).toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Embedded objects arrive as JSON or, from protobuf clients, as another `k8s\0` envelope. */
let rawEnvelopeDecoder: ((raw: Uint8Array) => unknown) | undefined;
export function setRawEnvelopeDecoder(decode: (raw: Uint8Array) => unknown): void {
  rawEnvelopeDecoder = decode;
}

function rawExtensionToJson(raw: unknown, _proto: KubeProto): unknown {
  if (!(raw instanceof Uint8Array) || raw.length === 0) {
    return null;
  }
  if (raw[0] === 0x6b && raw[1] === 0x38 && raw[2] === 0x73 && raw[3] === 0 && rawEnvelopeDecoder) {
    return rawEnvelopeDecoder(raw);
  }
  return parseRaw(raw) ?? Buffer.from(raw).toString('base64');
}

const LONG_TYPES = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);

function scalarToJson(field: Field, value: unknown): unknown {
  if (field.type === 'bytes') {
    return Buffer.from(value as Uint8Array).toString('base64');
  }
  if (LONG_TYPES.has(field.type)) {
    return toNumber(value);
  }
  return value;
}

const isZero = (v: unknown) => v === '' || v === 0 || v === false;

/**
 * A decoded protobuf message as the JSON Go would write for it: Go field order, `omitempty` and
 * pointer rules, inline structs flattened into their parent, and the custom JSON of Time,
 * MicroTime, Duration, IntOrString, Quantity, FieldsV1, RawExtension and `[]string` wrappers.
 */
export function messageToJson(proto: KubeProto, type: Type, message: Message): unknown {
  const special = SPECIAL[fullName(type)];
  if (special) {
    return special.toJson(message, proto);
  }
  if (proto.isListWrapper(type)) {
    return [...((message.items as unknown[]) ?? [])];
  }
  const facts = proto.fieldsOf(type);
  const out: Json = {};
  for (const field of type.fieldsArray) {
    const fact = facts.get(field.name);
    const value = message[field.name];
    if (!fact || value === undefined || value === null) {
      continue;
    }
    const convert = (v: unknown) =>
      field.resolvedType
        ? messageToJson(proto, field.resolvedType as Type, v as Message)
        : scalarToJson(field, v);
    if (field.map) {
      const entries = Object.entries(value as Json);
      if (entries.length > 0) {
        out[fact.jsonName] = Object.fromEntries(entries.map(([k, v]) => [k, convert(v)]));
      }
    } else if (field.repeated) {
      if ((value as unknown[]).length > 0) {
        out[fact.jsonName] = (value as unknown[]).map(convert);
      }
    } else if (hasOwn(message, field.name)) {
      const converted = convert(value);
      if (fact.inline && typeof converted === 'object' && converted !== null) {
        Object.assign(out, converted);
      } else if (!(isZero(converted) && fact.omitEmpty && !fact.pointer)) {
        out[fact.jsonName] = converted;
      }
    }
  }
  return out;
}

function scalarFromJson(field: Field, value: unknown): unknown {
  switch (field.type) {
    case 'string':
      return typeof value === 'string' ? value : JSON.stringify(value);
    case 'bool':
      return value === true || value === 'true';
    case 'bytes':
      return Buffer.from(typeof value === 'string' ? value : '', 'base64');
    default:
      return Number(value);
  }
}

function zeroScalar(field: Field): unknown {
  switch (field.type) {
    case 'string':
      return '';
    case 'bool':
      return false;
    case 'bytes':
      return Buffer.alloc(0);
    default:
      return 0;
  }
}

/**
 * JSON (as stored) to a plain object protobufjs encodes to the bytes Go would write: every
 * non-pointer field present (Go writes zero values of value fields), map entries sorted by key.
 * Unknown JSON keys are ignored, as Go's decoder drops them.
 */
export function messageFromJson(proto: KubeProto, type: Type, json: unknown): Message {
  const special = SPECIAL[fullName(type)];
  if (special) {
    return special.fromJson(json === null ? undefined : json);
  }
  if (proto.isListWrapper(type)) {
    return { items: Array.isArray(json) ? json.map(String) : [] };
  }
  const source: Json = json !== null && typeof json === 'object' ? (json as Json) : {};
  const facts = proto.fieldsOf(type);
  const goType = proto.hasGoFacts(type);
  const out: Message = {};
  for (const field of type.fieldsArray) {
    const fact = facts.get(field.name);
    if (!fact) {
      continue;
    }
    const messageType = field.resolvedType as Type | null;
    if (fact.inline && messageType) {
      out[field.name] = messageFromJson(proto, messageType, source);
      continue;
    }
    const value = source[fact.jsonName];
    const convert = (v: unknown) =>
      messageType ? messageFromJson(proto, messageType, v) : scalarFromJson(field, v);
    if (field.map) {
      if (value && typeof value === 'object') {
        const keys = Object.keys(value).sort();
        out[field.name] = Object.fromEntries(keys.map((k) => [k, convert((value as Json)[k])]));
      }
    } else if (field.repeated) {
      if (Array.isArray(value)) {
        out[field.name] = value.filter((v) => v !== null && v !== undefined).map(convert);
      }
    } else if (value !== undefined && value !== null) {
      out[field.name] = convert(value);
    } else if (goType && !fact.pointer) {
      out[field.name] = messageType
        ? messageFromJson(proto, messageType, undefined)
        : zeroScalar(field);
    }
  }
  return out;
}
