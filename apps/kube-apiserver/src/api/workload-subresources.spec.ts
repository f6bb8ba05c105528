import { AdjustableClock } from '@app/common';
import { ServiceAccountAdmission } from '../admission/service-account-admission';
import { ServiceAllocator } from '../admission/service-allocator';
import { openKubeDatabase, type KubeDatabase } from '../database/open-kube-database';
import { KubeError } from '../errors/kube-error';
import { ResourceRegistry } from '../registry/registry';
import { SchemaRegistry } from '../schema/schema-registry';
import { ObjectStore } from '../storage/object-store';
import { typedStore } from '../storage/typed-store';
import { EvictionSubresource } from './eviction';
import { ResourceService } from './resource-service';
import { ScaleSubresource } from './scale-subresource';
import type { KubeObject } from '../object/types';

const registry = new ResourceRegistry();
const kind = (group: string, resource: string) => registry.get(group, 'v1', resource);
const pods = kind('', 'pods');
const namespaces = kind('', 'namespaces');
const serviceAccounts = kind('', 'serviceaccounts');
const deployments = kind('apps', 'deployments');
const jobs = kind('batch', 'jobs');
const pdbs = kind('policy', 'poddisruptionbudgets');
const write = { dryRun: false };

/** The parts of a pod spec these tests read. */
interface PodSpecView {
  serviceAccountName?: string;
  serviceAccount?: string;
  volumes: { name: string; projected?: unknown }[];
  containers: { volumeMounts?: { name: string }[] }[];
  initContainers: { volumeMounts?: { name: string }[] }[];
}

/** What a thrown KubeError says, for one-line assertions. */
function failure(fn: () => unknown): {
  code: number;
  reason: string;
  message: string;
  details?: object;
} {
  try {
    fn();
  } catch (error) {
    if (error instanceof KubeError) {
      return {
        code: error.code,
        reason: error.reason,
        message: error.message,
        details: error.details,
      };
    }
    throw error;
  }
  throw new Error('did not fail');
}

