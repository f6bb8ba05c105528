import type { DeploymentObject, PodObject, ReplicaSetObject } from '@app/kube-client';
import { ClusterHarness, condition, isRunningAndReady, waitFor } from './cluster-harness';

// Deployments and ReplicaSets on the living cluster through kubectl only (cluster-simulation.md
// §3.3–3.4; scenarios C5, C10, C11, C13, `kubectl scale`, `set image`, `rollout`).
jest.setTimeout(240_000);

interface List<T> {
  items: T[];
}

describe('deployments', () => {
  let h: ClusterHarness;

  beforeAll(async () => {
    h = await ClusterHarness.start();
  });

  afterAll(async () => {
    await h?.close();
  });

  const pods = async (selector: string) =>
    (await h.kJson<List<PodObject>>(['get', 'pods', '-l', selector])).items;
  const replicaSets = async (selector: string) =>
    (await h.kJson<List<ReplicaSetObject>>(['get', 'rs', '-l', selector])).items;
  const deployment = (name: string) => h.kJson<DeploymentObject>(['get', 'deployment', name]);
  const reasons = async (name: string, reason: string) =>
    (await h.events(name, { reason })).map((e) => e.message);
  const waitForRunning = (selector: string, count: number) =>
    waitFor(
      async () => {
        const list = await pods(selector);
        const running = list.filter((p) => isRunningAndReady(p) && !p.metadata?.deletionTimestamp);
        return list.length === count && running.length === count ? list : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250, message: `${count} pods ${selector} Running` },
    );

  it('C5: kubectl create deployment runs 3 pods through a ReplicaSet web-<hash>', async () => {
    await h.k(['create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=3']);
    const status = await h.kubectl(['rollout', 'status', 'deployment/web', '--timeout=90s']);
    expect(status.code).toBe(0);
    expect(status.stdout.trim().split('\n').at(-1)).toBe(
      'deployment "web" successfully rolled out',
    );

    const [rs] = await replicaSets('app=web');
    const hash = rs.metadata?.labels?.['pod-template-hash'];
    expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{6,10}$/);
    expect(rs.metadata?.name).toBe(`web-${hash}`);
    expect(rs.metadata?.annotations).toMatchObject({
      'deployment.kubernetes.io/revision': '1',
      'deployment.kubernetes.io/desired-replicas': '3',
      'deployment.kubernetes.io/max-replicas': '4',
    });
    expect(rs.metadata?.ownerReferences).toEqual([
      expect.objectContaining({
        kind: 'Deployment',
        name: 'web',
        controller: true,
        blockOwnerDeletion: true,
      }),
    ]);
    const table = await h.k(['get', 'rs', `web-${hash}`, '--no-headers']);
    expect(table.split(/\s+/).slice(0, 4)).toEqual([`web-${hash}`, '3', '3', '3']);

    const running = await waitForRunning('app=web', 3);
    for (const pod of running) {
      expect(pod.metadata?.name).toMatch(
        new RegExp(`^web-${hash}-[bcdfghjklmnpqrstvwxz2456789]{5}$`),
      );
      expect(pod.metadata?.ownerReferences?.[0]).toMatchObject({
        kind: 'ReplicaSet',
        name: `web-${hash}`,
        controller: true,
      });
    }
    expect(await reasons('web', 'ScalingReplicaSet')).toEqual([
      `Scaled up replica set web-${hash} from 0 to 3`,
    ]);
    const created = await reasons(`web-${hash}`, 'SuccessfulCreate');
    expect(created.sort()).toEqual(running.map((p) => `Created pod: ${p.metadata?.name}`).sort());

    const d = await deployment('web');
    expect(d.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('1');
    expect(d.status).toMatchObject({
      replicas: 3,
      updatedReplicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
    });
    expect(d.status?.observedGeneration).toBe(d.metadata?.generation);
    expect(d.status?.conditions?.map((c) => [c.type, c.status, c.reason, c.message])).toEqual([
      ['Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.'],
      [
        'Progressing',
        'True',
        'NewReplicaSetAvailable',
        `ReplicaSet "web-${hash}" has successfully progressed.`,
      ],
    ]);
  });

  it('C10: kubectl set image rolls out a new ReplicaSet one pod at a time', async () => {
    const [first] = await replicaSets('app=web');
    await h.k(['set', 'image', 'deployment/web', 'nginx=nginx:1.28']);
    const status = await h.kubectl(['rollout', 'status', 'deployment/web', '--timeout=90s']);
    expect(status.code).toBe(0);
    const lines = status.stdout.trim().split('\n');
    expect(lines.at(-1)).toBe('deployment "web" successfully rolled out');
    // kubectl's DeploymentStatusViewer lines; the first is the spec-update one when kubectl looks
    // before the controller has observed the new generation (a busy machine).
    for (const line of lines.slice(0, -1)) {
      expect(line).toMatch(
        /^(Waiting for deployment spec update to be observed\.\.\.|Waiting for deployment "web" rollout to finish: (\d+ out of 3 new replicas have been updated|\d+ old replicas are pending termination|\d+ of 3 updated replicas are available)\.\.\.)$/,
      );
    }
    const all = await replicaSets('app=web');
    const next = all.find((rs) => rs.metadata?.name !== first.metadata?.name)!;
    expect(next.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
    const old = all.find((rs) => rs.metadata?.name === first.metadata?.name)!;
    expect([old.spec?.replicas, old.status?.replicas ?? 0]).toEqual([0, 0]);
    expect([next.spec?.replicas, next.status?.replicas, next.status?.readyReplicas]).toEqual([
      3, 3, 3,
    ]);
    expect(
      (await deployment('web')).metadata?.annotations?.['deployment.kubernetes.io/revision'],
    ).toBe('2');

    // 25 % surge of 3 = 1, 25 % unavailable = 0: up 1, down 1, … as upstream.
    const n = next.metadata?.name;
    const o = old.metadata?.name;
    expect((await reasons('web', 'ScalingReplicaSet')).slice(1)).toEqual([
      `Scaled up replica set ${n} from 0 to 1`,
      `Scaled down replica set ${o} from 3 to 2`,
      `Scaled up replica set ${n} from 1 to 2`,
      `Scaled down replica set ${o} from 2 to 1`,
      `Scaled up replica set ${n} from 2 to 3`,
      `Scaled down replica set ${o} from 1 to 0`,
    ]);
    const running = await waitForRunning('app=web', 3);
    expect(running.every((p) => p.spec?.containers[0].image === 'nginx:1.28')).toBe(true);
  });

  it('C11: kubectl rollout undo revives revision 1 as revision 3; history lists 2 and 3', async () => {
    const before = await replicaSets('app=web');
    const rev1 = before.find(
      (rs) => rs.metadata?.annotations?.['deployment.kubernetes.io/revision'] === '1',
    )!;
    await h.k(['rollout', 'undo', 'deployment/web']);
    expect((await h.kubectl(['rollout', 'status', 'deployment/web', '--timeout=90s'])).code).toBe(
      0,
    );
    const revived = (await replicaSets('app=web')).find(
      (rs) => rs.metadata?.name === rev1.metadata?.name,
    )!;
    expect(revived.metadata?.annotations).toMatchObject({
      'deployment.kubernetes.io/revision': '3',
      'deployment.kubernetes.io/revision-history': '1',
    });
    expect(revived.status?.readyReplicas).toBe(3);
    const history = await h.k(['rollout', 'history', 'deployment/web']);
    const revisions = history
      .split('\n')
      .map((l) => /^(\d+)\s/.exec(l)?.[1])
      .filter(Boolean);
    expect(revisions).toEqual(['2', '3']);
    const running = await waitForRunning('app=web', 3);
    expect(running.every((p) => p.spec?.containers[0].image === 'nginx:1.27')).toBe(true);
  });

  it('C13: kubectl scale --replicas=1 deletes 2 pods (SuccessfulDelete) and keeps a ready one', async () => {
    const running = await waitForRunning('app=web', 3);
    const [rs] = (await replicaSets('app=web')).filter((r) => (r.spec?.replicas ?? 0) > 0);
    // This ReplicaSet deleted pods in the rollout of C10 already.
    const earlier = (await reasons(rs.metadata!.name!, 'SuccessfulDelete')).length;
    await h.k(['scale', 'deployment/web', '--replicas=1']);
    const [survivor] = await waitForRunning('app=web', 1);
    expect(running.map((p) => p.metadata?.name)).toContain(survivor.metadata?.name);
    const deleted = (await reasons(rs.metadata!.name!, 'SuccessfulDelete')).slice(earlier);
    expect(deleted).toHaveLength(2);
    expect(deleted.every((m) => /^Deleted pod: /.test(m))).toBe(true);
    expect(deleted).not.toContain(`Deleted pod: ${survivor.metadata?.name}`);
    // The 10th similar event of the Deployment is aggregated, as upstream's EventCorrelator does.
    const scaling = await reasons('web', 'ScalingReplicaSet');
    expect(scaling.at(-1)).toMatch(
      new RegExp(
        `^(\\(combined from similar events\\): )?Scaled down replica set ${rs.metadata?.name} from 3 to 1$`,
      ),
    );
    const d = await deployment('web');
    expect(d.status).toMatchObject({ replicas: 1, availableReplicas: 1 });
  });

  it('kubectl rollout pause holds a template change; resume and restart roll out', async () => {
    await h.k(['rollout', 'pause', 'deployment/web']);
    await h.k(['set', 'image', 'deployment/web', 'nginx=nginx:1.29']);
    const paused = await waitFor(
      async () => {
        const d = await deployment('web');
        const c = condition(d, 'Progressing');
        return c?.reason === 'DeploymentPaused' ? { d, c } : undefined;
      },
      { timeoutMs: 30_000, message: 'Progressing DeploymentPaused' },
    );
    expect([paused.c.status, paused.c.message]).toEqual(['Unknown', 'Deployment is paused']);
    expect(
      (await replicaSets('app=web')).map((rs) => rs.spec?.template?.spec?.containers[0].image),
    ).not.toContain('nginx:1.29');
    await h.k(['rollout', 'resume', 'deployment/web']);
    expect((await h.kubectl(['rollout', 'status', 'deployment/web', '--timeout=90s'])).code).toBe(
      0,
    );
    expect(
      (await deployment('web')).metadata?.annotations?.['deployment.kubernetes.io/revision'],
    ).toBe('4');

    await h.k(['rollout', 'restart', 'deployment/web']);
    expect((await h.kubectl(['rollout', 'status', 'deployment/web', '--timeout=90s'])).code).toBe(
      0,
    );
    const d = await deployment('web');
    expect(d.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('5');
    const newest = (await replicaSets('app=web')).find(
      (rs) => rs.metadata?.annotations?.['deployment.kubernetes.io/revision'] === '5',
    )!;
    expect(
      newest.spec?.template?.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt'],
    ).toBeDefined();
    expect(newest.status?.readyReplicas).toBe(1);
  });

  it('Recreate scales the old ReplicaSet to 0 before the new one starts', async () => {
    await h.k(['create', 'deployment', 'batchy', '--image=nginx:1.27', '--replicas=2']);
    await h.k([
      'patch',
      'deployment/batchy',
      '--type=json',
      '-p',
      JSON.stringify([{ op: 'replace', path: '/spec/strategy', value: { type: 'Recreate' } }]),
    ]);
    expect(
      (await h.kubectl(['rollout', 'status', 'deployment/batchy', '--timeout=90s'])).code,
    ).toBe(0);
    await h.k(['set', 'image', 'deployment/batchy', 'nginx=nginx:1.28']);
    expect(
      (await h.kubectl(['rollout', 'status', 'deployment/batchy', '--timeout=90s'])).code,
    ).toBe(0);
    const [old, next] = (await replicaSets('app=batchy')).sort(
      (a, b) =>
        Number(a.metadata?.annotations?.['deployment.kubernetes.io/revision']) -
        Number(b.metadata?.annotations?.['deployment.kubernetes.io/revision']),
    );
    expect((await reasons('batchy', 'ScalingReplicaSet')).slice(1)).toEqual([
      `Scaled down replica set ${old.metadata?.name} from 2 to 0`,
      `Scaled up replica set ${next.metadata?.name} from 0 to 2`,
    ]);
    expect(next.metadata?.annotations?.['deployment.kubernetes.io/max-replicas']).toBe('2');
  });

  it('C12: pods that never get ready exceed the progress deadline', async () => {
    await h.apply(
      JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'stuck' },
        spec: {
          replicas: 1,
          progressDeadlineSeconds: 10,
          selector: { matchLabels: { app: 'stuck' } },
          template: {
            metadata: {
              labels: { app: 'stuck' },
              annotations: { 'sim.nimbus.dev/never-ready': 'true' },
            },
            spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
          },
        },
      }),
    );
    await waitFor(
      async () => (await pods('app=stuck')).some((p) => p.status?.phase === 'Running'),
      {
        timeoutMs: 60_000,
        message: 'stuck pod Running (not ready)',
      },
    );
    // The deadline runs on the cluster clock: move it past 10 s instead of waiting.
    await h.advanceClock(15_000);
    const d = await waitFor(
      async () => {
        const dep = await deployment('stuck');
        return condition(dep, 'Progressing')?.reason === 'ProgressDeadlineExceeded'
          ? dep
          : undefined;
      },
      { timeoutMs: 30_000, message: 'ProgressDeadlineExceeded' },
    );
    const rsName = (await replicaSets('app=stuck'))[0].metadata?.name;
    expect(condition(d, 'Progressing')).toMatchObject({
      status: 'False',
      message: `ReplicaSet "${rsName}" has timed out progressing.`,
    });
    expect(condition(d, 'Available')).toMatchObject({
      status: 'False',
      reason: 'MinimumReplicasUnavailable',
    });
    const status = await h.kubectl(['rollout', 'status', 'deployment/stuck', '--timeout=30s']);
    expect(status.code).not.toBe(0);
    expect(status.stderr).toContain('error: deployment "stuck" exceeded its progress deadline');
  });

  it('kubectl scale of a ReplicaSet and a ReplicationController', async () => {
    await h.apply(
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'ReplicationController',
        metadata: { name: 'legacy' },
        spec: {
          replicas: 2,
          selector: { app: 'legacy' },
          template: {
            metadata: { labels: { app: 'legacy' } },
            spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
          },
        },
      }),
    );
    await waitForRunning('app=legacy', 2);
    await h.k(['scale', 'rc/legacy', '--replicas=3']);
    await waitForRunning('app=legacy', 3);
    const rc = await h.kJson<{ status?: { replicas?: number; readyReplicas?: number } }>([
      'get',
      'rc',
      'legacy',
    ]);
    expect(rc.status).toMatchObject({ replicas: 3 });
    const events = await h.events('legacy', { reason: 'SuccessfulCreate' });
    expect(events).toHaveLength(3);
    expect(events[0].source?.component).toBe('replication-controller');
  });

  describe('HorizontalPodAutoscaler', () => {
    type Hpa = {
      status?: {
        currentReplicas?: number;
        conditions?: { type: string; status: string; reason: string; message: string }[];
      };
    };
    const hpa = (name: string) => h.kJson<Hpa>(['get', 'hpa', name]);
    const replicasBecome = (name: string, count: number) =>
      waitFor(async () => ((await deployment(name)).spec?.replicas === count ? true : undefined), {
        timeoutMs: 30_000,
        intervalMs: 200,
        message: `deployment ${name} scaled to ${count}`,
      });
    const syncedWith = (name: string, check: (o: Hpa) => boolean) =>
      waitFor(
        async () => {
          const o = await hpa(name);
          return check(o) ? o : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 200, message: `hpa ${name} synced` },
      );
    const SYNC_PERIOD_MS = 15_000;

    it('holds a Deployment within min and max replicas; pods without CPU requests have no utilization', async () => {
      expect(
        (await h.kubectl(['create', 'deployment', 'hpa-web', '--image=nginx', '--replicas=1']))
          .code,
      ).toBe(0);
      await waitForRunning('app=hpa-web', 1);
      await h.apply(
        JSON.stringify({
          apiVersion: 'autoscaling/v2',
          kind: 'HorizontalPodAutoscaler',
          metadata: { name: 'hpa-web' },
          spec: {
            scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'hpa-web' },
            minReplicas: 3,
            maxReplicas: 5,
            metrics: [
              {
                type: 'Resource',
                resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } },
              },
            ],
          },
        }),
      );
      // Upstream's queue takes a new autoscaler after one sync period, not at once.
      expect((await hpa('hpa-web')).status?.currentReplicas).toBe(0);
      expect((await deployment('hpa-web')).spec?.replicas).toBe(1);

      await h.advanceClock(SYNC_PERIOD_MS + 1_000);
      await replicasBecome('hpa-web', 3);
      expect(await reasons('hpa-web', 'SuccessfulRescale')).toEqual([
        'New size: 3; reason: Current number of replicas below Spec.MinReplicas',
      ]);
      await syncedWith('hpa-web', (o) => o.status?.currentReplicas === 1);
      await waitForRunning('app=hpa-web', 3);

      // Within the bounds the metrics decide — and pods without CPU requests have no utilization.
      await h.advanceClock(SYNC_PERIOD_MS + 1_000);
      const synced = await syncedWith('hpa-web', (o) =>
        Boolean(o.status?.conditions?.some((c) => c.type === 'ScalingActive')),
      );
      const missing =
        /^failed to get cpu utilization: missing request for cpu in container nginx of Pod hpa-web-[a-z0-9]+-[a-z0-9]+$/;
      expect(synced.status).toMatchObject({
        currentReplicas: 3,
        desiredReplicas: 3,
        currentMetrics: [{ type: '' }],
      });
      expect(
        synced.status?.conditions?.map(({ type, status, reason }) => ({ type, status, reason })),
      ).toEqual([
        { type: 'AbleToScale', status: 'True', reason: 'SucceededGetScale' },
        { type: 'ScalingActive', status: 'False', reason: 'FailedGetResourceMetric' },
      ]);
      expect(synced.status?.conditions?.[1].message).toMatch(
        /^the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu/,
      );
      const failures = await reasons('hpa-web', 'FailedGetResourceMetric');
      expect(failures).toHaveLength(1);
      expect(failures[0]).toMatch(missing);
      const computed = await reasons('hpa-web', 'FailedComputeMetricsReplicas');
      expect(computed[0]).toMatch(
        /^invalid metrics \(1 invalid out of 1\), first error is: failed to get cpu resource metric value: failed to get cpu utilization: missing request for cpu/,
      );
      const row = await h.kubectl(['get', 'hpa', 'hpa-web', '--no-headers']);
      expect(row.stdout).toMatch(
        /^hpa-web\s+Deployment\/hpa-web\s+cpu: <unknown>\/50%\s+3\s+5\s+3\s+/,
      );
      expect((await deployment('hpa-web')).spec?.replicas).toBe(3);

      // Scaled past the maximum by hand: the next sync brings it back.
      expect((await h.kubectl(['scale', 'deployment', 'hpa-web', '--replicas=8'])).code).toBe(0);
      await h.advanceClock(SYNC_PERIOD_MS + 1_000);
      await replicasBecome('hpa-web', 5);
      expect(await reasons('hpa-web', 'SuccessfulRescale')).toContain(
        'New size: 5; reason: Current number of replicas above Spec.MaxReplicas',
      );
      const described = await h.kubectl(['describe', 'hpa', 'hpa-web']);
      expect(described.stdout).toMatch(/Min replicas:\s+3/);
      expect(described.stdout).toMatch(
        /AbleToScale\s+True\s+SucceededRescale\s+the HPA controller was able to update the target scale to 5/,
      );
    });

    it('scales on the simulated CPU usage through metrics.k8s.io, and back down after the stabilization window', async () => {
      await h.apply(
        JSON.stringify({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'hpa-load' },
          spec: {
            replicas: 2,
            selector: { matchLabels: { app: 'hpa-load' } },
            template: {
              metadata: { labels: { app: 'hpa-load' } },
              spec: {
                containers: [
                  { name: 'app', image: 'nginx', resources: { requests: { cpu: '200m' } } },
                ],
              },
            },
          },
        }),
      );
      await waitForRunning('app=hpa-load', 2);
      expect(
        (
          await h.kubectl([
            'autoscale',
            'deployment',
            'hpa-load',
            '--min=1',
            '--max=4',
            '--cpu-percent=50',
          ])
        ).code,
      ).toBe(0);
      // 250m of a 200m request is 125%: 2.5 × the target, so 5 pods wanted, 4 allowed.
      const annotate = (usage: string) =>
        h.kubectl([
          'annotate',
          'pods',
          '-l',
          'app=hpa-load',
          `sim.nimbus.dev/cpu-usage=${usage}`,
          '--overwrite',
        ]);
      expect((await annotate('250m')).code).toBe(0);
      const top = await h.kubectl(['top', 'pods', '-l', 'app=hpa-load', '--no-headers']);
      expect(
        top.stdout
          .trim()
          .split('\n')
          .map((l) => l.split(/\s+/)[1]),
      ).toEqual(['250m', '250m']);

      await h.advanceClock(SYNC_PERIOD_MS + 1_000);
      await replicasBecome('hpa-load', 4);
      expect(await reasons('hpa-load', 'SuccessfulRescale')).toEqual([
        'New size: 4; reason: cpu resource utilization (percentage of request) above target',
      ]);
      const up = await syncedWith('hpa-load', (o) => o.status?.currentReplicas === 2);
      expect(up.status?.conditions?.map((c) => `${c.type} ${c.status} ${c.reason}`)).toEqual([
        'AbleToScale True SucceededRescale',
        'ScalingActive True ValidMetricFound',
        'ScalingLimited True TooManyReplicas',
      ]);
      expect((await h.kubectl(['get', 'hpa', 'hpa-load', '--no-headers'])).stdout).toMatch(
        /^hpa-load\s+Deployment\/hpa-load\s+cpu: 125%\/50%\s+1\s+4\s+2\s+/,
      );
      await waitForRunning('app=hpa-load', 4);

      // The load goes: the next sync wants 1 pod, but the window keeps the highest recent wish.
      expect((await annotate('10m')).code).toBe(0);
      await h.advanceClock(SYNC_PERIOD_MS + 1_000);
      const held = await syncedWith('hpa-load', (o) =>
        Boolean(o.status?.conditions?.some((c) => c.reason === 'ScaleDownStabilized')),
      );
      expect(held.status?.currentReplicas).toBe(4);
      expect((await deployment('hpa-load')).spec?.replicas).toBe(4);
      // Five minutes on (--horizontal-pod-autoscaler-downscale-stabilization), it scales down.
      await h.advanceClock(300_000);
      await replicasBecome('hpa-load', 1);
      expect(await reasons('hpa-load', 'SuccessfulRescale')).toContain(
        'New size: 1; reason: All metrics below target',
      );
    });

    it('reports a target it cannot find as FailedGetScale, and one scaled to zero as disabled', async () => {
      await h.apply(
        JSON.stringify({
          apiVersion: 'autoscaling/v1',
          kind: 'HorizontalPodAutoscaler',
          metadata: { name: 'hpa-missing' },
          spec: {
            scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'nope' },
            maxReplicas: 2,
          },
        }),
      );
      await h.advanceClock(SYNC_PERIOD_MS + 1_000);
      const missing = await syncedWith('hpa-missing', (o) => Boolean(o.status?.conditions?.length));
      expect(missing.status?.conditions?.[0]).toMatchObject({
        type: 'AbleToScale',
        status: 'False',
        reason: 'FailedGetScale',
        message:
          'the HPA controller was unable to get the target\'s current scale: deployments.apps "nope" not found',
      });
      expect(await reasons('hpa-missing', 'FailedGetScale')).toContain(
        'deployments.apps "nope" not found',
      );

      expect(
        (await h.kubectl(['create', 'deployment', 'hpa-idle', '--image=nginx', '--replicas=0']))
          .code,
      ).toBe(0);
      expect(
        (await h.kubectl(['autoscale', 'deployment', 'hpa-idle', '--min=1', '--max=3'])).code,
      ).toBe(0);
      await h.advanceClock(SYNC_PERIOD_MS + 1_000);
      const idle = await syncedWith('hpa-idle', (o) =>
        Boolean(o.status?.conditions?.some((c) => c.type === 'ScalingActive')),
      );
      expect(idle.status?.conditions?.find((c) => c.type === 'ScalingActive')).toMatchObject({
        status: 'False',
        reason: 'ScalingDisabled',
        message: 'scaling is disabled since the replica count of the target is zero',
      });
      expect((await deployment('hpa-idle')).spec?.replicas).toBe(0);
    });
  });
});
