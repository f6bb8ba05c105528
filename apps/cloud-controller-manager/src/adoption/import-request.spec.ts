import type { V1Node } from '@app/kube-client';
import { foreignProvider, importRequestFor, isNotReady } from './import-request';

const DEFAULTS = { clusterName: 'kind', zone: '', instanceType: '', deleteAdoptedNodes: false };
const UNINITIALIZED = {
  key: 'node.cloudprovider.kubernetes.io/uninitialized',
  value: 'true',
  effect: 'NoSchedule',
};

function node(overrides: {
  name?: string;
  providerID?: string;
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
  addresses?: { type: string; address: string }[];
  tainted?: boolean;
  ready?: string;
}): V1Node {
  return {
    metadata: {
      name: overrides.name ?? 'kind-worker',
      annotations: overrides.annotations,
      labels: overrides.labels,
    },
    spec: {
      providerID: overrides.providerID,
      taints: overrides.tainted === false ? undefined : [UNINITIALIZED],
    },
    status: {
      addresses: overrides.addresses,
      conditions: overrides.ready ? [{ type: 'Ready', status: overrides.ready }] : undefined,
    },
  };
}

describe('importRequestFor', () => {
  it('takes the kubelet --node-ip and labels the instance with the cluster and the node provider', () => {
    expect(
      importRequestFor(
        node({
          providerID: 'kind://docker/kind/kind-worker',
          annotations: { 'alpha.kubernetes.io/provided-node-ip': '172.18.0.3' },
          addresses: [{ type: 'InternalIP', address: '172.18.0.99' }],
        }),
        DEFAULTS,
      ),
    ).toEqual({
      name: 'kind-worker',
      privateIp: '172.18.0.3',
      labels: { 'nimbus.dev/cluster': 'kind', 'nimbus.dev/node-provider': 'kind' },
    });
  });

  it('takes the IPv4 entry of a dual-stack provided IP, else the first IPv4 InternalIP', () => {
    const dual = node({
      annotations: { 'alpha.kubernetes.io/provided-node-ip': 'fc00:f853:ccd:e793::3,172.18.0.3' },
    });
    expect(importRequestFor(dual, DEFAULTS)?.privateIp).toBe('172.18.0.3');
    const noAnnotation = node({
      addresses: [
        { type: 'Hostname', address: 'minikube' },
        { type: 'InternalIP', address: 'fd00::2' },
        { type: 'InternalIP', address: '192.168.49.2' },
      ],
    });
    expect(importRequestFor(noAnnotation, DEFAULTS)).toMatchObject({
      privateIp: '192.168.49.2',
      labels: { 'nimbus.dev/node-provider': 'none' },
    });
  });

  it('throws naming what is missing when there is no IPv4 address', () => {
    expect(() => importRequestFor(node({}), DEFAULTS)).toThrow(
      'it has no IPv4 address: no alpha.kubernetes.io/provided-node-ip annotation (kubelet --node-ip) and no InternalIP in status.addresses',
    );
    expect(() =>
      importRequestFor(
        node({ annotations: { 'alpha.kubernetes.io/provided-node-ip': 'fc00::3' } }),
        DEFAULTS,
      ),
    ).toThrow(/has no IPv4 address/);
  });

  it('prefers the node label, then the annotation, then the flags, then the cloud for zone and type', () => {
    const ip = { 'alpha.kubernetes.io/provided-node-ip': '10.1.0.2' };
    const flags = { ...DEFAULTS, clusterName: 'c', zone: 'nimbus-1c', instanceType: 'nb.large' };
    expect(importRequestFor(node({ annotations: ip }), flags)).toMatchObject({
      zone: 'nimbus-1c',
      instanceType: 'nb.large',
    });
    expect(
      importRequestFor(
        node({
          annotations: {
            ...ip,
            'nimbus.dev/zone': 'nimbus-1b',
            'nimbus.dev/instance-type': 'nb.xlarge',
          },
          labels: { 'nimbus.dev/zone': 'nimbus-1a' },
        }),
        flags,
      ),
    ).toMatchObject({ zone: 'nimbus-1a', instanceType: 'nb.xlarge' });
    const cloudDefault = importRequestFor(node({ annotations: ip }), DEFAULTS)!;
    expect('zone' in cloudDefault || 'instanceType' in cloudDefault).toBe(false);
  });

  it('does not adopt Nimbus nodes; adopts NotReady nodes unless --delete-adopted-nodes leaves initialised ones to the lifecycle', () => {
    const ip = { 'alpha.kubernetes.io/provided-node-ip': '10.1.0.2' };
    expect(
      importRequestFor(
        node({ providerID: 'nimbus://default/nimbus-1a/i-1', annotations: ip }),
        DEFAULTS,
      ),
    ).toBeUndefined();
    // Default: adopted nodes are never deleted, so a NotReady one is imported like any other.
    expect(
      importRequestFor(node({ tainted: false, ready: 'Unknown', annotations: ip }), DEFAULTS),
    ).toBeDefined();
    const deleting = { ...DEFAULTS, deleteAdoptedNodes: true };
    expect(
      importRequestFor(node({ tainted: false, ready: 'False', annotations: ip }), deleting),
    ).toBeUndefined();
    expect(
      importRequestFor(node({ tainted: false, ready: 'Unknown', annotations: ip }), deleting),
    ).toBeUndefined();
    // Not yet initialised: adopted whatever its readiness (kind nodes are NotReady until the CNI runs).
    expect(importRequestFor(node({ ready: 'False', annotations: ip }), deleting)).toBeDefined();
    expect(
      importRequestFor(node({ tainted: false, ready: 'True', annotations: ip }), deleting),
    ).toBeDefined();
    expect(importRequestFor(node({ tainted: false, annotations: ip }), deleting)).toBeDefined();
  });
});

describe('foreignProvider / isNotReady', () => {
  it.each([
    ['', undefined],
    ['nimbus://default/nimbus-1a/i-1', undefined],
    ['kind://docker/kind/kind-worker', 'kind'],
    ['k3s://k3d-nimbus-server-0', 'k3s'],
    ['aws:///us-east-1a/i-0123', 'aws'],
    ['garbage', 'unknown'],
  ])('%j belongs to %j', (providerID, owner) => {
    expect(foreignProvider(node({ providerID }))).toBe(owner);
  });

  it('counts a node without a Ready condition as not NotReady', () => {
    expect(isNotReady(node({}))).toBe(false);
    expect(isNotReady(node({ ready: 'True' }))).toBe(false);
    expect(isNotReady(node({ ready: 'Unknown' }))).toBe(true);
  });
});
