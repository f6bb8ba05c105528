import { cloneJson, type KubeObject } from '../../object/types';
import type { ResourceType } from '../resource-type';
import { cronJobKind } from './cron-job.kind';
import { daemonSetKind } from './daemon-set.kind';
import { deploymentKind } from './deployment.kind';
import { jobKind } from './job.kind';
import { podDisruptionBudgetKind } from './pod-disruption-budget.kind';
import { replicaSetKind } from './replica-set.kind';
import { replicationControllerKind } from './replication-controller.kind';
import { statefulSetKind } from './stateful-set.kind';

/** What a create does with a body: create-time defaults, decode-time defaults. */
function created(kind: ResourceType, body: Record<string, unknown>): KubeObject {
  const obj = cloneJson({ ...body, metadata: { uid: 'u-1', ...(body.metadata as object) } });
  kind.defaultOnCreate?.(obj, { nowMs: 0 });
  kind.defaultOnWrite?.(obj);
  return obj;
}

const messages = (kind: ResourceType, obj: KubeObject, old?: KubeObject) =>
  (kind.validate?.(obj, old) ?? []).map((e) => `${e.field}: ${e.message}`);

const podTemplate = (labels: Record<string, string>, extra: Record<string, unknown> = {}) => ({
  metadata: { labels },
  spec: { containers: [{ name: 'nginx', image: 'nginx' }], ...extra },
});

const deployment = (spec: Record<string, unknown> = {}) => ({
  metadata: { name: 'web' },
  spec: {
    selector: { matchLabels: { app: 'web' } },
    template: podTemplate({ app: 'web' }),
    ...spec,
  },
});

