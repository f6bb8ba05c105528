import fc from 'fast-check';
import type { KubeObject } from '../../object/types';
import { defaultHorizontalPodAutoscaler } from './horizontal-pod-autoscaler.kind';
import { hpaFromV1, hpaToV1 } from './hpa-v1-conversion';

const quantity = fc.constantFrom('1', '250m', '100Mi', '2k', '30');
const name = fc.constantFrom('rps', 'queue', 'latency');
const selector = fc.option(fc.record({ matchLabels: fc.constant({ app: 'web' }) }), {
  nil: undefined,
});
const withSelector = (metric: { name: string; selector?: unknown }) =>
  metric.selector === undefined ? { name: metric.name } : metric;

const metricSpec = fc.oneof(
  fc.record({
    type: fc.constant('Resource'),
    resource: fc.record({
      name: fc.constantFrom('cpu', 'memory'),
      target: fc.oneof(
        fc.record({
          type: fc.constant('Utilization'),
          averageUtilization: fc.integer({ min: 1, max: 100 }),
        }),
        fc.record({ type: fc.constant('AverageValue'), averageValue: quantity }),
      ),
    }),
  }),
  fc.record({
    type: fc.constant('ContainerResource'),
    containerResource: fc.record({
      name: fc.constant('cpu'),
      container: fc.constant('app'),
      target: fc.record({
        type: fc.constant('Utilization'),
        averageUtilization: fc.integer({ min: 1, max: 100 }),
      }),
    }),
  }),
  fc.record({
    type: fc.constant('Pods'),
    pods: fc.record({
      metric: fc.record({ name, selector }).map(withSelector),
      target: fc.record({ type: fc.constant('AverageValue'), averageValue: quantity }),
    }),
  }),
  fc.record({
    type: fc.constant('Object'),
    object: fc.record({
      describedObject: fc.constant({ apiVersion: 'v1', kind: 'Service', name: 'web' }),
      metric: fc.record({ name, selector }).map(withSelector),
      target: fc.oneof(
        fc.record({ type: fc.constant('Value'), value: quantity }),
        fc.record({ type: fc.constant('AverageValue'), value: quantity, averageValue: quantity }),
      ),
    }),
  }),
  fc.record({
    type: fc.constant('External'),
    external: fc.record({
      metric: fc.record({ name, selector }).map(withSelector),
      target: fc.oneof(
        fc.record({ type: fc.constant('Value'), value: quantity }),
        fc.record({ type: fc.constant('AverageValue'), averageValue: quantity }),
      ),
    }),
  }),
);

const rules = fc.record(
  {
    stabilizationWindowSeconds: fc.integer({ min: 0, max: 3600 }),
    selectPolicy: fc.constantFrom('Max', 'Min', 'Disabled'),
    policies: fc.array(
      fc.record({
        type: fc.constantFrom('Pods', 'Percent'),
        value: fc.integer({ min: 1, max: 10 }),
        periodSeconds: fc.integer({ min: 1, max: 1800 }),
      }),
      { minLength: 1, maxLength: 2 },
    ),
  },
  { requiredKeys: [] },
);

const condition = fc.record({
  type: fc.constantFrom('AbleToScale', 'ScalingActive', 'ScalingLimited'),
  status: fc.constantFrom('True', 'False'),
  reason: fc.constant('SucceededGetScale'),
  message: fc.constant('the HPA controller was able to get the target scale'),
  lastTransitionTime: fc.constant('2026-12-07T12:00:00Z'),
});

const hpaV2 = fc
  .record({
    metrics: fc.array(metricSpec, { maxLength: 4 }),
    behavior: fc.option(fc.record({ scaleUp: rules, scaleDown: rules }, { requiredKeys: [] }), {
      nil: undefined,
    }),
    conditions: fc.array(condition, { maxLength: 2 }),
    annotations: fc.option(fc.constant({ team: 'shop' }), { nil: undefined }),
  })
  .map(({ metrics, behavior, conditions, annotations }) => {
    const obj = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web', namespace: 'default', ...(annotations ? { annotations } : {}) },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
        minReplicas: 1,
        maxReplicas: 5,
        metrics,
        ...(behavior ? { behavior } : {}),
      },
      status: {
        currentReplicas: 2,
        desiredReplicas: 3,
        ...(conditions.length ? { conditions } : {}),
      },
    } as KubeObject;
    defaultHorizontalPodAutoscaler(obj);
    return obj;
  });

