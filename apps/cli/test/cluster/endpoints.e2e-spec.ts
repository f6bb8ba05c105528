import type { EndpointSliceObject, EndpointsObject, PodObject } from '@app/kube-client';
import { ClusterHarness, waitFor } from './cluster-harness';

// Endpoints and EndpointSlices following pods through kubectl (cluster-simulation.md §3.6,
// scenarios C15 and C16).
jest.setTimeout(240_000);

describe('endpoints and endpointslices', () => {
  let h: ClusterHarness;

  beforeAll(async () => {
    h = await ClusterHarness.start();
  });

  afterAll(async () => {
    await h?.close();
  });

  const slices = async (service: string) =>
    (
      await h.kJson<{ items: EndpointSliceObject[] }>([
        'get',
        'endpointslices',
        '-l',
        `kubernetes.io/service-name=${service}`,
      ])
    ).items;
  const endpoints = (service: string) => h.kJson<EndpointsObject>(['get', 'endpoints', service]);

  it('C15: kubectl expose gives one IPv4 slice and Endpoints; a deleted pod is terminating until gone', async () => {
    await h.k(['create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=3', '--port=80']);
    expect((await h.kubectl(['rollout', 'status', 'deployment/web', '--timeout=90s'])).code).toBe(
      0,
    );
    await h.k(['expose', 'deployment', 'web', '--port=80']);
    const pods = (await h.kJson<{ items: PodObject[] }>(['get', 'pods', '-l', 'app=web'])).items;
    const [slice] = await waitFor(
      async () => {
        const list = await slices('web');
        return list.length === 1 && list[0].endpoints?.length === 3 ? list : undefined;
      },
      { timeoutMs: 30_000, message: 'slice with 3 endpoints' },
    );
    expect(slice.addressType).toBe('IPv4');
    expect(slice.metadata?.name).toMatch(/^web-[a-z0-9]{5}$/);
    expect(slice.metadata?.labels).toMatchObject({
      'kubernetes.io/service-name': 'web',
      'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
    });
    expect(slice.metadata?.ownerReferences?.[0]).toMatchObject({
      kind: 'Service',
      name: 'web',
      controller: true,
    });
    expect(slice.ports).toEqual([{ name: '', port: 80, protocol: 'TCP' }]);
    for (const e of slice.endpoints ?? []) {
      const pod = pods.find((p) => p.metadata?.name === e.targetRef?.name)!;
      expect(e).toMatchObject({
        addresses: [pod.status?.podIP],
        conditions: { ready: true, serving: true, terminating: false },
        nodeName: pod.spec?.nodeName,
        targetRef: {
          kind: 'Pod',
          namespace: 'default',
          name: pod.metadata?.name,
          uid: pod.metadata?.uid,
        },
      });
      expect(e.zone).toMatch(/^nimbus-1[abc]$/);
    }
    const ep = await endpoints('web');
    expect(ep.subsets?.[0].addresses?.map((a) => a.ip).sort()).toEqual(
      pods.map((p) => p.status?.podIP).sort(),
    );
    const row = await h.k(['get', 'ep', 'web', '--no-headers']);
    expect(row).toMatch(
      /^web\s+\d+\.\d+\.\d+\.\d+:80,\d+\.\d+\.\d+\.\d+:80,\d+\.\d+\.\d+\.\d+:80\s/,
    );

    // A deleted pod is terminating in its slice until it is gone.
    const victim = pods[0];
    // Containers that ignore SIGTERM keep it terminating for its 5 s grace period.
    await h.k(['annotate', 'pod', victim.metadata!.name!, 'sim.nimbus.dev/ignore-sigterm=true']);
    await h.k(['delete', 'pod', victim.metadata!.name!, '--grace-period=5', '--wait=false']);
    await waitFor(
      async () => {
        const [s] = await slices('web');
        const e = s?.endpoints?.find((x) => x.targetRef?.name === victim.metadata?.name);
        return e?.conditions?.terminating === true && e.conditions.ready === false;
      },
      { timeoutMs: 30_000, message: 'terminating endpoint' },
    );
    await h.waitForPodGone(victim.metadata!.name!);
    await waitFor(
      async () => {
        const [s] = await slices('web');
        return !s?.endpoints?.some((x) => x.targetRef?.name === victim.metadata?.name);
      },
      { timeoutMs: 30_000, message: 'endpoint removed' },
    );
  });

  it('C15: a pod that turns unready becomes ready:false, serving:false and moves to notReadyAddresses', async () => {
    await h.apply(
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: 'flaky',
          labels: { app: 'flaky' },
          annotations: { 'sim.nimbus.dev/unready-after': '3s' },
        },
        spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
      }),
    );
    await h.k(['expose', 'pod', 'flaky', '--port=80']);
    const seen = await waitFor(
      async () => {
        const [s] = await slices('flaky');
        const e = s?.endpoints?.[0];
        return e?.conditions?.ready === false &&
          e.conditions.serving === false &&
          !e.conditions.terminating
          ? e
          : undefined;
      },
      { timeoutMs: 60_000, message: 'flaky endpoint not ready' },
    );
    expect(seen.targetRef?.name).toBe('flaky');
    const subset = await waitFor(
      async () => {
        const sub = (await endpoints('flaky')).subsets?.[0];
        return sub?.notReadyAddresses?.length === 1 ? sub : undefined;
      },
      { timeoutMs: 30_000, message: 'notReadyAddresses' },
    );
    expect(subset.addresses).toBeUndefined();
    expect(subset.notReadyAddresses?.[0].targetRef?.name).toBe('flaky');
  });

  it('C16: headless and empty services get slices; a Service without selector gets neither', async () => {
    await h.apply(
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web-headless' },
        spec: { clusterIP: 'None', selector: { app: 'web' }, ports: [{ port: 80 }] },
      }),
    );
    await h.apply(
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'nobody' },
        spec: { selector: { app: 'nobody' }, ports: [{ port: 80 }] },
      }),
    );
    await h.apply(
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'manual' },
        spec: { ports: [{ port: 80 }] },
      }),
    );
    const [headless] = await waitFor(
      async () => {
        const list = await slices('web-headless');
        return list.length === 1 && (list[0].endpoints?.length ?? 0) > 0 ? list : undefined;
      },
      { timeoutMs: 30_000, message: 'headless slice' },
    );
    expect(headless.metadata?.labels?.['service.kubernetes.io/headless']).toBe('');
    expect(
      (await endpoints('web-headless')).metadata?.labels?.['service.kubernetes.io/headless'],
    ).toBe('');

    const [empty] = await waitFor(
      async () => {
        const list = await slices('nobody');
        return list.length === 1 ? list : undefined;
      },
      { timeoutMs: 30_000, message: 'placeholder slice' },
    );
    expect(empty.endpoints ?? []).toEqual([]);
    await waitFor(async () => !!(await endpoints('nobody').catch(() => undefined)), {
      message: 'Endpoints nobody',
    });
    const row = await h.k(['get', 'ep', 'nobody', '--no-headers']);
    expect(row.split(/\s+/)[1]).toBe('<none>');

    // Give the controllers a moment on the selector-less Service, then check nothing exists.
    await waitFor(async () => (await slices('nobody')).length === 1, { message: 'settled' });
    expect(await slices('manual')).toEqual([]);
    expect((await h.kubectl(['get', 'endpoints', 'manual'])).code).not.toBe(0);
  });
});
