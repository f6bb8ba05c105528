import type { KubeObject } from '../api/types';
import type { ResourceType, TableColumn } from '../registry/resource-type';
import { DEFAULT_COLUMNS } from './columns';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface TableOptions {
  /** meta.k8s.io/v1 or meta.k8s.io/v1beta1, whichever the client asked for. */
  apiVersion: string;
  includeObject: IncludeObject;
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
    columnDefinitions: columnDefinitions(type),
    rows: objects.map((o) => tableRow(type, o, nowMs, options)),
  };
}

/**
 * Reads the Table request from the Accept header (`as=Table;g=meta.k8s.io;v=v1`), or undefined
 * for plain JSON.
 */
export function tableRequested(
  accept: string | undefined,
  includeObject: string | null,
): TableOptions | undefined {
  if (!accept || !accept.includes('as=Table')) {
    return undefined;
  }
  for (const part of accept.split(',')) {
    const params = new Map(
      part
        .split(';')
        .slice(1)
        .map((p) => p.trim().split('=') as [string, string]),
    );
    if (params.get('as') === 'Table' && params.get('g') === 'meta.k8s.io') {
      const v = params.get('v') === 'v1beta1' ? 'v1beta1' : 'v1';
      const include =
        includeObject === 'None' || includeObject === 'Object' ? includeObject : 'Metadata';
      return { apiVersion: `meta.k8s.io/${v}`, includeObject: include };
    }
  }
  return undefined;
}
