import { defineKind } from '../define-kind';
import { validateName } from '../validation';
import { AGE_COLUMN, NAME_COLUMN, column, truncatedList } from '../../tables/columns';
import { getArray } from '../object-path';

export const endpointsKind = defineKind({
  group: '',
  version: 'v1',
  resource: 'endpoints',
  kind: 'Endpoints',
  singular: 'endpoints',
  scope: 'Namespaced',
  shortNames: ['ep'],
  deleteReturnsStatus: true,
  columns: [
    NAME_COLUMN,
    column('Endpoints', (o) => {
      const items: string[] = [];
      for (const subset of getArray(o, 'subsets')) {
        const ports = getArray(subset, 'ports');
        for (const a of getArray(subset, 'addresses')) {
          if (ports.length === 0) {
            items.push(String(a.ip));
          }
          for (const p of ports) {
            items.push(`${String(a.ip)}:${String(p.port)}`);
          }
        }
      }
      return truncatedList(items);
    }),
    AGE_COLUMN,
  ],
  defaultOnWrite(obj) {
    for (const subset of getArray(obj, 'subsets')) {
      for (const port of getArray(subset, 'ports')) {
        port.protocol ??= 'TCP';
      }
    }
  },
  validate: (obj) => validateName(obj.metadata.name, 'subdomain'),
});
