import { Reader } from 'protobufjs/minimal';
import { badRequest, unsupportedMediaType } from '../errors/kube-error';
import { formatTime } from '../time/kube-time';
import { MESSAGES, UNKNOWN, type FieldSpec, type Schema } from './kube-protobuf-schema';
import { WORKLOAD_MESSAGES } from './workload-protobuf-schema';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]); // "k8s\0"

function toNumber(v: unknown): number {
  return typeof v === 'number' ? v : Number(v);
}

function readValue(reader: Reader, spec: FieldSpec): unknown {
  const t = spec.type;
  switch (t) {
    case 'string':
      return reader.string();
    case 'int':
      return toNumber(reader.int64());
    case 'bool':
      return reader.bool();
    case 'bytes':
      return reader.bytes();
    case 'bytesMap': {
      const entry = decodeMessage(
        reader.bytes(),
        { 1: { name: 'k', type: 'string' }, 2: { name: 'v', type: 'bytes' } },
        true,
      );
      return [
        entry.k ?? '',
        Buffer.from((entry.v as Uint8Array | undefined) ?? []).toString('base64'),
      ];
    }
    case 'quantityMap': {
      const entry = decodeMessage(
        reader.bytes(),
        {
          1: { name: 'k', type: 'string' },
          2: { name: 'v', type: { 1: { name: 'q', type: 'string' } } },
        },
        true,
      );
      return [entry.k ?? '', (entry.v as { q?: string } | undefined)?.q ?? '0'];
    }
    case 'map': {
      const entry = decodeMessage(
        reader.bytes(),
        { 1: { name: 'k', type: 'string' }, 2: { name: 'v', type: 'string' } },
        true,
      );
      return [entry.k ?? '', entry.v ?? ''];
    }
    case 'time': {
      const time = decodeMessage(
        reader.bytes(),
        { 1: { name: 's', type: 'int' }, 2: { name: 'n', type: 'int' } },
        true,
      );
      // A zero metav1.Time (a template's creationTimestamp) is JSON's null.
      if (!time.s && !time.n) {
        return null;
      }
      return formatTime(toNumber(time.s ?? 0) * 1000);
    }
    case 'intOrString': {
      const v = decodeMessage(
        reader.bytes(),
        {
          1: { name: 'type', type: 'int' },
          2: { name: 'intVal', type: 'int' },
          3: { name: 'strVal', type: 'string' },
        },
        true,
      );
      return v.type === 1 ? (v.strVal ?? '') : (v.intVal ?? 0);
    }
    case 'quantity':
      return decodeMessage(reader.bytes(), { 1: { name: 'q', type: 'string' } }, true).q ?? '0';
    default:
      return decodeMessage(reader.bytes(), t);
  }
}

/**
 * Decodes one message. Go writes every non-pointer field, so empty strings, zeros, false and empty
 * messages are dropped (as JSON's omitempty would) unless `keepEmpty`.
 */
export function decodeMessage(
  buffer: Uint8Array,
  schema: Schema,
  keepEmpty = false,
): Record<string, unknown> {
  const reader = Reader.create(buffer);
  const out: Record<string, unknown> = {};
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    const spec = schema[tag >>> 3];
    if (!spec) {
      reader.skipType(tag & 7);
      continue;
    }
    const value = readValue(reader, spec);
    if (spec.inline) {
      Object.assign(out, value);
      continue;
    }
    if (spec.type === 'map' || spec.type === 'bytesMap' || spec.type === 'quantityMap') {
      const [k, v] = value as [string, string];
      out[spec.name] = { ...(out[spec.name] ?? {}), [k]: v };
    } else if (spec.repeated) {
      out[spec.name] = [...((out[spec.name] ?? []) as unknown[]), value];
    } else {
      out[spec.name] = value;
    }
  }
  return keepEmpty ? out : dropEmpty(out, schema);
}

function dropEmpty(obj: Record<string, unknown>, schema: Schema): Record<string, unknown> {
  const pointers = new Set(
    Object.values(schema)
      .filter((f) => f.pointer)
      .map((f) => f.name),
  );
  for (const [k, v] of Object.entries(obj)) {
    if (pointers.has(k)) {
      continue;
    }
    const empty =
      v === '' ||
      v === 0 ||
      v === false ||
      (typeof v === 'object' &&
        v !== null &&
        !Array.isArray(v) &&
        !(v instanceof Uint8Array) &&
        Object.keys(v).length === 0);
    if (empty && k !== 'port') {
      delete obj[k];
    }
  }
  return obj;
}

/**
 * Decodes a `application/vnd.kubernetes.protobuf` body: the `k8s\0` envelope around a
 * runtime.Unknown naming the kind. Only the kinds in MESSAGES are understood.
 */
export function decodeKubeProtobuf(body: Buffer): {
  kind: string;
  apiVersion: string;
  object: Record<string, unknown>;
} {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) {
    throw badRequest('protobuf body does not start with the k8s envelope');
  }
  const unknown = decodeMessage(body.subarray(4), UNKNOWN, true);
  const typeMeta = (unknown.typeMeta ?? {}) as { kind?: string; apiVersion?: string };
  const kind = typeMeta.kind ?? '';
  const schema = MESSAGES[kind] ?? WORKLOAD_MESSAGES[kind];
  if (!schema) {
    throw unsupportedMediaType(`application/vnd.kubernetes.protobuf (${kind || 'unknown kind'})`, [
      'application/json',
      'application/yaml',
    ]);
  }
  const object = decodeMessage((unknown.raw as Uint8Array) ?? new Uint8Array(), schema);
  return {
    kind,
    apiVersion: typeMeta.apiVersion ?? 'v1',
    object: { apiVersion: typeMeta.apiVersion, kind, ...object },
  };
}
