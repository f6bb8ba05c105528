import type { ResourceType } from '../registry/resource-type';
import { hasStatus } from '../registry/resource-type';
import { goZeroObject } from '../protobuf/zero-object';
import type { FieldSet } from '../patch/structured-merge/field-set';
import type { PathElement } from '../patch/structured-merge/path-element';
import type { IgnoreFilter } from '../patch/structured-merge/updater';
import type { SchemaRegistry } from '../schema/schema-registry';
import { UNTYPED } from '../schema/typed-schema';
import { FieldManager } from './managed-fields';
import type { KubeObject } from './types';

const topField = (pe: PathElement) => ('field' in pe ? pe.field : undefined);

/**
 * What writes through an endpoint never own (the strategies' GetResetFields): the main resource
 * of a kind with a status subresource resets `.status`; the status subresource resets everything
 * but `.status` and the metadata it may change.
 */
function ignoreFilter(type: ResourceType, subresource: string | undefined): IgnoreFilter {
  if (subresource === 'status') {
    return (set: FieldSet) =>
      set.filterTop((pe) => ['status', 'metadata'].includes(topField(pe) ?? ''));
  }
  if (subresource === undefined && hasStatus(type)) {
    return (set: FieldSet) => set.filterTop((pe) => topField(pe) !== 'status');
  }
  return (set) => set;
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
      manager = new FieldManager({
        ...gvk,
        type: this.schemas.typeOf(gvk) ?? UNTYPED,
        subresource,
        ignore: ignoreFilter(type, subresource),
        zero: () => goZeroObject(type.group, type.version, type.kind) as KubeObject,
        now: this.now,
      });
      this.cache.set(key, manager);
    }
    return manager;
  }
}
