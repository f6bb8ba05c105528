import type { HorizontalPodAutoscalerObject, PodObject } from '@app/kube-client';
import { AutoscalerHistory } from './normalize-replicas';
import { reconcileAutoscaler, type AutoscalerDeps } from './reconcile-autoscaler';
import type { PodMetricsInfo } from './resource-metrics-client';
import type { ScaleTarget } from './scale-targets';

const T0 = Date.UTC(2026, 11, 7, 12, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * A Deployment whose pods each use `usage` millicores of a 200m request: the fake scale follows
 * the updates, the pods follow the scale, like the workload controllers would.
 */
class World {
  replicas: number;
  usage = 100;
  readonly updates: number[] = [];
  readonly deps: AutoscalerDeps;

  constructor(replicas: number) {
    this.replicas = replicas;
    this.deps = {
      scales: {
        get: () =>
          Promise.resolve({
            path: '/apis/apps/v1/namespaces/shop/deployments/web/scale',
            scale: {
              spec: { replicas: this.replicas },
              status: { replicas: this.replicas, selector: 'app=web' },
            },
          } as ScaleTarget),
        update: (_t, to) => {
          this.updates.push(to);
          this.replicas = to;
          return Promise.resolve();
        },
      },
      metrics: {
        getResourceMetric: () => Promise.resolve({ metrics: this.samples(), timestampMs: T0 }),
      },
      pods: () => this.pods(),
      settings: {
        tolerance: 0.1,
        cpuInitializationPeriodMs: 300_000,
        delayOfInitialReadinessStatusMs: 30_000,
      },
      history: new AutoscalerHistory(300_000),
    };
  }

  pods(): PodObject[] {
    return Array.from({ length: this.replicas }, (_, i) => ({
      metadata: { name: `web-${i}`, namespace: 'shop', labels: { app: 'web' } },
      spec: { containers: [{ name: 'app', image: 'x', resources: { requests: { cpu: '200m' } } }] },
      status: {
        phase: 'Running',
        startTime: iso(T0 - 3_600_000),
        conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: iso(T0 - 3_500_000) }],
      },
    }));
  }

  samples(): PodMetricsInfo {
    return new Map(
      this.pods().map((p) => [
        p.metadata!.name!,
        { timestampMs: T0, windowMs: 15_000, value: this.usage },
      ]),
    );
  }
}

const hpa = (
  spec: Partial<NonNullable<HorizontalPodAutoscalerObject['spec']>> = {},
): HorizontalPodAutoscalerObject => ({
  metadata: { namespace: 'shop', name: 'web' },
  spec: {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
    minReplicas: 1,
    maxReplicas: 10,
    metrics: [
      {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } },
      },
    ],
    ...spec,
  },
  status: { currentReplicas: 0, desiredReplicas: 0 },
});

/** A behavior: scale up by `upPods` pods per `upPeriod` s, scale down with `downPolicy`. */
const behaviorOf = (upPods: number, upPeriod: number, downPolicy = 'Max', downWindow?: number) => ({
  scaleUp: {
    stabilizationWindowSeconds: 0,
    selectPolicy: 'Max',
    policies: [{ type: 'Pods', value: upPods, periodSeconds: upPeriod }],
  },
  scaleDown: {
    ...(downWindow === undefined ? {} : { stabilizationWindowSeconds: downWindow }),
    selectPolicy: downPolicy,
    policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
  },
});

const conditions = (out: Awaited<ReturnType<typeof reconcileAutoscaler>>) =>
  out.status.conditions?.map((c) => `${c.type} ${c.status} ${c.reason}`);

