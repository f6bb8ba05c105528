import { dump as dumpYaml } from 'js-yaml';
import type { Type } from 'protobufjs';
import { KubeProto } from '../../protobuf/kube-proto';
import type { Json } from './upstream-openapi';

/**
 * OpenAPI v2 JSON → gnostic's `openapi.v2.Document` protobuf, as kube-openapi serves
 * `application/com.github.proto-openapi.spec.v2@v1.0+protobuf` (openapi_v2.ParseDocument then
 * proto.Marshal): named lists for maps, oneofs for parameters and responses, and vendor
 * extensions and defaults as YAML text in `Any`.
 */

type Msg = Record<string, unknown>;
const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const anyOf = (value: unknown): Msg => ({ yaml: dumpYaml(value, { lineWidth: -1, noRefs: true }) });

function extensions(o: Json): Msg[] {
  return Object.entries(o)
    .filter(([k]) => k.startsWith('x-'))
    .map(([name, value]) => ({ name, value: anyOf(value) }));
}

const named = (o: unknown, convert: (v: unknown) => Msg): Msg[] =>
  isObject(o) ? Object.entries(o).map(([name, value]) => ({ name, value: convert(value) })) : [];

/** Scalar fields shared by Schema and the parameter sub-schemas (json name → proto name). */
const VALIDATIONS: [string, string][] = [
  ['format', 'format'],
  ['title', 'title'],
  ['description', 'description'],
  ['multipleOf', 'multiple_of'],
  ['maximum', 'maximum'],
  ['exclusiveMaximum', 'exclusive_maximum'],
  ['minimum', 'minimum'],
  ['exclusiveMinimum', 'exclusive_minimum'],
  ['maxLength', 'max_length'],
  ['minLength', 'min_length'],
  ['pattern', 'pattern'],
  ['maxItems', 'max_items'],
  ['minItems', 'min_items'],
  ['uniqueItems', 'unique_items'],
  ['maxProperties', 'max_properties'],
  ['minProperties', 'min_properties'],
  ['readOnly', 'read_only'],
  ['discriminator', 'discriminator'],
  ['required', 'required'],
  ['collectionFormat', 'collection_format'],
  ['allowEmptyValue', 'allow_empty_value'],
  ['in', 'in'],
  ['name', 'name'],
];

function copyScalars(from: Json, to: Msg, allowed: Set<string>): void {
  for (const [json, proto] of VALIDATIONS) {
    if (allowed.has(proto) && from[json] !== undefined) {
      to[proto] = from[json];
    }
  }
}

const SCHEMA_FIELDS = new Set([
  'format',
  'title',
  'description',
  'multiple_of',
  'maximum',
  'exclusive_maximum',
  'minimum',
  'exclusive_minimum',
  'max_length',
  'min_length',
  'pattern',
  'max_items',
  'min_items',
  'unique_items',
  'max_properties',
  'min_properties',
  'required',
  'discriminator',
  'read_only',
]);

function schema(value: unknown): Msg {
  const s = isObject(value) ? value : {};
  const out: Msg = {};
  if (typeof s.$ref === 'string') {
    out._ref = s.$ref;
  }
  copyScalars(s, out, SCHEMA_FIELDS);
  if (s.default !== undefined) {
    out.default = anyOf(s.default);
  }
  if (Array.isArray(s.enum)) {
    out.enum = s.enum.map(anyOf);
  }
  if (s.additionalProperties !== undefined) {
    out.additional_properties =
      typeof s.additionalProperties === 'boolean'
        ? { boolean: s.additionalProperties }
        : { schema: schema(s.additionalProperties) };
  }
  if (s.type !== undefined) {
    out.type = { value: Array.isArray(s.type) ? s.type : [s.type] };
  }
  if (isObject(s.items)) {
    out.items = { schema: [schema(s.items)] };
  }
  if (Array.isArray(s.allOf)) {
    out.all_of = s.allOf.map(schema);
  }
  if (isObject(s.properties)) {
    out.properties = { additional_properties: named(s.properties, schema) };
  }
  if (s.example !== undefined) {
    out.example = anyOf(s.example);
  }
  out.vendor_extension = extensions(s);
  return out;
}

const PARAMETER_FIELDS = new Set([
  'required',
  'in',
  'description',
  'name',
  'allow_empty_value',
  'format',
  'collection_format',
  'maximum',
  'exclusive_maximum',
  'minimum',
  'exclusive_minimum',
  'max_length',
  'min_length',
  'pattern',
  'max_items',
  'min_items',
  'unique_items',
  'multiple_of',
]);

