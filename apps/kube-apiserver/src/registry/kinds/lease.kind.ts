import { defineKind } from '../define-kind';
import { validateName } from '../validation';
import { AGE_COLUMN, NAME_COLUMN, column } from '../../tables/columns';
import { getString } from '../object-path';

export const leaseKind = defineKind({
  group: 'coordination.k8s.io',
  version: 'v1',
  resource: 'leases',
  kind: 'Lease',
  scope: 'Namespaced',
  deleteReturnsStatus: true,
  microTimeKeys: ['acquireTime', 'renewTime'],
  columns: [
    NAME_COLUMN,
    column('Holder', (o) => getString(o, 'spec.holderIdentity') ?? ''),
    AGE_COLUMN,
  ],
  validate: (obj) => validateName(obj.metadata.name, 'subdomain'),
});
