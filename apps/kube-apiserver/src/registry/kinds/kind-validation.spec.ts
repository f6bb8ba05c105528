import { endpointSliceKind } from './endpoint-slice.kind';
import { namespaceKind } from './namespace.kind';
import { serviceKind } from './service.kind';
import { persistentVolumeClaimKind } from './storage.kinds';

const fields = (errors: { field: string }[]) => errors.map((e) => e.field);

describe('kind validation', () => {
  it('should keep a PVC spec immutable except its requests', () => {
    const old = {
      metadata: { name: 'data' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    };
    const grown = { ...old, spec: { ...old.spec, resources: { requests: { storage: '2Gi' } } } };
    const changed = { ...old, spec: { ...old.spec, accessModes: ['ReadWriteMany'] } };
    expect(persistentVolumeClaimKind.validate?.(grown, old)).toEqual([]);
    expect(fields(persistentVolumeClaimKind.validate?.(changed, old) ?? [])).toEqual(['spec']);
  });

  it('should require and freeze an EndpointSlice addressType', () => {
    expect(
      fields(endpointSliceKind.validate?.({ metadata: { name: 's' } }, undefined) ?? []),
    ).toEqual(['addressType']);
    const old = { metadata: { name: 's' }, addressType: 'IPv4' };
    expect(
      fields(endpointSliceKind.validate?.({ ...old, addressType: 'IPv6' }, old) ?? []),
    ).toEqual(['addressType']);
  });

  it('should validate service names, ports and the ClusterIP', () => {
    const svc = {
      metadata: { name: '1bad' },
      spec: { type: 'Nope', ports: [{ port: 0, protocol: 'TCP' }] },
    };
    expect(fields(serviceKind.validate?.(svc, undefined) ?? [])).toEqual([
      'metadata.name',
      'spec.type',
      'spec.ports[0].port',
    ]);
    const old = {
      metadata: { name: 'ok' },
      spec: { clusterIP: '10.96.0.9', ports: [{ port: 80 }] },
    };
    const moved = {
      metadata: { name: 'ok' },
      spec: { clusterIP: '10.96.0.10', ports: [{ port: 80 }] },
    };
    expect(fields(serviceKind.validate?.(moved, old) ?? [])).toEqual(['spec.clusterIPs[0]']);
  });

  it('should require DNS-1123 labels for namespaces', () => {
    expect(
      fields(namespaceKind.validate?.({ metadata: { name: 'Has.Dots' } }, undefined) ?? []),
    ).toEqual(['metadata.name']);
    expect(namespaceKind.validate?.({ metadata: { name: 'team-a' } }, undefined)).toEqual([]);
  });
});
