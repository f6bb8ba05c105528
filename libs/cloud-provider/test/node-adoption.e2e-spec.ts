import { NimbusCloudClient } from '@app/cloud-client';
import {
  InstanceNotFoundError,
  NimbusCloudProvider,
  NodeAdoptionError,
  type NodeInstance,
  type ProviderNode,
  type ProviderService,
} from '@app/cloud-provider';
import {
  startCloudApiServer,
  type CloudApiServer,
} from '../../../apps/cloud-api/test/cloud-api-harness';

/** A kind worker as its kubelet registers it: kind's own providerID and its container IP. */
const kindNode = (name: string, ip: string): ProviderNode => ({
  metadata: { name, annotations: { 'alpha.kubernetes.io/provided-node-ip': ip } },
  spec: { providerID: `kind://docker/kind/${name}` },
  status: {
    addresses: [
      { type: 'InternalIP', address: ip },
      { type: 'Hostname', address: name },
    ],
  },
});

describe('Nimbus provider: adopting nodes the cloud does not run (e2e)', () => {
  let api: CloudApiServer;
  let client: NimbusCloudClient;
  let imported: { node: string; instance: NodeInstance }[];
  let refuse: Set<string>;
  let provider: NimbusCloudProvider;

  beforeEach(async () => {
    api = await startCloudApiServer({ transitionMs: 0 });
    client = new NimbusCloudClient({ baseUrl: api.url, token: api.token });
    imported = [];
    refuse = new Set();
    provider = new NimbusCloudProvider({
      client,
      clusterName: 'kind',
      adoption: {
        importRequest(node) {
          const name = node.metadata?.name ?? '';
          if (refuse.has(name)) {
            return undefined;
          }
          const ip = node.metadata?.annotations?.['alpha.kubernetes.io/provided-node-ip'];
          if (!ip) {
            throw new Error('it has no alpha.kubernetes.io/provided-node-ip annotation');
          }
          return { name, privateIp: ip, instanceType: 'nb.medium' };
        },
        onImported: (node, instance) => imported.push({ node: node.metadata!.name!, instance }),
      },
    });
  });

  afterEach(async () => {
    await api.close();
  });

  it('should import a kind node on the first lookup, once, and report its real address', async () => {
    const node = kindNode('kind-worker', '172.18.0.3');
    const instances = provider.instancesV2();
    const [a, b] = await Promise.all([
      instances.instanceMetadata(node),
      instances.instanceMetadata(node),
    ]);
    expect(a).toEqual(b);
    expect(imported).toHaveLength(1);
    expect(imported[0].instance).toMatchObject({
      name: 'kind-worker',
      imported: true,
      privateIp: '172.18.0.3',
      instanceType: 'nb.medium',
    });
    expect(a.providerID).toBe(imported[0].instance.providerID);
    expect(a.nodeAddresses).toContainEqual({ type: 'InternalIP', address: '172.18.0.3' });
    // Later lookups find it by name; no second import.
    expect(await instances.instanceExists(node)).toBe(true);
    expect(await instances.instanceShutdown(node)).toBe(false);
    expect(imported).toHaveLength(1);
    expect(await provider.nodeAdoption().findInstance(node)).toMatchObject({ imported: true });
  });

  it('should not import what the policy declines, and name the reason when it cannot adopt', async () => {
    refuse.add('declined');
    const instances = provider.instancesV2();
    await expect(
      instances.instanceMetadata(kindNode('declined', '172.18.0.4')),
    ).rejects.toBeInstanceOf(InstanceNotFoundError);
    const noIp: ProviderNode = { metadata: { name: 'no-ip' }, spec: {} };
    const error = await instances.instanceMetadata(noIp).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NodeAdoptionError);
    expect((error as Error).message).toBe(
      'cannot adopt node no-ip: it has no alpha.kubernetes.io/provided-node-ip annotation',
    );
    expect(await provider.nodeAdoption().findInstance(noIp)).toBeUndefined();
    expect(imported).toEqual([]);
  });

  it('should take the instance another importer created first (409 on the same name)', async () => {
    // Another CCM replica imports the node between our lookup and our import.
    const racingClient = new NimbusCloudClient({ baseUrl: api.url, token: api.token });
    const ownImport = racingClient.instances.import.bind(racingClient.instances);
    racingClient.instances.import = async (request, options) => {
      await client.instances.import(request);
      return ownImport(request, options);
    };
    const racing = new NimbusCloudProvider({
      client: racingClient,
      adoption: {
        importRequest: (node) => ({
          name: node.metadata!.name!,
          privateIp: node.status!.addresses![0].address,
        }),
      },
    });
    const found = await racing
      .nodeAdoption()
      .ensureInstance(kindNode('kind-worker2', '172.18.0.5'));
    expect(found).toMatchObject({ name: 'kind-worker2', imported: true, privateIp: '172.18.0.5' });
    const all = await client.instances.findByName('kind-worker2');
    expect(all.map((i) => i.id)).toEqual([found!.id]);
  });

  it('should put adopted kind nodes behind a load balancer and skip nodes it cannot adopt', async () => {
    const service: ProviderService = {
      metadata: { name: 'web', namespace: 'default', uid: '4a1e2b3c-0000-4000-8000-000000000001' },
      spec: { type: 'LoadBalancer', ports: [{ protocol: 'TCP', port: 80, nodePort: 30080 }] },
    };
    const nodes = [
      kindNode('kind-worker', '172.18.0.3'),
      kindNode('kind-worker2', '172.18.0.4'),
      { metadata: { name: 'no-ip' }, spec: { providerID: 'kind://docker/kind/no-ip' } },
    ];
    const lbs = provider.loadBalancer();
    await lbs.ensureLoadBalancer('kind', service, nodes).catch(() => undefined); // provisioning
    const lb = await client.loadBalancers.getByName(lbs.getLoadBalancerName('kind', service));
    expect(lb?.backends.map((b) => b.ip).sort()).toEqual(['172.18.0.3', '172.18.0.4']);
    expect(imported.map((i) => i.node).sort()).toEqual(['kind-worker', 'kind-worker2']);
  });
});