describe('workload kinds: defaulting', () => {
  it('should default a Deployment as SetDefaults_Deployment and its pod template as SetDefaults_PodSpec', () => {
    const d = created(deploymentKind, deployment());
    expect(d.spec).toMatchObject({
      replicas: 1,
      strategy: {
        type: 'RollingUpdate',
        rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' },
      },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      template: {
        metadata: { creationTimestamp: null },
        spec: {
          restartPolicy: 'Always',
          terminationGracePeriodSeconds: 30,
          dnsPolicy: 'ClusterFirst',
          schedulerName: 'default-scheduler',
          securityContext: {},
          containers: [
            {
              imagePullPolicy: 'Always',
              terminationMessagePath: '/dev/termination-log',
              terminationMessagePolicy: 'File',
              resources: {},
            },
          ],
        },
      },
    });
    expect(d.status).toEqual({});
    // Templates get no service account (that is admission, for pods only).
    expect(d.spec).not.toHaveProperty('template.spec.serviceAccountName');
  });

  it('should leave a Recreate strategy without rollingUpdate', () => {
    const d = created(deploymentKind, deployment({ strategy: { type: 'Recreate' } }));
    expect(d.spec).toMatchObject({ strategy: { type: 'Recreate' } });
    expect(d.spec).not.toHaveProperty('strategy.rollingUpdate');
  });

  it('should pick imagePullPolicy from the image tag and default ports, probes and volumes', () => {
    const d = created(
      deploymentKind,
      deployment({
        template: podTemplate(
          { app: 'web' },
          {
            containers: [
              {
                name: 'a',
                image: 'nginx:1.27',
                ports: [{ containerPort: 80 }],
                readinessProbe: { httpGet: { port: 80 } },
                env: [{ name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } }],
              },
              { name: 'b', image: 'registry:5000/team/app' },
              { name: 'c', image: 'app@sha256:abc' },
              { name: 'd', image: 'app:latest' },
            ],
            volumes: [{ name: 'scratch' }, { name: 'cfg', configMap: { name: 'cfg' } }],
          },
        ),
      }),
    );
    const spec = (d.spec as { template: { spec: Record<string, unknown> } }).template.spec;
    const containers = spec.containers as Record<string, unknown>[];
    expect(containers.map((c) => c.imagePullPolicy)).toEqual([
      'IfNotPresent',
      'Always',
      'IfNotPresent',
      'Always',
    ]);
    expect(containers[0]).toMatchObject({
      ports: [{ containerPort: 80, protocol: 'TCP' }],
      readinessProbe: {
        httpGet: { path: '/', port: 80, scheme: 'HTTP' },
        timeoutSeconds: 1,
        periodSeconds: 10,
        successThreshold: 1,
        failureThreshold: 3,
      },
      env: [{ valueFrom: { fieldRef: { apiVersion: 'v1' } } }],
    });
    expect(spec.volumes).toEqual([
      { name: 'scratch', emptyDir: {} },
      { name: 'cfg', configMap: { name: 'cfg', defaultMode: 420 } },
    ]);
  });

  it('should default StatefulSets, their claim templates and the statuses Go always prints', () => {
    const s = created(statefulSetKind, {
      metadata: { name: 'db' },
      spec: {
        selector: { matchLabels: { app: 'db' } },
        template: podTemplate({ app: 'db' }),
        volumeClaimTemplates: [
          { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'] } },
        ],
      },
    });
    expect(s.spec).toMatchObject({
      replicas: 1,
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      revisionHistoryLimit: 10,
      volumeClaimTemplates: [
        {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: { name: 'data', creationTimestamp: null },
          spec: { volumeMode: 'Filesystem' },
          status: { phase: 'Pending' },
        },
      ],
    });
    expect(s.status).toEqual({ replicas: 0, availableReplicas: 0 });
  });

  it('should default DaemonSets and record the template generation annotation', () => {
    const ds = created(daemonSetKind, {
      metadata: { name: 'agent' },
      spec: {
        selector: { matchLabels: { app: 'agent' } },
        template: podTemplate({ app: 'agent' }),
      },
    });
    expect(ds.spec).toMatchObject({
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
      revisionHistoryLimit: 10,
    });
    expect(ds.metadata.annotations).toEqual({ 'deprecated.daemonset.template.generation': '1' });
    const changed = cloneJson(ds);
    (changed.spec as { template: { metadata: { labels: object } } }).template.metadata.labels = {
      app: 'agent',
      v: '2',
    };
    daemonSetKind.prepareForUpdate?.(changed, ds);
    expect(changed.metadata.annotations?.['deprecated.daemonset.template.generation']).toBe('2');
    const same = cloneJson(ds);
    same.metadata.annotations = { 'deprecated.daemonset.template.generation': '9' };
    daemonSetKind.prepareForUpdate?.(same, ds);
    expect(same.metadata.annotations['deprecated.daemonset.template.generation']).toBe('1');
  });

  it('should take a ReplicationController selector and labels from its template', () => {
    const rc = created(replicationControllerKind, {
      metadata: { name: 'rc' },
      spec: { template: podTemplate({ app: 'legacy' }) },
    });
    expect(rc.spec).toMatchObject({ replicas: 1, selector: { app: 'legacy' } });
    expect(rc.metadata.labels).toEqual({ app: 'legacy' });
    expect(rc.status).toEqual({ replicas: 0 });
  });

  it('should generate a Job selector and labels from its uid and name', () => {
    const job = created(jobKind, {
      metadata: { name: 'pi' },
      spec: {
        template: { spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl' }] } },
      },
    });
    const labels = {
      'batch.kubernetes.io/controller-uid': 'u-1',
      'batch.kubernetes.io/job-name': 'pi',
      'controller-uid': 'u-1',
      'job-name': 'pi',
    };
    expect(job.spec).toMatchObject({
      completions: 1,
      parallelism: 1,
      backoffLimit: 6,
      completionMode: 'NonIndexed',
      suspend: false,
      manualSelector: false,
      podReplacementPolicy: 'TerminatingOrFailed',
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u-1' } },
      template: { metadata: { labels } },
    });
    expect(job.metadata.labels).toEqual(labels);
    expect(messages(jobKind, job)).toEqual([]);
  });

  it('should keep a manual Job selector and default only what is unset', () => {
    const job = created(jobKind, {
      metadata: { name: 'manual', labels: { team: 'a' } },
      spec: {
        manualSelector: true,
        parallelism: 3,
        selector: { matchLabels: { run: 'x' } },
        template: {
          metadata: { labels: { run: 'x' } },
          spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'x' }] },
        },
      },
    });
    expect(job.spec).toMatchObject({ parallelism: 3, selector: { matchLabels: { run: 'x' } } });
    expect(job.spec).not.toHaveProperty('completions');
    expect(job.metadata.labels).toEqual({ team: 'a' });
  });

  it('should default CronJobs without defaulting their job spec', () => {
    const cj = created(cronJobKind, {
      metadata: { name: 'cj' },
      spec: {
        schedule: '@hourly',
        jobTemplate: {
          spec: {
            template: {
              spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'x' }] },
            },
          },
        },
      },
    });
    expect(cj.spec).toMatchObject({
      concurrencyPolicy: 'Allow',
      suspend: false,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
      jobTemplate: {
        metadata: { creationTimestamp: null },
        spec: { template: { spec: { dnsPolicy: 'ClusterFirst' } } },
      },
    });
    expect(cj.spec).not.toHaveProperty('jobTemplate.spec.backoffLimit');
    expect(messages(cronJobKind, cj)).toEqual([]);
  });
});

