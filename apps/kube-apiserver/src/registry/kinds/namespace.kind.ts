import { defineKind } from '../define-kind';
import { validateName } from '../validation';
import { AGE_COLUMN, NAME_COLUMN, column } from '../../tables/columns';
import { getString } from '../object-path';
import { isPlainObject } from '../../object/types';

export const namespaceKind = defineKind({
  group: '',
  version: 'v1',
  resource: 'namespaces',
  kind: 'Namespace',
  scope: 'Cluster',
  shortNames: ['ns'],
  subresources: ['status', 'finalize'],
  deleteReturnsStatus: true,
  fieldSelectors: { 'status.phase': (o) => getString(o, 'status.phase') },
  columns: [NAME_COLUMN, column('Status', (o) => getString(o, 'status.phase')), AGE_COLUMN],
  defaultOnCreate(obj) {
    const name = obj.metadata.name ?? '';
    obj.metadata.labels = { ...obj.metadata.labels, 'kubernetes.io/metadata.name': name };
    const spec = isPlainObject(obj.spec) ? obj.spec : {};
    obj.spec = {
      ...spec,
      finalizers: Array.isArray(spec.finalizers) ? spec.finalizers : ['kubernetes'],
    };
    obj.status = { phase: 'Active' };
  },
  validate: (obj) => validateName(obj.metadata.name, 'label'),
});
