/**
 * The structure of a kind as structured-merge-diff sees it (kube-openapi's schemaconv): scalars,
 * maps (structs with named fields, or maps with an element type; granular or atomic), lists
 * (atomic, or associative: sets and maps keyed by their list-map keys) and untyped values
 * (RawExtension, preserve-unknown-fields), built from OpenAPI schemas.
 */

export interface ScalarAtom {
  kind: 'scalar';
  /** OpenAPI type and format; undefined accepts strings and numbers (IntOrString, Quantity). */
  type?: 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
}

/** Anything: maps are walked field by field, lists are atomic (SMD's deduced type). */
export interface UntypedAtom {
  kind: 'untyped';
}

export interface MapAtom {
  kind: 'map';
  /** The definition this struct comes from (for Go-style type names in errors). */
  name?: string;
  /** Named fields (a struct). */
  fields: Map<string, TypeRef>;
  /** The type of keys that are not named fields (maps); absent = unknown keys are not declared. */
  elements?: TypeRef;
  atomic: boolean;
  /** `default` of named fields (list-map keys fall back to it, e.g. protocol: TCP). */
  defaults: Map<string, unknown>;
}

export interface ListAtom {
  kind: 'list';
  elements: TypeRef;
  /** atomic: replaced as a whole; associative: a set (no keys) or a map keyed by `keys`. */
  relationship: 'atomic' | 'associative';
  keys: string[];
}

export type Atom = ScalarAtom | UntypedAtom | MapAtom | ListAtom;

/** A lazily resolved type: schemas refer to themselves (JSONSchemaProps) and to each other. */
export interface TypeRef {
  readonly atom: Atom;
}

type Json = Record<string, unknown>;

const fixed = (atom: Atom): TypeRef => ({ atom });
export const SCALAR = fixed({ kind: 'scalar' });
export const UNTYPED = fixed({ kind: 'untyped' });

class LazyRef implements TypeRef {
  private resolved: Atom | undefined;

  constructor(private readonly resolve: () => Atom) {}

  get atom(): Atom {
    return (this.resolved ??= this.resolve());
  }
}

const QUANTITY = /\.api\.resource\.Quantity$/;

const REF_PREFIXES = ['#/definitions/', '#/components/schemas/'];

function refName(schema: Json): string | undefined {
  let ref = schema.$ref;
  // OpenAPI v3 wraps references that carry a description or default: allOf: [{$ref}].
  if (ref === undefined && Array.isArray(schema.allOf) && schema.allOf.length === 1) {
    ref = (schema.allOf[0] as Json).$ref;
  }
  if (typeof ref !== 'string') {
    return undefined;
  }
  const prefix = REF_PREFIXES.find((p) => ref.startsWith(p));
  return prefix ? ref.slice(prefix.length) : undefined;
}

const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Builds TypeRefs from OpenAPI schemas whose `$ref`s name entries of `lookup`. */
export class TypeBuilder {
  private readonly named = new Map<string, TypeRef>();

  constructor(private readonly lookup: (name: string) => Json | undefined) {}

  /** The type of a named definition, or undefined when there is none. */
  definition(name: string): TypeRef | undefined {
    let ref = this.named.get(name);
    if (!ref) {
      const schema = this.lookup(name);
      if (!schema) {
        return undefined;
      }
      ref = new LazyRef(() => {
        if (QUANTITY.test(name)) {
          // {"type":"string"} in OpenAPI, but its JSON decoder takes numbers too (cpu: 1).
          return SCALAR.atom;
        }
        const atom = this.atomOf(schema);
        return atom.kind === 'map' ? { ...atom, name } : atom;
      });
      this.named.set(name, ref);
    }
    return ref;
  }

  /** The type of a schema node. */
  of(schema: unknown): TypeRef {
    if (!isObject(schema)) {
      return UNTYPED;
    }
    const name = refName(schema);
    if (name) {
      return this.definition(name) ?? UNTYPED;
    }
    return new LazyRef(() => this.atomOf(schema));
  }

  private atomOf(schema: Json): Atom {
    const name = refName(schema);
    if (name) {
      return this.definition(name)?.atom ?? UNTYPED.atom;
    }
    if (schema['x-kubernetes-int-or-string'] === true || schema.format === 'int-or-string') {
      return SCALAR.atom;
    }
    const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
    const type = schema.type;
    if (type === 'array') {
      return this.listOf(schema);
    }
    if (type === 'object' || isObject(schema.properties) || schema.additionalProperties) {
      return this.mapOf(schema, preserve);
    }
    if (type === 'string' || type === 'integer' || type === 'number' || type === 'boolean') {
      return {
        kind: 'scalar',
        type,
        format: typeof schema.format === 'string' ? schema.format : undefined,
      };
    }
    return UNTYPED.atom;
  }

  private mapOf(schema: Json, preserve: boolean): Atom {
    const properties = isObject(schema.properties) ? schema.properties : undefined;
    const additional = schema.additionalProperties;
    if (!properties && !additional) {
      // {"type":"object"} alone: RawExtension, FieldsV1, free-form objects.
      return UNTYPED.atom;
    }
    const fields = new Map<string, TypeRef>();
    const defaults = new Map<string, unknown>();
    for (const [field, sub] of Object.entries(properties ?? {})) {
      fields.set(field, this.of(sub));
      if (isObject(sub) && sub.default !== undefined) {
        defaults.set(field, sub.default);
      }
    }
    let elements: TypeRef | undefined;
    if (isObject(additional)) {
      elements = this.of(additional);
    } else if (additional === true || preserve) {
      elements = UNTYPED;
    }
    return {
      kind: 'map',
      fields,
      elements,
      atomic: schema['x-kubernetes-map-type'] === 'atomic',
      defaults,
    };
  }

  private listOf(schema: Json): Atom {
    const elements = this.of(schema.items);
    const listType = schema['x-kubernetes-list-type'];
    if (listType === 'map') {
      const keys = Array.isArray(schema['x-kubernetes-list-map-keys'])
        ? (schema['x-kubernetes-list-map-keys'] as string[])
        : [];
      return { kind: 'list', elements, relationship: 'associative', keys };
    }
    if (listType === 'set') {
      return { kind: 'list', elements, relationship: 'associative', keys: [] };
    }
    if (listType === 'atomic') {
      return { kind: 'list', elements, relationship: 'atomic', keys: [] };
    }
    const strategy = schema['x-kubernetes-patch-strategy'];
    if (typeof strategy === 'string' && strategy.split(',').includes('merge')) {
      const key = schema['x-kubernetes-patch-merge-key'];
      return {
        kind: 'list',
        elements,
        relationship: 'associative',
        keys: typeof key === 'string' ? [key] : [],
      };
    }
    return { kind: 'list', elements, relationship: 'atomic', keys: [] };
  }
}
