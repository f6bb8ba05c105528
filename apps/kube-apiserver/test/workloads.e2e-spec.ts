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

// Workloads through the real kubectl against the built-in api-server (no controllers run here:
// statuses a controller would write are written by hand through /status).
jest.setTimeout(60_000);

type Obj = Record<string, unknown>;

/** A value at a dotted path of parsed YAML/JSON (`spec.template.spec.containers.0.image`). */
function at(value: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>(
      (v, key) => (v !== null && typeof v === 'object' ? (v as Obj)[key] : undefined),
      value,
    );
}

function str(value: unknown, path: string): string {
  const v = at(value, path);
  if (typeof v !== 'string') {
    throw new Error(`${path} is not a string: ${JSON.stringify(v)}`);
  }
  return v;
}

describe('workloads (apps/v1, batch/v1, policy/v1) through kubectl', () => {
  let t: TestServer;
  let k: Kubectl;
  let work: string;

  const { ok, fails } = kubectlChecks(() => k);
  const yamlOf = async (...args: string[]) => loadYaml(await ok(['get', ...args, '-o', 'yaml']));

  beforeAll(async () => {
    requireKubectl();
    t = await startTestServer();
    work = mkdtempSync(join(tmpdir(), 'nimbus-workloads-'));
    k = kubectlFor(t.server.kubeconfigPath, join(work, 'cache'));
    await createServiceAccount(t.server);
  });

  afterAll(async () => {
    await t?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('should list the workload resources with their short names and categories', async () => {
    const out = await ok(['api-resources', '-o', 'wide']);
    const verbs = 'create,delete,deletecollection,get,list,patch,update,watch';
    for (const [name, short, gv, kind] of [
      ['deployments', 'deploy', 'apps/v1', 'Deployment'],
      ['replicasets', 'rs', 'apps/v1', 'ReplicaSet'],
      ['statefulsets', 'sts', 'apps/v1', 'StatefulSet'],
      ['daemonsets', 'ds', 'apps/v1', 'DaemonSet'],
      ['replicationcontrollers', 'rc', 'v1', 'ReplicationController'],
      ['cronjobs', 'cj', 'batch/v1', 'CronJob'],
      ['poddisruptionbudgets', 'pdb', 'policy/v1', 'PodDisruptionBudget'],
    ]) {
      expect(out).toMatch(
        new RegExp(`^${name}\\s+${short}\\s+${gv}\\s+true\\s+${kind}\\s+${verbs}`, 'm'),
      );
    }
    expect(out).toMatch(/^jobs\s+batch\/v1\s+true\s+Job\s+\S+\s+all$/m);
    expect(out).toMatch(/^controllerrevisions\s+apps\/v1\s+true\s+ControllerRevision\s+\S+\s*$/m);
  });

  describe('Deployments', () => {
    beforeAll(async () => {
      await ok(['create', 'deployment', 'web', '--image=nginx', '--replicas=3']);
    });

    it('should print the upstream columns and the defaults', async () => {
      expect(await ok(['get', 'deploy', '-o', 'wide'])).toMatch(
        /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR\nweb\s+0\/3\s+0\s+0\s+\S+\s+nginx\s+nginx\s+app=web\n$/,
      );
      const web = await yamlOf('deploy', 'web');
      expect(at(web, 'metadata.generation')).toBe(1);
      expect(at(web, 'status')).toEqual({});
      expect(at(web, 'spec')).toEqual({
        replicas: 3,
        progressDeadlineSeconds: 600,
        revisionHistoryLimit: 10,
        selector: { matchLabels: { app: 'web' } },
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' },
        },
        template: {
          metadata: { creationTimestamp: null, labels: { app: 'web' } },
          spec: {
            containers: [
              {
                name: 'nginx',
                image: 'nginx',
                imagePullPolicy: 'Always',
                resources: {},
                terminationMessagePath: '/dev/termination-log',
                terminationMessagePolicy: 'File',
              },
            ],
            dnsPolicy: 'ClusterFirst',
            restartPolicy: 'Always',
            schedulerName: 'default-scheduler',
            securityContext: {},
            terminationGracePeriodSeconds: 30,
          },
        },
      });
    });

    it('should scale through the scale subresource', async () => {
      expect(await ok(['scale', 'deployment/web', '--replicas=5'])).toContain(
        'deployment.apps/web scaled',
      );
      const scale = JSON.parse(
        await ok(['get', '--raw', '/apis/apps/v1/namespaces/default/deployments/web/scale']),
      ) as Obj;
      expect(scale).toMatchObject({
        kind: 'Scale',
        apiVersion: 'autoscaling/v1',
        spec: { replicas: 5 },
        status: { replicas: 0, selector: 'app=web' },
      });
      const web = await yamlOf('deploy', 'web');
      expect(at(web, 'spec.replicas')).toBe(5);
      expect(at(web, 'metadata.generation')).toBe(2);
    });

    it('should take set image and rollout pause, resume and restart', async () => {
      await ok(['set', 'image', 'deployment/web', 'nginx=nginx:1.27']);
      await ok(['rollout', 'pause', 'deployment/web']);
      expect(at(await yamlOf('deploy', 'web'), 'spec.paused')).toBe(true);
      await ok(['rollout', 'resume', 'deployment/web']);
      await ok(['rollout', 'restart', 'deployment/web']);
      const web = await yamlOf('deploy', 'web');
      expect(at(web, 'spec.paused')).toBeUndefined();
      expect(at(web, 'spec.template.spec.containers.0.image')).toBe('nginx:1.27');
      expect(at(web, 'spec.template.metadata.annotations')).toHaveProperty(
        ['kubectl.kubernetes.io/restartedAt'],
        expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      );
      expect(at(web, 'metadata.generation')).toBe(6);
    });

    it('should follow observedGeneration in rollout status', async () => {
      const waiting = await k(['rollout', 'status', 'deployment/web', '--timeout=1s']);
      expect(waiting.code).not.toBe(0);
      expect(waiting.stdout).toContain('Waiting for deployment spec update to be observed...');
      const generation = at(await yamlOf('deploy', 'web'), 'metadata.generation');
      // What the deployment controller would report once the rollout is done.
      await ok([
        'patch',
        'deployment',
        'web',
        '--subresource',
        'status',
        '--type',
        'merge',
        '-p',
        JSON.stringify({
          status: {
            observedGeneration: generation,
            replicas: 5,
            updatedReplicas: 5,
            readyReplicas: 5,
            availableReplicas: 5,
          },
        }),
      ]);
      expect(await ok(['rollout', 'status', 'deployment/web', '--timeout=5s'])).toContain(
        'deployment "web" successfully rolled out',
      );
      expect(await ok(['get', 'deploy', 'web'])).toMatch(/web\s+5\/5\s+5\s+5\s/);
      expect(await ok(['get', 'all'])).toContain('deployment.apps/web');
    });

    it('should refuse a selector change', async () => {
      const stderr = await fails([
        'patch',
        'deployment',
        'web',
        '--type',
        'merge',
        '-p',
        '{"spec":{"selector":{"matchLabels":{"app":"other"}},"template":{"metadata":{"labels":{"app":"other"}}}}}',
      ]);
      expect(stderr).toContain(
        'The Deployment "web" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"other"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
      );
    });
  });

  describe('Jobs and CronJobs', () => {
    it('should create a job with a generated selector and labels', async () => {
      await ok(['create', 'job', 'pi', '--image=busybox', '--', 'sh', '-c', 'exit 0']);
      const pi = await yamlOf('job', 'pi');
      const uid = str(pi, 'metadata.uid');
      const labels = {
        'batch.kubernetes.io/controller-uid': uid,
        'batch.kubernetes.io/job-name': 'pi',
        'controller-uid': uid,
        'job-name': 'pi',
      };
      expect(at(pi, 'metadata.labels')).toEqual(labels);
      expect(at(pi, 'spec')).toMatchObject({
        backoffLimit: 6,
        completionMode: 'NonIndexed',
        completions: 1,
        manualSelector: false,
        parallelism: 1,
        podReplacementPolicy: 'TerminatingOrFailed',
        suspend: false,
        selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } },
        template: {
          metadata: { labels },
          spec: { restartPolicy: 'Never', containers: [{ command: ['sh', '-c', 'exit 0'] }] },
        },
      });
      expect(await ok(['get', 'jobs'])).toMatch(
        /^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE\npi\s+Running\s+0\/1\s+\S+\n$/,
      );
    });

    it('should create cron jobs, validate schedules and instantiate them by hand', async () => {
      await ok([
        'create',
        'cronjob',
        'tick',
        '--image=busybox',
        '--schedule=@hourly',
        '--',
        'date',
      ]);
      expect(await ok(['get', 'cj', 'tick'])).toMatch(
        /^NAME\s+SCHEDULE\s+TIMEZONE\s+SUSPEND\s+ACTIVE\s+LAST SCHEDULE\s+AGE\ntick\s+@hourly\s+<none>\s+False\s+0\s+<none>\s+\S+\n$/,
      );
      const tick = await yamlOf('cronjob', 'tick');
      expect(at(tick, 'spec')).toMatchObject({
        concurrencyPolicy: 'Allow',
        failedJobsHistoryLimit: 1,
        successfulJobsHistoryLimit: 3,
        suspend: false,
        jobTemplate: {
          metadata: { name: 'tick' },
          spec: { template: { spec: { restartPolicy: 'OnFailure' } } },
        },
      });
      expect(
        await fails(['create', 'cronjob', 'bad', '--image=busybox', '--schedule=61 * * * *']),
      ).toContain(
        'CronJob.batch "bad" is invalid: spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61',
      );
      await ok(['create', 'job', 'tick-manual', '--from=cronjob/tick']);
      const manual = await yamlOf('job', 'tick-manual');
      expect(at(manual, 'metadata.annotations')).toEqual({
        'cronjob.kubernetes.io/instantiate': 'manual',
      });
      expect(at(manual, 'metadata.ownerReferences')).toEqual([
        {
          apiVersion: 'batch/v1',
          kind: 'CronJob',
          name: 'tick',
          uid: str(tick, 'metadata.uid'),
          controller: true,
        },
      ]);
      expect(at(manual, 'spec.template.spec')).toEqual(
        at(tick, 'spec.jobTemplate.spec.template.spec'),
      );
      expect(at(manual, 'spec.selector.matchLabels')).toEqual({
        'batch.kubernetes.io/controller-uid': str(manual, 'metadata.uid'),
      });
    });
  });

  describe('StatefulSets, DaemonSets and ReplicationControllers', () => {
    const manifest = (kind: string, apiVersion: string, spec: Obj) =>
      JSON.stringify({ apiVersion, kind, metadata: { name: 'x' }, spec });
    const template = (labels: Obj) => ({
      metadata: { labels },
      spec: { containers: [{ name: 'c', image: 'x' }] },
    });

    it('should refuse selectors that do not match the template, with upstream messages', async () => {
      const mismatch =
        'spec.template.metadata.labels: Invalid value: map[string]string{"app":"b"}: `selector` does not match template `labels`';
      const b = template({ app: 'b' });
      const cases: [string, string, Obj, string][] = [
        [
          'StatefulSet',
          'apps/v1',
          { serviceName: 'x', selector: { matchLabels: { app: 'a' } }, template: b },
          mismatch,
        ],
        [
          'DaemonSet',
          'apps/v1',
          { selector: { matchLabels: { app: 'a' } }, template: b },
          mismatch,
        ],
        ['ReplicationController', 'v1', { selector: { app: 'a' }, template: b }, mismatch],
        [
          'DaemonSet',
          'apps/v1',
          { selector: {}, template: b },
          'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for daemonset',
        ],
      ];
      for (const [kind, apiVersion, spec, message] of cases) {
        expect(await fails(['create', '-f', '-'], manifest(kind, apiVersion, spec))).toContain(
          `The ${kind} "x" is invalid: ${message}`,
        );
      }
    });

    it('should default a StatefulSet, scale it and forbid other spec changes', async () => {
      await ok(
        ['create', '-f', '-'],
        manifest('StatefulSet', 'apps/v1', {
          serviceName: 'x',
          selector: { matchLabels: { app: 'db' } },
          template: template({ app: 'db' }),
        }),
      );
      const sts = await yamlOf('sts', 'x');
      expect(at(sts, 'spec')).toMatchObject({
        podManagementPolicy: 'OrderedReady',
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        replicas: 1,
      });
      expect(at(sts, 'status')).toEqual({ replicas: 0, availableReplicas: 0 });
      await ok(['scale', 'sts', 'x', '--replicas=3']);
      expect(await ok(['get', 'sts', 'x'])).toMatch(/^x\s+0\/3\s/m);
      expect(
        await fails(['patch', 'sts', 'x', '--type', 'merge', '-p', '{"spec":{"serviceName":"y"}}']),
      ).toContain(
        "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      );
    });

    it('should default a DaemonSet and scale a ReplicationController', async () => {
      await ok(
        ['create', '-f', '-'],
        manifest('DaemonSet', 'apps/v1', {
          selector: { matchLabels: { app: 'ds' } },
          template: template({ app: 'ds' }),
        }),
      );
      expect(await ok(['get', 'ds'])).toMatch(
        /^NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE\nx\s+0\s+0\s+0\s+0\s+0\s+<none>\s+\S+\n$/,
      );
      expect(at(await yamlOf('ds', 'x'), 'metadata.annotations')).toEqual({
        'deprecated.daemonset.template.generation': '1',
      });
      await ok(
        ['create', '-f', '-'],
        manifest('ReplicationController', 'v1', { template: template({ app: 'rc' }) }),
      );
      await ok(['scale', 'rc', 'x', '--replicas=2']);
      expect(await ok(['get', 'rc', '-o', 'wide'])).toMatch(
        /^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR\nx\s+2\s+0\s+0\s+\S+\s+c\s+x\s+app=rc\n$/,
      );
    });
  });

  describe('ServiceAccount admission', () => {
    it('should mount the projected API access volume into the pod', async () => {
      await ok(['run', 'shell', '--image=busybox']);
      const pod = await yamlOf('pod', 'shell');
      expect(at(pod, 'spec.serviceAccountName')).toBe('default');
      const volumeName = str(pod, 'spec.volumes.0.name');
      expect(volumeName).toMatch(/^kube-api-access-[a-z0-9]{5}$/);
      expect(at(pod, 'spec.volumes.0.projected.sources')).toEqual([
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        {
          downwardAPI: {
            items: [
              {
                path: 'namespace',
                fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' },
              },
            ],
          },
        },
      ]);
      expect(at(pod, 'spec.containers.0.volumeMounts')).toEqual([
        {
          name: volumeName,
          readOnly: true,
          mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
        },
      ]);
      expect(
        await fails([
          'run',
          'ghost',
          '--image=busybox',
          '--overrides',
          '{"spec":{"serviceAccountName":"ghost"}}',
        ]),
      ).toContain(
        'Error from server (Forbidden): pods "ghost" is forbidden: error looking up service account default/ghost: serviceaccount "ghost" not found',
      );
    });
  });

  describe('drain and PodDisruptionBudgets', () => {
    const guardedPod = (name: string, owner: unknown) =>
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name,
          labels: { app: 'db' },
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'ReplicaSet',
              name: str(owner, 'metadata.name'),
              uid: str(owner, 'metadata.uid'),
              controller: true,
            },
          ],
        },
        spec: {
          nodeName: 'node-a',
          terminationGracePeriodSeconds: 1,
          containers: [{ name: 'c', image: 'x' }],
        },
      });
    const budgetStatus = (allowed: number) =>
      ok([
        'patch',
        'pdb',
        'db',
        '--subresource',
        'status',
        '--type',
        'merge',
        '-p',
        JSON.stringify({
          status: {
            observedGeneration: 1,
            disruptionsAllowed: allowed,
            currentHealthy: 1,
            desiredHealthy: 1,
            expectedPods: 1,
          },
        }),
      ]);

    beforeAll(async () => {
      await ok(
        ['create', '-f', '-'],
        JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-a' } }),
      );
      await ok(
        ['create', '-f', '-'],
        JSON.stringify({
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          metadata: { name: 'db' },
          spec: {
            replicas: 1,
            selector: { matchLabels: { app: 'db' } },
            template: {
              metadata: { labels: { app: 'db' } },
              spec: { containers: [{ name: 'c', image: 'x' }] },
            },
          },
        }),
      );
      const rs = await yamlOf('rs', 'db');
      await ok(['create', '-f', '-'], guardedPod('db-0', rs));
      // Running and Ready, as a kubelet would report: only such pods are guarded by the budget.
      await ok([
        'patch',
        'pod',
        'db-0',
        '--subresource',
        'status',
        '--type',
        'merge',
        '-p',
        '{"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}}',
      ]);
      await ok(['create', 'poddisruptionbudget', 'db', '--selector=app=db', '--min-available=1']);
    });

    it('should refuse the drain while the budget allows no disruption', async () => {
      await budgetStatus(0);
      expect(await ok(['get', 'pdb'])).toMatch(
        /^NAME\s+MIN AVAILABLE\s+MAX UNAVAILABLE\s+ALLOWED DISRUPTIONS\s+AGE\ndb\s+1\s+N\/A\s+0\s+\S+\n$/,
      );
      const drain = await k(['drain', 'node-a', '--timeout=2s']);
      expect(drain.code).not.toBe(0);
      expect(drain.stdout + drain.stderr).toContain(
        `error when evicting pods/"db-0" -n "default" (will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget.`,
      );
      expect(at(await yamlOf('pod', 'db-0'), 'metadata.deletionTimestamp')).toBeUndefined();
    });

    it('should drain once the budget allows one disruption, and spend it', async () => {
      await budgetStatus(1);
      const drain = await k(['drain', 'node-a', '--timeout=30s']);
      expect(drain.code).toBe(0);
      expect(drain.stdout).toContain('pod/db-0 evicted');
      expect(drain.stdout).toContain('node/node-a drained');
      expect((await k(['get', 'pod', 'db-0'])).code).toBe(1);
      const pdb = await yamlOf('pdb', 'db');
      expect(at(pdb, 'status.disruptionsAllowed')).toBe(0);
      expect(Object.keys(at(pdb, 'status.disruptedPods') as Obj)).toEqual(['db-0']);
      expect(at(pdb, 'status.conditions')).toMatchObject([
        { type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods' },
      ]);
    });
  });
});
