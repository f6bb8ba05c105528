import type { V1CSINode, V1Node } from '@app/kube-client';
import {
  accessibilityRequirements,
  claimNameHashAndIndexOffset,
  flatten,
  fnv1_32,
  type TopologyInputs,
} from './topology-requirement';
import { ProvisioningError } from './provisioning-state';

const DRIVER = 'disk.csi.nimbus.dev';
const KEYS = ['topology.disk.csi.nimbus.dev/zone', 'topology.kubernetes.io/zone'];
const zoneLabels = (zone: string) => ({
  'topology.disk.csi.nimbus.dev/zone': zone,
  'topology.kubernetes.io/zone': zone,
});
const seg = (zone: string) => zoneLabels(zone);

function cluster(zones: Record<string, string>): Omit<TopologyInputs, 'claimName'> {
  const nodes: V1Node[] = Object.entries(zones).map(([name, zone]) => ({
    metadata: { name, labels: zoneLabels(zone) },
  }));
  const csiNodes: V1CSINode[] = Object.keys(zones).map((name) => ({
    metadata: { name },
    spec: { drivers: [{ name: DRIVER, nodeID: `i-${name}`, topologyKeys: KEYS }] },
  }));
  return {
    driver: DRIVER,
    csiNode: (n) => csiNodes.find((c) => c.metadata?.name === n),
    csiNodes: () => csiNodes,
    node: (n) => nodes.find((c) => c.metadata?.name === n),
    nodes: () => nodes,
  };
}

describe('accessibilityRequirements', () => {
  const three = cluster({ a: 'z1', b: 'z2', c: 'z3', d: 'z2' });

  it('puts the selected node first, with every zone running the driver as requisite', () => {
    expect(accessibilityRequirements({ ...three, claimName: 'data', selectedNode: 'b' })).toEqual({
      requisite: [seg('z1'), seg('z2'), seg('z3')],
      preferred: [seg('z2'), seg('z3'), seg('z1')],
    });
  });

  it('spreads a StatefulSet without a selected node round-robin by the ordinal', () => {
    const firstZone = (claimName: string) =>
      accessibilityRequirements({ ...three, claimName })?.preferred[0];
    const zones = ['data-web-0', 'data-web-1', 'data-web-2'].map(firstZone);
    expect(new Set(zones.map((z) => JSON.stringify(z))).size).toBe(3);
    // FNV-1 of "web" is 0x46661985 ≡ 0 (mod 3): ordinal n → the n-th zone.
    expect(zones).toEqual([seg('z1'), seg('z2'), seg('z3')]);
  });

  it('uses allowedTopologies as requisite and refuses a selected node outside them', () => {
    const allowedTopologies = [
      { matchLabelExpressions: [{ key: 'topology.kubernetes.io/zone', values: ['z3', 'z1'] }] },
    ];
    expect(
      accessibilityRequirements({ ...three, claimName: 'x', allowedTopologies, selectedNode: 'c' }),
    ).toEqual({
      requisite: [{ 'topology.kubernetes.io/zone': 'z1' }, { 'topology.kubernetes.io/zone': 'z3' }],
      preferred: [{ 'topology.kubernetes.io/zone': 'z3' }, { 'topology.kubernetes.io/zone': 'z1' }],
    });
    expect(() =>
      accessibilityRequirements({ ...three, claimName: 'x', allowedTopologies, selectedNode: 'b' }),
    ).toThrow(/from selected node "b" is not in requisite/);
  });

  it('asks for a reschedule when the selected node has no CSINode', () => {
    try {
      accessibilityRequirements({ ...three, claimName: 'x', selectedNode: 'ghost' });
      throw new Error('expected a failure');
    } catch (err) {
      expect(err).toBeInstanceOf(ProvisioningError);
      expect((err as ProvisioningError).state).toBe('Reschedule');
    }
  });

  it('has no requirement when no node runs the driver (the driver default zone)', () => {
    expect(accessibilityRequirements({ ...cluster({}), claimName: 'x' })).toBeUndefined();
  });
});

describe('helpers', () => {
  it('flattens allowedTopologies: terms OR, expressions AND, values OR', () => {
    expect(
      flatten([
        {
          matchLabelExpressions: [
            { key: 'zone', values: ['a', 'b'] },
            { key: 'rack', values: ['r1'] },
          ],
        },
        { matchLabelExpressions: [{ key: 'zone', values: ['c'] }] },
      ]),
    ).toEqual([
      [
        ['rack', 'r1'],
        ['zone', 'a'],
      ],
      [
        ['rack', 'r1'],
        ['zone', 'b'],
      ],
      [['zone', 'c']],
    ]);
  });

  it('hashes claim names like getPVCNameHashAndIndexOffset (FNV-1 32)', () => {
    expect(fnv1_32('a')).toBe(0x050c5d7e);
    expect(claimNameHashAndIndexOffset('data-web-2')).toEqual({ hash: fnv1_32('web'), index: 2 });
    expect(claimNameHashAndIndexOffset('cache-7')).toEqual({ hash: fnv1_32('cache'), index: 7 });
    expect(claimNameHashAndIndexOffset('plain')).toEqual({ hash: fnv1_32('plain'), index: 0 });
  });
});
