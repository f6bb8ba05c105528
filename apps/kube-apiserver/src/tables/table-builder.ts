import type { KubeObject } from '../object/types';
import type { ResourceType, TableColumn } from '../registry/resource-type';
import { DEFAULT_COLUMNS } from './columns';
import { badRequest } from '../errors/kube-error';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface TableOptions {
  /** meta.k8s.io/v1 or meta.k8s.io/v1beta1, whichever the client asked for. */
  apiVersion: string;
  includeObject: IncludeObject;
  /** Leave out the column definitions (watch events after the first). */
  noHeaders?: boolean;
}

export function columnsOf(type: ResourceType): TableColumn[] {
  return type.columns ?? DEFAULT_COLUMNS;
}

function columnDefinitions(type: ResourceType) {
  return columnsOf(type).map((c) => ({
    name: c.name,
    type: c.type,
    format: c.format ?? '',
    description: c.description ?? c.name,
    priority: c.priority ?? 0,
  }));
}

function rowObject(obj: KubeObject, options: TableOptions): unknown {
  switch (options.includeObject) {
    case 'None':
      return undefined;
    case 'Object':
      return obj;
    case 'Metadata':
      return {
        kind: 'PartialObjectMetadata',
        apiVersion: 'meta.k8s.io/v1',
        metadata: obj.metadata,
      };
  }
}

export function tableRow(
  type: ResourceType,
  obj: KubeObject,
  nowMs: number,
  options: TableOptions,
) {
  const cells = columnsOf(type).map((c) => {
    const v = c.cell(obj, nowMs);
    return v === undefined ? '' : v;
  });
  const object = rowObject(obj, options);
  return object === undefined ? { cells } : { cells, object };
}

/** A meta.k8s.io Table of `objects` with the kind's upstream columns. */
export function buildTable(
  type: ResourceType,
  objects: KubeObject[],
  nowMs: number,
  options: TableOptions,
  listMeta: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    kind: 'Table',
    apiVersion: options.apiVersion,
    metadata: listMeta,
    columnDefinitions: options.noHeaders ? null : columnDefinitions(type),
    rows: objects.map((o) => tableRow(type, o, nowMs, options)),
  };
}

/**
 * Table options for a negotiated Table conversion: the Table's group version and ?includeObject
 * (400 for anything but Metadata, Object, None or empty, as optionsForTransform answers).
 */
export function tableOptions(version: string, includeObject: string | null): TableOptions {
  const include = includeObject ?? '';
  if (!['', 'Metadata', 'Object', 'None'].includes(include)) {
    throw badRequest(
      `Unable to convert to Table as requested: includeObject: Invalid value: ${JSON.stringify(include)}: must be 'Metadata', 'Object', 'None', or empty`,
    );
  }
  return {
    apiVersion: `meta.k8s.io/${version}`,
    includeObject: (include || 'Metadata') as IncludeObject,
  };
}
