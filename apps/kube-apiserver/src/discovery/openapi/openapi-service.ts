import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Clock } from '@app/common';
import type { ResourceRegistry } from '../../registry/registry';
import type { ResourceType } from '../../registry/resource-type';
import type { SchemaRegistry } from '../../schema/schema-registry';
import { SERVER_VERSION } from '../version';
import { encodeOpenApiV2 } from './gnostic-v2';
import { classifyPath, isServed, synthesizePaths, withoutUnservedMediaTypes } from './served-paths';
import { upstreamOpenApi, type Json } from './upstream-openapi';

/** One served document: its bytes in each form, built once per change. */
export class OpenApiDocument {
  private gzipped?: Buffer;
  private proto?: Buffer;

  constructor(
    readonly json: Buffer,
    /** Upper-case hex SHA-512 of the JSON (kube-openapi's ETag and v3 hash). */
    readonly etag: string,
    readonly lastModified: Date,
    private readonly toProto?: (json: Buffer) => Buffer,
  ) {}

  get jsonGzip(): Buffer {
    return (this.gzipped ??= gzipSync(this.json));
  }

  get protobuf(): Buffer | undefined {
    if (!this.toProto) {
      return undefined;
    }
    return (this.proto ??= this.toProto(this.json));
  }
}

function documentOf(
  value: unknown,
  clock: Clock,
  toProto?: (json: Buffer) => Buffer,
): OpenApiDocument {
  const json = Buffer.from(JSON.stringify(value));
  const etag = createHash('sha512').update(json).digest('hex').toUpperCase();
  return new OpenApiDocument(json, etag, new Date(clock.now()), toProto);
}

const V2_REF = '#/definitions/';
const V3_REF = '#/components/schemas/';

/** Definitions reachable from `roots` through `$ref`s with `prefix`. */
function reachable(roots: unknown, lookup: (name: string) => unknown, prefix: string): string[] {
  const seen = new Set<string>();
  const queue: string[] = [];
  const collect = (v: unknown) => {
    if (Array.isArray(v)) {
      v.forEach(collect);
    } else if (v && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        if (k === '$ref' && typeof child === 'string' && child.startsWith(prefix)) {
          const name = child.slice(prefix.length);
          if (!seen.has(name)) {
            seen.add(name);
            queue.push(name);
          }
        } else {
          collect(child);
        }
      }
    }
  };
  collect(roots);
  while (queue.length > 0) {
    const name = queue.shift() as string;
    collect(lookup(name));
  }
  return [...seen].filter((n) => lookup(n) !== undefined).sort();
}

/** Rewrites `$ref`s of a v3 (component) schema to v2 form and unwraps v3's allOf references. */
function v3SchemaToV2(schema: unknown): unknown {
  if (Array.isArray(schema)) {
    return schema.map(v3SchemaToV2);
  }
  if (schema && typeof schema === 'object') {
    const o = schema as Json;
    if (Array.isArray(o.allOf) && o.allOf.length === 1 && (o.allOf[0] as Json).$ref) {
      const { allOf, default: _default, ...rest } = o;
      return v3SchemaToV2({ ...rest, $ref: (allOf[0] as Json).$ref });
    }
    const out: Json = {};
    for (const [k, v] of Object.entries(o)) {
      out[k] = k === '$ref' && typeof v === 'string' ? v.replace(V3_REF, V2_REF) : v3SchemaToV2(v);
    }
    return out;
  }
  return schema;
}

/**
 * The OpenAPI documents this server publishes: upstream's 1.32 documents filtered to the kinds,
 * subresources and group versions in the registry, plus paths synthesised for kinds that have
 * no upstream paths but a registered schema (kinds defined at run time). Rebuilt lazily after
 * `invalidate()` or a schema change, so new kinds appear with a new hash.
 */
export class OpenApiService {
  private v2?: OpenApiDocument;
  private v3?: Map<string, OpenApiDocument>;
  private schemaGeneration = -1;
  /** Non-resource paths published in v2 (others, such as /logs, are not served). */
  private readonly rootPaths = new Set(['/api/', '/apis/', '/version/']);