describe('metric-driven syncs', () => {
  it('scales up from the CPU utilization, at most ×2 (or 4) per sync', async () => {
    const w = new World(2);
    w.usage = 300; // 150% of the request, target 50% → ×3 = 6, capped at 4
    const out = await reconcileAutoscaler('shop/web', hpa(), w.deps, T0);
    expect(w.updates).toEqual([4]);
    expect(out.events).toEqual([
      {
        type: 'Normal',
        reason: 'SuccessfulRescale',
        message:
          'New size: 4; reason: cpu resource utilization (percentage of request) above target',
      },
    ]);
    expect(conditions(out)).toEqual([
      'AbleToScale True SucceededRescale',
      'ScalingActive True ValidMetricFound',
      'ScalingLimited True ScaleUpLimit',
    ]);
    expect(out.status.conditions?.[1].message).toBe(
      'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)',
    );
    expect(out.status).toMatchObject({
      currentReplicas: 2,
      desiredReplicas: 4,
      currentMetrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', current: { averageUtilization: 150, averageValue: '300m' } },
        },
      ],
    });
    // The next sync: still 150% of 4 pods → 12, capped at ×2 = 8; then by maxReplicas.
    const next = await reconcileAutoscaler(
      'shop/web',
      { ...hpa(), status: out.status },
      w.deps,
      T0 + 15_000,
    );
    expect(w.updates).toEqual([4, 8]);
    expect(conditions(next)).toContain('ScalingLimited True ScaleUpLimit');
    const last = await reconcileAutoscaler(
      'shop/web',
      { ...hpa(), status: next.status },
      w.deps,
      T0 + 30_000,
    );
    expect(w.updates).toEqual([4, 8, 10]);
    expect(conditions(last)).toContain('ScalingLimited True TooManyReplicas');
  });

  it('leaves a change within the tolerance alone', async () => {
    const w = new World(3);
    w.usage = 105; // 52% against 50%: ratio 1.04
    const out = await reconcileAutoscaler('shop/web', hpa(), w.deps, T0);
    expect(w.updates).toEqual([]);
    expect(out.events).toEqual([]);
    expect(conditions(out)).toEqual([
      'AbleToScale True ReadyForNewScale',
      'ScalingActive True ValidMetricFound',
      'ScalingLimited False DesiredWithinRange',
    ]);
    expect(out.status.desiredReplicas).toBe(3);
  });

  it('scales down only once the 5-minute stabilization window has passed', async () => {
    const w = new World(6);
    w.usage = 100; // 50%: keep 6
    await reconcileAutoscaler('shop/web', hpa(), w.deps, T0);
    w.usage = 20; // 10% → 2 replicas wanted
    const held = await reconcileAutoscaler('shop/web', hpa(), w.deps, T0 + 60_000);
    expect(w.updates).toEqual([]);
    expect(held.status.conditions?.find((c) => c.type === 'AbleToScale')).toMatchObject({
      reason: 'ScaleDownStabilized',
      message:
        'recent recommendations were higher than current one, applying the highest recent recommendation',
    });
    await reconcileAutoscaler('shop/web', hpa(), w.deps, T0 + 301_000);
    expect(w.updates).toEqual([2]);
  });

  it('with behavior, scales by its policies and windows', async () => {
    const w = new World(2);
    w.usage = 400; // 200% → ×4 = 8
    const behavior = behaviorOf(1, 60);
    const out = await reconcileAutoscaler('shop/web', hpa({ behavior }), w.deps, T0);
    expect(w.updates).toEqual([3]);
    expect(conditions(out)).toContain('ScalingLimited True ScaleUpLimit');
    // Within the policy's minute: the period started at 2, so 3 is still the limit.
    await reconcileAutoscaler('shop/web', hpa({ behavior }), w.deps, T0 + 30_000);
    expect(w.updates).toEqual([3]);
    await reconcileAutoscaler('shop/web', hpa({ behavior }), w.deps, T0 + 61_000);
    expect(w.updates).toEqual([3, 4]);
  });

  it('disabled scale-down in behavior keeps the count', async () => {
    const w = new World(4);
    w.usage = 10;
    const behavior = behaviorOf(4, 15, 'Disabled', 0);
    const out = await reconcileAutoscaler('shop/web', hpa({ behavior }), w.deps, T0);
    expect(w.updates).toEqual([]);
    expect(conditions(out)).toContain('ScalingLimited True ScaleDownLimit');
  });

  it('forgetting an autoscaler (it was deleted) drops its scale events: a new one starts afresh', async () => {
    const w = new World(2);
    w.usage = 400;
    const behavior = behaviorOf(1, 60);
    await reconcileAutoscaler('shop/web', hpa({ behavior }), w.deps, T0);
    expect(w.updates).toEqual([3]);
    w.deps.history.forget('shop/web');
    // Remembered, the minute's +1 would hold it at 3; forgotten, the policy allows one more.
    await reconcileAutoscaler('shop/web', hpa({ behavior }), w.deps, T0 + 30_000);
    expect(w.updates).toEqual([3, 4]);
  });
});
