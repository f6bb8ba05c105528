import type { IncomingMessage } from 'node:http';
import { load as loadYaml } from 'js-yaml';
import {
  KubeError,
  badRequest,
  requestEntityTooLarge,
  unsupportedMediaType,
} from '../errors/kube-error';
import type { PatchType } from '../api/resource-service';
import { checkNestingDepth } from '../api/nesting-depth';
import { decodeKubeProtobuf } from '../protobuf/decode-kube-protobuf';

const MAX_BODY_BYTES = 3 * 1024 * 1024;
const PROTOBUF = 'application/vnd.kubernetes.protobuf';
const JSON_TYPES = ['application/json', 'application/yaml', PROTOBUF];

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) {
      throw requestEntityTooLarge(`limit is ${MAX_BODY_BYTES}`);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

export const PATCH_TYPES: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

function parseJson(body: Buffer): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw badRequest(`the request body is not valid JSON: ${(error as Error).message}`);
  }
  checkNestingDepth(parsed);
  return parsed;
}

function parseYaml(body: Buffer): unknown {
  let parsed: unknown;
  try {
    parsed = loadYaml(body.toString('utf8'));
  } catch (error) {
    throw badRequest(
      `the request body is not valid YAML: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  checkNestingDepth(parsed);
  return parsed;
}

/**
 * Decodes an object body (POST/PUT/DELETE options) by Content-Type: JSON, YAML, or the protobuf
 * kinds kubectl sends (`allowProtobuf` names them); anything else is a 415.
 */
export function decodeObjectBody(
  body: Buffer,
  contentType: string | undefined,
  allowProtobuf: string[],
): unknown {
  if (body.length === 0) {
    return undefined;
  }
  const type = mediaType(contentType);
  if (type === '' || type === 'application/json' || type === '*/*') {
    return parseJson(body);
  }
  if (type === 'application/yaml') {
    return parseYaml(body);
  }
  if (type === PROTOBUF) {
    const decoded = decodeProtobuf(body);
    if (!allowProtobuf.includes(decoded.kind)) {
      throw unsupportedMediaType(type, ['application/json', 'application/yaml']);
    }
    return decoded.object;
  }
  throw unsupportedMediaType(type, JSON_TYPES);
}

/** Garbage protobuf is the client's fault: a 400, as upstream's decoder answers. */
function decodeProtobuf(body: Buffer): ReturnType<typeof decodeKubeProtobuf> {
  try {
    return decodeKubeProtobuf(body);
  } catch (error) {
    if (error instanceof KubeError) {
      throw error;
    }
    throw badRequest(
      `the request body is not a valid protobuf object: ${(error as Error).message}`,
    );
  }
}

export function decodePatchBody(
  body: Buffer,
  contentType: string | undefined,
): { patchType: PatchType; patch: unknown } {
  const type = mediaType(contentType);
  const patchType = PATCH_TYPES[type];
  if (!patchType) {
    throw unsupportedMediaType(type, Object.keys(PATCH_TYPES));
  }
  const patch = patchType === 'apply' ? parseYaml(body) : parseJson(body);
  return { patchType, patch };
}
