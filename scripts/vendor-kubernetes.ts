/**
 * Regenerates apps/kube-apiserver/vendor/kubernetes from upstream sources (all Apache-2.0):
 *
 *   npx ts-node scripts/vendor-kubernetes.ts \
 *     --api <kubernetes/api git dir>@v0.32.13 \
 *     --apimachinery <kubernetes/apimachinery git dir>@v0.32.13 \
 *     --gnostic <google/gnostic-models git dir>@v0.6.8 \
 *     --swagger <kubernetes/kubernetes release-1.32 api/openapi-spec/swagger.json> \
 *     --openapi-v3 <dir holding the release-1.32 api/openapi-spec/v3 documents as api/v1.json,
 *                   apis/<group>/<version>.json>
 *
 * What it writes (see the README it also writes):
 * - proto/…: the generated.proto files of every GA group version, verbatim, under their import paths;
 * - generated/kube-proto.json: the protobufjs descriptor of those files (what the server loads);
 * - generated/go-fields.json: per message, the JSON facts protobuf cannot carry (Go pointers,
 *   omitempty, inline embedding, JSON names), read from the Go types;
 * - generated/zero-objects.json: the Go zero object of every kind, from the two above
 *   (scripts/generate-zero-objects.ts);
 * - openapi/kubernetes-openapi.json.br: the v2 document and the v3 group-version documents of the GA
 *   group versions (v3 component schemas stored once), brotli-compressed.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { brotliCompressSync, constants as zlib } from 'node:zlib';
import * as protobuf from 'protobufjs';
import { generateZeroObjects } from './generate-zero-objects';

const OUT = resolve(__dirname, '..', 'apps', 'kube-apiserver', 'vendor', 'kubernetes');
const GA_VERSION = /^v\d+$/;

interface GitSource {
  dir: string;
  ref: string;
}

function args(): Record<string, string> {
  const out: Record<string, string> = {};
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    out[argv[i].replace(/^--/, '')] = argv[i + 1];
  }
  for (const required of ['api', 'apimachinery', 'gnostic', 'swagger', 'openapi-v3']) {
    if (!out[required]) {
      throw new Error(`missing --${required}; see the comment at the top of this file`);
    }
  }
  return out;
}

function gitSource(spec: string): GitSource {
  const at = spec.lastIndexOf('@');
  return { dir: spec.slice(0, at), ref: spec.slice(at + 1) };
}

const git = (src: GitSource, ...gitArgs: string[]) =>
  execFileSync('git', ['-C', src.dir, ...gitArgs], { maxBuffer: 64 * 1024 * 1024 }).toString();
const show = (src: GitSource, path: string) => git(src, 'show', `${src.ref}:${path}`);
const files = (src: GitSource) => git(src, 'ls-tree', '-r', '--name-only', src.ref).split('\n');

function write(path: string, content: string | Buffer): void {
  mkdirSync(dirname(join(OUT, path)), { recursive: true });
  writeFileSync(join(OUT, path), content);
}

// ---------------------------------------------------------------------------------------------
// Protobuf definitions

const APIMACHINERY_PROTOS = [
  'pkg/apis/meta/v1/generated.proto',
  'pkg/runtime/generated.proto',
  'pkg/runtime/schema/generated.proto',
  'pkg/util/intstr/generated.proto',
  'pkg/api/resource/generated.proto',
];
const APIMACHINERY_GO = [
  'pkg/apis/meta/v1/types.go',
  'pkg/apis/meta/v1/group_version.go',
  'pkg/apis/meta/v1/watch.go',
  'pkg/runtime/types.go',
];

interface ProtoPackage {
  /** API group (`""` for core) and version served from this proto package, if it is an API. */
  group?: string;
  version?: string;
  /** The proto package, e.g. k8s.io.api.core.v1. */
  package: string;
  protoPath: string;
  goFiles: string[];
  source: GitSource;
}

