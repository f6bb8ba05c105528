import { readVendoredJson } from '../vendored';
import { TypeBuilder, type TypeRef } from './typed-schema';

type Json = Record<string, unknown>;

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

const gvkKey = (g: GroupVersionKind) => `${g.group}/${g.version}/${g.kind}`;

let upstream: Record<string, Json> | undefined;

/** The upstream 1.32 definitions (component schemas), read once per process. */
function upstreamDefinitions(): Record<string, Json> {
  return (upstream ??= readVendoredJson<Record<string, Json>>('generated', 'schemas.json'));
}

/**
 * The OpenAPI definitions of every kind the server knows: the upstream 1.32 definitions, plus
 * definitions registered at run time (CRDs publish their structural schemas here). Definitions
 * name their kinds with `x-kubernetes-group-version-kind`, as upstream's do. Server-side apply,
 * field validation and OpenAPI publication all read kinds through this registry.
 */
export class SchemaRegistry {
  private readonly runtime = new Map<string, Json>();
  private readonly byGvk = new Map<string, string>();
  private builder: TypeBuilder;
  private readonly listeners = new Set<() => void>();
  /** Bumped on every change (OpenAPI documents are rebuilt when it moves). */
  generation = 0;

  constructor() {
    for (const [name, schema] of Object.entries(upstreamDefinitions())) {
      this.index(name, schema);
    }
    this.builder = this.newBuilder();
  }

  /**
   * Adds or replaces definitions for kinds defined at run time. Names should follow upstream's
   * (reversed group, version, kind: `com.example.v1.Widget`); each kind's definition carries
   * `x-kubernetes-group-version-kind`.
   */
  registerDefinitions(definitions: Record<string, Json>): void {
    for (const [name, schema] of Object.entries(definitions)) {
      this.runtime.set(name, schema);
      this.index(name, schema);
    }
    this.changed();
  }

  /** Removes run-time definitions (a deleted CRD version). */
  removeDefinitions(names: string[]): void {
    for (const name of names) {
      const schema = this.runtime.get(name);
      if (!schema) {
        continue;
      }
      this.runtime.delete(name);
      for (const gvk of gvksOf(schema)) {
        if (this.byGvk.get(gvkKey(gvk)) === name) {
          this.byGvk.delete(gvkKey(gvk));
        }
      }
    }
    this.changed();
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Whether a definition was registered at run time (its v3 form is the registered one). */
  isRuntimeDefinition(name: string): boolean {
    return this.runtime.has(name);
  }

  definition(name: string): Json | undefined {
    return this.runtime.get(name) ?? upstreamDefinitions()[name];
  }

  /** Every definition name (upstream and run-time). */
  definitionNames(): string[] {
    return [...new Set([...Object.keys(upstreamDefinitions()), ...this.runtime.keys()])];
  }

  definitionNameOf(gvk: GroupVersionKind): string | undefined {
    return this.byGvk.get(gvkKey(gvk));
  }

  /** The structural type of a kind, or undefined when no definition names it. */
  typeOf(gvk: GroupVersionKind): TypeRef | undefined {
    const name = this.definitionNameOf(gvk);
    return name ? this.builder.definition(name) : undefined;
  }

  /** The type of a named definition (e.g. `io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta`). */
  typeOfDefinition(name: string): TypeRef | undefined {
    return this.builder.definition(name);
  }

  private index(name: string, schema: Json): void {
    for (const gvk of gvksOf(schema)) {
      // The first definition naming a GVK wins, as for upstream's single definition per kind.
      if (!this.byGvk.has(gvkKey(gvk)) || this.runtime.has(name)) {
        this.byGvk.set(gvkKey(gvk), name);
      }
    }
  }

  private newBuilder(): TypeBuilder {
    return new TypeBuilder((name) => this.definition(name));
  }

  private changed(): void {
    this.builder = this.newBuilder();
    this.generation++;
    for (const listener of this.listeners) {
      listener();
    }
  }
}

function gvksOf(schema: Json): GroupVersionKind[] {
  const list = schema['x-kubernetes-group-version-kind'];
  return Array.isArray(list) ? (list as GroupVersionKind[]) : [];
}
