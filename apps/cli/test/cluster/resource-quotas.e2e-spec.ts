import type { PodObject } from '@app/kube-client';
import { ClusterHarness, isRunningAndReady, waitFor } from './cluster-harness';

// ResourceQuotas on the living cluster through kubectl: the api-server's ResourceQuota admission
// refuses what would exceed a quota with upstream's messages, and the kube-controller-manager's
// resourcequota-controller counts usage and gives back what deleted and finished objects freed.
jest.setTimeout(240_000);

interface Quota {
  status?: { hard?: Record<string, string>; used?: Record<string, string> };
}
interface List<T> {
  items: T[];
}

describe('resource quotas', () => {
  let h: ClusterHarness;

  beforeAll(async () => {
    h = await ClusterHarness.start();
  });

  afterAll(async () => {
    await h?.close();
  });

  const used = async (ns: string, name: string) =>
    (await h.kJson<Quota>(['get', 'quota', name, '-n', ns])).status?.used;
  const waitForUsed = (ns: string, name: string, expected: Record<string, string>) =>
    waitFor(
      async () => {
        const u = await used(ns, name);
        return u && Object.entries(expected).every(([k, v]) => u[k] === v) ? u : undefined;
      },
      {
        timeoutMs: 30_000,
        intervalMs: 200,
        message: `quota ${ns}/${name} used ${JSON.stringify(expected)}`,
      },
    );
  const refusal = async (args: string[]) => {
    const r = await h.kubectl(args);
    expect(r.code).not.toBe(0);
    return r.stderr.trim();
  };
  const podJson = (
    name: string,
    requests?: Record<string, string>,
    limits?: Record<string, string>,
  ) =>
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name },
      spec: {
        containers: [{ name: 'app', image: 'nginx:1.27', resources: { requests, limits } }],
      },
    });
  const runningPods = async (ns: string, selector: string) =>
    (await h.kJson<List<PodObject>>(['get', 'pods', '-n', ns, '-l', selector])).items.filter(
      (p) => isRunningAndReady(p) && !p.metadata?.deletionTimestamp,
    );

  it('counts the namespace, refuses what exceeds it and gives deleted pods back', async () => {
    await h.k(['create', 'namespace', 'quota-compute']);
    const ns = ['-n', 'quota-compute'];
    await h.k(
      [...ns, 'create', '-f', '-'],
      podJson('small', { cpu: '250m', memory: '128Mi' }, { cpu: '500m' }),
    );
    await h.k([
      ...ns,
      'create',
      'quota',
      'compute',
      '--hard=pods=2,requests.cpu=1,requests.memory=1Gi,limits.cpu=2',
    ]);
    await waitForUsed('quota-compute', 'compute', { pods: '1', 'requests.cpu': '250m' });

    const row = await h.k([...ns, 'get', 'quota', 'compute', '--no-headers']);
    expect(
      row
        .trim()
        .split(/\s{2,}/)
        .slice(2),
    ).toEqual([
      'pods: 1/2, requests.cpu: 250m/1, requests.memory: 128Mi/1Gi',
      'limits.cpu: 500m/2',
    ]);
    const describe = await h.k([...ns, 'describe', 'quota', 'compute']);
    expect(describe).toMatch(/requests\.memory\s+128Mi\s+1Gi/);

    expect(await refusal([...ns, 'run', 'bare', '--image=nginx:1.27'])).toBe(
      'Error from server (Forbidden): pods "bare" is forbidden: failed quota: compute: must specify limits.cpu for: bare; requests.cpu for: bare; requests.memory for: bare',
    );
    const big = podJson('big', { cpu: '800m', memory: '128Mi' }, { cpu: '1' });
    const r = await h.kubectl([...ns, 'create', '-f', '-'], { input: big });
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toBe(
      'Error from server (Forbidden): error when creating "STDIN": pods "big" is forbidden: exceeded quota: compute, requested: requests.cpu=800m, used: requests.cpu=250m, limited: requests.cpu=1',
    );

    // A server-side dry run is checked like a create and charges nothing.
    const fits = podJson('fits', { cpu: '500m', memory: '128Mi' }, { cpu: '500m' });
    const dry = await h.kubectl([...ns, 'create', '--dry-run=server', '-f', '-'], { input: fits });
    expect(dry.stdout.trim()).toBe('pod/fits created (server dry run)');
    expect(await used('quota-compute', 'compute')).toMatchObject({
      pods: '1',
      'requests.cpu': '250m',
    });
    await h.k([...ns, 'create', '-f', '-'], fits);
    expect(await used('quota-compute', 'compute')).toMatchObject({
      pods: '2',
      'requests.cpu': '750m',
    });

    await h.k([...ns, 'delete', 'pod', 'small', 'fits', '--wait=true']);
    await waitForUsed('quota-compute', 'compute', {
      pods: '0',
      'requests.cpu': '0',
      'requests.memory': '0',
      'limits.cpu': '0',
    });
  });

  it('a LimitRange fills in the requests the quota asks for before the quota checks them', async () => {
    await h.k(['create', 'namespace', 'quota-defaults']);
    const ns = ['-n', 'quota-defaults'];
    await h.k(
      [...ns, 'create', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'LimitRange',
        metadata: { name: 'defaults' },
        spec: {
          limits: [
            {
              type: 'Container',
              defaultRequest: { cpu: '100m', memory: '64Mi' },
              default: { cpu: '200m', memory: '128Mi' },
            },
          ],
        },
      }),
    );
    await h.k([...ns, 'create', 'quota', 'compute', '--hard=requests.cpu=250m,limits.memory=1Gi']);
    await waitForUsed('quota-defaults', 'compute', { 'requests.cpu': '0' });
    await h.k([...ns, 'run', 'one', '--image=nginx:1.27']);
    await h.k([...ns, 'run', 'two', '--image=nginx:1.27']);
    expect(await used('quota-defaults', 'compute')).toEqual({
      'requests.cpu': '200m',
      'limits.memory': '256Mi',
    });
    expect(await refusal([...ns, 'run', 'three', '--image=nginx:1.27'])).toBe(
      'Error from server (Forbidden): pods "three" is forbidden: exceeded quota: compute, requested: requests.cpu=100m, used: requests.cpu=200m, limited: requests.cpu=250m',
    );
  });

  it('a ReplicaSet held by the quota reports FailedCreate and completes once the quota is raised', async () => {
    await h.k(['create', 'namespace', 'quota-pods']);
    const ns = ['-n', 'quota-pods'];
    await h.k([...ns, 'create', 'quota', 'pods', '--hard=pods=2']);
    await waitForUsed('quota-pods', 'pods', { pods: '0' });
    await h.k([...ns, 'create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=3']);

    const failed = await waitFor(
      async () => {
        const events = await h.kJson<
          List<{ reason: string; message: string; involvedObject: { kind: string } }>
        >([...ns, 'get', 'events', '--field-selector', 'reason=FailedCreate']);
        return events.items.find((e) => e.involvedObject.kind === 'ReplicaSet');
      },
      { timeoutMs: 30_000, intervalMs: 250, message: 'a FailedCreate event' },
    );
    expect(failed.message).toMatch(
      /^Error creating: pods "web-[a-z0-9]+-[a-z0-9]{5}" is forbidden: exceeded quota: pods, requested: pods=1, used: pods=2, limited: pods=2$/,
    );
    await waitFor(
      async () => ((await runningPods('quota-pods', 'app=web')).length === 2 ? true : undefined),
      {
        timeoutMs: 60_000,
        intervalMs: 250,
        message: '2 pods Running',
      },
    );
    const conditions = await h.k([
      ...ns,
      'get',
      'deployment',
      'web',
      '-o',
      'jsonpath={.status.conditions[?(@.type=="ReplicaFailure")].reason}',
    ]);
    expect(conditions).toBe('FailedCreate');

    await h.k([
      ...ns,
      'patch',
      'quota',
      'pods',
      '--type=merge',
      '-p',
      '{"spec":{"hard":{"pods":"3"}}}',
    ]);
    const rollout = await h.kubectl([
      ...ns,
      'rollout',
      'status',
      'deployment/web',
      '--timeout=90s',
    ]);
    expect(rollout.code).toBe(0);
    expect(await used('quota-pods', 'pods')).toEqual({ pods: '3' });
  });

  it('a Job whose pods finish gets their quota back for the next ones', async () => {
    await h.k(['create', 'namespace', 'quota-jobs']);
    const ns = ['-n', 'quota-jobs'];
    await h.k([...ns, 'create', 'quota', 'one-pod', '--hard=pods=1,count/pods=5']);
    await waitForUsed('quota-jobs', 'one-pod', { pods: '0' });
    await h.k(
      [...ns, 'create', '-f', '-'],
      JSON.stringify({
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: 'batch' },
        spec: {
          completions: 3,
          parallelism: 2,
          template: {
            spec: { restartPolicy: 'Never', containers: [{ name: 'work', image: 'busybox' }] },
          },
        },
      }),
    );
    const wait = await h.kubectl([
      ...ns,
      'wait',
      '--for=condition=complete',
      'job/batch',
      '--timeout=120s',
    ]);
    expect(wait.code).toBe(0);
    // Finished pods use no `pods` quota but still count as objects (`count/pods`).
    await waitForUsed('quota-jobs', 'one-pod', { pods: '0', 'count/pods': '3' });
    const events = await h.events('batch', { namespace: 'quota-jobs', reason: 'FailedCreate' });
    expect(events[0]?.message).toMatch(
      /^Error creating: pods "batch-[a-z0-9]{5}" is forbidden: exceeded quota: one-pod, requested: pods=1, used: pods=1, limited: pods=1$/,
    );
  });

  it('counts any kind by count/<resource>.<group>, and Services by type', async () => {
    await h.k(['create', 'namespace', 'quota-objects']);
    const ns = ['-n', 'quota-objects'];
    await h.k([...ns, 'create', 'deployment', 'first', '--image=nginx:1.27', '--replicas=0']);
    await h.k([
      ...ns,
      'create',
      'quota',
      'objects',
      '--hard=count/deployments.apps=1,services.loadbalancers=0,services=5,configmaps=3',
    ]);
    await waitForUsed('quota-objects', 'objects', {
      'count/deployments.apps': '1',
      services: '0',
      // every namespace holds kube-root-ca.crt
      configmaps: '1',
    });
    expect(await refusal([...ns, 'create', 'deployment', 'second', '--image=nginx:1.27'])).toBe(
      'error: failed to create deployment: deployments.apps "second" is forbidden: exceeded quota: objects, requested: count/deployments.apps=1, used: count/deployments.apps=1, limited: count/deployments.apps=1',
    );
    expect(await refusal([...ns, 'create', 'service', 'loadbalancer', 'lb', '--tcp=80'])).toBe(
      'error: failed to create LoadBalancer service: services "lb" is forbidden: exceeded quota: objects, requested: services.loadbalancers=1, used: services.loadbalancers=0, limited: services.loadbalancers=0',
    );
    await h.k([...ns, 'create', 'service', 'clusterip', 'web', '--tcp=80']);
    expect(await used('quota-objects', 'objects')).toMatchObject({
      services: '1',
      'services.loadbalancers': '0',
    });
    // Turning it into a LoadBalancer is the growth the quota refuses.
    const patch = await h.kubectl([
      ...ns,
      'patch',
      'service',
      'web',
      '-p',
      '{"spec":{"type":"LoadBalancer"}}',
    ]);
    expect(patch.stderr.trim()).toBe(
      'Error from server (Forbidden): services "web" is forbidden: exceeded quota: objects, requested: services.loadbalancers=1, used: services.loadbalancers=0, limited: services.loadbalancers=0',
    );
    await h.k([...ns, 'delete', 'deployment', 'first']);
    await waitForUsed('quota-objects', 'objects', { 'count/deployments.apps': '0' });
    await h.k([...ns, 'create', 'deployment', 'second', '--image=nginx:1.27', '--replicas=0']);
  });

  it('refuses invalid quotas with upstream field errors', async () => {
    expect(await refusal(['create', 'quota', 'bad', '--hard=pods=1.5'])).toBe(
      'error: failed to create quota: ResourceQuota "bad" is invalid: spec.hard[pods]: Invalid value: "1500m": must be an integer',
    );
    expect(await refusal(['create', 'quota', 'bad', '--hard=gpus=1'])).toBe(
      'error: failed to create quota: ResourceQuota "bad" is invalid: [spec.hard[gpus]: Invalid value: "gpus": must be a standard resource type or fully qualified, spec.hard[gpus]: Invalid value: "gpus": must be a standard resource for quota]',
    );
    expect(
      await refusal(['create', 'quota', 'bad', '--hard=requests.cpu=1', '--scopes=BestEffort']),
    ).toBe(
      'error: failed to create quota: ResourceQuota "bad" is invalid: spec.scopes: Invalid value: []core.ResourceQuotaScope{"BestEffort"}: unsupported scope applied to resource',
    );
  });
});