  constructor(
    private readonly registry: ResourceRegistry,
    private readonly schemas: SchemaRegistry,
    private readonly clock: Clock,
  ) {
    schemas.onChange(() => this.invalidate());
    registry.onChange(() => this.invalidate());
  }

  /** Rebuild on next request (call when kinds are added or removed at run time). */
  invalidate(): void {
    this.v2 = undefined;
    this.v3 = undefined;
  }

  /** Publishes an upstream non-resource path (e.g. `/.well-known/openid-configuration/`). */
  publishRootPath(path: string): void {
    this.rootPaths.add(path);
    this.invalidate();
  }

  private fresh(): void {
    if (this.schemaGeneration !== this.schemas.generation) {
      this.schemaGeneration = this.schemas.generation;
      this.invalidate();
    }
  }

  v2Document(): OpenApiDocument {
    this.fresh();
    return (this.v2 ??= documentOf(this.buildV2(), this.clock, encodeOpenApiV2));
  }

  /** v3 documents by key (`api/v1`, `apis/apps/v1`). */
  v3Documents(): Map<string, OpenApiDocument> {
    this.fresh();
    if (!this.v3) {
      this.v3 = new Map();
      for (const [key, doc] of Object.entries(this.buildV3())) {
        this.v3.set(key, documentOf(doc, this.clock));
      }
    }
    return this.v3;
  }