function collectPackages(api: GitSource, apimachinery: GitSource): ProtoPackage[] {
  const out: ProtoPackage[] = [];
  for (const path of files(api)) {
    const m = /^([a-z0-9]+)\/(v\d+)\/generated\.proto$/.exec(path);
    if (!m || !GA_VERSION.test(m[2])) {
      continue;
    }
    const dir = `${m[1]}/${m[2]}`;
    const register = show(api, `${dir}/register.go`);
    const groupName = /GroupName\s*=\s*"([^"]*)"/.exec(register)?.[1] ?? '';
    out.push({
      group: groupName,
      version: m[2],
      package: `k8s.io.api.${m[1]}.${m[2]}`,
      protoPath: `k8s.io/api/${path}`,
      goFiles: files(api).filter(
        (f) =>
          f.startsWith(`${dir}/`) &&
          f.endsWith('.go') &&
          !f.includes('/', dir.length + 1) &&
          !/(_test|generated\.pb|zz_generated\.\w+)\.go$/.test(f),
      ),
      source: api,
    });
  }
  for (const path of APIMACHINERY_PROTOS) {
    const pkgDir = dirname(path);
    out.push({
      package: `k8s.io.apimachinery.${pkgDir.replace(/\//g, '.')}`,
      protoPath: `k8s.io/apimachinery/${path}`,
      goFiles: APIMACHINERY_GO.filter((g) => dirname(g) === pkgDir),
      source: apimachinery,
    });
  }
  return out;
}

function vendorProtos(packages: ProtoPackage[], gnostic: GitSource): string[] {
  const written: string[] = [];
  for (const p of packages) {
    const source = p.protoPath.replace(/^k8s\.io\/(api|apimachinery)\//, '');
    write(`proto/${p.protoPath}`, show(p.source, source));
    written.push(p.protoPath);
  }
  const openapiV2 = 'github.com/google/gnostic-models/openapiv2/OpenAPIv2.proto';
  write(`proto/${openapiV2}`, show(gnostic, 'openapiv2/OpenAPIv2.proto'));
  written.push(openapiV2);
  return written;
}

function protoDescriptor(protoFiles: string[]): Record<string, unknown> {
  const root = new protobuf.Root();
  const base = join(OUT, 'proto');
  // Imports are full paths (k8s.io/apimachinery/...): resolve them all against the vendor root.
  root.resolvePath = (_origin, target) =>
    target.startsWith('google/protobuf/') || target.startsWith(base) ? target : join(base, target);
  root.loadSync(protoFiles, { keepCase: true });
  root.resolveAll();
  return root.toJSON({ keepComments: false }) as Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// Go facts that protobuf does not carry

/**
 * Field flags per proto field number: `p` Go pointer, `o` json omitempty, `i` inline (embedded in
 * the parent JSON object), then `|<jsonName>` when the JSON name differs from the proto name.
 */
type GoFields = Record<string, Record<string, string>>;

function goFields(packages: ProtoPackage[]): { fields: GoFields; listWrappers: string[] } {
  const fields: GoFields = {};
  const listWrappers: string[] = [];
  for (const p of packages) {
    for (const file of p.goFiles) {
      const text = show(p.source, file);
      let current: Record<string, string> | undefined;
      for (const line of text.split('\n')) {
        const start = /^type (\w+) struct \{/.exec(line);
        if (start) {
          current = {};
          fields[`${p.package}.${start[1]}`] = current;
          continue;
        }
        const wrapper = /^type (\w+) \[\]string\s*$/.exec(line);
        if (wrapper) {
          listWrappers.push(`${p.package}.${wrapper[1]}`);
        }
        if (/^\}/.test(line)) {
          current = undefined;
          continue;
        }
        if (!current || /^\s*\/\//.test(line)) {
          continue;
        }
        const field = /^\s+(?:(\w+)\s+)?([^\s`]+)\s+`([^`]*)`\s*$/.exec(line);
        if (!field) {
          continue;
        }
        const [, name, type, tags] = field;
        const proto = /protobuf:"([^"]*)"/.exec(tags)?.[1];
        // "bytes,2,opt,name=volumeSource": the field number is always there, the name not always.
        const fieldNumber = proto?.split(',')[1];
        if (!proto || proto === '-' || !fieldNumber) {
          continue;
        }
        const goName = name ?? type.replace(/^\*/, '').split('.').pop() ?? '';
        const protoName =
          /(?:^|,)name=([^,]+)/.exec(proto)?.[1] ??
          goName.charAt(0).toLowerCase() + goName.slice(1);
        const json = /json:"([^"]*)"/.exec(tags)?.[1];
        const [jsonName, ...opts] = (json ?? '').split(',');
        let flags = '';
        if (type.startsWith('*')) {
          flags += 'p';
        }
        if (opts.includes('omitempty')) {
          flags += 'o';
        }
        if (opts.includes('inline') || (name === undefined && jsonName === '' && json !== '-')) {
          flags += 'i';
        }
        const effectiveJson = json === undefined ? protoName : jsonName;
        if (!flags.includes('i') && effectiveJson !== protoName && json !== '-') {
          flags += `|${effectiveJson}`;
        }
        current[fieldNumber] = flags;
      }
    }
  }
  return { fields, listWrappers };
}

// ---------------------------------------------------------------------------------------------
// OpenAPI documents

type Json = Record<string, unknown>;

/** `/api/v1/...` → `api/v1`; `/apis/g/v/...` → `apis/g/v`; anything else (root paths) → undefined. */
function groupVersionOfPath(path: string): string | undefined {
  const m = /^\/(api\/v\d+\w*|apis\/[^/]+\/v\d+\w*)\//.exec(path);
  return m?.[1];
}

function isGaKey(key: string): boolean {
  return GA_VERSION.test(key.split('/').pop() ?? '');
}

function refsOf(value: unknown, into: Set<string>, prefix: string): void {
  if (Array.isArray(value)) {
    value.forEach((v) => refsOf(v, into, prefix));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith(prefix)) {
        into.add(v.slice(prefix.length));
      } else {
        refsOf(v, into, prefix);
      }
    }
  }
}

