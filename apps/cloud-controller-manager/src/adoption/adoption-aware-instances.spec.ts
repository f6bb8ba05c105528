import {
  InstanceNotFoundError,
  type CloudProvider,
  type InstancesV2,
  type NodeAdoption,
  type NodeInstance,
  type ProviderNode,
} from '@app/cloud-provider';
import type { CcmSettings } from '../settings';
import { AdoptionAwareInstances } from './adoption-aware-instances';
import { adoptionAwareCloud } from './adoption-cloud';

/** The cloud's own answers: `instances` by node name (absent = gone). */
function cloud(instances: Record<string, { state: string; imported: boolean }>) {
  const find = (node: ProviderNode) => instances[node.metadata?.name ?? ''];
  const inner: InstancesV2 = {
    instanceExists: (node) => Promise.resolve(find(node) !== undefined),
    instanceShutdown: (node) => {
      const i = find(node);
      return i
        ? Promise.resolve(i.state === 'stopped')
        : Promise.reject(new InstanceNotFoundError());
    },
    instanceMetadata: () => Promise.reject(new Error('not used')),
  };
  const adoption: NodeAdoption = {
    adopting: true,
    findInstance: (node) => {
      const i = find(node);
      return Promise.resolve(i && ({ ...i, id: 'i-1' } as NodeInstance));
    },
    ensureInstance: () => Promise.reject(new Error('not used')),
  };
  return { inner, adoption };
}

const kindNode: ProviderNode = {
  metadata: { name: 'kind-worker' },
  spec: { providerID: 'kind://docker/kind/kind-worker' },
};
const minikubeNode: ProviderNode = {
  metadata: { name: 'minikube' },
  spec: { providerID: 'nimbus://default/nimbus-1a/i-1' },
};
const simulatedNode: ProviderNode = {
  metadata: { name: 'worker-1' },
  spec: { providerID: 'nimbus://default/nimbus-1a/i-2' },
};

describe('AdoptionAwareInstances (what the lifecycle controller sees)', () => {
  it('keeps a NotReady node of another provider, tainted shutdown, even without an instance', async () => {
    const { inner, adoption } = cloud({});
    const instances = new AdoptionAwareInstances(inner, adoption, false);
    expect(await instances.instanceExists(kindNode)).toBe(true);
    expect(await instances.instanceShutdown(kindNode)).toBe(true);
  });

  it('reports a NotReady node with a running imported instance as shut down', async () => {
    const { inner, adoption } = cloud({ minikube: { state: 'running', imported: true } });
    const instances = new AdoptionAwareInstances(inner, adoption, false);
    expect(await instances.instanceExists(minikubeNode)).toBe(true);
    expect(await instances.instanceShutdown(minikubeNode)).toBe(true);
  });

  it('answers as the cloud does for the cloud’s own instances', async () => {
    const { inner, adoption } = cloud({ 'worker-1': { state: 'running', imported: false } });
    const instances = new AdoptionAwareInstances(inner, adoption, false);
    expect(await instances.instanceShutdown(simulatedNode)).toBe(false);
    expect(await instances.instanceExists({ metadata: { name: 'gone' } })).toBe(false);
  });

  it('with --delete-adopted-nodes answers as the cloud does for adopted nodes too', async () => {
    const { inner, adoption } = cloud({ minikube: { state: 'running', imported: true } });
    const instances = new AdoptionAwareInstances(inner, adoption, true);
    expect(await instances.instanceExists(kindNode)).toBe(false); // → the Node is deleted
    expect(await instances.instanceShutdown(minikubeNode)).toBe(false);
  });
});

describe('adoptionAwareCloud', () => {
  it('replaces only InstancesV2 and forwards every other capability to the provider', () => {
    const volumes = { kind: 'volumes' };
    const provider = {
      providerName: () => 'nimbus',
      instancesV2: () => cloud({}).inner,
      loadBalancer: () => undefined,
      routes: () => undefined,
      zones: () => undefined,
      hasClusterID(this: CloudProvider) {
        return this.providerName() === 'nimbus'; // `this` stays the provider
      },
      volumes: () => volumes,
    } as unknown as CloudProvider;
    const wrapped = adoptionAwareCloud(provider, { deleteAdoptedNodes: false } as CcmSettings);
    expect(wrapped.instancesV2()).toBeInstanceOf(AdoptionAwareInstances);
    expect(wrapped.volumes?.()).toBe(volumes);
    expect(wrapped.hasClusterID()).toBe(true);
    expect(wrapped.nodeAdoption).toBeUndefined();
  });
});
