import type { IncomingMessage } from 'node:http';
import { load as loadYaml } from 'js-yaml';
import { KubeError, badRequest, requestEntityTooLarge } from '../errors/kube-error';
import type { PatchType, WriteOptions } from '../api/resource-service';
import { applyDirective, cannotBeHandled } from '../api/field-validation';
import { checkNestingDepth } from '../api/nesting-depth';
import { isPlainObject } from '../object/types';
import { decodeKubeProtobuf, ProtobufError } from '../protobuf/envelope';
import { KubeProto } from '../protobuf/kube-proto';
import type { ResourceType } from '../registry/resource-type';
import {
  JsonSyntaxError,
  JsonTypeError,
  strictCheckValue,
  strictDecodeJson,
} from '../schema/strict-json';
import { SCALAR, UNTYPED, type TypeRef } from '../schema/typed-schema';
import { inputSerializer, supportedInputTypes } from './negotiation';

const MAX_BODY_BYTES = 3 * 1024 * 1024;

/**
 * The request body, read with stream events rather than an async iterator (which costs a promise
 * and its async-hook bookkeeping per chunk on every write). A body over the limit is answered
 * with a 413 while the rest of it is read and dropped; an aborted request rejects.
 */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  if (req.readableEnded) {
    return Promise.resolve(Buffer.alloc(0)); // already read: nothing more comes
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        done();
        req.resume(); // the rest is read and dropped, so the 413 reaches the client
        reject(requestEntityTooLarge(`limit is ${MAX_BODY_BYTES}`));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      done();
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      done();
      reject(error);
    };
    const onClose = () => {
      done();
      reject(Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/** Whether a kind's bodies may be protobuf (built-in kinds with a message; never CRs). */
export function protobufCapable(type: ResourceType): boolean {
  return !type.customResource && KubeProto.get().hasPackage(type.group, type.version);
}

const unsupportedMediaType = (accepted: string[]) =>
  new KubeError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
  );

/** summarizeData: the first 30 bytes of a body for error messages. */
function summarize(body: Buffer): string {
  if (body.length === 0) {
    return '<empty>';
  }
  const head = body.subarray(0, 30);
  const more = body.length > 30 ? ' ...' : '';
  return body[0] === 0x7b ? `${head.toString('utf8')}${more}` : `${head.toString('hex')}${more}`;
}

export interface ObjectDecoding {
  type: ResourceType;
  /** The kind's schema for strict decoding (undefined: no schema, only duplicates count). */
  schema?: TypeRef;
  options: Pick<WriteOptions, 'fieldValidation' | 'warnings'>;
}

/**
 * Decodes a create/update body by Content-Type (JSON, YAML, or protobuf for built-in kinds;
 * anything else is a 415), with strict field validation: unknown fields are dropped, and unknown
 * or duplicate fields are ignored, warned about or refused per ?fieldValidation.
 */
export function decodeObjectBody(
  body: Buffer,
  contentType: string | undefined,
  d: ObjectDecoding,
): unknown {
  const serializer = inputSerializer(contentType, protobufCapable(d.type));
  if (!serializer) {
    throw unsupportedMediaType(supportedInputTypes(protobufCapable(d.type)));
  }
  if (body.length === 0) {
    throw badRequest(
      `the object provided is unrecognized (must be of type ${d.type.kind}): couldn't get version/kind; json parse error: unexpected end of JSON input (<empty>)`,
    );
  }
  if (serializer === 'protobuf') {
    return decodeProtobuf(body).object;
  }
  let decoded: { value: unknown; strictErrors: string[] };
  try {
    decoded =
      serializer === 'yaml'
        ? strictCheckValue(parseYaml(body, d.type.kind), d.schema)
        : strictDecodeJson(body.toString('utf8'), d.schema);
  } catch (error) {
    if (error instanceof JsonSyntaxError) {
      throw badRequest(
        `the object provided is unrecognized (must be of type ${d.type.kind}): couldn't get version/kind; json parse error: ${error.message} (${summarize(body)})`,
      );
    }
    if (error instanceof JsonTypeError) {
      throw cannotBeHandled(d.type, peekTypeMeta(body), error.message);
    }
    throw error;
  }
  const value = decoded.value;
  applyDirective(decoded.strictErrors, d.options, (message) =>
    cannotBeHandled(d.type, isPlainObject(value) ? value : undefined, message),
  );
  return value;
}

function peekTypeMeta(body: Buffer): { kind?: unknown; apiVersion?: unknown } | undefined {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    return isPlainObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function parseYaml(body: Buffer, kind: string): unknown {
  let parsed: unknown;
  try {
    parsed = loadYaml(body.toString('utf8'), { json: true });
  } catch (error) {
    throw badRequest(
      `the object provided is unrecognized (must be of type ${kind}): couldn't get version/kind; yaml: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  checkNestingDepth(parsed);
  return parsed;
}

/**
 * DeleteOptions from a DELETE body (JSON, YAML or protobuf; the body may name any group version
 * since DeleteOptions is registered in all of them).
 */
export function decodeDeleteOptionsBody(body: Buffer, contentType: string | undefined): unknown {
  if (body.length === 0) {
    return undefined;
  }
  const serializer = inputSerializer(contentType, true);
  if (!serializer) {
    throw unsupportedMediaType(supportedInputTypes(true));
  }
  let value: unknown;
  try {
    value =
      serializer === 'protobuf'
        ? decodeKubeProtobuf(body).object
        : serializer === 'yaml'
          ? loadYaml(body.toString('utf8'), { json: true })
          : JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw badRequest((error as Error).message);
  }
  checkNestingDepth(value);
  if (
    isPlainObject(value) &&
    typeof value.kind === 'string' &&
    value.kind &&
    value.kind !== 'DeleteOptions'
  ) {
    throw badRequest(`expected DeleteOptions, got ${value.kind}`);
  }
  return value;
}

export const PATCH_TYPES: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

/** The patch types an endpoint takes, in upstream's order (CRs: no strategic merge). */
export function patchTypesFor(type: ResourceType): string[] {
  return Object.keys(PATCH_TYPES).filter(
    (t) => !(type.customResource && PATCH_TYPES[t] === 'strategic'),
  );
}

/** A JSON patch is a list of operations with these fields (jsonPatchOp in patch.go). */
const JSON_PATCH_OPS: TypeRef = {
  atom: {
    kind: 'list',
    relationship: 'atomic',
    keys: [],
    elements: {
      atom: {
        kind: 'map',
        atomic: false,
        defaults: new Map(),
        fields: new Map([
          ['op', SCALAR],
          ['path', SCALAR],
          ['from', SCALAR],
          ['value', UNTYPED],
        ]),
      },
    },
  },
};

export interface DecodedPatch {
  patchType: PatchType;
  patch: unknown;
  /** Duplicate (and, for JSON patch, unknown) fields of the patch body, for ?fieldValidation. */
  strictErrors: string[];
}

/** Garbage protobuf is the client's fault: a 400, as upstream's decoder answers. */
function decodeProtobuf(body: Buffer): ReturnType<typeof decodeKubeProtobuf> {
  try {
    return decodeKubeProtobuf(body);
  } catch (error) {
    if (error instanceof ProtobufError) {
      throw badRequest(error.message);
    }
    throw error;
  }
}

export function decodePatchBody(
  body: Buffer,
  contentType: string | undefined,
  type: ResourceType,
): DecodedPatch {
  const media = (contentType ?? '').split(';')[0].trim();
  const accepted = patchTypesFor(type);
  if (!accepted.includes(media)) {
    throw unsupportedMediaType(accepted);
  }
  const patchType = PATCH_TYPES[media];
  const text = body.toString('utf8');
  if (patchType === 'apply') {
    let patch: unknown;
    try {
      patch = loadYaml(text, { json: true });
    } catch (error) {
      throw badRequest(`error decoding YAML: ${(error as Error).message.split('\n')[0]}`);
    }
    checkNestingDepth(patch);
    const strictErrors: string[] = [];
    try {
      loadYaml(text);
    } catch (error) {
      strictErrors.push((error as Error).message.split('\n')[0]);
    }
    return { patchType, patch, strictErrors };
  }
  try {
    const decoded = strictDecodeJson(text, patchType === 'json' ? JSON_PATCH_OPS : undefined);
    const strictErrors =
      patchType === 'json'
        ? decoded.strictErrors.map((e) => `json patch ${e}`)
        : decoded.strictErrors;
    // JSON patches keep every operation field (unknown ones are ignored when applying).
    const patch: unknown = patchType === 'json' ? JSON.parse(text) : decoded.value;
    return { patchType, patch, strictErrors };
  } catch (error) {
    if (error instanceof JsonSyntaxError || error instanceof SyntaxError) {
      throw badRequest(`error decoding patch: ${error.message}`);
    }
    if (error instanceof JsonTypeError && patchType === 'json') {
      // jsonpatch.DecodePatch's error, answered as a BadRequest (patch.go).
      const top: unknown = JSON.parse(text);
      throw badRequest(
        Array.isArray(top)
          ? error.message
          : `json: cannot unmarshal ${goJsonKind(top)} into Go value of type jsonpatch.Patch`,
      );
    }
    throw error;
  }
}

/** How encoding/json names a JSON value's kind in its unmarshal errors. */
function goJsonKind(value: unknown): string {
  if (typeof value === 'string') {
    return 'string';
  }
  if (typeof value === 'number') {
    return 'number';
  }
  if (typeof value === 'boolean') {
    return 'bool';
  }
  return value === null ? 'null' : 'object';
}
