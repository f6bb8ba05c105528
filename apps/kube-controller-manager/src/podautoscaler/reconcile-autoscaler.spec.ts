import type { HorizontalPodAutoscalerObject, MetricSpec, PodObject } from '@app/kube-client';
import { HpaSelectors } from './hpa-selectors';
import { AutoscalerHistory } from './normalize-replicas';
import {
  reconcileAutoscaler,
  setConditionInList,
  type AutoscalerDeps,
  type ScaleClient,
} from './reconcile-autoscaler';
import type { ResourceMetricsSource } from './resource-metrics-client';
import { NoKindMatchError } from './scale-targets';

const NOW = Date.UTC(2026, 11, 7, 12, 0, 0);
const RESOURCE_API =
  'unable to fetch metrics from resource metrics API: the server could not find the requested resource (get pods.metrics.k8s.io)';
const CUSTOM_API =
  'unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered';

const cpu50: MetricSpec = {
  type: 'Resource',
  resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } },
};

function autoscaler(
  spec: Partial<NonNullable<HorizontalPodAutoscalerObject['spec']>> = {},
  status?: HorizontalPodAutoscalerObject['status'],
): HorizontalPodAutoscalerObject {
  return {
    metadata: { namespace: 'shop', name: 'web' },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      minReplicas: 2,
      maxReplicas: 6,
      metrics: [cpu50],
      ...spec,
    },
    status: status ?? { currentReplicas: 0, desiredReplicas: 0 },
  };
}

/** A ScaleClient over one Deployment's Scale; records the updates. */
function scales(replicas: number, selector = 'app=web') {
  const updates: number[] = [];
  const requests: string[] = [];
  const client: ScaleClient & { fail?: Error; failUpdate?: Error } = {
    get(namespace, group, kind, name) {
      requests.push(`${namespace} ${group} ${kind} ${name}`);
      if (client.fail) {
        return Promise.reject(client.fail);
      }
      return Promise.resolve({
        path: `/apis/apps/v1/namespaces/${namespace}/deployments/${name}/scale`,
        scale: { spec: { replicas }, status: { replicas, selector } },
      });
    },
    update(_target, to) {
      if (client.failUpdate) {
        return Promise.reject(client.failUpdate);
      }
      updates.push(to);
      return Promise.resolve();
    },
  };
  return { client, updates, requests };
}

const NO_METRICS_API: ResourceMetricsSource = {
  getResourceMetric: () =>
    Promise.reject(
      new Error(
        'unable to fetch metrics from resource metrics API: the server could not find the requested resource (get pods.metrics.k8s.io)',
      ),
    ),
};

/** The deps of one autoscaler's syncs; `history` carries over between calls. */
function depsWith(
  scaleClient: ScaleClient,
  metrics: ResourceMetricsSource = NO_METRICS_API,
  pods: PodObject[] = [],
): AutoscalerDeps {
  return {
    scales: scaleClient,
    metrics,
    pods: () => pods,
    settings: {
      tolerance: 0.1,
      cpuInitializationPeriodMs: 300_000,
      delayOfInitialReadinessStatusMs: 30_000,
    },
    history: new AutoscalerHistory(300_000),
  };
}

const sync = (hpa: HorizontalPodAutoscalerObject, deps: AutoscalerDeps, now = NOW) =>
  reconcileAutoscaler('shop/web', hpa, deps, now);