describe('workload kinds: validation', () => {
  it('should require a Deployment selector matching the template', () => {
    const none = created(deploymentKind, deployment({ selector: undefined }));
    expect(messages(deploymentKind, none)).toEqual([
      'spec.selector: Required value',
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
    ]);
    const empty = created(deploymentKind, deployment({ selector: {} }));
    expect(messages(deploymentKind, empty)).toEqual([
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment',
    ]);
  });

  it('should reject negative replicas and bad rolling-update values', () => {
    const d = created(
      deploymentKind,
      deployment({
        replicas: -1,
        strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: '25' } },
      }),
    );
    expect(messages(deploymentKind, d)).toEqual([
      'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
      "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:\"25\"}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
    ]);
    const zero = created(
      deploymentKind,
      deployment({ strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } }),
    );
    expect(messages(deploymentKind, zero)).toEqual([
      'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:""}: may not be 0 when `maxSurge` is 0',
    ]);
  });

  it('should keep apps/v1 selectors immutable and forbid most StatefulSet spec changes', () => {
    const old = created(deploymentKind, deployment());
    const moved = cloneJson(old);
    (moved.spec as Record<string, unknown>).selector = { matchLabels: { app: 'web', v: '2' } };
    expect(messages(deploymentKind, moved, old)).toContain(
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "v":"2"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    );
    const sts = created(statefulSetKind, {
      metadata: { name: 'db' },
      spec: {
        serviceName: 'db',
        selector: { matchLabels: { app: 'db' } },
        template: podTemplate({ app: 'db' }),
      },
    });
    const scaled = cloneJson(sts);
    (scaled.spec as Record<string, unknown>).replicas = 3;
    expect(messages(statefulSetKind, scaled, sts)).toEqual([]);
    const renamed = cloneJson(sts);
    (renamed.spec as Record<string, unknown>).serviceName = 'other';
    expect(messages(statefulSetKind, renamed, sts)).toEqual([
      "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ]);
  });

  it('should check DaemonSet and ReplicaSet templates and strategies', () => {
    const ds = created(daemonSetKind, {
      metadata: { name: 'agent' },
      spec: {
        selector: { matchLabels: { app: 'agent' } },
        template: podTemplate({ app: 'agent' }, { restartPolicy: 'Never' }),
        updateStrategy: {
          type: 'RollingUpdate',
          rollingUpdate: { maxUnavailable: 1, maxSurge: 1 },
        },
      },
    });
    expect(messages(daemonSetKind, ds)).toEqual([
      'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
      'spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:0, IntVal:1, StrVal:""}: may not be set when maxUnavailable is non-zero',
    ]);
    const rs = created(replicaSetKind, {
      metadata: { name: 'rs' },
      spec: {
        selector: { matchLabels: { app: 'rs' } },
        template: podTemplate({ app: 'rs' }, { containers: [] }),
      },
    });
    expect(messages(replicaSetKind, rs)).toEqual(['spec.template.spec.containers: Required value']);
  });

  it('should require a non-empty ReplicationController selector', () => {
    const rc = created(replicationControllerKind, {
      metadata: { name: 'rc' },
      spec: { selector: { app: 'x' }, template: podTemplate({ app: 'y' }) },
    });
    expect(messages(replicationControllerKind, rc)).toEqual([
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"y"}: `selector` does not match template `labels`',
    ]);
  });

  it('should require OnFailure or Never for Jobs and freeze their template', () => {
    const job = created(jobKind, {
      metadata: { name: 'j' },
      spec: { template: { spec: { containers: [{ name: 'c', image: 'x' }] } } },
    });
    expect(messages(jobKind, job)).toEqual([
      'spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"',
    ]);
    const ok = created(jobKind, {
      metadata: { name: 'j' },
      spec: {
        template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x' }] } },
      },
    });
    const edited = cloneJson(ok);
    (
      edited.spec as { template: { spec: { containers: { image: string }[] } } }
    ).template.spec.containers[0].image = 'y';
    expect(messages(jobKind, edited, ok)[0]).toMatch(
      /^spec\.template: Invalid value: core\.PodTemplateSpec\{.*\}: field is immutable$/,
    );
  });

  it('should validate CronJob schedules, time zones and job templates', () => {
    const cj = (spec: Record<string, unknown>) =>
      created(cronJobKind, {
        metadata: { name: 'cj' },
        spec: {
          jobTemplate: {
            spec: {
              template: {
                spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x' }] },
              },
            },
          },
          ...spec,
        },
      });
    expect(messages(cronJobKind, cj({ schedule: '61 * * * *' }))).toEqual([
      'spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61',
    ]);
    expect(messages(cronJobKind, cj({ schedule: 'TZ=UTC * * * * *' }))).toEqual([
      'spec.schedule: Invalid value: "TZ=UTC * * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
    ]);
    expect(messages(cronJobKind, cj({ schedule: '@daily', timeZone: 'Europe/Pariss' }))).toEqual([
      'spec.timeZone: Invalid value: "Europe/Pariss": unknown time zone Europe/Pariss',
    ]);
    expect(messages(cronJobKind, cj({ schedule: '@daily', timeZone: 'Europe/Paris' }))).toEqual([]);
    expect(messages(cronJobKind, cj({ schedule: '' }))).toEqual(['spec.schedule: Required value']);
  });

  it('should refuse a PDB with both budgets and bad percents', () => {
    const pdb = created(podDisruptionBudgetKind, {
      metadata: { name: 'p' },
      spec: { minAvailable: 1, maxUnavailable: '120%', selector: { matchLabels: { app: 'x' } } },
    });
    expect(messages(podDisruptionBudgetKind, pdb)).toEqual([
      'spec: Invalid value: policy.PodDisruptionBudgetSpec{MinAvailable:(*intstr.IntOrString)(0xc000a4e000), Selector:(*v1.LabelSelector)(0xc000a4e000), MaxUnavailable:(*intstr.IntOrString)(0xc000a4e000), UnhealthyPodEvictionPolicy:(*policy.UnhealthyPodEvictionPolicyType)(nil)}: minAvailable and maxUnavailable cannot be both set',
      'spec.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"120%"}: must not be greater than 100%',
    ]);
    expect(pdb.status).toEqual({
      disruptionsAllowed: 0,
      currentHealthy: 0,
      desiredHealthy: 0,
      expectedPods: 0,
    });
  });
});