/** Names reachable from `roots` through `$ref`s into `all`. */
function reachable(roots: unknown, all: Record<string, unknown>, prefix: string): Set<string> {
  const seen = new Set<string>();
  const queue = new Set<string>();
  refsOf(roots, queue, prefix);
  for (const name of queue) {
    if (seen.has(name) || !(name in all)) {
      continue;
    }
    seen.add(name);
    refsOf(all[name], queue, prefix);
  }
  return seen;
}

function openapiV2(swaggerPath: string): Json {
  const swagger = JSON.parse(readFileSync(swaggerPath, 'utf8')) as Json;
  const paths: Json = {};
  for (const [path, item] of Object.entries(swagger.paths as Json)) {
    const gv = groupVersionOfPath(path);
    if (gv === undefined || isGaKey(gv)) {
      paths[path] = item;
    }
  }
  const parameters = swagger.parameters as Json;
  const usedParams = reachable(paths, parameters, '#/parameters/');
  const definitions = swagger.definitions as Json;
  const keptParams = Object.fromEntries(
    Object.entries(parameters).filter(([k]) => usedParams.has(k)),
  );
  const usedDefs = reachable([paths, keptParams], definitions, '#/definitions/');
  return {
    ...swagger,
    paths,
    parameters: keptParams,
    definitions: Object.fromEntries(Object.entries(definitions).filter(([k]) => usedDefs.has(k))),
  };
}

function openapiV3(dir: string): Json {
  const schemas: Json = {};
  const documents: Json = {};
  const walk = (d: string) => {
    for (const entry of readdirSync(d)) {
      const p = join(d, entry);
      if (statSync(p).isDirectory()) {
        walk(p);
        continue;
      }
      const key = relative(dir, p).replace(/\.json$/, '');
      if (!isGaKey(key)) {
        continue;
      }
      const doc = JSON.parse(readFileSync(p, 'utf8')) as Json;
      const components = (doc.components as { schemas: Json }).schemas;
      for (const [name, schema] of Object.entries(components)) {
        if (name in schemas && JSON.stringify(schemas[name]) !== JSON.stringify(schema)) {
          throw new Error(`schema ${name} differs between documents (${key})`);
        }
        schemas[name] = schema;
      }
      const { components: _c, ...rest } = doc;
      documents[key] = rest;
    }
  };
  walk(dir);
  return { schemas, documents };
}

/**
 * Drops `description` keywords; a field named `description` (JSONSchemaProps, PriorityClass,
 * printer columns) is a key of `properties` and stays.
 */
function withoutDescriptions(value: unknown, inProperties = false): unknown {
  if (Array.isArray(value)) {
    return value.map((v) => withoutDescriptions(v));
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => inProperties || k !== 'description')
        .map(([k, v]) => [k, withoutDescriptions(v, !inProperties && k === 'properties')]),
    );
  }
  return value;
}

// ---------------------------------------------------------------------------------------------

