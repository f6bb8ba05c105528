import { load as loadYaml } from 'js-yaml';
import { kubectlSuite } from './support/test-server';

// autoscaling/v2 HorizontalPodAutoscalers and their autoscaling/v1 view through the real
// kubectl: upstream's defaults, validation, Table and the v1 round-trip annotations.
jest.setTimeout(60_000);

type Obj = Record<string, unknown>;

const hpaV2 = (name: string, spec: Obj = {}) =>
  JSON.stringify({
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      maxReplicas: 5,
      ...spec,
    },
  });

describe('HorizontalPodAutoscalers (autoscaling/v2 and v1)', () => {
  const { ok, ...checks } = kubectlSuite('nimbus-autoscaling-');
  const fails = async (args: string[], input?: string) => (await checks.fails(args, input)).trim();
  const yamlOf = async (...args: string[]) =>
    loadYaml(await ok(['get', ...args, '-o', 'yaml'])) as Obj & { spec: Obj; status: Obj };

  it('serves both versions, v2 preferred, with the short name and the "all" category', async () => {
    const out = await ok(['api-resources', '--api-group=autoscaling']);
    expect(out).toMatch(
      /^horizontalpodautoscalers\s+hpa\s+autoscaling\/v2\s+true\s+HorizontalPodAutoscaler$/m,
    );
    expect(await ok(['api-versions'])).toMatch(/^autoscaling\/v1\nautoscaling\/v2$/m);
    const group = JSON.parse(await ok(['get', '--raw', '/apis/autoscaling'])) as Obj;
    expect(group.preferredVersion).toEqual({ groupVersion: 'autoscaling/v2', version: 'v2' });
    await ok(['apply', '-f', '-'], hpaV2('in-all'));
    expect(await ok(['get', 'all', '-o', 'name'])).toContain(
      'horizontalpodautoscaler.autoscaling/in-all',
    );
    await ok(['delete', 'hpa', 'in-all']);
  });

  it('defaults minReplicas and the 80% CPU target, and prints upstream columns', async () => {
    await ok(['apply', '-f', '-'], hpaV2('web'));
    const hpa = await yamlOf('hpa', 'web');
    expect(hpa.spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      minReplicas: 1,
      maxReplicas: 5,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
        },
      ],
    });
    expect(hpa.status).toEqual({ currentReplicas: 0, desiredReplicas: 0 });
    expect(await ok(['get', 'hpa'])).toMatch(
      /^NAME\s+REFERENCE\s+TARGETS\s+MINPODS\s+MAXPODS\s+REPLICAS\s+AGE\nweb\s+Deployment\/web\s+cpu: <unknown>\/80%\s+1\s+5\s+0\s+\S+\n$/,
    );
  });

  it('completes a partial behavior with upstream defaults and prints several metrics', async () => {
    await ok(
      ['apply', '-f', '-'],
      hpaV2('tuned', {
        minReplicas: 2,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } },
          },
          {
            type: 'Pods',
            pods: { metric: { name: 'rps' }, target: { type: 'AverageValue', averageValue: '10' } },
          },
          {
            type: 'External',
            external: {
              metric: { name: 'queue' },
              target: { type: 'AverageValue', averageValue: '30' },
            },
          },
        ],
        behavior: { scaleDown: { stabilizationWindowSeconds: 60 } },
      }),
    );
    const hpa = await yamlOf('hpa', 'tuned');
    expect(hpa.spec.behavior).toEqual({
      scaleUp: {
        stabilizationWindowSeconds: 0,
        selectPolicy: 'Max',
        policies: [
          { type: 'Pods', value: 4, periodSeconds: 15 },
          { type: 'Percent', value: 100, periodSeconds: 15 },
        ],
      },
      scaleDown: {
        stabilizationWindowSeconds: 60,
        selectPolicy: 'Max',
        policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
      },
    });
    expect(await ok(['get', 'hpa', 'tuned', '--no-headers'])).toMatch(
      /^tuned\s+Deployment\/web\s+memory: <unknown>\/100Mi, <unknown>\/10 \+ 1 more\.\.\.\s+2\s+5\s+0\s+/,
    );
  });

  it('refuses invalid autoscalers with upstream field errors', async () => {
    const err = await fails(
      ['apply', '-f', '-'],
      hpaV2('bad', {
        minReplicas: 0,
        maxReplicas: 0,
        scaleTargetRef: { kind: 'Deployment', name: 'a/b' },
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 0 } },
          },
          {
            type: 'Pods',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } },
          },
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } },
            pods: { metric: { name: 'rps' }, target: { type: 'AverageValue', averageValue: '1' } },
          },
          { type: 'Bogus' },
        ],
        behavior: {
          scaleUp: {
            selectPolicy: 'Sometimes',
            policies: [{ type: 'Pods', value: 0, periodSeconds: 1801 }],
          },
        },
      }),
    );
    for (const expected of [
      'spec.minReplicas: Invalid value: 0: must be greater than or equal to 1',
      'spec.maxReplicas: Invalid value: 0: must be greater than 0',
      'spec.scaleTargetRef.name: Invalid value: "a/b": may not contain \'/\'',
      'spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0',
      'spec.metrics[1].pods: Required value: must populate information for the given metric source',
      'spec.metrics[2].pods: Forbidden: must populate the given metric source only',
      'spec.metrics[3].type: Unsupported value: "Bogus": supported values: "ContainerResource", "External", "Object", "Pods", "Resource"',
      'spec.behavior.scaleUp.selectPolicy: Unsupported value: "Sometimes": supported values: "Disabled", "Max", "Min"',
      'spec.behavior.scaleUp.policies[0].value: Invalid value: 0: must be greater than zero',
      'spec.behavior.scaleUp.policies[0].periodSeconds: Invalid value: 1801: must be less than or equal to 1800',
    ]) {
      expect(err).toContain(expected);
    }
    expect(err).toMatch(/^The HorizontalPodAutoscaler "bad" is invalid: /);
    await fails(['get', 'hpa', 'bad']);
  });

  it('reads a v2 autoscaler through v1 with the round-trip annotations', async () => {
    const v1 = await yamlOf('horizontalpodautoscalers.v1.autoscaling', 'tuned');
    expect(v1.apiVersion).toBe('autoscaling/v1');
    expect(v1.spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      minReplicas: 2,
      maxReplicas: 5,
    });
    const annotations = (v1.metadata as { annotations: Record<string, string> }).annotations;
    expect(JSON.parse(annotations['autoscaling.alpha.kubernetes.io/metrics'])).toEqual([
      { type: 'Resource', resource: { name: 'memory', targetAverageValue: '100Mi' } },
      { type: 'Pods', pods: { metricName: 'rps', targetAverageValue: '10' } },
      { type: 'External', external: { metricName: 'queue', targetAverageValue: '30' } },
    ]);
    expect(JSON.parse(annotations['autoscaling.alpha.kubernetes.io/behavior'])).toEqual({
      ScaleUp: {
        StabilizationWindowSeconds: 0,
        SelectPolicy: 'Max',
        Policies: [
          { Type: 'Pods', Value: 4, PeriodSeconds: 15 },
          { Type: 'Percent', Value: 100, PeriodSeconds: 15 },
        ],
      },
      ScaleDown: {
        StabilizationWindowSeconds: 60,
        SelectPolicy: 'Max',
        Policies: [{ Type: 'Percent', Value: 100, PeriodSeconds: 15 }],
      },
    });
    // The v1 table is upstream's too (printed from the internal, v2-like object).
    expect(
      await ok(['get', 'horizontalpodautoscalers.v1.autoscaling', 'web', '--no-headers']),
    ).toMatch(/^web\s+Deployment\/web\s+cpu: <unknown>\/80%\s+1\s+5\s+0\s+/);
  });

  it('writes through v1: targetCPUUtilizationPercentage becomes a v2 metric, annotations go back in', async () => {
    await ok(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'autoscaling/v1',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: 'legacy' },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
          maxReplicas: 4,
          targetCPUUtilizationPercentage: 60,
        },
      }),
    );
    const v2 = await yamlOf('horizontalpodautoscalers.v2.autoscaling', 'legacy');
    expect(v2.spec).toMatchObject({
      minReplicas: 1,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } },
        },
      ],
    });
    expect((v2.metadata as Obj).annotations ?? {}).not.toHaveProperty(
      'autoscaling.alpha.kubernetes.io/metrics',
    );
    // A v1 update keeps the v2-only parts: kubectl edits the v1 form with its annotations.
    const v1 = await yamlOf('horizontalpodautoscalers.v1.autoscaling', 'tuned');
    v1.spec.maxReplicas = 7;
    await ok(['replace', '-f', '-'], JSON.stringify(v1));
    const after = await yamlOf('horizontalpodautoscalers.v2.autoscaling', 'tuned');
    expect(after.spec.maxReplicas).toBe(7);
    expect(after.spec.metrics).toHaveLength(3);
    expect((after.spec.behavior as Obj).scaleDown).toMatchObject({
      stabilizationWindowSeconds: 60,
    });
    expect(Object.keys(((after.metadata as Obj).annotations ?? {}) as Obj)).toEqual([
      'kubectl.kubernetes.io/last-applied-configuration',
    ]);
    // A v1 object that names no target gets the 80% CPU default on conversion.
    await ok(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'autoscaling/v1',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: 'bare' },
        spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, maxReplicas: 3 },
      }),
    );
    expect((await yamlOf('horizontalpodautoscalers.v1.autoscaling', 'bare')).spec).toMatchObject({
      targetCPUUtilizationPercentage: 80,
      minReplicas: 1,
    });
  });

  it('kubectl autoscale creates an autoscaler for a Deployment', async () => {
    await ok(['create', 'deployment', 'api', '--image=nginx', '--replicas=2']);
    await ok(['autoscale', 'deployment', 'api', '--min=2', '--max=6', '--cpu-percent=70']);
    const hpa = await yamlOf('hpa', 'api');
    expect(hpa.spec).toMatchObject({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' },
      minReplicas: 2,
      maxReplicas: 6,
    });
    expect(JSON.stringify(hpa.spec)).toContain('70');
  });

  describe('the resource metrics API (metrics.k8s.io/v1beta1)', () => {
    const runningPod = async (
      name: string,
      annotations: Record<string, string>,
      containers = ['app'],
      { app = 'metrics', ready = false } = {},
    ) => {
      await ok(
        ['apply', '-f', '-'],
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name, labels: { app }, annotations },
          spec: {
            nodeName: 'metrics-node',
            containers: containers.map((c) => ({ name: c, image: 'nginx' })),
          },
        }),
      );
      await ok([
        'patch',
        'pod',
        name,
        '--subresource=status',
        '--type=merge',
        '-p',
        JSON.stringify({
          status: {
            phase: 'Running',
            ...(ready ? { conditions: [{ type: 'Ready', status: 'True' }] } : {}),
          },
        }),
      ]);
    };

    beforeAll(async () => {
      await ok(
        ['apply', '-f', '-'],
        JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'metrics-node' } }),
      );
      await ok([
        'patch',
        'node',
        'metrics-node',
        '--subresource=status',
        '--type=merge',
        '-p',
        JSON.stringify({
          status: {
            capacity: { cpu: '2', memory: '4Gi', pods: '110' },
            allocatable: { cpu: '2', memory: '4Gi', pods: '110' },
          },
        }),
      ]);
      await runningPod(
        'busy',
        {
          'sim.nimbus.dev/cpu-usage': '500m',
          'sim.nimbus.dev/memory-usage': '200Mi',
        },
        ['app', 'sidecar'],
      );
      await runningPod('idle', {});
      // A pod that is not Running has no metrics, as metrics-server reports only running ones.
      await ok(
        ['apply', '-f', '-'],
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'pending', labels: { app: 'metrics' } },
          spec: { containers: [{ name: 'app', image: 'nginx' }] },
        }),
      );
    });

    it('serves PodMetrics from the simulated usage: the annotations, split over the containers', async () => {
      const busy = JSON.parse(
        await ok(['get', '--raw', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/busy']),
      ) as Obj;
      expect(busy).toMatchObject({
        kind: 'PodMetrics',
        apiVersion: 'metrics.k8s.io/v1beta1',
        metadata: { name: 'busy', namespace: 'default', labels: { app: 'metrics' } },
        window: '15s',
        containers: [
          { name: 'app', usage: { cpu: '250m', memory: '100Mi' } },
          { name: 'sidecar', usage: { cpu: '250m', memory: '100Mi' } },
        ],
      });
      const list = JSON.parse(
        await ok([
          'get',
          '--raw',
          '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods?labelSelector=app%3Dmetrics',
        ]),
      ) as { kind: string; items: { metadata: { name: string } }[] };
      expect(list.kind).toBe('PodMetricsList');
      expect(list.items.map((i) => i.metadata.name).sort()).toEqual(['busy', 'idle']);
      expect(
        await fails([
          'get',
          '--raw',
          '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/pending',
        ]),
      ).toContain('podmetrics.metrics.k8s.io "pending" not found');
    });

    it('kubectl top pod and top node read it; kubectl get prints metrics-server columns', async () => {
      expect(await ok(['top', 'pod', '-l', 'app=metrics'])).toMatch(
        /^NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)\s*\nbusy\s+500m\s+200Mi\s*\nidle\s+1m\s+4Mi\s*\n$/,
      );
      expect(await ok(['top', 'pod', 'busy', '--containers'])).toMatch(
        /busy\s+sidecar\s+250m\s+100Mi/,
      );
      expect(await ok(['top', 'node', 'metrics-node'])).toMatch(
        /^NAME\s+CPU\(cores\)\s+CPU(\(%\)|%)\s+MEMORY\(bytes\)\s+MEMORY(\(%\)|%)\s*\nmetrics-node\s+501m\s+25%\s+204Mi\s+4%/,
      );
      expect(await ok(['get', 'podmetrics', 'busy'])).toMatch(
        /^NAME\s+CPU\s+MEMORY\s+WINDOW\nbusy\s+500m\s+200Mi\s+15s\n$/,
      );
      expect(await ok(['api-resources', '--api-group=metrics.k8s.io', '-o', 'wide'])).toMatch(
        /^pods\s+metrics\.k8s\.io\/v1beta1\s+true\s+PodMetrics\s+get,list/m,
      );
      const doc = JSON.parse(
        await ok(['get', '--raw', '/openapi/v3/apis/metrics.k8s.io/v1beta1']),
      ) as {
        paths: Record<string, Record<string, unknown>>;
      };
      // metrics-server's definitions, and only the get and list operations it serves.
      expect(
        Object.entries(doc.paths).map(([path, item]) => [
          path,
          Object.keys(item).filter((k) => k !== 'parameters'),
        ]),
      ).toEqual([
        ['/apis/metrics.k8s.io/v1beta1/namespaces/{namespace}/pods', ['get']],
        ['/apis/metrics.k8s.io/v1beta1/namespaces/{namespace}/pods/{name}', ['get']],
        ['/apis/metrics.k8s.io/v1beta1/nodes', ['get']],
        ['/apis/metrics.k8s.io/v1beta1/nodes/{name}', ['get']],
        ['/apis/metrics.k8s.io/v1beta1/pods', ['get']],
      ]);
      expect(await ok(['explain', 'podmetrics.containers'])).toContain(
        'Metrics for all containers',
      );
      // An annotation it cannot use is the idle usage, never an error of the whole API.
      await ok([
        'annotate',
        'pod',
        'idle',
        'sim.nimbus.dev/cpu-usage=1e99999999999',
        '--overwrite',
      ]);
      expect(await ok(['top', 'pod', 'idle', '--no-headers'])).toMatch(/^idle\s+1m\s+4Mi/);
      // No watch, no writes: metrics-server serves get and list only.
      expect(await fails(['delete', 'podmetrics', 'busy'])).toContain(
        'the server does not allow this method',
      );
    });

    it("spreads a Service's annotated load over the Ready pods it selects", async () => {
      await runningPod('front-1', {}, ['app'], { app: 'front', ready: true });
      await runningPod('front-2', { 'sim.nimbus.dev/cpu-usage': '50m' }, ['app'], {
        app: 'front',
        ready: true,
      });
      await runningPod('front-3', {}, ['app'], { app: 'front' }); // Running, not Ready
      await ok(['create', 'service', 'clusterip', 'front', '--tcp=80']);
      await ok(['set', 'selector', 'service', 'front', 'app=front']);
      await ok([
        'annotate',
        'service',
        'front',
        'sim.nimbus.dev/cpu-load=600m',
        'sim.nimbus.dev/memory-load=64Mi',
      ]);
      expect(await ok(['top', 'pod', '-l', 'app=front', '--no-headers'])).toMatch(
        /^front-1\s+301m\s+36Mi\s*\nfront-2\s+350m\s+36Mi\s*\nfront-3\s+1m\s+4Mi\s*\n$/,
      );
    });
  });
});
