import { quotaEvaluatorFor, evaluatorsForNames } from './index';
import { quotaListJson } from './resource-list';

const pods = quotaEvaluatorFor('', 'pods')!;
const services = quotaEvaluatorFor('', 'services')!;
const claims = quotaEvaluatorFor('', 'persistentvolumeclaims')!;

const container = (name: string, requests?: object, limits?: object, extra: object = {}) => ({
  name,
  resources: { ...(requests && { requests }), ...(limits && { limits }) },
  ...extra,
});

describe('quota evaluators', () => {
  it('charges a pod its containers and sidecars, with init containers as a floor, plus overhead', () => {
    const pod = {
      spec: {
        containers: [
          container('app', { cpu: '100m', memory: '64Mi' }, { cpu: '200m' }),
          container('log', { cpu: '50m', memory: '64Mi' }),
        ],
        initContainers: [
          container('mesh', { cpu: '100m' }, undefined, { restartPolicy: 'Always' }),
          container('migrate', { cpu: '1', 'example.com/gpu': '1' }),
        ],
        overhead: { cpu: '10m', memory: '1Mi' },
      },
    };
    expect(quotaListJson(pods.usage(pod, 0))).toEqual({
      'count/pods': '1',
      pods: '1',
      cpu: '1110m', // max(100+50+100, 1000+100 sidecar) + 10 overhead
      'requests.cpu': '1110m',
      'limits.cpu': '210m', // overhead added where a limit is set
      memory: '129Mi',
      'requests.memory': '129Mi',
      'requests.example.com/gpu': '1',
    });
  });

  it('stops charging compute for terminal pods and pods past their deletion grace', () => {
    const spec = { containers: [container('a', { cpu: '1' })] };
    expect(quotaListJson(pods.usage({ spec, status: { phase: 'Succeeded' } }, 0))).toEqual({
      'count/pods': '1',
    });
    const deleting = {
      spec,
      metadata: { deletionTimestamp: '2026-01-01T00:00:00Z', deletionGracePeriodSeconds: 30 },
    };
    const at = Date.parse('2026-01-01T00:00:00Z');
    expect(pods.usage(deleting, at + 30_000).get('pods')).toBeDefined();
    expect(pods.usage(deleting, at + 30_001).get('pods')).toBeUndefined();
  });

  it('tells which quota names a pod tracks, extended requests included', () => {
    expect(
      pods.matchingResources([
        'pods',
        'requests.cpu',
        'hugepages-2Mi',
        'requests.nvidia.com/gpu',
        'requests.storage',
        'services',
      ]),
    ).toEqual(['pods', 'requests.cpu', 'hugepages-2Mi', 'requests.nvidia.com/gpu']);
  });

  it('requires every container to set quota-tracked cpu and memory, naming them', () => {
    const pod = {
      spec: {
        containers: [container('b', { cpu: '1' }), container('a')],
        initContainers: [container('init', { cpu: '1', memory: '1Mi' })],
      },
    };
    expect(pods.constraints!(['requests.cpu', 'requests.memory', 'pods'], pod)).toBe(
      'must specify requests.cpu for: a; requests.memory for: a,b',
    );
    expect(pods.constraints!(['pods', 'requests.storage'], pod)).toBeUndefined();
  });

  it.each([
    ['Terminating', { activeDeadlineSeconds: 30 }, true],
    ['NotTerminating', { activeDeadlineSeconds: 30 }, false],
    ['BestEffort', { containers: [container('a')] }, true],
    ['BestEffort', { containers: [container('a', undefined, { memory: '1Mi' })] }, false],
    ['NotBestEffort', { containers: [container('a', { cpu: '1' })] }, true],
    [
      'CrossNamespacePodAffinity',
      {
        affinity: {
          podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ namespaces: ['x'] }] },
        },
      },
      true,
    ],
  ])('puts a pod in scope %s by its spec', (scopeName, spec, expected) => {
    expect(pods.matchesScope({ scopeName, operator: 'Exists' }, { spec })).toBe(expected);
  });

  it('matches PriorityClass selectors as label selectors on the class name', () => {
    const pod = { spec: { priorityClassName: 'high' } };
    const none = { spec: {} };
    const req = (operator: string, values?: string[]) => ({
      scopeName: 'PriorityClass',
      operator,
      values,
    });
    expect(pods.matchesScope(req('In', ['high', 'low']), pod)).toBe(true);
    expect(pods.matchesScope(req('In', ['low']), pod)).toBe(false);
    expect(pods.matchesScope(req('NotIn', ['high']), none)).toBe(true);
    expect(pods.matchesScope(req('Exists'), none)).toBe(false);
    expect(pods.matchesScope(req('DoesNotExist'), none)).toBe(true);
  });

  it('counts node ports and load balancers by service type', () => {
    const ports = [{ port: 80 }, { port: 443, nodePort: 30443 }];
    expect(quotaListJson(services.usage({ spec: { type: 'ClusterIP', ports } }, 0))).toEqual({
      'count/services': '1',
      services: '1',
      'services.loadbalancers': '0',
      'services.nodeports': '0',
    });
    expect(
      services.usage({ spec: { type: 'LoadBalancer', ports } }, 0).get('services.nodeports')?.milli,
    ).toBe(2000n);
    const noNodePorts = {
      spec: { type: 'LoadBalancer', ports, allocateLoadBalancerNodePorts: false },
    };
    expect(quotaListJson(services.usage(noNodePorts, 0))).toMatchObject({
      'services.loadbalancers': '1',
      'services.nodeports': '1',
    });
  });

  it('charges claims their storage, also per storage class, at the larger of request and allocation', () => {
    const claim = {
      spec: { storageClassName: 'fast', resources: { requests: { storage: '1Gi' } } },
      status: { allocatedResources: { storage: '2Gi' } },
    };
    expect(quotaListJson(claims.usage(claim, 0))).toEqual({
      'count/persistentvolumeclaims': '1',
      persistentvolumeclaims: '1',
      'requests.storage': '2Gi',
      'fast.storageclass.storage.k8s.io/persistentvolumeclaims': '1',
      'fast.storageclass.storage.k8s.io/requests.storage': '2Gi',
    });
  });

  it('counts any other resource by its count/ name, core kinds also by their legacy name', () => {
    expect(quotaListJson(quotaEvaluatorFor('', 'secrets')!.usage({}, 0))).toEqual({
      'count/secrets': '1',
      secrets: '1',
    });
    expect(quotaListJson(quotaEvaluatorFor('apps', 'deployments')!.usage({}, 0))).toEqual({
      'count/deployments.apps': '1',
    });
    expect(quotaEvaluatorFor('', 'events')).toBeUndefined();
    expect(quotaEvaluatorFor('apps', 'deployments')).toBe(quotaEvaluatorFor('apps', 'deployments'));
  });

  it('finds the evaluators a quota needs from its names', () => {
    const found = evaluatorsForNames(['pods', 'count/widgets.example.com', 'configmaps', 'foo']);
    expect(found.map((e) => `${e.group}/${e.resource}`)).toEqual([
      '/pods',
      '/configmaps',
      'example.com/widgets',
    ]);
  });
});
