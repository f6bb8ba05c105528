import type { ResourceType } from '../registry/resource-type';
import { hasStatus } from '../registry/resource-type';
import { goZeroObject } from '../protobuf/zero-object';
import type { FieldSet } from '../patch/structured-merge/field-set';
import type { PathElement } from '../patch/structured-merge/path-element';
import type { IgnoreFilter } from '../patch/structured-merge/updater';
import type { SchemaRegistry } from '../schema/schema-registry';
import { UNTYPED } from '../schema/typed-schema';
import { FieldManager } from './managed-fields';
import type { KubeObject } from '../object/types';

/**
 * The manager the built-in controllers (garbage collector, namespace finalizer) record: upstream they
 * run in kube-controller-manager, whose User-Agent prefix becomes the manager.
 */
export const CONTROLLER_MANAGER = 'kube-controller-manager';

/**
 * The top-level fields writes through an endpoint never own (the strategies' GetResetFields):
 * the main resource of a kind with a status subresource resets `.status`; the status
 * subresource resets everything but `.status` and the metadata it may change.
 */
function ignoredTop(
  type: ResourceType,
  subresource: string | undefined,
): ((field: string) => boolean) | undefined {
  if (subresource === 'status') {
    return (field) => field !== 'status' && field !== 'metadata';
  }
  if ((subresource === undefined || subresource === 'scale') && hasStatus(type)) {
    return (field) => field === 'status';
  }
  return undefined;
}

function ignoreFilter(ignored: ((field: string) => boolean) | undefined): IgnoreFilter {
  if (!ignored) {
    return (set) => set;
  }
  return (set: FieldSet) =>
    set.filterTop((pe: PathElement) => !('field' in pe && ignored(pe.field)));
}

/** One FieldManager per (kind, subresource), rebuilt when schemas change (CRDs). */
export class FieldManagers {
  private cache = new Map<string, FieldManager>();
  private generation: number;

  constructor(
    private readonly schemas: SchemaRegistry,
    private readonly now: () => string,
  ) {
    this.generation = schemas.generation;
  }

  forKind(type: ResourceType, subresource: string | undefined): FieldManager {
    if (this.generation !== this.schemas.generation) {
      this.cache = new Map();
      this.generation = this.schemas.generation;
    }
    const key = `${type.group}/${type.version}/${type.kind}/${subresource ?? ''}`;
    let manager = this.cache.get(key);
    if (!manager) {
      const gvk = { group: type.group, version: type.version, kind: type.kind };
      const ignored = ignoredTop(type, subresource);
      manager = new FieldManager({
        ...gvk,
        type: this.schemas.typeOf(gvk) ?? UNTYPED,
        subresource,
        ignore: ignoreFilter(ignored),
        ignoredTop: ignored,
        zero: () => goZeroObject(type.group, type.version, type.kind) as KubeObject,
        now: this.now,
      });
      this.cache.set(key, manager);
    }
    return manager;
  }
}
