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
    // Key order is not a change (a client may serialize the spec in another order).
    const reordered = {
      ...old,
      spec: { resources: { requests: { storage: '1Gi' } }, accessModes: ['ReadWriteOnce'] },
    };
    expect(persistentVolumeClaimKind.validate?.(reordered, old)).toEqual([]);
  });

  it('should refuse to shrink a PVC request to or below status.capacity', () => {
    const bound = {
      metadata: { name: 'data' },
      spec: { resources: { requests: { storage: '3Gi' } }, volumeName: 'pv-1' },
      status: { capacity: { storage: '2Gi' } },
    };
    const to = (storage: string) => ({
      ...bound,
      spec: { ...bound.spec, resources: { requests: { storage } } },
    });
    const shrink = persistentVolumeClaimKind.validate?.(to('2Gi'), bound) ?? [];
    expect(shrink).toEqual([
      {
        field: 'spec.resources.requests.storage',
        message: 'Forbidden: field can not be less than status.capacity',
        reason: 'FieldValueForbidden',
      },
    ]);
    // Recovering from a failed expansion: smaller than asked, still above the capacity.
    expect(persistentVolumeClaimKind.validate?.(to('2500Mi'), bound)).toEqual([]);
    expect(persistentVolumeClaimKind.validate?.(to('5Gi'), bound)).toEqual([]);
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
