import type { NodeObject } from '@app/kube-client';
import { ClusterHarness, condition, hasTaint, jsonStream, waitFor } from './cluster-harness';

// Scenarios C1, C2, C3, C20, C23, C24 of cluster-simulation.md §8 on one `nimbus up` stack with
// three workers, through kubectl and the cloud API.
jest.setTimeout(180_000);

const UNINITIALIZED = 'node.cloudprovider.kubernetes.io/uninitialized';

describe('cluster basics (C1, C2, C3, C20, C23, C24)', () => {
  let h: ClusterHarness;

  beforeAll(async () => {
    h = await ClusterHarness.start();
  });

  afterAll(async () => {
    await h?.close();
  });

  it('C1: a labelled instance registers as a tainted Node, then the CCM initialises it', async () => {
    const watch = h.kubectl.spawn(['get', 'nodes', '-w', '--output-watch-events', '-o', 'json']);
    try {
      await waitFor(() => watch.output().includes('worker-1'), { message: 'watch started' });
      const instance = await h.addWorker('worker-c1', 'nimbus-1b');
      // The kubelet's registration, as the watch saw it before the CCM touched the node.
      const registered = await waitFor(
        () => watchedNodes(watch.output()).find((n) => n.metadata?.name === 'worker-c1'),
        { timeoutMs: 30_000, message: 'worker-c1 registered' },
      );
      expect(registered.metadata?.labels).toEqual(
        expect.objectContaining({
          'kubernetes.io/hostname': 'worker-c1',
          'kubernetes.io/os': 'linux',
          'kubernetes.io/arch': 'amd64',
          'beta.kubernetes.io/os': 'linux',
          'beta.kubernetes.io/arch': 'amd64',
        }),
      );
      expect(
        registered.metadata?.annotations?.[
          'volumes.kubernetes.io/controller-managed-attach-detach'
        ],
      ).toBe('true');
      expect(registered.spec?.taints).toEqual([
        { key: UNINITIALIZED, value: 'true', effect: 'NoSchedule' },
      ]);
      expect(registered.spec?.providerID).toBeUndefined();
      expect(registered.status?.addresses ?? []).toEqual([]);

      const node = await h.waitForNode(
        'worker-c1',
        (n) => !hasTaint(n, UNINITIALIZED) && !!n.status?.addresses?.length,
        'initialised by the CCM',
      );
      expect(node.spec?.providerID).toBe(instance.providerId);
      expect(node.metadata?.labels).toEqual(
        expect.objectContaining({
          'node.kubernetes.io/instance-type': 'nb.xlarge',
          'topology.kubernetes.io/zone': 'nimbus-1b',
          'topology.kubernetes.io/region': 'nimbus-1',
        }),
      );
      const synced = await waitFor(
        async () => (await h.events('worker-c1', { reason: 'Synced' }))[0],
      );
      expect(synced.message).toBe('Node synced successfully');
      await h.waitForNode('worker-c1', (n) => condition(n, 'Ready')?.status === 'True', 'Ready');
      const table = await h.k(['get', 'node', 'worker-c1', '-o', 'wide']);
      expect(table).toMatch(
        new RegExp(
          `worker-c1\\s+Ready\\s+<none>\\s+\\S+\\s+v1\\.32\\.\\d+\\s+${instance.privateIp.replace(/\./g, '\\.')}\\s`,
        ),
      );
      expect(table).toContain('containerd://1.7.22');
    } finally {
      watch.process.kill();
    }
  });

  it('C2: describe node shows the kubelet conditions, capacity, allocatable, system info and events', async () => {
    const node = await h.node('worker-1');
    const conditions = node.status?.conditions ?? [];
    expect(conditions.slice(0, 4).map((c) => [c.type, c.status, c.reason, c.message])).toEqual([
      [
        'MemoryPressure',
        'False',
        'KubeletHasSufficientMemory',
        'kubelet has sufficient memory available',
      ],
      ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
      ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
      ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'],
    ]);
    expect(node.status?.capacity?.pods).toBe('110');
    const ki = (q: string | undefined) => Number(/^(\d+)Ki$/.exec(q ?? '')?.[1]);
    expect(ki(node.status?.capacity?.memory) - ki(node.status?.allocatable?.memory)).toBe(
      100 * 1024,
    );
    expect(node.status?.nodeInfo?.containerRuntimeVersion).toMatch(/^containerd:\/\//);
    expect(node.status?.nodeInfo?.kubeletVersion).toMatch(/^v1\.32\./);
    expect(node.status?.nodeInfo?.kubeProxyVersion).toBe(node.status?.nodeInfo?.kubeletVersion);
    expect((node.status as Record<string, unknown>).phase).toBeUndefined();

    // The node-lifecycle controller records RegisteredNode on its first pass over the node.
    await waitFor(async () => (await h.events('worker-1', { reason: 'RegisteredNode' }))[0], {
      timeoutMs: 20_000,
      message: 'RegisteredNode event',
    });
    const described = await h.k(['describe', 'node', 'worker-1']);
    expect(described).toMatch(/Container Runtime Version:\s+containerd:\/\/1\.7\.22/);
    expect(described).toMatch(/HolderIdentity:\s+worker-1/);
    expect(described).not.toContain('Failed to get lease');
    for (const [reason, from] of [
      ['Starting', 'kubelet'],
      ['NodeHasSufficientMemory', 'kubelet'],
      ['NodeReady', 'kubelet'],
      ['RegisteredNode', 'node-controller'],
    ]) {
      expect(described).toMatch(new RegExp(`Normal\\s+${reason}\\s+.*\\s${from}\\s`));
    }
    expect(described).toContain('Node worker-1 event: Registered Node worker-1 in Controller');
    expect(described).toContain('Node worker-1 status is now: NodeReady');
  });

  it("managedFields name the component that wrote each part (client-go's User-Agent product)", async () => {
    const managers = async (args: string[]) => {
      const object = JSON.parse(await h.k(['get', ...args, '--show-managed-fields', '-o', 'json']));
      const entries = object.metadata.managedFields as {
        manager: string;
        operation: string;
        subresource?: string;
      }[];
      return entries.map((e) => [e.manager, e.operation, e.subresource ?? ''].join(' '));
    };
    // The kubelet registers and reports; the node IPAM controller sets the pod CIDR; the CCM's
    // node controller sets the provider ID, labels and addresses.
    expect(await managers(['node', 'worker-1'])).toEqual(
      expect.arrayContaining([
        'kubelet Update ',
        'kubelet Update status',
        'kube-controller-manager Update ',
        'cloud-controller-manager Update ',
        'cloud-controller-manager Update status',
      ]),
    );
    await h.k(['run', 'managers', '--image=nginx']);
    await h.waitForPod('managers', (p) => p.status?.phase === 'Running', 'Running');
    // The scheduler's binding records no entry (the binding subresource is not an update).
    expect(await managers(['pod', 'managers'])).toEqual([
      'kubectl-run Update ',
      'kubelet Update status',
    ]);
    await h.k(['delete', 'pod', 'managers', '--wait=false']);
  });

  it('C3: the Lease is renewed every ~10 s (MicroTime), the node status only on change', async () => {
    const lease = await h.kJson<{
      metadata: { ownerReferences?: { kind: string; name: string; uid: string }[] };
      spec: { holderIdentity: string; leaseDurationSeconds: number; renewTime: string };
    }>(['get', 'lease', '-n', 'kube-node-lease', 'worker-1']);
    const node = await h.node('worker-1');
    expect(lease.spec.holderIdentity).toBe('worker-1');
    expect(lease.spec.leaseDurationSeconds).toBe(40);
    expect(lease.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'Node', name: 'worker-1', uid: node.metadata?.uid }),
    ]);
    expect(lease.spec.renewTime).toMatch(/\.\d{6}Z$/);
    const heartbeat = condition(node, 'Ready') as { lastHeartbeatTime?: string };

    await h.advanceClock(12_000);
    const later = await h.kJson<{ spec: { renewTime: string } }>([
      'get',
      'lease',
      '-n',
      'kube-node-lease',
      'worker-1',
    ]);
    expect(later.spec.renewTime).toMatch(/\.\d{6}Z$/);
    expect(Date.parse(later.spec.renewTime)).toBeGreaterThan(Date.parse(lease.spec.renewTime));
    const nodeLater = await h.node('worker-1');
    expect(
      (condition(nodeLater, 'Ready') as { lastHeartbeatTime?: string }).lastHeartbeatTime,
    ).toBe(heartbeat.lastHeartbeatTime);
  });

  it('C20: cordon taints the node and the kubelet records it; drain evicts its pods', async () => {
    await h.apply(h.podManifest('drained', 'worker-2'));
    await h.waitForPod('drained', (p) => p.status?.phase === 'Running', 'Running');
    await h.k(['cordon', 'worker-2']);
    const cordoned = await h.waitForNode(
      'worker-2',
      (n) => hasTaint(n, 'node.kubernetes.io/unschedulable', 'NoSchedule'),
      'unschedulable taint',
    );
    expect(cordoned.spec?.unschedulable).toBe(true);
    expect(await h.k(['get', 'node', 'worker-2'])).toMatch(/worker-2\s+Ready,SchedulingDisabled/);
    const event = await waitFor(
      async () => (await h.events('worker-2', { reason: 'NodeNotSchedulable' }))[0],
      { timeoutMs: 20_000, message: 'NodeNotSchedulable event' },
    );
    expect(event.message).toBe('Node worker-2 status is now: NodeNotSchedulable');
    expect(event.source?.component).toBe('kubelet');

    const drained = await h.k([
      'drain',
      'worker-2',
      '--ignore-daemonsets',
      '--force',
      '--timeout=60s',
    ]);
    expect(drained).toContain('evicting pod default/drained');
    expect(drained).toContain('node/worker-2 drained');
    await h.waitForPodGone('drained');

    // New pods avoid the cordoned node; uncordoning it lets the waiting one in (a retry on the
    // node update).
    await h.apply(h.podManifest('waiting', 'worker-2'));
    const refused = await waitFor(
      async () => (await h.events('waiting', { reason: 'FailedScheduling' }))[0],
      { timeoutMs: 20_000, message: 'FailedScheduling for waiting' },
    );
    expect(refused.message).toContain('1 node(s) were unschedulable');

    await h.k(['uncordon', 'worker-2']);
    await h.waitForPod('waiting', (p) => p.status?.phase === 'Running', 'Running after uncordon');
    await h.k(['delete', 'pod', 'waiting', '--grace-period=0', '--force']);
    await h.waitForNode(
      'worker-2',
      (n) => !hasTaint(n, 'node.kubernetes.io/unschedulable'),
      'unschedulable taint removed',
    );
    await waitFor(async () => (await h.events('worker-2', { reason: 'NodeSchedulable' }))[0], {
      timeoutMs: 20_000,
      message: 'NodeSchedulable event',
    });
  });

  it('C23: every namespace gets the default ServiceAccount and kube-root-ca.crt, no token Secret', async () => {
    await h.k(['create', 'ns', 't1']);
    const listed = await waitFor(
      async () => {
        const out = await h.k(['get', 'sa,cm', '-n', 't1']);
        return (
          /serviceaccount\/default\s/.test(out) && /configmap\/kube-root-ca\.crt\s/.test(out) && out
        );
      },
      { timeoutMs: 10_000, message: 'default SA and kube-root-ca.crt in t1' },
    );
    expect(listed).toBeTruthy();
    const cm = await h.kJson<{
      metadata: { annotations: Record<string, string> };
      data: Record<string, string>;
    }>(['get', 'cm', 'kube-root-ca.crt', '-n', 't1']);
    expect(cm.metadata.annotations['kubernetes.io/description']).toBe(
      'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.',
    );
    expect(cm.data['ca.crt']).toBe(h.nimbus.apiserver.caCert);
    const secrets = await h.kJson<{ items: unknown[] }>(['get', 'secrets', '-n', 't1']);
    expect(secrets.items).toEqual([]);

    // Deleted, they come back.
    await h.k(['delete', 'sa', 'default', '-n', 't1']);
    await h.k(['delete', 'cm', 'kube-root-ca.crt', '-n', 't1']);
    await waitFor(
      async () => {
        const out = await h.k(['get', 'sa,cm', '-n', 't1']);
        return /serviceaccount\/default\s/.test(out) && /configmap\/kube-root-ca\.crt\s/.test(out);
      },
      { timeoutMs: 10_000, message: 'recreated' },
    );
  });

  it('C24: kube-proxy /healthz follows node eligibility, /livez does not', async () => {
    const url = await waitFor(() => h.nimbus.proxy.healthzUrl('worker-3'), {
      message: 'kube-proxy health of worker-3 listening',
    });
    const node = await h.node('worker-3');
    const ip = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '';
    expect(url).toBe(
      `http://127.${ip.split('.')[1] === '0' ? ip.split('.')[0] : ip.split('.')[1]}.${ip.split('.')[2]}.${ip.split('.')[3]}:${h.nimbus.proxy.healthzPort()}`,
    );
    const get = async (path: string) => {
      const res = await fetch(`${url}${path}`);
      return {
        status: res.status,
        type: res.headers.get('content-type'),
        nosniff: res.headers.get('x-content-type-options'),
        body: await res.text(),
      };
    };
    const healthy = await get('/healthz');
    expect(healthy.status).toBe(200);
    expect(healthy.type).toBe('application/json');
    expect(healthy.nosniff).toBe('nosniff');
    expect(healthy.body).toMatch(
      /^\{"lastUpdated": "\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \+0000 UTC m=\+\d+\.\d{9}","currentTime": "[^"]+", "nodeEligible": true\}$/,
    );

    await h.k(['taint', 'node', 'worker-3', 'ToBeDeletedByClusterAutoscaler=1:NoSchedule']);
    const ineligible = await waitFor(async () => {
      const r = await get('/healthz');
      return r.status === 503 && r;
    });
    expect(ineligible.body).toContain('"nodeEligible": false');
    const live = await get('/livez');
    expect(live.status).toBe(200);
    expect(live.body).toMatch(/^\{"lastUpdated": "[^"]+","currentTime": "[^"]+"\}$/);

    await h.k(['taint', 'node', 'worker-3', 'ToBeDeletedByClusterAutoscaler-']);
    await waitFor(async () => (await get('/healthz')).status === 200, {
      message: 'healthy again',
    });
  });
});

/** The Node objects a `kubectl get -w -o json --output-watch-events` printed so far. */
function watchedNodes(output: string): NodeObject[] {
  return jsonStream<{ object?: NodeObject }>(output).flatMap((e) => (e.object ? [e.object] : []));
}
