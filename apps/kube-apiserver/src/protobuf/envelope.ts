import type { Type } from 'protobufjs';
import { KubeProto } from './kube-proto';
import { messageFromJson, messageToJson, setRawEnvelopeDecoder } from './proto-json';
import { protobufjs } from './protobufjs';

/** "k8s\0": every Kubernetes protobuf body starts with it, then a runtime.Unknown. */
export const PROTOBUF_MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);
export const PROTOBUF = 'application/vnd.kubernetes.protobuf';

const UNKNOWN = 'k8s.io.apimachinery.pkg.runtime.Unknown';

export interface DecodedObject {
  apiVersion: string;
  kind: string;
  /** The object as JSON, `apiVersion` and `kind` first (as Go writes TypeMeta). */
  object: Record<string, unknown>;
}

export class ProtobufError extends Error {}

function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** The message for a TypeMeta, or undefined when the kind has no protobuf form. */
export function messageTypeFor(apiVersion: string, kind: string): Type | undefined {
  const { group, version } = splitApiVersion(apiVersion);
  return KubeProto.get().typeForKind(group, version, kind);
}

/** Decodes a `k8s\0` + runtime.Unknown body into JSON; throws ProtobufError on bad input. */
export function decodeKubeProtobuf(body: Uint8Array): DecodedObject {
  if (body.length < 4 || !Buffer.from(body.subarray(0, 4)).equals(PROTOBUF_MAGIC)) {
    throw new ProtobufError(
      'provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]',
    );
  }
  const proto = KubeProto.get();
  const unknownType = proto.type(UNKNOWN) as Type;
  let unknown: Record<string, unknown>;
  try {
    unknown = unknownType.decode(body.subarray(4));
  } catch (error) {
    throw new ProtobufError(`unable to decode the protobuf envelope: ${(error as Error).message}`);
  }
  const typeMeta = (unknown.typeMeta ?? {}) as { apiVersion?: string; kind?: string };
  const apiVersion = typeMeta.apiVersion ?? '';
  const kind = typeMeta.kind ?? '';
  const type = messageTypeFor(apiVersion, kind);
  if (!type) {
    throw new ProtobufError(`no kind "${kind}" is registered for version "${apiVersion}"`);
  }
  let message: Record<string, unknown>;
  try {
    message = type.decode((unknown.raw as Uint8Array) ?? new Uint8Array());
  } catch (error) {
    throw new ProtobufError(`unable to decode ${kind}: ${(error as Error).message}`);
  }
  const json = messageToJson(proto, type, message) as Record<string, unknown>;
  return { apiVersion, kind, object: { kind, apiVersion, ...json } };
}

setRawEnvelopeDecoder((raw) => decodeKubeProtobuf(raw).object);

/** The bytes of `object` as message `type` (no envelope). */
export function encodeMessage(type: Type, object: unknown): Uint8Array {
  return type.encode(messageFromJson(KubeProto.get(), type, object)).finish();
}

/** `k8s\0` + runtime.Unknown{typeMeta, raw} around already encoded message bytes. */
export function wrapEnvelope(apiVersion: string, kind: string, raw: Uint8Array): Buffer {
  const unknownType = KubeProto.get().type(UNKNOWN) as Type;
  const unknown = unknownType
    .encode({ typeMeta: { apiVersion, kind }, raw, contentEncoding: '', contentType: '' })
    .finish();
  return Buffer.concat([PROTOBUF_MAGIC, unknown]);
}

/** A JSON object encoded as Go's protobuf serializer would; undefined without a protobuf message. */
export function encodeKubeProtobuf(
  apiVersion: string,
  kind: string,
  object: unknown,
): Buffer | undefined {
  const type = messageTypeFor(apiVersion, kind);
  if (!type) {
    return undefined;
  }
  const list = encodeList(type, object);
  return wrapEnvelope(apiVersion, kind, list ?? encodeMessage(type, object));
}

/**
 * Encoded list items by object: stored objects are never changed in place (a write stores a new
 * object), so each is encoded once however often it is listed — as upstream's watch cache keeps
 * serialisations per object (cachingObject).
 */
const encodedItems = new WeakMap<object, Uint8Array>();

/**
 * A `*List` message (ListMeta metadata = 1, repeated items = 2) written field by field, with each
 * item's bytes from the cache: the same bytes as encoding the whole list at once, as Go writes
 * fields in number order. Undefined for anything that is not such a list.
 */
function encodeList(type: Type, object: unknown): Uint8Array | undefined {
  const metadata = type.fields.metadata;
  const items = type.fields.items;
  const value = object as { metadata?: unknown; items?: unknown } | null;
  if (
    metadata?.id !== 1 ||
    items?.id !== 2 ||
    !items.repeated ||
    !items.resolvedType ||
    !Array.isArray(value?.items)
  ) {
    return undefined;
  }
  const itemType = items.resolvedType as Type;
  const writer = protobufjs().Writer.create();
  writer.uint32((1 << 3) | 2).bytes(encodeMessage(metadata.resolvedType as Type, value.metadata));
  for (const item of value.items as unknown[]) {
    let bytes = typeof item === 'object' && item !== null ? encodedItems.get(item) : undefined;
    if (!bytes) {
      bytes = encodeMessage(itemType, item);
      if (typeof item === 'object' && item !== null) {
        encodedItems.set(item, bytes);
      }
    }
    writer.uint32((2 << 3) | 2).bytes(bytes);
  }
  return writer.finish();
}
