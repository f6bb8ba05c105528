import type { KubeObject } from '../object/types';
import type { TableColumn } from '../registry/resource-type';
import { age } from '../time/kube-time';

export const NAME_COLUMN: TableColumn = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description:
    'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically.',
  cell: (o) => o.metadata.name,
};

export const AGE_COLUMN: TableColumn = {
  name: 'Age',
  type: 'string',
  description:
    'CreationTimestamp is a timestamp representing the server time when this object was created.',
  cell: (o, now) => age(o.metadata.creationTimestamp, now),
};

/** Upstream's default Table for kinds without a printer: Name + Created At. */
export const DEFAULT_COLUMNS: TableColumn[] = [
  NAME_COLUMN,
  {
    name: 'Created At',
    type: 'date',
    description:
      'CreationTimestamp is a timestamp representing the server time when this object was created.',
    cell: (o: KubeObject) => o.metadata.creationTimestamp,
  },
];

/** A string column computed from the object. */
export function column(
  name: string,
  cell: (o: KubeObject, now: number) => unknown,
  options: Partial<TableColumn> = {},
): TableColumn {
  return { name, type: 'string', description: name, priority: 0, cell, ...options };
}

export const wide = (name: string, cell: (o: KubeObject, now: number) => unknown): TableColumn =>
  column(name, cell, { priority: 1 });

/** `a, b, c + N more...` as kubectl prints long lists. */
export function truncatedList(items: string[], max = 3): string {
  if (items.length === 0) {
    return '<none>';
  }
  const shown = items.slice(0, max).join(',');
  return items.length > max ? `${shown} + ${items.length - max} more...` : shown;
}

export function accessModes(modes: unknown): string {
  const short: Record<string, string> = {
    ReadWriteOnce: 'RWO',
    ReadOnlyMany: 'ROX',
    ReadWriteMany: 'RWX',
    ReadWriteOncePod: 'RWOP',
  };
  return Array.isArray(modes) ? modes.map((m) => short[m as string] ?? String(m)).join(',') : '';
}
