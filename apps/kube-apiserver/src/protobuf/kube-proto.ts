import type { Root, Type } from 'protobufjs';
import { readVendoredJson } from '../vendored';
import { protobufjs } from './protobufjs';

/** What the Go types add to the protobuf schema (see vendor/kubernetes/README.md). */
interface GoFacts {
  /** "group/version" ("v1" for core) → proto package. */
  apiPackages: Record<string, string>;
  /** Messages that are a Go `[]string` (`{items}` in protobuf, an array in JSON). */
  listWrappers: string[];
  /** Message → proto field number → flags: p pointer, o omitempty, i inline, then `|jsonName`. */
  fields: Record<string, Record<string, string>>;
}

/** How one proto field appears in JSON. */
export interface FieldFacts {
  jsonName: string;
  pointer: boolean;
  omitEmpty: boolean;
  /** Embedded Go struct whose fields sit in the parent JSON object (`json:",inline"`). */
  inline: boolean;
}

export const META_V1 = 'k8s.io.apimachinery.pkg.apis.meta.v1';

/**
 * The Kubernetes protobuf schema, loaded once per process from the descriptor generated out of the
 * vendored upstream .proto files. Nothing here is written per kind: every message of every GA
 * group version is available, so kinds added to the registry get protobuf for free.
 */
export class KubeProto {
  private static instance: KubeProto | undefined;
  private loadedRoot: Root | undefined;
  private readonly facts: GoFacts;
  private readonly wrappers: Set<string>;
  private readonly fieldCache = new Map<Type, Map<string, FieldFacts>>();

  private constructor() {
    this.facts = readVendoredJson<GoFacts>('generated', 'go-fields.json');
    this.wrappers = new Set(this.facts.listWrappers);
  }

  static get(): KubeProto {
    return (KubeProto.instance ??= new KubeProto());
  }

  /** The protobufjs root, parsed on first use (most processes never see a protobuf body). */
  get root(): Root {
    if (!this.loadedRoot) {
      this.loadedRoot = protobufjs().Root.fromJSON(
        readVendoredJson('generated', 'kube-proto.json'),
      );
      this.loadedRoot.resolveAll();
    }
    return this.loadedRoot;
  }

  /** A message by full name (`k8s.io.api.core.v1.Pod`), or undefined. */
  type(fullName: string): Type | undefined {
    const found = this.root.lookup(fullName);
    return found && 'fieldsArray' in found ? (found as Type) : undefined;
  }

  /**
   * The message of `kind` as served in group/version; options and Status kinds (DeleteOptions,
   * Status, WatchEvent…) are registered in every group version, so meta/v1 is the fallback.
   */
  typeForKind(group: string, version: string, kind: string): Type | undefined {
    const pkg = this.facts.apiPackages[group ? `${group}/${version}` : version];
    return (pkg ? this.type(`${pkg}.${kind}`) : undefined) ?? this.type(`${META_V1}.${kind}`);
  }

  /** Every group version with protobuf messages: `[group, version, proto package]`. */
  groupVersions(): [string, string, string][] {
    return Object.entries(this.facts.apiPackages).map(([gv, pkg]) => {
      const slash = gv.indexOf('/');
      return slash < 0 ? ['', gv, pkg] : [gv.slice(0, slash), gv.slice(slash + 1), pkg];
    });
  }

  /** The messages declared in a proto package (not nested ones). */
  messagesOf(pkg: string): Type[] {
    const ns = this.root.lookup(pkg);
    const nested =
      ns && 'nestedArray' in ns ? (ns as unknown as { nestedArray: unknown[] }) : undefined;
    return (nested?.nestedArray ?? []).filter(
      (n): n is Type => !!n && typeof n === 'object' && 'fieldsArray' in n,
    );
  }

  /** Whether the group version's kinds have protobuf messages (CRDs never do). */
  hasPackage(group: string, version: string): boolean {
    return this.facts.apiPackages[group ? `${group}/${version}` : version] !== undefined;
  }

  /** Whether `type` is a Go API type (proto2 with Go value-field semantics). */
  hasGoFacts(type: Type): boolean {
    return this.facts.fields[fullName(type)] !== undefined;
  }

  isListWrapper(type: Type): boolean {
    return this.wrappers.has(fullName(type));
  }

  /** JSON facts of every field of `type`, by proto field name. */
  fieldsOf(type: Type): Map<string, FieldFacts> {
    let cached = this.fieldCache.get(type);
    if (!cached) {
      cached = new Map();
      const flags = this.facts.fields[fullName(type)] ?? {};
      for (const field of type.fieldsArray) {
        const f = flags[field.id] ?? 'o';
        const [opts, json] = f.split('|');
        cached.set(field.name, {
          jsonName: json ?? field.name,
          pointer: opts.includes('p'),
          omitEmpty: opts.includes('o'),
          inline: opts.includes('i'),
        });
      }
      this.fieldCache.set(type, cached);
    }
    return cached;
  }
}

/** `k8s.io.api.core.v1.Pod` (protobufjs names start with a dot). */
export function fullName(type: Type): string {
  return type.fullName.replace(/^\./, '');
}
