import { defineKind } from '../define-kind';
import { immutable, oneOf, required, validateName } from '../validation';
import { AGE_COLUMN, NAME_COLUMN, column, truncatedList } from '../../tables/columns';
import { getArray, text } from '../object-path';

export const endpointSliceKind = defineKind({
  group: 'discovery.k8s.io',
  version: 'v1',
  resource: 'endpointslices',
  kind: 'EndpointSlice',
  scope: 'Namespaced',
  deleteReturnsStatus: true,
  columns: [
    NAME_COLUMN,
    column('AddressType', (o) => o.addressType),
    column('Ports', (o) => {
      const ports = getArray(o, 'ports').map((p) =>
        p.port === undefined ? '<unset>' : text(p.port),
      );
      return ports.length === 0 ? '<unset>' : ports.join(',');
    }),
    column('Endpoints', (o) =>
      truncatedList(
        getArray(o, 'endpoints').flatMap((e) => (e.addresses as string[] | undefined) ?? []),
      ),
    ),
    AGE_COLUMN,
  ],
  defaultOnWrite(obj) {
    // SetDefaults_EndpointPort: kubectl describe dereferences name and protocol.
    for (const port of getArray(obj, 'ports')) {
      port.name ??= '';
      port.protocol ??= 'TCP';
    }
  },
  validate: (obj, old) => [
    ...validateName(obj.metadata.name, 'subdomain'),
    ...required(obj.addressType, 'addressType'),
    ...oneOf(obj.addressType, 'addressType', ['IPv4', 'IPv6', 'FQDN']),
    ...(old
      ? immutable(obj, old, 'addressType', (o) => (o as { addressType?: unknown }).addressType)
      : []),
  ],
});
