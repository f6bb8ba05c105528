import { JSONPath } from 'jsonpath-plus';
import type { KubeObject } from '../object/types';
import type { TableColumn } from '../registry/resource-type';
import { NAME_COLUMN } from '../tables/columns';
import { humanDuration } from '../time/kube-time';
import type { CrdColumn } from './crd-types';

/** serveDefaultColumnsIfEmpty: a CRD version without columns prints its age. */
const DEFAULT_AGE: CrdColumn = {
  name: 'Age',
  type: 'date',
  jsonPath: '.metadata.creationTimestamp',
};

/** The JSONPath results of a printer column (kubectl's `{.spec.x}` is `$.spec.x` here). */
function find(obj: KubeObject, jsonPath: string): unknown[] {
  try {
    return JSONPath<unknown[]>({ path: `$${jsonPath}`, json: obj, wrap: true });
  } catch {
    return [];
  }
}

/** One cell as the CRD table convertor fills it: typed values, dates as ages, `null` when absent. */
function cell(column: CrdColumn, obj: KubeObject, nowMs: number): unknown {
  const results = find(obj, column.jsonPath ?? '');
  if (results.length === 0) {
    return null;
  }
  if (results.length > 1) {
    return results.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join(' ');
  }
  const value = results[0];
  switch (column.type) {
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value) ? value : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'date': {
      const t = typeof value === 'string' ? Date.parse(value) : NaN;
      return Number.isNaN(t) ? '<invalid>' : humanDuration(nowMs - t);
    }
    case 'string':
    case undefined:
    default:
      return typeof value === 'string' ? value : JSON.stringify(value);
  }
}

/** Name plus a CRD version's additionalPrinterColumns (tableconvertor.New). */
export function printerColumns(columns: CrdColumn[] | undefined): TableColumn[] {
  const defined = columns && columns.length > 0 ? columns : [DEFAULT_AGE];
  return [
    NAME_COLUMN,
    ...defined.map((c): TableColumn => ({
      name: c.name ?? '',
      type: (c.type ?? 'string') as TableColumn['type'],
      format: c.format ?? '',
      description:
        c.description || `Custom resource definition column (in JSONPath format): ${c.jsonPath}`,
      priority: c.priority ?? 0,
      cell: (obj, nowMs) => cell(c, obj, nowMs),
    })),
  ];
}
