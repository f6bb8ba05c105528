import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A JSON schema as @nestjs/swagger writes it (the subset the cloud API's document uses). */
export interface Schema {
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  allOf?: Schema[];
  oneOf?: Schema[];
  enum?: unknown[];
  example?: unknown;
  additionalProperties?: Schema | boolean;
}

export interface Operation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI path template, e.g. `/v1/instances/{id}`. */
  path: string;
  pathParams: string[];
  queryParams: string[];
  headers: string[];
  /** Resolved JSON body schema, if the operation takes a JSON body. */
  body?: Schema;
  /** Raw (non-JSON) body media type, e.g. the snapshot upload. */
  rawBodyType?: string;
  admin: boolean;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, RawOperation>>;
  components: { schemas: Record<string, Schema> };
}

interface RawOperation {
  tags?: string[];
  parameters?: { in: string; name: string }[];
  requestBody?: { content: Record<string, { schema?: Schema }> };
}

export function loadCloudApiDocument(): OpenApiDocument {
  return JSON.parse(
    readFileSync(join(__dirname, '../../../../openapi/cloud-api.json'), 'utf8'),
  ) as OpenApiDocument;
}

/** Every operation of the document with $refs resolved (so generators see plain schemas). */
export function operationsOf(doc: OpenApiDocument): Operation[] {
  const resolve = (schema: Schema | undefined, depth = 0): Schema | undefined => {
    if (!schema || depth > 8) {
      return schema;
    }
    if (schema.$ref) {
      return resolve(doc.components.schemas[schema.$ref.split('/').pop()!], depth + 1);
    }
    if (schema.allOf?.length === 1) {
      return resolve(schema.allOf[0], depth + 1);
    }
    return {
      ...schema,
      properties: schema.properties
        ? Object.fromEntries(
            Object.entries(schema.properties).map(([k, v]) => [k, resolve(v, depth + 1)!]),
          )
        : undefined,
      items: resolve(schema.items, depth + 1),
    };
  };
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const params = op.parameters ?? [];
      const content = op.requestBody?.content ?? {};
      const json = content['application/json'];
      operations.push({
        method: method as Operation['method'],
        path,
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
        queryParams: params.filter((p) => p.in === 'query').map((p) => p.name),
        headers: params.filter((p) => p.in === 'header').map((p) => p.name),
        body: json ? resolve(json.schema) : undefined,
        rawBodyType: json ? undefined : Object.keys(content)[0],
        admin: (op.tags ?? []).includes('admin') || (op.tags ?? []).includes('projects'),
      });
    }
  }
  return operations;
}

/** The JSON type a schema expects (`oneOf` of several types → undefined: any of them). */
export function typeOf(schema: Schema): string | undefined {
  if (schema.type) {
    return schema.type;
  }
  if (schema.properties) {
    return 'object';
  }
  return undefined;
}

/**
 * A plausible valid value built from the schema's examples, enums and required fields; `known`
 * supplies real ids by property name (instanceId → an existing instance) so a body gets past the
 * checks before the one a mutation breaks.
 */
export function exampleOf(schema: Schema, known: Record<string, unknown>, name = ''): unknown {
  if (name in known) {
    return known[name];
  }
  if (schema.example !== undefined) {
    return structuredClone(schema.example);
  }
  if (schema.enum?.length) {
    return schema.enum[0];
  }
  const type = typeOf(schema) ?? 'string';
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const key of schema.required ?? []) {
        out[key] = exampleOf(schema.properties?.[key] ?? {}, known, key);
      }
      return out;
    }
    case 'array':
      return schema.items ? [exampleOf(schema.items, known, name)] : [];
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return false;
    case 'string':
      return 'x';
    default:
      return 'x';
  }
}

/** Dotted paths of every property of an object schema, nested objects and array items included. */
export function fieldPaths(
  schema: Schema,
  prefix = '',
  depth = 0,
): { path: string; schema: Schema; required: boolean }[] {
  if (depth > 4 || !schema.properties) {
    return [];
  }
  return Object.entries(schema.properties).flatMap(([key, child]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    const required = (schema.required ?? []).includes(key);
    const nested =
      typeOf(child) === 'array' && child.items?.properties
        ? fieldPaths(child.items, `${path}[0]`, depth + 1)
        : fieldPaths(child, path, depth + 1);
    return [{ path, schema: child, required }, ...nested];
  });
}
