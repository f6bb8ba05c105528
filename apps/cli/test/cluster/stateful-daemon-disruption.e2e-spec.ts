import type { DaemonSetObject, PodObject, StatefulSetObject } from '@app/kube-client';
import { ClusterHarness, hasTaint, isRunningAndReady, waitFor } from './cluster-harness';

// StatefulSets and DaemonSets on the living cluster through kubectl (cluster-simulation.md
// §3.5, scenario C21): ordered stable pods and claims; one daemon pod per initialised node,
// automatic tolerations, nodes joining and leaving, rollouts; PodDisruptionBudget status and
// `kubectl drain` blocked by a budget, then allowed.
jest.setTimeout(240_000);

const UNINITIALIZED = 'node.cloudprovider.kubernetes.io/uninitialized';

describe('statefulsets, daemonsets and disruption budgets', () => {
  let h: ClusterHarness;

  beforeAll(async () => {
    h = await ClusterHarness.start();
  });

  afterAll(async () => {
    await h?.close();
  });

  const agentPods = async () =>
    (await h.kJson<{ items: PodObject[] }>(['get', 'pods', '-l', 'app=agent'])).items.filter(
      (p) => !p.metadata?.deletionTimestamp,
    );
  const ds = () => h.kJson<DaemonSetObject>(['get', 'ds', 'agent']);
  const rolledOut = async () => {
    const r = await h.kubectl(['rollout', 'status', 'daemonset/agent', '--timeout=90s']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('daemon set "agent" successfully rolled out');
  };

  const stsEvents = async (name: string) =>
    (await h.events(name, { kind: 'StatefulSet' })).map((e) => `${e.reason} ${e.message}`);

  it('a StatefulSet starts web-0, web-1, web-2 in order and scales down from the top', async () => {
    await h.apply(
      JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name: 'web' },
        spec: {
          replicas: 3,
          serviceName: 'web',
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] },
          },
        },
      }),
    );
    // OrderedReady: no list may ever show web-<i+1> next to a web-<i> that is not Running and
    // Ready (a list is one consistent snapshot).
    const rollout = h.kubectl(['rollout', 'status', 'statefulset/web', '--timeout=90s']);
    let done = false;
    void rollout.finally(() => (done = true));
    const violations: string[] = [];
    while (!done) {
      const list = (await h.kJson<{ items: PodObject[] }>(['get', 'pods', '-l', 'app=web'])).items;
      const ready = (n: string) => {
        const p = list.find((x) => x.metadata?.name === n);
        return !!p && isRunningAndReady(p);
      };
      for (const [next, prev] of [
        ['web-1', 'web-0'],
        ['web-2', 'web-1'],
      ]) {
        if (list.some((x) => x.metadata?.name === next) && !ready(prev)) {
          violations.push(`${next} existed while ${prev} was not ready`);
        }
      }
    }
    expect(violations).toEqual([]);
    const status = await rollout;
    expect(status.code).toBe(0);
    const set = await h.kJson<StatefulSetObject>(['get', 'sts', 'web']);
    const revision = set.status?.updateRevision;
    expect(revision).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
    // The api-server defaults rollingUpdate.partition to 0, so kubectl takes its partitioned
    // branch, as against a real cluster.
    expect(status.stdout.trim().split('\n').at(-1)).toBe(
      'partitioned roll out complete: 3 new pods have been updated...',
    );
    expect(set.status).toMatchObject({
      replicas: 3,
      readyReplicas: 3,
      currentReplicas: 3,
      updatedReplicas: 3,
      currentRevision: revision,
    });
    const pods = (await h.kJson<{ items: PodObject[] }>(['get', 'pods', '-l', 'app=web'])).items;
    expect(pods.map((p) => p.metadata?.name).sort()).toEqual(['web-0', 'web-1', 'web-2']);
    const web1 = pods.find((p) => p.metadata?.name === 'web-1')!;
    expect(web1.spec).toMatchObject({ hostname: 'web-1', subdomain: 'web' });
    expect(web1.metadata?.labels).toMatchObject({
      'statefulset.kubernetes.io/pod-name': 'web-1',
      'apps.kubernetes.io/pod-index': '1',
      'controller-revision-hash': revision,
    });
    expect(await stsEvents('web')).toEqual([
      'SuccessfulCreate create Pod web-0 in StatefulSet web successful',
      'SuccessfulCreate create Pod web-1 in StatefulSet web successful',
      'SuccessfulCreate create Pod web-2 in StatefulSet web successful',
    ]);

    await h.k(['scale', 'sts/web', '--replicas=1']);
    await waitFor(
      async () =>
        (await h.kJson<{ items: PodObject[] }>(['get', 'pods', '-l', 'app=web'])).items.length ===
        1,
      { timeoutMs: 60_000, message: 'web scaled to 1' },
    );
    expect((await stsEvents('web')).slice(3)).toEqual([
      'SuccessfulDelete delete Pod web-2 in StatefulSet web successful',
      'SuccessfulDelete delete Pod web-1 in StatefulSet web successful',
    ]);
  });

  it('a StatefulSet creates the claims of its volumeClaimTemplates before the pod', async () => {
    await h.apply(
      JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name: 'db' },
        spec: {
          replicas: 1,
          serviceName: 'db',
          selector: { matchLabels: { app: 'db' } },
          template: {
            metadata: { labels: { app: 'db' } },
            spec: {
              containers: [
                {
                  name: 'db',
                  image: 'postgres:17',
                  volumeMounts: [{ name: 'data', mountPath: '/data' }],
                },
              ],
            },
          },
          volumeClaimTemplates: [
            {
              metadata: { name: 'data' },
              spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
            },
          ],
        },
      }),
    );
    const pod = await waitFor(() => h.pod('db-0').catch(() => undefined), {
      timeoutMs: 30_000,
      message: 'pod db-0',
    });
    expect(pod.spec?.volumes).toContainEqual({
      name: 'data',
      persistentVolumeClaim: { claimName: 'data-db-0' },
    });
    const claim = await h.kJson<{ metadata: { labels?: Record<string, string> } }>([
      'get',
      'pvc',
      'data-db-0',
    ]);
    expect(claim.metadata.labels).toEqual({ app: 'db' });
    expect((await stsEvents('db'))[0]).toBe(
      'SuccessfulCreate create Claim data-db-0 Pod db-0 in StatefulSet db success',
    );
  });

  it('C21: runs one pod per node, pinned by matchFields, with the automatic tolerations', async () => {
    await h.apply(
      JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name: 'agent' },
        spec: {
          selector: { matchLabels: { app: 'agent' } },
          template: {
            metadata: { labels: { app: 'agent' } },
            spec: { containers: [{ name: 'agent', image: 'busybox' }] },
          },
        },
      }),
    );
    await rolledOut();
    const pods = await agentPods();
    expect(pods.map((p) => p.spec?.nodeName).sort()).toEqual(['worker-1', 'worker-2', 'worker-3']);
    expect(pods.every(isRunningAndReady)).toBe(true);
    const pod = pods.find((p) => p.spec?.nodeName === 'worker-2')!;
    expect(pod.metadata?.name).toMatch(/^agent-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(pod.metadata?.labels).toMatchObject({ 'pod-template-generation': '1' });
    expect(pod.metadata?.labels?.['controller-revision-hash']).toBeDefined();
    expect(
      pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution,
    ).toEqual({
      nodeSelectorTerms: [
        { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['worker-2'] }] },
      ],
    });
    expect(pod.spec?.tolerations?.map((t) => `${t.key}:${t.effect}`)).toEqual(
      expect.arrayContaining([
        'node.kubernetes.io/not-ready:NoExecute',
        'node.kubernetes.io/unreachable:NoExecute',
        'node.kubernetes.io/disk-pressure:NoSchedule',
        'node.kubernetes.io/memory-pressure:NoSchedule',
        'node.kubernetes.io/pid-pressure:NoSchedule',
        'node.kubernetes.io/unschedulable:NoSchedule',
      ]),
    );
    expect((await ds()).status).toMatchObject({
      desiredNumberScheduled: 3,
      currentNumberScheduled: 3,
      numberReady: 3,
      updatedNumberScheduled: 3,
      numberAvailable: 3,
      numberMisscheduled: 0,
    });
    const table = await h.k(['get', 'ds', 'agent', '--no-headers']);
    expect(table.split(/\s+/).slice(0, 6)).toEqual(['agent', '3', '3', '3', '3', '3']);
    const revisions = await h.k(['get', 'controllerrevisions', '--no-headers']);
    expect(revisions).toMatch(/^agent-\S+\s+daemonset\.apps\/agent\s+1\s/m);
  });

  it('a joining node gets its pod only once the CCM initialised it', async () => {
    await h.addWorker('worker-4');
    // While the uninitialized taint is on, no daemon pod exists for it: pods are read before
    // the node, so a pod seen next to a still-tainted node was there while the taint was.
    let podWhileTainted = false;
    await waitFor(
      async () => {
        const early = (await agentPods()).some((p) => p.spec?.nodeName === 'worker-4');
        const node = await h.node('worker-4').catch(() => undefined);
        if (node && hasTaint(node, UNINITIALIZED)) {
          podWhileTainted ||= early;
          return false;
        }
        return !!node;
      },
      { timeoutMs: 60_000, intervalMs: 100, message: 'worker-4 initialised' },
    );
    expect(podWhileTainted).toBe(false);
    const pod = await waitFor(
      async () =>
        (await agentPods()).find((p) => p.spec?.nodeName === 'worker-4' && isRunningAndReady(p)),
      { timeoutMs: 60_000, message: 'agent pod Running on worker-4' },
    );
    expect(pod.spec?.tolerations?.some((t) => t.key === UNINITIALIZED)).toBe(false);
    await waitFor(async () => (await ds()).status?.numberReady === 4, { message: '4 ready' });
  });

  it('a cordoned node keeps its daemon pod; a NoExecute taint removes it', async () => {
    await h.k(['cordon', 'worker-1']);
    await h.k(['taint', 'node', 'worker-3', 'dedicated=infra:NoExecute']);
    await waitFor(async () => !(await agentPods()).some((p) => p.spec?.nodeName === 'worker-3'), {
      timeoutMs: 60_000,
      message: 'agent pod gone from worker-3',
    });
    expect((await agentPods()).some((p) => p.spec?.nodeName === 'worker-1')).toBe(true);
    await waitFor(async () => (await ds()).status?.desiredNumberScheduled === 3, {
      message: 'desired 3',
    });
    await h.k(['taint', 'node', 'worker-3', 'dedicated-']);
    await h.k(['uncordon', 'worker-1']);
    await waitFor(async () => (await agentPods()).some((p) => p.spec?.nodeName === 'worker-3'), {
      timeoutMs: 60_000,
      message: 'agent pod back on worker-3',
    });
  });

  it('a template change rolls the pods node by node to a new revision', async () => {
    await rolledOut();
    const before = await agentPods();
    await h.k(['set', 'image', 'daemonset/agent', 'agent=busybox:1.37']);
    await rolledOut();
    const after = await agentPods();
    expect(after).toHaveLength(4);
    expect(after.every((p) => p.spec?.containers[0].image === 'busybox:1.37')).toBe(true);
    const oldNames = new Set(before.map((p) => p.metadata?.name));
    expect(after.some((p) => oldNames.has(p.metadata?.name))).toBe(false);
    expect(after.every((p) => p.metadata?.labels?.['pod-template-generation'] === '2')).toBe(true);
    const history = await h.k(['rollout', 'history', 'daemonset/agent']);
    expect(
      history
        .split('\n')
        .map((l) => /^(\d+)\s/.exec(l)?.[1])
        .filter(Boolean),
    ).toEqual(['1', '2']);
  });

  it('a node that leaves drops out of the DaemonSet', async () => {
    await h.terminateInstance('worker-4');
    // The CCM deletes the Node of a terminated instance on its own, in its time; do it now.
    await h.k(['delete', 'node', 'worker-4', '--wait=false']);
    await waitFor(async () => !(await h.node('worker-4').catch(() => undefined)), {
      timeoutMs: 60_000,
      message: 'node worker-4 deleted',
    });
    await waitFor(async () => (await ds()).status?.desiredNumberScheduled === 3, {
      timeoutMs: 30_000,
      message: 'desired 3',
    });
    // Its bound pod is the pod GC's (after the 40 s quarantine, see node-ipam-and-gc.e2e-spec).
    expect((await ds()).status).toMatchObject({ currentNumberScheduled: 3, numberReady: 3 });
  });

  it('kubectl drain is blocked by a PodDisruptionBudget, then allowed once it has room', async () => {
    await h.k(['create', 'deployment', 'guarded', '--image=nginx:1.27', '--replicas=2']);
    expect(
      (await h.kubectl(['rollout', 'status', 'deployment/guarded', '--timeout=90s'])).code,
    ).toBe(0);
    await h.k([
      'create',
      'poddisruptionbudget',
      'guarded',
      '--selector=app=guarded',
      '--min-available=2',
    ]);
    const pdb = () =>
      h.kJson<{
        status?: Record<string, unknown> & {
          conditions?: { type: string; status: string; reason: string }[];
        };
      }>(['get', 'pdb', 'guarded']);
    const blocked = await waitFor(
      async () => {
        const p = await pdb();
        return p.status?.currentHealthy === 2 ? p : undefined;
      },
      { timeoutMs: 30_000, message: 'pdb status' },
    );
    expect(blocked.status).toMatchObject({
      disruptionsAllowed: 0,
      desiredHealthy: 2,
      expectedPods: 2,
    });
    expect(blocked.status?.conditions?.[0]).toMatchObject({
      type: 'DisruptionAllowed',
      status: 'False',
      reason: 'InsufficientPods',
    });
    const [victim] = (await h.kJson<{ items: PodObject[] }>(['get', 'pods', '-l', 'app=guarded']))
      .items;
    const node = victim.spec?.nodeName ?? '';
    const refused = await h.kubectl([
      'drain',
      node,
      '--ignore-daemonsets',
      '--delete-emptydir-data',
      '--force',
      '--timeout=5s',
    ]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(
      `Cannot evict pod as it would violate the pod's disruption budget.`,
    );

    await h.k(['patch', 'pdb', 'guarded', '--type=merge', '-p', '{"spec":{"minAvailable":1}}']);
    await waitFor(async () => (await pdb()).status?.disruptionsAllowed === 1, {
      timeoutMs: 30_000,
      message: 'one disruption allowed',
    });
    const drained = await h.kubectl([
      'drain',
      node,
      '--ignore-daemonsets',
      '--delete-emptydir-data',
      '--force',
      '--timeout=60s',
    ]);
    expect(drained.code).toBe(0);
    expect(drained.stdout).toContain(`evicting pod default/${victim.metadata?.name}`);
    expect(
      (await h.kubectl(['rollout', 'status', 'deployment/guarded', '--timeout=90s'])).code,
    ).toBe(0);
    const after = (await h.kJson<{ items: PodObject[] }>(['get', 'pods', '-l', 'app=guarded']))
      .items;
    expect(
      after.filter((p) => !p.metadata?.deletionTimestamp).every((p) => p.spec?.nodeName !== node),
    ).toBe(true);
    await h.k(['uncordon', node]);
  });
});