describe('workload subresources and admission', () => {
  let database: KubeDatabase;
  let service: ResourceService;
  let clock: AdjustableClock;
  let scale: ScaleSubresource;
  let eviction: EvictionSubresource;

  beforeEach(async () => {
    database = await openKubeDatabase(':memory:');
    clock = new AdjustableClock(() => Date.UTC(2026, 10, 26, 12));
    clock.freeze();
    const store = new ObjectStore(database.db.connection, clock);
    store.load();
    const admission = new ServiceAccountAdmission(
      typedStore(store, serviceAccounts),
      typedStore(store, namespaces),
      () => Promise.resolve(),
    );
    service = new ResourceService(
      store,
      clock,
      new ServiceAllocator('10.96.0.0/12'),
      new SchemaRegistry(),
      [admission],
    );
    scale = new ScaleSubresource(service);
    eviction = new EvictionSubresource(service, pods, pdbs, clock);
    service.create(namespaces, '', { metadata: { name: 'default' } }, write);
    service.create(serviceAccounts, 'default', { metadata: { name: 'default' } }, write);
  });

  afterEach(async () => {
    await database.dataSource.destroy();
  });

  const pod = (name: string, labels: Record<string, string> = {}, spec: object = {}) =>
    service.create(
      pods,
      'default',
      { metadata: { name, labels }, spec: { containers: [{ name: 'c', image: 'x' }], ...spec } },
      write,
    ).object;

  describe('ServiceAccount admission', () => {
    it('should default the service account and mount the projected token volume everywhere', () => {
      const p = pod('p', {}, { initContainers: [{ name: 'init', image: 'x' }] });
      const spec = p.spec as PodSpecView;
      expect(spec.serviceAccountName).toBe('default');
      expect(spec.serviceAccount).toBe('default');
      const volume = spec.volumes[0];
      expect(volume.name).toMatch(/^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      expect(volume.projected).toEqual({
        defaultMode: 420,
        sources: [
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
        ],
      });
      const mount = {
        name: volume.name,
        readOnly: true,
        mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
      };
      expect(spec.containers[0].volumeMounts).toEqual([mount]);
      expect(spec.initContainers[0].volumeMounts).toEqual([mount]);
    });

    it('should not mount when the pod or its service account opts out', () => {
      expect(pod('a', {}, { automountServiceAccountToken: false }).spec).not.toHaveProperty(
        'volumes',
      );
      service.create(
        serviceAccounts,
        'default',
        {
          metadata: { name: 'quiet' },
          automountServiceAccountToken: false,
          imagePullSecrets: [{ name: 'reg' }],
        },
        write,
      );
      const quiet = pod('b', {}, { serviceAccountName: 'quiet' }).spec as Record<string, unknown>;
      expect(quiet.volumes).toBeUndefined();
      expect(quiet.imagePullSecrets).toEqual([{ name: 'reg' }]);
      // The pod's own preference wins over the service account's.
      const loud = pod(
        'c',
        {},
        { serviceAccountName: 'quiet', automountServiceAccountToken: true },
      );
      expect(loud.spec).toHaveProperty('volumes.0.projected.sources.0.serviceAccountToken');
    });

    it('should refuse pods whose service account does not exist', () => {
      expect(failure(() => pod('p', {}, { serviceAccountName: 'ghost' }))).toMatchObject({
        code: 403,
        reason: 'Forbidden',
        message:
          'pods "p" is forbidden: error looking up service account default/ghost: serviceaccount "ghost" not found',
      });
      expect(service.storeOf(pods).get('default', 'p')).toBeUndefined();
    });

    it('should keep an existing token volume and containers that mount the path themselves', () => {
      const p = pod(
        'p',
        {},
        {
          volumes: [{ name: 'kube-api-access-mine', projected: { sources: [] } }],
          containers: [
            { name: 'a', image: 'x' },
            {
              name: 'b',
              image: 'x',
              volumeMounts: [
                {
                  name: 'kube-api-access-mine',
                  mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
                },
              ],
            },
          ],
        },
      ).spec as PodSpecView;
      expect(p.volumes).toHaveLength(1);
      expect(p.containers[0].volumeMounts?.[0].name).toBe('kube-api-access-mine');
      expect(p.containers[1].volumeMounts).toHaveLength(1);
    });
  });

  describe('scale', () => {
    const deploy = () =>
      service.create(
        deployments,
        'default',
        {
          metadata: { name: 'web' },
          spec: {
            replicas: 3,
            selector: { matchLabels: { app: 'web' } },
            template: {
              metadata: { labels: { app: 'web' } },
              spec: { containers: [{ name: 'c', image: 'x' }] },
            },
          },
        },
        write,
      ).object;

    it('should read and write spec.replicas as an autoscaling/v1 Scale', () => {
      const d = deploy();
      expect(scale.get(deployments, 'default', 'web')).toEqual({
        kind: 'Scale',
        apiVersion: 'autoscaling/v1',
        metadata: {
          name: 'web',
          namespace: 'default',
          uid: d.metadata.uid,
          resourceVersion: d.metadata.resourceVersion,
          creationTimestamp: d.metadata.creationTimestamp,
        },
        spec: { replicas: 3 },
        status: { replicas: 0, selector: 'app=web' },
      });
      const patched = scale.patch(
        deployments,
        'default',
        'web',
        'merge',
        { spec: { replicas: 5 } },
        write,
      );
      expect(patched.spec).toEqual({ replicas: 5 });
      const stored = service.get(deployments, 'default', 'web').object;
      expect(stored.spec).toMatchObject({ replicas: 5 });
      expect(stored.metadata.generation).toBe(2);
      expect(
        scale.update(deployments, 'default', 'web', { metadata: { name: 'web' }, spec: {} }, write)
          .spec,
      ).toEqual({});
    });

    it('should refuse negative replicas, a stale resourceVersion and a foreign uid', () => {
      deploy();
      expect(
        failure(() =>
          scale.update(
            deployments,
            'default',
            'web',
            { metadata: { name: 'web' }, spec: { replicas: -1 } },
            write,
          ),
        ),
      ).toMatchObject({
        code: 422,
        message:
          'Scale.autoscaling "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
      });
      expect(
        failure(() =>
          scale.update(
            deployments,
            'default',
            'web',
            { metadata: { name: 'web', resourceVersion: '1' }, spec: { replicas: 1 } },
            write,
          ),
        ),
      ).toMatchObject({ code: 409, reason: 'Conflict' });
      expect(
        failure(() =>
          scale.update(
            deployments,
            'default',
            'web',
            { metadata: { name: 'web', uid: 'other' }, spec: { replicas: 1 } },
            write,
          ),
        ).message,
      ).toMatch(
        /^Operation cannot be fulfilled on deployments\/scale\.apps "web": Precondition failed: UID in precondition: other/,
      );
    });

    it('should bump a Deployment generation for annotation changes but not for status', () => {
      const d = deploy();
      const annotated = service.patch(
        deployments,
        'default',
        'web',
        'merge',
        { metadata: { annotations: { a: 'b' } } },
        undefined,
        write,
      ).object;
      expect(annotated.metadata.generation).toBe(2);
      const status = service.patch(
        deployments,
        'default',
        'web',
        'merge',
        { status: { observedGeneration: 2, replicas: 3 } },
        'status',
        write,
      ).object;
      expect(status.metadata.generation).toBe(2);
      expect(status.status).toEqual({ observedGeneration: 2, replicas: 3 });
      expect(d.metadata.generation).toBe(1);
    });
  });

  describe('server-side apply after client-side apply', () => {
    it("should keep the content when kubectl migrates last-applied under 'kubectl-last-applied'", () => {
      const config = {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: 'default' },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: { containers: [{ name: 'c', image: 'x' }] },
          },
        },
      };
      const lastApplied = JSON.stringify(config);
      service.create(
        deployments,
        'default',
        {
          ...config,
          metadata: {
            ...config.metadata,
            annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied },
          },
        },
        write,
      );
      const migrated = service.patch(
        deployments,
        'default',
        'web',
        'apply',
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: {
            name: 'web',
            annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied },
          },
        },
        undefined,
        { ...write, fieldManager: 'kubectl-last-applied' },
      ).object;
      expect(migrated.spec).toMatchObject({
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
      });
      // Another manager leaving replicas out does not remove it: the creator still owns it.
      const { replicas: _dropped, ...withoutReplicas } = config.spec;
      const shared = service.patch(
        deployments,
        'default',
        'web',
        'apply',
        { ...config, spec: withoutReplicas },
        undefined,
        { ...write, fieldManager: 'kubectl' },
      ).object;
      expect(shared.spec).toMatchObject({ replicas: 2 });
      // A manager applying content still drops what it alone applied before.
      const api = { ...config, metadata: { name: 'api', namespace: 'default' } };
      service.patch(deployments, 'default', 'api', 'apply', api, undefined, {
        ...write,
        fieldManager: 'kubectl',
      });
      const reapplied = service.patch(
        deployments,
        'default',
        'api',
        'apply',
        { ...api, spec: withoutReplicas },
        undefined,
        { ...write, fieldManager: 'kubectl' },
      ).object;
      expect(reapplied.spec).toMatchObject({ replicas: 1 });
    });
  });

  describe('deletion policies', () => {
    it('should orphan a Job pods by default and bump generation when marking for deletion', () => {
      service.create(
        jobs,
        'default',
        {
          metadata: { name: 'j' },
          spec: {
            template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x' }] } },
          },
        },
        write,
      );
      const marked = service.delete(jobs, 'default', 'j', {});
      expect(marked.removed).toBe(false);
      expect(marked.object.metadata.finalizers).toEqual(['orphan']);
      expect(marked.object.metadata.generation).toBe(2);
      service.create(
        jobs,
        'default',
        {
          metadata: { name: 'k' },
          spec: {
            template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x' }] } },
          },
        },
        write,
      );
      expect(
        service.delete(jobs, 'default', 'k', { propagationPolicy: 'Background' }).removed,
      ).toBe(true);
    });
  });

  describe('eviction', () => {
    const running = (name: string, labels: Record<string, string>, ready = true) => {
      pod(name, labels, { nodeName: 'n1' });
      service.patch(
        pods,
        'default',
        name,
        'merge',
        {
          status: {
            phase: 'Running',
            conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
          },
        },
        'status',
        write,
      );
    };
    const budget = (name: string, status?: Record<string, unknown>, spec: object = {}) => {
      service.create(
        pdbs,
        'default',
        {
          metadata: { name },
          spec: { minAvailable: 1, selector: { matchLabels: { app: 'db' } }, ...spec },
        },
        write,
      );
      if (status) {
        service.patch(pdbs, 'default', name, 'merge', { status }, 'status', write);
      }
    };
    const evict = (name: string, deleteOptions?: object, dryRun: string[] = []) =>
      eviction.evict(
        'default',
        name,
        { metadata: { name }, ...(deleteOptions ? { deleteOptions } : {}) },
        dryRun,
      );
    const stored = (name: string) => service.storeOf(pods).get('default', name)?.object;
    const pdbStatus = (name: string) =>
      service.storeOf(pdbs).get('default', name)?.object.status as Record<string, unknown>;

    it('should evict pending pods and pods without budgets at once', () => {
      pod('pending', { app: 'db' });
      expect(evict('pending')).toMatchObject({ code: 201, status: { status: 'Success' } });
      expect(stored('pending')).toBeUndefined();
      running('free', { app: 'web' });
      expect(evict('free').code).toBe(201);
      // Graceful: the pod is terminating and marked as a disruption target.
      const terminating = stored('free') as KubeObject;
      expect(terminating.metadata.deletionTimestamp).toBeDefined();
      expect((terminating.status as { conditions: object[] }).conditions).toContainEqual({
        type: 'DisruptionTarget',
        status: 'True',
        lastProbeTime: null,
        lastTransitionTime: '2026-11-26T12:00:00Z',
        reason: 'EvictionByEvictionAPI',
        message: 'Eviction API: evicting',
      });
    });

    it('should answer 429 while a budget has not been observed yet', () => {
      running('db-0', { app: 'db' });
      budget('db');
      expect(failure(() => evict('db-0'))).toEqual({
        code: 429,
        reason: 'TooManyRequests',
        message: "Cannot evict pod as it would violate the pod's disruption budget.",
        details: {
          causes: [
            {
              reason: 'DisruptionBudget',
              message: 'The disruption budget db is still being processed by the server.',
            },
          ],
          retryAfterSeconds: 10,
        },
      });
      expect(stored('db-0')?.metadata.deletionTimestamp).toBeUndefined();
    });

    it('should refuse with no disruption allowed and take one when allowed', () => {
      running('db-0', { app: 'db' });
      running('db-1', { app: 'db' });
      budget('db', {
        observedGeneration: 1,
        disruptionsAllowed: 0,
        currentHealthy: 2,
        desiredHealthy: 2,
        expectedPods: 2,
      });
      expect(failure(() => evict('db-0'))).toMatchObject({
        code: 429,
        details: {
          causes: [
            {
              reason: 'DisruptionBudget',
              message: 'The disruption budget db needs 2 healthy pods and has 2 currently',
            },
          ],
        },
      });
      service.patch(
        pdbs,
        'default',
        'db',
        'merge',
        { status: { disruptionsAllowed: 1, desiredHealthy: 1 } },
        'status',
        write,
      );
      expect(evict('db-0', undefined, ['All']).code).toBe(201);
      expect(pdbStatus('db').disruptionsAllowed).toBe(1);
      expect(stored('db-0')?.metadata.deletionTimestamp).toBeUndefined();
      expect(evict('db-0').code).toBe(201);
      expect(pdbStatus('db')).toMatchObject({
        disruptionsAllowed: 0,
        disruptedPods: { 'db-0': '2026-11-26T12:00:00Z' },
        conditions: [
          {
            type: 'DisruptionAllowed',
            status: 'False',
            reason: 'InsufficientPods',
            observedGeneration: 1,
          },
        ],
      });
      expect(stored('db-0')?.metadata.deletionTimestamp).toBeDefined();
      expect(failure(() => evict('db-1')).code).toBe(429);
    });

    it('should let unready pods go when the budget is healthy or the policy always allows', () => {
      running('sick', { app: 'db' }, false);
      budget('db', {
        observedGeneration: 1,
        disruptionsAllowed: 0,
        currentHealthy: 2,
        desiredHealthy: 2,
        expectedPods: 3,
      });
      expect(evict('sick').code).toBe(201);
      expect(pdbStatus('db').disruptionsAllowed).toBe(0);
      running('sick-2', { app: 'db' }, false);
      service.patch(
        pdbs,
        'default',
        'db',
        'merge',
        { status: { currentHealthy: 1 } },
        'status',
        write,
      );
      expect(failure(() => evict('sick-2')).code).toBe(429);
      service.patch(
        pdbs,
        'default',
        'db',
        'merge',
        { spec: { unhealthyPodEvictionPolicy: 'AlwaysAllow' } },
        undefined,
        write,
      );
      service.patch(
        pdbs,
        'default',
        'db',
        'merge',
        { status: { observedGeneration: 2 } },
        'status',
        write,
      );
      expect(evict('sick-2').code).toBe(201);
    });

    it('should refuse pods under two budgets and mismatched names', () => {
      running('db-0', { app: 'db' });
      budget('a', { observedGeneration: 1, disruptionsAllowed: 5 });
      budget('b', { observedGeneration: 1, disruptionsAllowed: 5 });
      expect(evict('db-0')).toEqual({
        code: 500,
        status: {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message:
            'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.',
          code: 500,
        },
      });
      expect(
        failure(() => eviction.evict('default', 'db-0', { metadata: { name: 'x' } }, [])),
      ).toMatchObject({
        code: 400,
        message: 'name in URL does not match name in Eviction object',
      });
    });

    it('should refuse too many unconfirmed disruptions', () => {
      running('db-0', { app: 'db' });
      const disruptedPods = Object.fromEntries(
        Array.from({ length: 2001 }, (_, i) => [`p${i}`, '2026-11-26T12:00:00Z']),
      );
      budget('db', { observedGeneration: 1, disruptionsAllowed: 1, disruptedPods });
      expect(failure(() => evict('db-0'))).toMatchObject({
        code: 403,
        message:
          'poddisruptionbudget.policy "db" is forbidden: DisruptedPods map too big - too many evictions not confirmed by PDB controller',
      });
    });
  });
});