describe('reconcileAutoscaler', () => {
  it('scales a target below minReplicas up to it (SuccessfulRescale, lastScaleTime)', async () => {
    const s = scales(1);
    const out = await sync(autoscaler(), depsWith(s.client));
    expect(s.requests).toEqual(['shop apps Deployment web']);
    expect(s.updates).toEqual([2]);
    expect(out.error).toBeUndefined();
    expect(out.events).toEqual([
      {
        type: 'Normal',
        reason: 'SuccessfulRescale',
        message: 'New size: 2; reason: Current number of replicas below Spec.MinReplicas',
      },
    ]);
    expect(out.status).toEqual({
      currentReplicas: 1,
      desiredReplicas: 2,
      lastScaleTime: '2026-12-07T12:00:00Z',
      conditions: [
        {
          type: 'AbleToScale',
          status: 'True',
          reason: 'SucceededRescale',
          message: 'the HPA controller was able to update the target scale to 2',
          lastTransitionTime: '2026-12-07T12:00:00Z',
        },
      ],
    });
  });

  it('scales a target above maxReplicas down to it', async () => {
    const s = scales(9);
    const out = await sync(autoscaler(), depsWith(s.client));
    expect(s.updates).toEqual([6]);
    expect(out.events[0].message).toBe(
      'New size: 6; reason: Current number of replicas above Spec.MaxReplicas',
    );
  });

  it('defaults minReplicas to 1', async () => {
    const s = scales(0);
    const out = await sync(autoscaler({ minReplicas: undefined }), depsWith(s.client));
    expect(s.updates).toEqual([]);
    expect(out.status.conditions?.find((c) => c.type === 'ScalingActive')).toMatchObject({
      status: 'False',
      reason: 'ScalingDisabled',
    });
    expect(out.status.desiredReplicas).toBe(0);
  });

  it('within the bounds, every metric fails as it does with no metrics API, and nothing scales', async () => {
    const s = scales(3);
    const metrics: MetricSpec[] = [
      cpu50,
      {
        type: 'Resource',
        resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } },
      },
      {
        type: 'ContainerResource',
        containerResource: {
          name: 'cpu',
          container: 'app',
          target: { type: 'Utilization', averageUtilization: 60 },
        },
      },
      {
        type: 'Pods',
        pods: { metric: { name: 'rps' }, target: { type: 'AverageValue', averageValue: '10' } },
      },
      {
        type: 'Object',
        object: {
          describedObject: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'main' },
          metric: { name: 'requests' },
          target: { type: 'Value', value: '2k' },
        },
      },
      {
        type: 'External',
        external: {
          metric: { name: 'queue', selector: { matchLabels: { q: 'jobs' } } },
          target: { type: 'AverageValue', averageValue: '30' },
        },
      },
    ];
    const out = await sync(
      autoscaler({ metrics }, { currentReplicas: 3, desiredReplicas: 4 }),
      depsWith(s.client),
    );
    expect(s.updates).toEqual([]);
    const cpu = `failed to get cpu utilization: unable to get metrics for resource cpu: ${RESOURCE_API}`;
    expect(out.events).toEqual([
      { type: 'Warning', reason: 'FailedGetResourceMetric', message: cpu },
      {
        type: 'Warning',
        reason: 'FailedGetResourceMetric',
        message: `failed to get memory usage: unable to get metrics for resource memory: ${RESOURCE_API}`,
      },
      { type: 'Warning', reason: 'FailedGetContainerResourceMetric', message: cpu },
      {
        type: 'Warning',
        reason: 'FailedGetPodsMetric',
        message: `unable to get metric rps: ${CUSTOM_API}`,
      },
      {
        type: 'Warning',
        reason: 'FailedGetObjectMetric',
        message: `unable to get metric requests: Ingress on shop main/${CUSTOM_API}`,
      },
      {
        type: 'Warning',
        reason: 'FailedGetExternalMetric',
        message:
          'unable to get external metric shop/queue/&LabelSelector{MatchLabels:map[string]string{q: jobs,},MatchExpressions:[]LabelSelectorRequirement{},}: unable to fetch metrics from external metrics API: the server could not find the requested resource (get queue.external.metrics.k8s.io)',
      },
      {
        type: 'Warning',
        reason: 'FailedComputeMetricsReplicas',
        message: `invalid metrics (6 invalid out of 6), first error is: failed to get cpu resource metric value: ${cpu}`,
      },
    ]);
    expect(out.error).toBe(
      `failed to compute desired number of replicas based on listed metrics for Deployment/shop/web: invalid metrics (6 invalid out of 6), first error is: failed to get cpu resource metric value: ${cpu}`,
    );
    // desiredReplicas stays what it was; each metric's status is the zero MetricStatus.
    expect(out.status).toMatchObject({
      currentReplicas: 3,
      desiredReplicas: 4,
      currentMetrics: metrics.map(() => ({ type: '' })),
    });
    expect(out.status.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['AbleToScale', 'True', 'SucceededGetScale'],
      ['ScalingActive', 'False', 'FailedGetResourceMetric'],
    ]);
    expect(out.status.conditions?.[1].message).toBe(
      `the HPA was unable to compute the replica count: ${cpu}`,
    );
  });

  it('an External or Object metric first: the extra layer upstream adds in FailedComputeMetricsReplicas', async () => {
    const external: MetricSpec = {
      type: 'External',
      external: { metric: { name: 'queue' }, target: { type: 'Value', value: '30' } },
    };
    const object: MetricSpec = {
      type: 'Object',
      object: {
        describedObject: { kind: 'Service', name: 'web' },
        metric: { name: 'rps' },
        target: { type: 'AverageValue', averageValue: '10' },
      },
    };
    const computed = async (metric: MetricSpec) =>
      (
        await sync(
          autoscaler({ metrics: [metric] }, { currentReplicas: 3, desiredReplicas: 3 }),
          depsWith(scales(3).client),
        )
      ).events.at(-1)?.message;
    expect(await computed(external)).toBe(
      'invalid metrics (1 invalid out of 1), first error is: failed to get queue external metric value: failed to get external metric queue: unable to get external metric shop/queue/nil: unable to fetch metrics from external metrics API: the server could not find the requested resource (get queue.external.metrics.k8s.io)',
    );
    expect(await computed(object)).toBe(
      `invalid metrics (1 invalid out of 1), first error is: failed to get object metric value: failed to get rps object metric: unable to get metric rps: Service on shop web/${CUSTOM_API}`,
    );
  });

  it('a scale without a selector is SelectorRequired', async () => {
    const out = await sync(autoscaler(), depsWith(scales(3, '').client));
    expect(out.events.map((e) => `${e.reason} ${e.message}`)).toEqual([
      'SelectorRequired selector is required',
      'FailedComputeMetricsReplicas selector is required',
    ]);
    expect(out.status.conditions?.[1]).toMatchObject({
      reason: 'InvalidSelector',
      message: "the HPA target's scale is missing a selector",
    });
  });

  it('pods two autoscalers select are AmbiguousSelector for both, until one goes', async () => {
    const pod: PodObject = {
      metadata: { namespace: 'shop', name: 'web-1', labels: { app: 'web' } },
    };
    const selectors = new HpaSelectors();
    const deps = { ...depsWith(scales(3).client, NO_METRICS_API, [pod]), selectors };
    await sync(autoscaler(), deps); // registers shop/web's selector
    const other = autoscaler();
    other.metadata = { namespace: 'shop', name: 'web-too' };
    const out = await reconcileAutoscaler('shop/web-too', other, deps, NOW);
    const message =
      'pods by selector app=web are controlled by multiple HPAs: [shop/web shop/web-too]';
    expect(out.events.map((e) => `${e.reason} ${e.message}`)).toEqual([
      `AmbiguousSelector ${message}`,
      `FailedComputeMetricsReplicas ${message}`,
    ]);
    expect(out.status.conditions?.find((c) => c.type === 'ScalingActive')).toMatchObject({
      status: 'False',
      reason: 'AmbiguousSelector',
      message,
    });
    selectors.forget('shop/web-too');
    const alone = await sync(autoscaler(), deps);
    expect(alone.events.map((e) => e.reason)).not.toContain('AmbiguousSelector');
  });

  it('FailedGetScale for a bad apiVersion, an unknown kind and a missing target', async () => {
    const s = scales(3);
    const bad = await sync(
      autoscaler({ scaleTargetRef: { apiVersion: 'a/b/c', kind: 'Deployment', name: 'web' } }),
      depsWith(s.client),
    );
    expect(s.requests).toEqual([]);
    expect(bad.events).toEqual([
      {
        type: 'Warning',
        reason: 'FailedGetScale',
        message: 'unexpected GroupVersion string: a/b/c',
      },
    ]);
    expect(bad.error).toBe(
      'invalid API version in scale target reference: unexpected GroupVersion string: a/b/c',
    );
    s.client.fail = new NoKindMatchError('apps', 'Deploy');
    const unknown = await sync(autoscaler(), depsWith(s.client));
    expect(unknown.error).toBe(
      'unable to determine resource for scale target reference: no matches for kind "Deploy" in group "apps"',
    );
    s.client.fail = new Error('deployments.apps "web" not found');
    const missing = await sync(autoscaler(), depsWith(s.client));
    expect(missing.error).toBe(
      'failed to query scale subresource for Deployment/shop/web: deployments.apps "web" not found',
    );
    expect(missing.status).toEqual({
      currentReplicas: 0,
      desiredReplicas: 0,
      conditions: [
        {
          type: 'AbleToScale',
          status: 'False',
          reason: 'FailedGetScale',
          message:
            'the HPA controller was unable to get the target\'s current scale: deployments.apps "web" not found',
          lastTransitionTime: '2026-12-07T12:00:00Z',
        },
      ],
    });
  });

  it('a refused scale update is FailedRescale with AbleToScale False', async () => {
    const s = scales(1);
    s.client.failUpdate = new Error('the object has been modified');
    const out = await sync(autoscaler(), depsWith(s.client));
    expect(out.events).toEqual([
      {
        type: 'Warning',
        reason: 'FailedRescale',
        message:
          'New size: 2; reason: Current number of replicas below Spec.MinReplicas; error: the object has been modified',
      },
    ]);
    expect(out.status.conditions?.[0]).toMatchObject({
      status: 'False',
      reason: 'FailedUpdateScale',
    });
    expect(out.error).toBe('failed to rescale Deployment/shop/web: the object has been modified');
  });
});

describe('setConditionInList', () => {
  it('keeps lastTransitionTime while the status stays, moves it when the status changes', () => {
    const first = setConditionInList(
      [],
      { type: 'AbleToScale', status: 'True', reason: 'A', message: 'a' },
      NOW,
    );
    const same = setConditionInList(
      first,
      { type: 'AbleToScale', status: 'True', reason: 'B', message: 'b' },
      NOW + 60_000,
    );
    expect(same).toEqual([
      {
        type: 'AbleToScale',
        status: 'True',
        reason: 'B',
        message: 'b',
        lastTransitionTime: '2026-12-07T12:00:00Z',
      },
    ]);
    const flipped = setConditionInList(
      same,
      { type: 'AbleToScale', status: 'False', reason: 'C', message: 'c' },
      NOW + 60_000,
    );
    expect(flipped[0].lastTransitionTime).toBe('2026-12-07T12:01:00Z');
  });
});
