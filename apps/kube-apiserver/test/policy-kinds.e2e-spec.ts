import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load as loadYaml } from 'js-yaml';
import {
  createServiceAccount,
  kubectlChecks,
  kubectlFor,
  requireKubectl,
  startTestServer,
  type Kubectl,
  type TestServer,
} from './support/test-server';

// scheduling.k8s.io PriorityClasses with the Priority admission plugin, networking.k8s.io
// Ingresses, IngressClasses (DefaultIngressClass admission) and NetworkPolicies, node.k8s.io
// RuntimeClasses and core/v1 PodTemplates, through the real kubectl.
jest.setTimeout(60_000);

type Obj = Record<string, unknown>;
const specOf = (o: unknown) => (o as { spec: Obj }).spec;

describe('PriorityClasses, Ingresses, NetworkPolicies, RuntimeClasses, PodTemplates', () => {
  let t: TestServer;
  let k: Kubectl;
  let work: string;

  const checks = kubectlChecks(() => k);
  const ok = checks.ok;
  const fails = async (args: string[], input?: string) => (await checks.fails(args, input)).trim();
  const yamlOf = async (...args: string[]) => loadYaml(await ok(['get', ...args, '-o', 'yaml']));
  const pod = (name: string, spec: Obj = {}) =>
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name },
      spec: { containers: [{ name: 'c', image: 'nginx' }], ...spec },
    });

  beforeAll(async () => {
    requireKubectl();
    t = await startTestServer();
    work = mkdtempSync(join(tmpdir(), 'nimbus-policy-kinds-'));
    k = kubectlFor(t.server.kubeconfigPath, join(work, 'cache'));
    await createServiceAccount(t.server);
  });

  afterAll(async () => {
    await t?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('lists the kinds with their groups and short names', async () => {
    const out = await ok(['api-resources']);
    for (const [name, short, gv, namespaced, kind] of [
      ['podtemplates', '', 'v1', 'true', 'PodTemplate'],
      ['ingressclasses', '', 'networking.k8s.io/v1', 'false', 'IngressClass'],
      ['ingresses', 'ing', 'networking.k8s.io/v1', 'true', 'Ingress'],
      ['networkpolicies', 'netpol', 'networking.k8s.io/v1', 'true', 'NetworkPolicy'],
      ['runtimeclasses', '', 'node.k8s.io/v1', 'false', 'RuntimeClass'],
      ['priorityclasses', 'pc', 'scheduling.k8s.io/v1', 'false', 'PriorityClass'],
    ]) {
      const shortPart = short ? `\\s+${short}` : '';
      expect(out).toMatch(
        new RegExp(
          `^${name}${shortPart}\\s+${gv.replace('/', '\\/')}\\s+${namespaced}\\s+${kind}$`,
          'm',
        ),
      );
    }
  });

  describe('PriorityClasses and the Priority admission plugin', () => {
    it('serves the two system classes the api-server creates at start', async () => {
      expect(await ok(['get', 'priorityclasses'])).toMatch(
        /^NAME\s+VALUE\s+GLOBAL-DEFAULT\s+AGE\s+PREEMPTIONPOLICY\nsystem-cluster-critical\s+2000000000\s+false\s+\S+\s+PreemptLowerPriority\nsystem-node-critical\s+2000001000\s+false\s+\S+\s+PreemptLowerPriority\n$/,
      );
      const critical = await yamlOf('pc', 'system-node-critical');
      expect(critical).not.toHaveProperty('globalDefault'); // false is omitted, as Go's omitempty does
      expect(critical).toMatchObject({
        metadata: { generation: 1 },
        value: 2000001000,
        preemptionPolicy: 'PreemptLowerPriority',
        description:
          'Used for system critical pods that must not be moved from their current node.',
      });
    });

    it('gives a pod the priority of its class, 0 without one, and refuses an unknown class', async () => {
      await ok(['create', 'priorityclass', 'high', '--value=1000', '--preemption-policy=Never']);
      await ok(['apply', '-f', '-'], pod('classless'));
      await ok(['apply', '-f', '-'], pod('important', { priorityClassName: 'high' }));
      await ok(
        ['apply', '-f', '-'],
        pod('critical', { priorityClassName: 'system-cluster-critical' }),
      );
      expect(specOf(await yamlOf('pod', 'classless'))).toMatchObject({
        priority: 0,
        preemptionPolicy: 'PreemptLowerPriority',
      });
      expect(specOf(await yamlOf('pod', 'important'))).toMatchObject({
        priorityClassName: 'high',
        priority: 1000,
        preemptionPolicy: 'Never',
      });
      expect(specOf(await yamlOf('pod', 'critical'))).toMatchObject({ priority: 2000000000 });
      expect(await fails(['apply', '-f', '-'], pod('lost', { priorityClassName: 'nope' }))).toBe(
        'Error from server (Forbidden): error when creating "STDIN": pods "lost" is forbidden: no PriorityClass with name nope was found',
      );
      expect(
        await fails(
          ['apply', '-f', '-'],
          pod('self-made', { priorityClassName: 'high', priority: 5 }),
        ),
      ).toContain(
        'pods "self-made" is forbidden: the integer value of priority (5) must not be provided in pod spec; priority admission controller computed 1000 from the given PriorityClass name',
      );
      await expect(ok(['get', 'pod', 'lost'])).rejects.toThrow(/NotFound/);
    });

    it('keeps the resolved priority when an update leaves it out, and refuses changing it', async () => {
      await ok(['replace', '-f', '-'], pod('important', { priorityClassName: 'high' }));
      expect(specOf(await yamlOf('pod', 'important'))).toMatchObject({ priority: 1000 });
      for (const patch of [
        { priority: 2000001000 },
        { priorityClassName: 'system-node-critical' },
        { preemptionPolicy: 'PreemptLowerPriority' },
      ]) {
        expect(
          await fails([
            'patch',
            'pod',
            'important',
            '--type=merge',
            '-p',
            JSON.stringify({ spec: patch }),
          ]),
        ).toBe(
          'The Pod "important" is invalid: spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
        );
      }
      expect(specOf(await yamlOf('pod', 'important'))).toMatchObject({
        priority: 1000,
        preemptionPolicy: 'Never',
      });
    });

    it('makes the global default class the priority of class-less pods; only one default may exist', async () => {
      await ok(['create', 'priorityclass', 'normal', '--value=100', '--global-default']);
      await ok(['apply', '-f', '-'], pod('defaulted'));
      expect(specOf(await yamlOf('pod', 'defaulted'))).toMatchObject({
        priorityClassName: 'normal',
        priority: 100,
      });
      expect(
        await fails(['create', 'priorityclass', 'other', '--value=1', '--global-default']),
      ).toBe(
        'error: failed to create priorityclass: priorityclasses.scheduling.k8s.io "other" is forbidden: PriorityClass normal is already marked as default. Only one default can exist',
      );
      // The plugin validates after the object's own validation: an invalid second default is a 422.
      expect(
        await fails([
          'create',
          'priorityclass',
          'huge-default',
          '--value=2000000000',
          '--global-default',
        ]),
      ).toBe(
        'error: failed to create priorityclass: PriorityClass.scheduling.k8s.io "huge-default" is invalid: value: Forbidden: maximum allowed value of a user defined priority is 1000000000',
      );
      await ok(['delete', 'priorityclass', 'normal']);
    });

    it('validates values, reserved names and immutability as upstream', async () => {
      expect(await fails(['create', 'priorityclass', 'huge', '--value=1000000001'])).toBe(
        'error: failed to create priorityclass: PriorityClass.scheduling.k8s.io "huge" is invalid: value: Forbidden: maximum allowed value of a user defined priority is 1000000000',
      );
      expect(await fails(['create', 'priorityclass', 'system-mine', '--value=1'])).toBe(
        'error: failed to create priorityclass: PriorityClass.scheduling.k8s.io "system-mine" is invalid: metadata.name: Forbidden: priority class names with \'system-\' prefix are reserved for system use only. error: system-mine is not a known system priority class',
      );
      expect(await fails(['patch', 'pc', 'high', '--type=merge', '-p', '{"value":1}'])).toBe(
        'The PriorityClass "high" is invalid: value: Forbidden: may not be changed in an update.',
      );
      await ok(['patch', 'pc', 'high', '--type=merge', '-p', '{"description":"urgent work"}']);
      expect(await yamlOf('pc', 'high')).toMatchObject({
        description: 'urgent work',
        metadata: { generation: 1 },
      });
      expect(await fails(['delete', 'pc', 'system-node-critical'])).toBe(
        'Error from server (Forbidden): priorityclasses.scheduling.k8s.io "system-node-critical" is forbidden: this is a system priority class and cannot be deleted',
      );
      expect(await yamlOf('pc', 'high')).toMatchObject({ value: 1000 });
    });
  });

  describe('networking.k8s.io', () => {
    it('gives an Ingress without a class the default IngressClass and prints the upstream columns', async () => {
      await ok(['create', 'ingress', 'before', '--rule=a.example.com/=web:80']);
      // DELETE answers a Status for Ingresses, as the 1.32 OpenAPI says.
      await ok(['create', 'ingress', 'gone', '--rule=g.example.com/=web:80']);
      expect(
        JSON.parse(
          await ok([
            'delete',
            '--raw',
            '/apis/networking.k8s.io/v1/namespaces/default/ingresses/gone',
          ]),
        ),
      ).toMatchObject({ kind: 'Status', status: 'Success' });
      await ok(
        ['apply', '-f', '-'],
        JSON.stringify({
          apiVersion: 'networking.k8s.io/v1',
          kind: 'IngressClass',
          metadata: {
            name: 'nginx',
            annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' },
          },
          spec: {
            controller: 'k8s.io/ingress-nginx',
            parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'p' },
          },
        }),
      );
      await ok([
        'create',
        'ingress',
        'web',
        '--rule=foo.example.com/api*=api:8080,tls=web-cert',
        '--rule=bar.example.com/=web:http',
      ]);
      expect(await ok(['get', 'ingress'])).toMatch(
        /^NAME\s+CLASS\s+HOSTS\s+ADDRESS\s+PORTS\s+AGE\nbefore\s+<none>\s+a\.example\.com\s+80\s+\S+\nweb\s+nginx\s+foo\.example\.com,bar\.example\.com\s+80, 443\s+\S+\n$/,
      );
      expect(await ok(['get', 'ingressclass'])).toMatch(
        /^NAME\s+CONTROLLER\s+PARAMETERS\s+AGE\nnginx\s+k8s\.io\/ingress-nginx\s+IngressParameters\.k8s\.example\.com\/p\s+\S+\n$/,
      );
      expect(specOf(await yamlOf('ingressclass', 'nginx'))).toMatchObject({
        parameters: { scope: 'Cluster' },
      });
      const web = await yamlOf('ingress', 'web');
      expect(specOf(web).rules).toEqual([
        {
          host: 'foo.example.com',
          http: {
            paths: [
              {
                path: '/api',
                pathType: 'Prefix',
                backend: { service: { name: 'api', port: { number: 8080 } } },
              },
            ],
          },
        },
        {
          host: 'bar.example.com',
          http: {
            paths: [
              {
                path: '/',
                pathType: 'Exact',
                backend: { service: { name: 'web', port: { name: 'http' } } },
              },
            ],
          },
        },
      ]);
      // The status subresource: an ingress controller's address shows in the Address column.
      await ok([
        'patch',
        'ingress',
        'web',
        '--subresource=status',
        '--type=merge',
        '-p',
        '{"status":{"loadBalancer":{"ingress":[{"ip":"198.18.0.9"},{"ip":"198.18.0.2"}]}}}',
      ]);
      expect(await ok(['get', 'ingress', 'web', '--no-headers'])).toMatch(
        /^web\s+nginx\s+\S+\s+198\.18\.0\.2,198\.18\.0\.9\s+80, 443\s+\S+\n$/,
      );
    });

    it('refuses invalid Ingresses and IngressClasses with upstream messages', async () => {
      const ingress = (spec: Obj) =>
        JSON.stringify({
          apiVersion: 'networking.k8s.io/v1',
          kind: 'Ingress',
          metadata: { name: 'bad' },
          spec,
        });
      expect(await fails(['apply', '-f', '-'], ingress({}))).toContain(
        'spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified',
      );
      const rule = (path: Obj) => ({ rules: [{ host: '10.0.0.1', http: { paths: [path] } }] });
      const invalid = await fails(
        ['apply', '-f', '-'],
        ingress(rule({ path: 'api', backend: { service: { name: 'web' } } })),
      );
      expect(invalid).toContain(
        'spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address',
      );
      expect(invalid).toContain(
        'spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified',
      );
      expect(
        await fails(
          ['apply', '-f', '-'],
          ingress({
            rules: [
              {
                http: {
                  paths: [
                    { path: 'api', pathType: 'Prefix', backend: { service: { name: 'web' } } },
                  ],
                },
              },
            ],
          }),
        ),
      ).toBe(
        [
          'The Ingress "bad" is invalid: ',
          '* spec.rules[0].http.paths[0].path: Invalid value: "api": must be an absolute path',
          '* spec.rules[0].http.paths[0].backend: Required value: port name or number is required',
        ].join('\n'),
      );
      expect(
        await fails(
          ['apply', '-f', '-'],
          JSON.stringify({
            apiVersion: 'networking.k8s.io/v1',
            kind: 'IngressClass',
            metadata: { name: 'bad' },
            spec: {},
          }),
        ),
      ).toContain('spec.controller: Required value');
      expect(
        await fails([
          'patch',
          'ingressclass',
          'nginx',
          '--type=merge',
          '-p',
          '{"spec":{"controller":"x.io/other"}}',
        ]),
      ).toBe(
        'The IngressClass "nginx" is invalid: spec.controller: Invalid value: "x.io/other": field is immutable',
      );
    });

    it('defaults NetworkPolicies (policy types, TCP) and validates their peers', async () => {
      await ok(
        ['apply', '-f', '-'],
        JSON.stringify({
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          metadata: { name: 'web' },
          spec: {
            podSelector: { matchLabels: { app: 'web' } },
            ingress: [{ from: [{ podSelector: {} }], ports: [{ port: 80 }] }],
            egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }] }],
          },
        }),
      );
      expect(specOf(await yamlOf('netpol', 'web'))).toMatchObject({
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ ports: [{ port: 80, protocol: 'TCP' }] }],
      });
      expect(await ok(['get', 'networkpolicies'])).toMatch(
        /^NAME\s+POD-SELECTOR\s+AGE\nweb\s+app=web\s+\S+\n$/,
      );
      const invalid = await fails(
        ['apply', '-f', '-'],
        JSON.stringify({
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          metadata: { name: 'bad' },
          spec: {
            podSelector: {},
            egress: [{ to: [{}, { ipBlock: { cidr: '10.0.0.0/8', except: ['192.168.0.0/16'] } }] }],
          },
        }),
      );
      expect(invalid).toContain('spec.egress[0].to[0]: Required value: must specify a peer');
      expect(invalid).toContain(
        'spec.egress[0].to[1].ipBlock.except[0]: Invalid value: "192.168.0.0/16": must be a strict subset of `cidr`',
      );
    });
  });

  describe('LimitRanges and the LimitRanger admission plugin', () => {
    const ns = 'limited';
    const limitRange = (spec: Obj) =>
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'LimitRange',
        metadata: { name: 'limits', namespace: ns },
        spec,
      });
    const podIn = (name: string, resources?: Obj, extra: Obj = {}) =>
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: ns },
        spec: {
          containers: [{ name: 'c', image: 'nginx', ...(resources ? { resources } : {}) }],
          ...extra,
        },
      });

    beforeAll(async () => {
      await ok(['create', 'namespace', ns]);
      await ok(['create', 'serviceaccount', 'default', '-n', ns]);
      await ok(
        ['apply', '-f', '-'],
        limitRange({
          limits: [
            {
              type: 'Container',
              max: { cpu: '1', memory: '1Gi' },
              defaultRequest: { cpu: '100m' },
            },
            { type: 'Pod', min: { memory: '32Mi' } },
            { type: 'PersistentVolumeClaim', min: { storage: '1Gi' }, max: { storage: '10Gi' } },
          ],
        }),
      );
    });

    it('defaults a Container item as upstream: the limit from the max, the request from the limit', async () => {
      const range = (await yamlOf('limitrange', 'limits', '-n', ns)) as { spec: { limits: Obj[] } };
      expect(range.spec.limits[0]).toEqual({
        type: 'Container',
        max: { cpu: '1', memory: '1Gi' },
        default: { cpu: '1', memory: '1Gi' },
        defaultRequest: { cpu: '100m', memory: '1Gi' },
      });
      expect(range.spec.limits[1]).toEqual({ type: 'Pod', min: { memory: '32Mi' } });
    });

    it("fills a container's missing requests and limits and says so in an annotation", async () => {
      await ok(['apply', '-f', '-'], podIn('plain'));
      const pod = (await yamlOf('pod', 'plain', '-n', ns)) as {
        metadata: { annotations: Record<string, string> };
        spec: { containers: { resources: Obj }[] };
      };
      expect(pod.spec.containers[0].resources).toEqual({
        requests: { cpu: '100m', memory: '1Gi' },
        limits: { cpu: '1', memory: '1Gi' },
      });
      expect(pod.metadata.annotations['kubernetes.io/limit-ranger']).toBe(
        'LimitRanger plugin set: cpu, memory request for container c; cpu, memory limit for container c',
      );
    });

    it('refuses pods and claims outside the ranges with upstream messages', async () => {
      expect(
        await fails(['apply', '-f', '-'], podIn('greedy', { limits: { cpu: '2', memory: '2Gi' } })),
      ).toBe(
        'Error from server (Forbidden): error when creating "STDIN": pods "greedy" is forbidden: [maximum cpu usage per Container is 1, but limit is 2, maximum memory usage per Container is 1Gi, but limit is 2Gi]',
      );
      expect(
        await fails(
          ['apply', '-f', '-'],
          podIn('tiny', { limits: { memory: '16Mi' }, requests: { memory: '16Mi' } }),
        ),
      ).toBe(
        'Error from server (Forbidden): error when creating "STDIN": pods "tiny" is forbidden: minimum memory usage per Pod is 32Mi, but request is 16Mi',
      );
      const claim = (storage: string) =>
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: { name: 'data', namespace: ns },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } } },
        });
      expect(await fails(['apply', '-f', '-'], claim('20Gi'))).toBe(
        'Error from server (Forbidden): error when creating "STDIN": persistentvolumeclaims "data" is forbidden: maximum storage usage per PersistentVolumeClaim is 10Gi, but request is 20Gi',
      );
      await ok(['apply', '-f', '-'], claim('5Gi'));
      await expect(ok(['get', 'pod', 'greedy', '-n', ns])).rejects.toThrow(/NotFound/);
    });
  });

  it('gives a pod its RuntimeClass overhead and scheduling, and refuses unknown classes and conflicts', async () => {
    await ok(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'node.k8s.io/v1',
        kind: 'RuntimeClass',
        metadata: { name: 'kata' },
        handler: 'kata',
        overhead: { podFixed: { cpu: '250m', memory: '120Mi' } },
        scheduling: {
          nodeSelector: { 'runtime/kata': 'true' },
          tolerations: [{ key: 'runtime', operator: 'Equal', value: 'kata', effect: 'NoSchedule' }],
        },
      }),
    );
    await ok(['apply', '-f', '-'], pod('sandboxed', { runtimeClassName: 'kata' }));
    expect(specOf(await yamlOf('pod', 'sandboxed'))).toMatchObject({
      overhead: { cpu: '250m', memory: '120Mi' },
      nodeSelector: { 'runtime/kata': 'true' },
      tolerations: expect.arrayContaining([
        { key: 'runtime', operator: 'Equal', value: 'kata', effect: 'NoSchedule' },
      ]) as unknown,
    });
    expect(
      await fails(['apply', '-f', '-'], pod('lost-runtime', { runtimeClassName: 'gone' })),
    ).toBe(
      'Error from server (Forbidden): error when creating "STDIN": pods "lost-runtime" is forbidden: pod rejected: RuntimeClass "gone" not found',
    );
    expect(
      await fails(
        ['apply', '-f', '-'],
        pod('conflicted', { runtimeClassName: 'kata', nodeSelector: { 'runtime/kata': 'false' } }),
      ),
    ).toBe(
      'Error from server (Forbidden): error when creating "STDIN": pods "conflicted" is forbidden: conflict: runtimeClass.scheduling.nodeSelector[runtime/kata] = true; pod.spec.nodeSelector[runtime/kata] = false',
    );
    expect(
      await fails(['apply', '-f', '-'], pod('self-overhead', { overhead: { cpu: '1' } })),
    ).toBe(
      'Error from server (Forbidden): error when creating "STDIN": pods "self-overhead" is forbidden: pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead',
    );
  });

  it('stores RuntimeClasses (handler immutable) and PodTemplates with upstream columns', async () => {
    await ok(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'node.k8s.io/v1',
        kind: 'RuntimeClass',
        metadata: { name: 'gvisor' },
        handler: 'runsc',
      }),
    );
    expect(await ok(['get', 'runtimeclasses'])).toMatch(
      /^NAME\s+HANDLER\s+AGE\ngvisor\s+runsc\s+\S+\nkata\s+kata\s+\S+\n$/,
    );
    expect(
      await fails(['patch', 'runtimeclass', 'gvisor', '--type=merge', '-p', '{"handler":"kata"}']),
    ).toBe(
      'The RuntimeClass "gvisor" is invalid: handler: Invalid value: "kata": field is immutable',
    );
    await ok(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'PodTemplate',
        metadata: { name: 'tpl' },
        template: {
          metadata: { labels: { app: 'web', tier: 'front' } },
          spec: {
            containers: [
              { name: 'web', image: 'nginx' },
              { name: 'log', image: 'busybox' },
            ],
          },
        },
      }),
    );
    expect(await ok(['get', 'podtemplates'])).toMatch(
      /^NAME\s+CONTAINERS\s+IMAGES\s+POD LABELS\ntpl\s+web,log\s+nginx,busybox\s+app=web,tier=front\n$/,
    );
    const tpl = (await yamlOf('podtemplate', 'tpl')) as {
      metadata: Obj;
      template: { spec: Obj };
    };
    expect(tpl.template.spec).toMatchObject({ restartPolicy: 'Always', dnsPolicy: 'ClusterFirst' });
    expect(tpl.metadata.generation).toBe(1);
    expect(
      await fails(
        ['apply', '-f', '-'],
        JSON.stringify({
          apiVersion: 'node.k8s.io/v1',
          kind: 'RuntimeClass',
          metadata: { name: 'odd' },
          handler: 'odd',
          scheduling: { tolerations: [{ key: 'k', operator: 'Bogus' }] },
        }),
      ),
    ).toContain(
      'scheduling.tolerations[0].operator: Unsupported value: "Bogus": supported values: "Equal", "Exists"',
    );
  });
});
