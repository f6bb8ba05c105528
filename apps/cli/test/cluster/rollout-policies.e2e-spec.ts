import type { PersistentVolumeClaimObject, PodObject } from '@app/kube-client';
import { ClusterHarness, isRunningAndReady, waitFor } from './cluster-harness';

// StatefulSet and DaemonSet features beyond ordering through kubectl on the living cluster:
// spec.ordinals.start, persistentVolumeClaimRetentionPolicy (owner references the garbage
// collector acts on), StatefulSet RollingUpdate maxUnavailable, DaemonSet RollingUpdate maxSurge
// (upstream pkg/controller/statefulset, pkg/controller/daemon).
jest.setTimeout(240_000);

describe('statefulset and daemonset rollout policies', () => {
  let h: ClusterHarness;

  beforeAll(async () => {
    h = await ClusterHarness.start();
  });

  afterAll(async () => {
    await h?.close();
  });

  const podsOf = async (app: string) =>
    (await h.kJson<{ items: PodObject[] }>(['get', 'pods', '-l', `app=${app}`])).items;
  const claimsOf = async (app: string) =>
    (await h.kJson<{ items: PersistentVolumeClaimObject[] }>(['get', 'pvc', '-l', `app=${app}`]))
      .items;
  const names = (items: { metadata?: { name?: string } }[]) =>
    items.map((i) => i.metadata?.name ?? '').sort();
  /**
   * Waits until the app's claims are exactly `expected` (a chain of controllers: StatefulSet,
   * kubelet, garbage collector, PVC protection — generous on a busy machine); a timeout says what
   * the claims and pods looked like.
   */
  const claimsBecome = async (app: string, expected: string[], message: string) => {
    let seen = { claims: [] as PersistentVolumeClaimObject[], pods: [] as PodObject[] };
    await waitFor(
      async () => {
        seen = { claims: await claimsOf(app), pods: await podsOf(app) };
        return JSON.stringify(names(seen.claims)) === JSON.stringify(expected);
      },
      {
        timeoutMs: 180_000,
        message,
        describeLast: () =>
          JSON.stringify({
            claims: seen.claims.map((c) => ({
              name: c.metadata?.name,
              owners: c.metadata?.ownerReferences?.map((o) => `${o.kind}/${o.name}`),
              finalizers: c.metadata?.finalizers,
              deleting: c.metadata?.deletionTimestamp,
            })),
            pods: seen.pods.map((p) => ({
              name: p.metadata?.name,
              phase: p.status?.phase,
              deleting: p.metadata?.deletionTimestamp,
            })),
          }),
      },
    );
  };
  const statefulSet = (name: string, spec: Record<string, unknown>) =>
    JSON.stringify({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name },
      spec: {
        serviceName: name,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
        },
        ...spec,
      },
    });
  // Claims stay unbound on this cluster (no provisioner here), so those pods stay Pending.
  const podsExactly = (app: string, expected: string[], running = true) =>
    waitFor(
      async () => {
        const pods = await podsOf(app);
        return pods.every(
          (p) => (!running || isRunningAndReady(p)) && !p.metadata?.deletionTimestamp,
        ) && JSON.stringify(names(pods)) === JSON.stringify(expected)
          ? pods
          : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 300, message: `${app}: ${expected.join(', ')}` },
    );

  it('ordinals.start and persistentVolumeClaimRetentionPolicy Delete/Delete', async () => {
    await h.apply(
      statefulSet('db', {
        replicas: 2,
        podManagementPolicy: 'Parallel',
        ordinals: { start: 1 },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data' },
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
          },
        ],
      }),
    );
    const pods = await podsExactly('db', ['db-1', 'db-2'], false);
    expect(pods.map((p) => p.metadata?.labels?.['apps.kubernetes.io/pod-index']).sort()).toEqual([
      '1',
      '2',
    ]);
    const set = await h.kJson<{ metadata: { uid: string } }>(['get', 'sts', 'db']);
    const claims = await claimsOf('db');
    expect(names(claims)).toEqual(['data-db-1', 'data-db-2']);
    for (const claim of claims) {
      expect(claim.metadata?.ownerReferences).toEqual([
        { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: set.metadata.uid },
      ]);
    }
    // Scaled down: db-2's claim becomes the pod's and goes with it.
    await h.k(['scale', 'sts', 'db', '--replicas=1']);
    await claimsBecome('db', ['data-db-1'], 'data-db-2 deleted with db-2');
    expect(names(await podsOf('db'))).toEqual(['db-1']);
    // Deleted: the remaining claim goes with the set.
    await h.k(['delete', 'sts', 'db', '--wait=false']);
    await claimsBecome('db', [], 'data-db-1 deleted with the set');
  });

  it('Retain/Retain keeps the claim of a removed replica, without owner references', async () => {
    await h.apply(
      statefulSet('keep', {
        replicas: 2,
        podManagementPolicy: 'Parallel',
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data' },
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
          },
        ],
      }),
    );
    await podsExactly('keep', ['keep-0', 'keep-1'], false);
    await h.k(['scale', 'sts', 'keep', '--replicas=1']);
    await podsExactly('keep', ['keep-0'], false);
    const claims = await claimsOf('keep');
    expect(names(claims)).toEqual(['data-keep-0', 'data-keep-1']);
    expect(claims.every((c) => (c.metadata?.ownerReferences ?? []).length === 0)).toBe(true);
  });

  it('RollingUpdate maxUnavailable 2 replaces two pods at a time from the top', async () => {
    await h.apply(
      statefulSet('wide', {
        replicas: 3,
        podManagementPolicy: 'Parallel',
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2 } },
      }),
    );
    await podsExactly('wide', ['wide-0', 'wide-1', 'wide-2']);
    await h.k(['set', 'image', 'sts/wide', 'app=nginx:1.28']);
    const rollout = await h.kubectl(['rollout', 'status', 'sts/wide', '--timeout=90s']);
    expect(rollout.code).toBe(0);
    const events = (await h.events('wide', { kind: 'StatefulSet' }))
      .map((e) => e.message)
      .filter((m) => m.startsWith('delete') || m.startsWith('create'));
    // Both highest ordinals go in one step, before either comes back.
    const afterCreates = events.slice(3);
    expect(afterCreates.slice(0, 2).sort()).toEqual([
      'delete Pod wide-1 in StatefulSet wide successful',
      'delete Pod wide-2 in StatefulSet wide successful',
    ]);
    const pods = await podsOf('wide');
    expect(pods.every((p) => p.spec?.containers[0].image === 'nginx:1.28')).toBe(true);
  });

  it('DaemonSet maxSurge 1 / maxUnavailable 0: the new pod starts beside the old one before it goes', async () => {
    await h.apply(
      JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name: 'agent' },
        spec: {
          selector: { matchLabels: { app: 'agent' } },
          updateStrategy: {
            type: 'RollingUpdate',
            rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
          },
          template: {
            metadata: { labels: { app: 'agent' } },
            spec: { containers: [{ name: 'agent', image: 'busybox:1.36' }] },
          },
        },
      }),
    );
    const first = await h.kubectl(['rollout', 'status', 'ds/agent', '--timeout=90s']);
    expect(first.code).toBe(0);
    const nodes = (await podsOf('agent')).length;
    expect(nodes).toBeGreaterThan(0);
    await h.k(['set', 'image', 'ds/agent', 'agent=busybox:1.37']);
    const rollout = await h.kubectl(['rollout', 'status', 'ds/agent', '--timeout=120s']);
    expect(rollout.code).toBe(0);
    const events = (await h.events('agent', { kind: 'DaemonSet' })).map((e) => e.reason);
    // After the first pods: every replacement is created before its predecessor is deleted.
    const rest = events.slice(nodes);
    expect(rest[0]).toBe('SuccessfulCreate');
    expect(rest.filter((r) => r === 'SuccessfulCreate')).toHaveLength(nodes);
    expect(rest.filter((r) => r === 'SuccessfulDelete')).toHaveLength(nodes);
    // `rollout status` is done once the new pods are available; the old ones may still be
    // terminating (graceful deletion), as on a real cluster.
    const pods = await waitFor(
      async () => {
        const now = await podsOf('agent');
        return now.length === nodes && now;
      },
      { timeoutMs: 90_000, intervalMs: 300, message: `agent: the old pods gone, ${nodes} left` },
    );
    expect(pods.every((p) => p.spec?.containers[0].image === 'busybox:1.37')).toBe(true);
  });
});