describe('autoscaling/v1 <-> v2 conversion', () => {
  it('a defaulted v2 autoscaler survives the round trip through v1 (the CPU target moves last)', () => {
    fc.assert(
      fc.property(hpaV2, (v2) => {
        const back = hpaFromV1(hpaToV1(v2));
        defaultHorizontalPodAutoscaler(back);
        const metrics = (
          v2.spec as {
            metrics: {
              type: string;
              resource?: { name: string; target: { averageUtilization?: number } };
            }[];
          }
        ).metrics;
        const isCpu = (m: (typeof metrics)[number]) =>
          m.type === 'Resource' &&
          m.resource?.name === 'cpu' &&
          m.resource.target.averageUtilization !== undefined;
        // v1 holds one CPU target, the first CPU utilization metric's; every CPU utilization
        // metric leaves the list and that one comes back after the others (as upstream's).
        const firstCpu = metrics.find(isCpu);
        const expectedMetrics = [
          ...metrics.filter((m) => !isCpu(m)),
          ...(firstCpu ? [firstCpu] : []),
        ];
        expect(back).toEqual({
          ...v2,
          spec: {
            ...(v2.spec as object),
            metrics: expectedMetrics.length
              ? expectedMetrics
              : (v2.spec as { metrics: unknown }).metrics,
          },
        });
      }),
      { numRuns: 500 },
    );
  });

  it('writes upstream round-trip annotations and keeps the user annotations', () => {
    const v2 = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web', annotations: { team: 'shop' } },
      spec: {
        scaleTargetRef: { kind: 'Deployment', name: 'web' },
        minReplicas: 1,
        maxReplicas: 3,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
          },
        ],
      },
      status: {
        currentReplicas: 1,
        desiredReplicas: 1,
        currentMetrics: [{ type: '' }],
        conditions: [
          { type: 'AbleToScale', status: 'True', reason: 'SucceededGetScale', message: 'ok' },
        ],
      },
    } as KubeObject;
    const v1 = hpaToV1(v2);
    expect(v1.spec).toEqual({
      scaleTargetRef: { kind: 'Deployment', name: 'web' },
      minReplicas: 1,
      maxReplicas: 3,
      targetCPUUtilizationPercentage: 70,
    });
    expect(v1.metadata.annotations).toEqual({
      team: 'shop',
      'autoscaling.alpha.kubernetes.io/current-metrics': '[{"type":""}]',
      'autoscaling.alpha.kubernetes.io/conditions':
        '[{"type":"AbleToScale","status":"True","reason":"SucceededGetScale","message":"ok"}]',
    });
    expect(v1.status).toEqual({ currentReplicas: 1, desiredReplicas: 1 });
    // Annotations a v1 client sends back are read and dropped from storage.
    expect(hpaFromV1(v1).metadata.annotations).toEqual({ team: 'shop' });
  });

  it('v1 takes the first CPU utilization target, past a CPU average-value metric', () => {
    const v2 = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web' },
      spec: {
        scaleTargetRef: { kind: 'Deployment', name: 'web' },
        maxReplicas: 3,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'AverageValue', averageValue: '500m' } },
          },
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } },
          },
        ],
      },
      status: {
        currentMetrics: [
          { type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 40 } } },
          { type: 'Resource', resource: { name: 'cpu', current: { averageValue: '300m' } } },
        ],
      },
    } as KubeObject;
    const v1 = hpaToV1(v2);
    expect(v1.spec).toMatchObject({ targetCPUUtilizationPercentage: 50 });
    expect(v1.status).toMatchObject({ currentCPUUtilizationPercentage: 40 });
    expect((hpaFromV1(v1).spec as { metrics: unknown[] }).metrics).toEqual(
      (v2.spec as { metrics: unknown[] }).metrics,
    );
  });

  it('a v2 write drops the v1 round-trip annotations (upstream drops them in both conversions)', () => {
    const v2 = {
      metadata: {
        name: 'web',
        annotations: { team: 'shop', 'autoscaling.alpha.kubernetes.io/metrics': '[]' },
      },
      spec: { maxReplicas: 2 },
    } as KubeObject;
    defaultHorizontalPodAutoscaler(v2);
    expect(v2.metadata.annotations).toEqual({ team: 'shop' });
  });
});