function primitivesItems(value: unknown): Msg {
  const s = isObject(value) ? value : {};
  const out: Msg = {};
  copyScalars(s, out, PARAMETER_FIELDS);
  if (typeof s.type === 'string') {
    out.type = s.type;
  }
  if (isObject(s.items)) {
    out.items = primitivesItems(s.items);
  }
  if (s.default !== undefined) {
    out.default = anyOf(s.default);
  }
  out.vendor_extension = extensions(s);
  return out;
}

const SUB_SCHEMA: Record<string, string> = {
  header: 'header_parameter_sub_schema',
  formData: 'form_data_parameter_sub_schema',
  query: 'query_parameter_sub_schema',
  path: 'path_parameter_sub_schema',
};

function parameter(value: unknown): Msg {
  const p = isObject(value) ? value : {};
  if (p.in === 'body') {
    const body: Msg = {};
    copyScalars(p, body, new Set(['description', 'name', 'in', 'required']));
    if (p.schema !== undefined) {
      body.schema = schema(p.schema);
    }
    body.vendor_extension = extensions(p);
    return { body_parameter: body };
  }
  const sub = primitivesItems(p);
  if (Array.isArray(p.enum)) {
    sub.enum = p.enum.map(anyOf);
  }
  return {
    non_body_parameter: { [SUB_SCHEMA[String(p.in)] ?? 'query_parameter_sub_schema']: sub },
  };
}

const parametersItem = (value: unknown): Msg =>
  isObject(value) && typeof value.$ref === 'string'
    ? { json_reference: { _ref: value.$ref } }
    : { parameter: parameter(value) };

function response(value: unknown): Msg {
  const r = isObject(value) ? value : {};
  if (typeof r.$ref === 'string') {
    return { json_reference: { _ref: r.$ref } };
  }
  const out: Msg = { description: r.description ?? '' };
  if (r.schema !== undefined) {
    out.schema = { schema: schema(r.schema) };
  }
  out.vendor_extension = extensions(r);
  return { response: out };
}

function operation(value: unknown): Msg {
  const o = isObject(value) ? value : {};
  const out: Msg = {};
  for (const [json, proto] of [
    ['tags', 'tags'],
    ['summary', 'summary'],
    ['description', 'description'],
    ['operationId', 'operation_id'],
    ['produces', 'produces'],
    ['consumes', 'consumes'],
    ['schemes', 'schemes'],
    ['deprecated', 'deprecated'],
  ]) {
    if (o[json] !== undefined) {
      out[proto] = o[json];
    }
  }
  if (Array.isArray(o.parameters)) {
    out.parameters = o.parameters.map(parametersItem);
  }
  if (isObject(o.responses)) {
    out.responses = {
      response_code: Object.entries(o.responses)
        .filter(([code]) => !code.startsWith('x-'))
        .map(([name, r]) => ({ name, value: response(r) })),
      vendor_extension: extensions(o.responses),
    };
  }
  out.vendor_extension = extensions(o);
  return out;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'];

function pathItem(value: unknown): Msg {
  const p = isObject(value) ? value : {};
  const out: Msg = {};
  for (const method of METHODS) {
    if (p[method] !== undefined) {
      out[method] = operation(p[method]);
    }
  }
  if (Array.isArray(p.parameters)) {
    out.parameters = p.parameters.map(parametersItem);
  }
  out.vendor_extension = extensions(p);
  return out;
}

function securityDefinition(value: unknown): Msg {
  const s = isObject(value) ? value : {};
  const base: Msg = {};
  for (const key of ['type', 'name', 'in', 'description']) {
    if (s[key] !== undefined) {
      base[key] = s[key];
    }
  }
  base.vendor_extension = extensions(s);
  return s.type === 'basic' ? { basic_authentication_security: base } : { api_key_security: base };
}

function document(doc: Json): Msg {
  const info = isObject(doc.info) ? doc.info : {};
  return {
    swagger: doc.swagger,
    info: { title: info.title, version: info.version, vendor_extension: extensions(info) },
    paths: { path: named(doc.paths, pathItem), vendor_extension: [] },
    definitions: { additional_properties: named(doc.definitions, schema) },
    parameters: {
      additional_properties: named(doc.parameters, (p) => parameter(p)),
    },
    security: Array.isArray(doc.security)
      ? doc.security.map((req) => ({
          additional_properties: named(req, (scopes) => ({ value: scopes })),
        }))
      : [],
    security_definitions: {
      additional_properties: named(doc.securityDefinitions, securityDefinition),
    },
    vendor_extension: extensions(doc),
  };
}

/** The protobuf body of `/openapi/v2` for a JSON document. */
export function encodeOpenApiV2(json: Buffer): Buffer {
  const type = KubeProto.get().type('openapi.v2.Document') as Type;
  return Buffer.from(type.encode(document(JSON.parse(json.toString('utf8')) as Json)).finish());
}