function main(): void {
  const a = args();
  const api = gitSource(a.api);
  const apimachinery = gitSource(a.apimachinery);
  const gnostic = gitSource(a.gnostic);
  rmSync(OUT, { recursive: true, force: true });
  const packages = collectPackages(api, apimachinery);
  const protoFiles = vendorProtos(packages, gnostic);
  write('LICENSE', show(api, 'LICENSE'));
  write('generated/kube-proto.json', JSON.stringify(protoDescriptor(protoFiles)));
  const { fields, listWrappers } = goFields(packages);
  const apiPackages = Object.fromEntries(
    packages
      .filter((p) => p.version !== undefined)
      .map((p) => [p.group ? `${p.group}/${p.version}` : p.version, p.package]),
  );
  write(
    'generated/go-fields.json',
    JSON.stringify({ apiPackages, listWrappers: listWrappers.sort(), fields }),
  );
  const v2 = openapiV2(a.swagger);
  const v3 = openapiV3(a['openapi-v3']);
  // The structure of every definition (descriptions dropped): what SSA, field validation and
  // protobuf need on the first write, without parsing the whole OpenAPI bundle. The v3 schemas
  // carry the defaults (list-map keys like protocol: TCP) that the v2 document leaves out.
  const v3Schemas = v3.schemas as Json;
  const v2Only = Object.fromEntries(
    Object.entries(v2.definitions as Json).filter(([name]) => !(name in v3Schemas)),
  );
  write('generated/schemas.json', JSON.stringify(withoutDescriptions({ ...v2Only, ...v3Schemas })));
  const bundle = {
    kubernetesVersion: '1.32',
    v2,
    v3,
  };
  write(
    'openapi/kubernetes-openapi.json.br',
    brotliCompressSync(Buffer.from(JSON.stringify(bundle)), {
      params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_LGWIN]: 24 },
    }),
  );
  write(
    'README.md',
    readme({ api, apimachinery, gnostic, protoCount: protoFiles.length, packages }),
  );
  // Last: it reads the files above through the server's own loader, which looks for the README.
  generateZeroObjects();
  console.log(`vendored ${protoFiles.length} proto files and the OpenAPI documents into ${OUT}`);
}

function readme(info: {
  api: GitSource;
  apimachinery: GitSource;
  gnostic: GitSource;
  protoCount: number;
  packages: ProtoPackage[];
}): string {
  const groups = info.packages
    .filter((p) => p.version !== undefined)
    .map((p) => (p.group ? `\`${p.group}/${p.version}\`` : `core \`${p.version}\``))
    .join(', ');
  return `# Vendored Kubernetes API definitions

Upstream files the built-in api-server serves and decodes with. Licensed under the Apache License 2.0
(\`LICENSE\`, copied from kubernetes/api); Copyright The Kubernetes Authors, and Google LLC for
\`OpenAPIv2.proto\`. Do not edit by hand: \`scripts/vendor-kubernetes.ts\` regenerates everything.

| Path | What | Source |
| --- | --- | --- |
| \`proto/k8s.io/api/<group>/<version>/generated.proto\` | protobuf schemas of the GA group versions (${groups}) | kubernetes/api ${info.api.ref}, verbatim |
| \`proto/k8s.io/apimachinery/…/generated.proto\` | meta/v1, runtime, runtime/schema, intstr, resource | kubernetes/apimachinery ${info.apimachinery.ref}, verbatim |
| \`proto/github.com/google/gnostic-models/openapiv2/OpenAPIv2.proto\` | the protobuf form of OpenAPI v2 that client-go reads | google/gnostic-models ${info.gnostic.ref}, verbatim |
| \`generated/kube-proto.json\` | the protobufjs descriptor of the ${info.protoCount} files above (comments dropped) | generated |
| \`generated/schemas.json\` | the v3 component schemas (plus the few v2-only discovery definitions) without descriptions: the structure SSA, field validation and list-key defaults walk | generated from the OpenAPI documents below |
| \`generated/go-fields.json\` | what the Go types add to the protobuf schema: pointer fields, \`omitempty\`, inline embedding, JSON names that differ, \`[]string\` wrapper messages, and the proto package of each group version | generated from the \`types.go\` files of the same tags |
| \`generated/zero-objects.json\` | the Go zero object of every kind of those group versions (what managed fields start a create from), so a start need not parse the protobuf schema | generated from the two files above (\`scripts/generate-zero-objects.ts\`) |
| \`openapi/kubernetes-openapi.json.br\` | \`{kubernetesVersion, v2, v3: {schemas, documents}}\`: the v2 document (\`swagger.json\`) and the v3 group-version documents of Kubernetes 1.32, limited to the GA group versions, v3 component schemas stored once; brotli | kubernetes/kubernetes release-1.32 \`api/openapi-spec/swagger.json\` and \`api/openapi-spec/v3/*.json\` |

The release-1.32 OpenAPI files were taken from copies that ship them unmodified (checked against
kubernetes/kubernetes): \`kubernetes/swagger.json.unprocessed\` of kubernetes-client/python v32.0.1
and \`pkg/openapiclient/builtins/1.32/\` of kubernetes-sigs/kubectl-validate.

The server filters the OpenAPI documents to what it actually serves at run time (kinds,
subresources, verbs), so kinds added to the registry later are published as soon as they exist.
`;
}

main();