  /** The v3 root: every served group version with its hashed URL. */
  v3Root(): OpenApiDocument {
    const paths: Record<string, { serverRelativeURL: string }> = {};
    for (const [key, doc] of this.v3Documents()) {
      paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${doc.etag}` };
    }
    return documentOf({ paths }, this.clock);
  }

  private kindsWithoutUpstreamPaths(): ResourceType[] {
    const upstream = upstreamOpenApi();
    const published = new Set<string>();
    for (const path of Object.keys(upstream.v2.paths)) {
      const info = classifyPath(path);
      if (info.resource) {
        published.add(`${info.group}/${info.version}/${info.resource}`);
      }
    }
    return this.registry.kinds.filter(
      (k) => !published.has(`${k.group}/${k.version}/${k.resource}`) && this.definitionsOf(k),
    );
  }

  /** The definition names of a kind and its list, when the schema registry has them. */
  private definitionsOf(
    k: ResourceType,
  ): { definition: string; listDefinition: string } | undefined {
    const definition = this.schemas.definitionNameOf({
      group: k.group,
      version: k.version,
      kind: k.kind,
    });
    if (!definition) {
      return undefined;
    }
    const listDefinition =
      this.schemas.definitionNameOf({
        group: k.group,
        version: k.version,
        kind: `${k.kind}List`,
      }) ?? `${definition}List`;
    return { definition, listDefinition };
  }

  /** A schema by name, v3 form: run-time definitions first, then upstream's. */
  private v3Schema(name: string): unknown {
    const upstream = upstreamOpenApi();
    return this.schemas.isRuntimeDefinition(name)
      ? this.schemas.definition(name)
      : (upstream.v3.schemas[name] ?? this.synthesizedList(name));
  }

  /** A list schema for a run-time kind that registered no list definition. */
  private synthesizedList(name: string): Json | undefined {
    if (!name.endsWith('List')) {
      return undefined;
    }
    const item = name.slice(0, -4);
    const itemSchema = this.schemas.definition(item);
    if (!itemSchema || !this.schemas.isRuntimeDefinition(item)) {
      return undefined;
    }
    const gvks =
      (itemSchema['x-kubernetes-group-version-kind'] as {
        group: string;
        version: string;
        kind: string;
      }[]) ?? [];
    return {
      description: `${gvks[0]?.kind ?? item}List is a list of ${gvks[0]?.kind ?? item}`,
      properties: {
        apiVersion: { type: 'string' },
        items: { items: { $ref: `${V3_REF}${item}` }, type: 'array' },
        kind: { type: 'string' },
        metadata: { allOf: [{ $ref: `${V3_REF}io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta` }] },
      },
      required: ['items'],
      type: 'object',
      'x-kubernetes-group-version-kind': gvks.map((g) => ({ ...g, kind: `${g.kind}List` })),
    };
  }

  private v2Definition(name: string): unknown {
    const upstream = upstreamOpenApi();
    if (!this.schemas.isRuntimeDefinition(name) && upstream.v2.definitions[name] !== undefined) {
      return upstream.v2.definitions[name];
    }
    const v3 = this.v3Schema(name);
    return v3 === undefined ? undefined : v3SchemaToV2(v3);
  }

  /**
   * The upstream paths this server serves plus generated ones for kinds without upstream paths
   * (their templates come from `templates`), sorted by path.
   */
  private servedPaths(
    upstreamPaths: Record<string, Json>,
    synthesized: ResourceType[],
    refPrefix: string,
    templates: (group: string, version: string) => Record<string, Json>,
  ): Record<string, Json> {
    const paths: Record<string, Json> = {};
    for (const [path, item] of Object.entries(upstreamPaths)) {
      if (isServed(classifyPath(path), this.registry, this.rootPaths, path)) {
        paths[path] = item;
      }
    }
    for (const kind of synthesized) {
      const defs = this.definitionsOf(kind);
      if (defs) {
        Object.assign(
          paths,
          synthesizePaths({ kind, ...defs, refPrefix, upstreamPaths: templates }),
        );
      }
    }
    return Object.fromEntries(
      Object.keys(paths)
        .sort()
        .map((p) => [p, paths[p]]),
    );
  }

  private buildV2(): Json {
    const upstream = upstreamOpenApi();
    const sortedPaths = this.servedPaths(
      upstream.v2.paths,
      this.kindsWithoutUpstreamPaths(),
      V2_REF,
      () => upstream.v2.paths,
    );
    const parameters = upstream.v2.parameters;
    const usedParams = reachable(sortedPaths, (n) => parameters[n], '#/parameters/');
    const keptParams = Object.fromEntries(usedParams.map((n) => [n, parameters[n]]));
    const definitionNames = reachable(
      [sortedPaths, keptParams],
      (n) => this.v2Definition(n),
      V2_REF,
    );
    return withoutUnservedMediaTypes({
      swagger: '2.0',
      info: { title: 'Kubernetes', version: SERVER_VERSION.gitVersion },
      paths: sortedPaths,
      definitions: Object.fromEntries(definitionNames.map((n) => [n, this.v2Definition(n)])),
      parameters: keptParams,
      security: upstream.v2.security,
      securityDefinitions: upstream.v2.securityDefinitions,
    });
  }

  private buildV3(): Record<string, Json> {
    const upstream = upstreamOpenApi();
    const out: Record<string, Json> = {};
    const synthesized = this.kindsWithoutUpstreamPaths();
    for (const gv of this.registry.groupVersions()) {
      const key = gv.group ? `apis/${gv.group}/${gv.version}` : `api/${gv.version}`;
      const sortedPaths = this.servedPaths(
        upstream.v3.documents[key]?.paths ?? {},
        synthesized.filter((k) => k.group === gv.group && k.version === gv.version),
        V3_REF,
        (g, v) => upstream.v3.documents[g ? `apis/${g}/${v}` : `api/${v}`]?.paths ?? {},
      );
      const names = reachable(sortedPaths, (n) => this.v3Schema(n), V3_REF);
      out[key] = withoutUnservedMediaTypes({
        openapi: '3.0.0',
        info: { title: 'Kubernetes', version: SERVER_VERSION.gitVersion },
        paths: sortedPaths,
        components: { schemas: Object.fromEntries(names.map((n) => [n, this.v3Schema(n)])) },
      });
    }
    return out;
  }
}
