import { join } from 'node:path';
import * as protobuf from 'protobufjs';

/**
 * An independent decoder for what the server encodes: protobufjs parsing the vendored upstream
 * .proto files themselves (not the server's generated descriptor or its JSON conversion), as a
 * Go client's generated code would read the bytes.
 */
const PROTO_ROOT = join(__dirname, '..', '..', 'vendor', 'kubernetes', 'proto');
const FILES = [
  'k8s.io/api/core/v1/generated.proto',
  'k8s.io/api/coordination/v1/generated.proto',
  'k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto',
  'k8s.io/apimachinery/pkg/runtime/generated.proto',
  'github.com/google/gnostic-models/openapiv2/OpenAPIv2.proto',
];

let root: protobuf.Root | undefined;

export function protoRoot(): protobuf.Root {
  if (!root) {
    root = new protobuf.Root();
    root.resolvePath = (_origin, target) =>
      target.startsWith('google/protobuf/') || target.startsWith(PROTO_ROOT)
        ? target
        : join(PROTO_ROOT, target);
    root.loadSync(FILES, { keepCase: true });
    root.resolveAll();
  }
  return root;
}

export const toObject = (type: string, bytes: Uint8Array): Record<string, unknown> => {
  const t = protoRoot().lookupType(type);
  return t.toObject(t.decode(bytes), { longs: Number, bytes: String, defaults: false });
};

/** `k8s\0` + runtime.Unknown: the TypeMeta and the raw message bytes. */
export function unwrap(body: Buffer): { apiVersion: string; kind: string; raw: Uint8Array } {
  if (!body.subarray(0, 4).equals(Buffer.from([0x6b, 0x38, 0x73, 0]))) {
    throw new Error(`not a Kubernetes protobuf body: ${body.subarray(0, 16).toString('hex')}`);
  }
  const t = protoRoot().lookupType('k8s.io.apimachinery.pkg.runtime.Unknown');
  const unknown = t.decode(body.subarray(4)) as unknown as {
    typeMeta: { apiVersion: string; kind: string };
    raw: Uint8Array;
  };
  return { ...unknown.typeMeta, raw: unknown.raw };
}

/** Decodes a `;stream=watch` body: 4-byte length-prefixed metav1.WatchEvent frames. */
export function watchFrames(bytes: Buffer): { type: string; object: Buffer }[] {
  const events: { type: string; object: Buffer }[] = [];
  let at = 0;
  const t = protoRoot().lookupType('k8s.io.apimachinery.pkg.apis.meta.v1.WatchEvent');
  while (at + 4 <= bytes.length) {
    const length = bytes.readUInt32BE(at);
    if (at + 4 + length > bytes.length) {
      break;
    }
    const event = t.decode(bytes.subarray(at + 4, at + 4 + length)) as unknown as {
      type: string;
      object: { raw: Uint8Array };
    };
    events.push({ type: event.type, object: Buffer.from(event.object.raw) });
    at += 4 + length;
  }
  return events;
}
