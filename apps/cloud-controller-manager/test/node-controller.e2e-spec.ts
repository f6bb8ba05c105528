import type { V1Node } from '@app/kube-client';
import {
  CLOUD_ADMIN_TOKEN,
  CLOUD_TOKEN,
  CcmHarness,
  INSTANCE_TYPE,
  UNINITIALIZED_TAINT,
  ZONE,
  hasTaint,
  waitFor,
} from './harness';
import { OverridableCloud } from './overridable-cloud';

// Teardown may wait for the controllers to drain (up to 30 s), so the budget is generous.
jest.setTimeout(120_000);

// ccm-behaviour §4 and §14 (N1–N8): the cloud node controller against the real api-server and cloud.
describe('cloud node controller (e2e)', () => {
  let h: CcmHarness;
  let cloud: OverridableCloud;

  beforeAll(async () => {
    h = await CcmHarness.start();
    cloud = OverridableCloud.create(h.cloudApi.url, CLOUD_TOKEN);
    await h.startCcm({ controllers: 'cloud-node' }, { cloud });
  });

  afterAll(async () => {
    await h?.close();
  });

  const initialised = (name: string) =>
    waitFor(
      async () => {
        const node = await h.getNode(name);
        return node && !hasTaint(node, UNINITIALIZED_TAINT) && node;
      },
      { message: `${name} initialised` },
    );
  const syncedEvents = (name: string) =>
    h.events({ reason: 'Synced', component: 'cloud-node-controller', involvedName: name });
  const labelsOf = (node: V1Node | undefined) => node?.metadata?.labels ?? {};

  it('N1: initialises a tainted node from its instance (providerID, GA+beta labels, addresses, Synced)', async () => {
    const instance = await h.createInstance('n1');
    await h.createNode('n1', {
      ready: 'True',
      addresses: [{ type: 'Hostname', address: 'kubelet-n1' }],
    });
    const node = await initialised('n1');
    expect(node.spec?.providerID).toBe(instance.providerId);
    expect(labelsOf(node)).toMatchObject({
      'node.kubernetes.io/instance-type': INSTANCE_TYPE,
      'beta.kubernetes.io/instance-type': INSTANCE_TYPE,
      'topology.kubernetes.io/zone': ZONE,
      'failure-domain.beta.kubernetes.io/zone': ZONE,
      'topology.kubernetes.io/region': instance.region,
      'failure-domain.beta.kubernetes.io/region': instance.region,
    });
    // The taint went in the same update that set the labels and providerID.
    expect(node.spec?.taints ?? []).toEqual([]);
    const withAddresses = await waitFor(async () => {
      const n = await h.getNode('n1');
      return (n?.status?.addresses?.length ?? 0) > 1 && n;
    });
    // The cloud reports a Hostname, so the kubelet's is replaced.
    expect(withAddresses.status?.addresses).toEqual([
      { type: 'InternalIP', address: instance.privateIp },
      { type: 'InternalDNS', address: instance.privateDnsName },
      { type: 'Hostname', address: instance.hostname },
    ]);
    const [synced] = await waitFor(async () => {
      const events = await syncedEvents('n1');
      return events.length > 0 && events;
    });
    expect(synced).toMatchObject({
      type: 'Normal',
      message: 'Node synced successfully',
      involvedObject: { kind: 'Node', name: 'n1', uid: node.metadata?.uid },
    });
  });

  it('N1: keeps the kubelet Hostname when the cloud reports none', async () => {
    const instance = await h.createInstance('n1b');
    cloud.metadata.set('n1b', (md) => ({
      ...md,
      nodeAddresses: md.nodeAddresses.filter((a) => a.type !== 'Hostname'),
    }));
    await h.createNode('n1b', { addresses: [{ type: 'Hostname', address: 'kubelet-n1b' }] });
    await initialised('n1b');
    const node = await waitFor(async () => {
      const n = await h.getNode('n1b');
      return (n?.status?.addresses?.length ?? 0) === 3 && n;
    });
    expect(node.status?.addresses).toEqual([
      { type: 'InternalIP', address: instance.privateIp },
      { type: 'InternalDNS', address: instance.privateDnsName },
      { type: 'Hostname', address: 'kubelet-n1b' },
    ]);
  });

  /**
   * Waits until the controller has finished `n` initialisation attempts on a node: the metadata
   * was asked for n + 1 times (an attempt asks first; a later one starts only after the retry).
   */
  const attempted = (name: string, n: number) =>
    waitFor(() => cloud.metadataCalls.filter((c) => c === name).length > n, {
      message: `${n} initialisation attempts on ${name}`,
    });

  it('N2: keeps the taint while the cloud has no instance, then initialises once it appears', async () => {
    await h.createNode('n2');
    // The controller saw the node and tried (and retried) before we look: nothing changed.
    await attempted('n2', 2);
    expect(hasTaint(await h.getNode('n2'), UNINITIALIZED_TAINT)).toBe(true);
    expect(await syncedEvents('n2')).toEqual([]);
    const instance = await h.createInstance('n2');
    const node = await initialised('n2');
    expect(node.spec?.providerID).toBe(instance.providerId);
  });

  it('N3: keeps the taint when the cloud returns no providerID and the node has none', async () => {
    await h.createInstance('n3');
    cloud.metadata.set('n3', (md) => ({ ...md, providerID: '' }));
    await h.createNode('n3');
    await attempted('n3', 2);
    expect(hasTaint(await h.getNode('n3'), UNINITIALIZED_TAINT)).toBe(true);
    expect((await h.getNode('n3'))?.spec?.providerID).toBeUndefined();
    expect(await syncedEvents('n3')).toEqual([]);
  });

  it('N4: keeps the taint when provided-node-ip is not a cloud address; a matching IP goes first as the only InternalIP', async () => {
    await h.createInstance('n4');
    await h.createNode('n4', {
      annotations: { 'alpha.kubernetes.io/provided-node-ip': '10.99.99.99' },
    });
    const instance = await h.createInstance('n4b');
    cloud.metadata.set('n4b', (md) => ({
      ...md,
      nodeAddresses: [{ type: 'InternalIP', address: '10.0.250.250' }, ...md.nodeAddresses],
    }));
    await h.createNode('n4b', {
      annotations: { 'alpha.kubernetes.io/provided-node-ip': instance.privateIp },
    });
    await initialised('n4b');
    const node = await waitFor(async () => {
      const n = await h.getNode('n4b');
      return (n?.status?.addresses?.length ?? 0) > 0 && n;
    });
    const addresses = node.status?.addresses ?? [];
    expect(addresses[0]).toEqual({ type: 'InternalIP', address: instance.privateIp });
    expect(addresses.filter((a) => a.type === 'InternalIP')).toHaveLength(1);
    await attempted('n4', 2);
    expect(hasTaint(await h.getNode('n4'), UNINITIALIZED_TAINT)).toBe(true);
    expect(await syncedEvents('n4')).toEqual([]);
  });

  it('N5: adds only AdditionalLabels outside kubernetes namespaces, never overwriting', async () => {
    await h.createInstance('n5');
    cloud.metadata.set('n5', (md) => ({
      ...md,
      additionalLabels: {
        'foo.io/x': 'yes',
        'node.kubernetes.io/evil': 'yes',
        'team.example.com/owner': 'cloud',
      },
    }));
    await h.createNode('n5', { labels: { 'team.example.com/owner': 'kubelet' } });
    const node = await initialised('n5');
    expect(labelsOf(node)['foo.io/x']).toBe('yes');
    expect(labelsOf(node)).not.toHaveProperty(['node.kubernetes.io/evil']);
    expect(labelsOf(node)['team.example.com/owner']).toBe('kubelet');
  });

  it('N6: patches addresses the cloud changed out of band; unchanged addresses cause no write', async () => {
    const instance = await h.createInstance('n6');
    await h.createNode('n6');
    await initialised('n6');
    await waitFor(async () => ((await h.getNode('n6'))?.status?.addresses?.length ?? 0) > 0);
    // The real cloud moves the instance to another private IP behind the controller's back.
    const res = await fetch(`${h.cloudApi.url}/admin/instances/${instance.id}/private-ip`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${CLOUD_ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(200);
    const moved = (await res.json()) as { privateIp: string };
    expect(moved.privateIp).not.toBe(instance.privateIp);
    const updated = await waitFor(
      async () => {
        const n = await h.getNode('n6');
        return (
          n?.status?.addresses?.some(
            (a) => a.type === 'InternalIP' && a.address === moved.privateIp,
          ) && n
        );
      },
      { message: 'the new InternalIP patched in' },
    );
    expect(updated.status?.addresses).not.toContainEqual({
      type: 'InternalIP',
      address: instance.privateIp,
    });
    const rv = updated.metadata?.resourceVersion;
    // Two more refresh passes read the (unchanged) addresses; neither may write.
    const seen = cloud.metadataCalls.filter((c) => c === 'n6').length;
    await waitFor(() => cloud.metadataCalls.filter((c) => c === 'n6').length >= seen + 2, {
      message: 'two more address refreshes of n6',
    });
    expect((await h.getNode('n6'))?.metadata?.resourceVersion).toBe(rv);
  });

  it('N7: never initialises a node registered without the taint, but refreshes its addresses', async () => {
    const instance = await h.createInstance('n7');
    await h.createNode('n7', { tainted: false });
    const node = await waitFor(
      async () => {
        const n = await h.getNode('n7');
        return n?.status?.addresses?.some((a) => a.address === instance.privateIp) && n;
      },
      { message: 'n7 addresses refreshed' },
    );
    expect(node.spec?.providerID).toBeUndefined();
    expect(labelsOf(node)).not.toHaveProperty(['topology.kubernetes.io/zone']);
    expect(await syncedEvents('n7')).toEqual([]);
  });

  it('N8: the GA zone label follows an edited beta label', async () => {
    await h.createInstance('n8');
    await h.createNode('n8');
    await initialised('n8');
    await h.patchNode('n8', {
      metadata: { labels: { 'failure-domain.beta.kubernetes.io/zone': 'edited-zone' } },
    });
    await waitFor(
      async () => labelsOf(await h.getNode('n8'))['topology.kubernetes.io/zone'] === 'edited-zone',
      { message: 'GA zone label follows beta' },
    );
  });
});
