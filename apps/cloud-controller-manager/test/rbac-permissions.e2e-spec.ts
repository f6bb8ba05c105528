import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { KubeConfig } from '@app/kube-client';
import { adoptionFlags, waitForInitialised, waitForRouteCreated } from './adoption/adoption-checks';
import { registerNode, setReady } from './adoption/kubelet-registration';
import { kindNodes } from './adoption/local-cluster-nodes';
import { CcmHarness, RecordingLogger, SHUTDOWN_TAINT, hasTaint, waitFor } from './harness';
import {
  createLbService,
  deleteService,
  getService,
  patchService,
  waitForEvent,
  waitForIngress,
} from './service-e2e';
import { RecordingProxy } from './support/recording-proxy';
import {
  attach,
  createClaim,
  detach,
  getAttachment,
  getClaim,
  getPv,
  patchClaim,
  provisionBound,
  awaitReleased,
  awaitProvisioningRequest,
  scheduleClaim,
  storageApi,
  waitForEvent as waitForVolumeEvent,
  startVolumeKcm,
} from './volume-e2e';
import {
  DEFAULT_AUTHENTICATED_RULES,
  allowedBy,
  grants,
  requestAttributes,
  ruleAllows,
  type BoundRules,
  type PolicyRule,
  type RequestAttributes,
} from './support/rbac-rules';

/** Upstream's lease timings: the harness's fast ones can lose the lease on a loaded machine. */
const UPSTREAM_LEASE = {
  leaderElect: 'true',
  leaderElectLeaseDuration: '15s',
  leaderElectRenewDeadline: '10s',
  leaderElectRetryPeriod: '2s',
};

jest.setTimeout(180_000);

const REPO = resolve(__dirname, '../../..');
const SA = { namespace: 'kube-system', name: 'nimbus-cloud-controller-manager' };

interface Subject {
  kind: string;
  name: string;
  namespace?: string;
}
interface Binding {
  metadata: { name: string; namespace?: string };
  roleRef: { kind: string; name: string };
  subjects?: Subject[];
}
interface Role {
  kind: string;
  metadata: { name: string; namespace?: string };
  rules: PolicyRule[];
}

/*
 * Issue 13's proof that deploy/'s RBAC is sufficient and minimal, on the built-in api-server with
 * RBAC enforced. The CCM runs with nothing but the deploy/ ServiceAccount's token (TokenRequest,
 * as `kubectl create token` gets it); every request it makes (node, lifecycle, route, service
 * and volume controllers, node adoption, events, leader election) goes through a recording
 * proxy. Sufficient: the scenarios pass and the api-server refused nothing. Minimal: each
 * permission the roles grant was used. And one rule fewer is a real 403 the CCM reports.
 */
describe('CCM with the deploy/ ServiceAccount on an RBAC-enforcing api-server', () => {
  let h: CcmHarness;
  let proxy: RecordingProxy;
  let bound: BoundRules[];
  /** The ServiceAccount's token, and nothing else: no admin, no static component token. */
  let saToken: string;

  const kubectl = async (...args: string[]): Promise<string> =>
    (
      await promisify(execFile)('kubectl', ['--kubeconfig', h.apiserver.kubeconfigPath, ...args], {
        cwd: REPO,
        timeout: 60_000,
      })
    ).stdout;

  beforeAll(async () => {
    h = await CcmHarness.start();
    await startVolumeKcm(h);
    // What a user applies for a CCM on the host; the roles are read back from the api-server.
    await kubectl('apply', '-k', 'deploy/overlays/host-run');
    bound = await rolesBoundTo(SA);
    saToken = (
      await kubectl('create', 'token', SA.name, '-n', SA.namespace, '--duration=24h')
    ).trim();
    proxy = await RecordingProxy.start(h.apiserver.url, h.apiserver.caCert);
  });

  afterAll(async () => {
    await h?.close();
    await proxy?.close();
  });

  async function rolesBoundTo(sa: { namespace: string; name: string }): Promise<BoundRules[]> {
    const isSa = (s: Subject) =>
      s.kind === 'ServiceAccount' && s.name === sa.name && s.namespace === sa.namespace;
    const list = async <T>(args: string[]) =>
      (JSON.parse(await kubectl('get', ...args, '-o', 'json')) as { items: T[] }).items;
    const result: BoundRules[] = [];
    for (const b of await list<Binding>(['clusterrolebindings'])) {
      if ((b.subjects ?? []).some(isSa)) {
        const role = JSON.parse(
          await kubectl('get', 'clusterrole', b.roleRef.name, '-o', 'json'),
        ) as Role;
        result.push({ source: `ClusterRole/${role.metadata.name}`, rules: role.rules });
      }
    }
    for (const b of await list<Binding>(['rolebindings', '-A'])) {
      if ((b.subjects ?? []).some(isSa)) {
        const ns = b.metadata.namespace!;
        const kind = b.roleRef.kind === 'Role' ? 'role' : 'clusterrole';
        const role = JSON.parse(
          await kubectl('get', kind, b.roleRef.name, '-n', ns, '-o', 'json'),
        ) as Role;
        result.push({
          source: `${role.kind}/${ns}/${role.metadata.name}`,
          namespace: ns,
          rules: role.rules,
        });
      }
    }
    return result;
  }

  it('should bind the ServiceAccount to a ClusterRole and the leader-election Role', () => {
    expect(bound.map((b) => b.source).sort()).toEqual([
      'ClusterRole/system:nimbus-cloud-controller-manager',
      'Role/kube-system/nimbus-cloud-controller-manager:leader-election',
    ]);
  });

  it('should authenticate the token as the ServiceAccount, which RBAC holds to deploy/', async () => {
    const whoami = await kubectl(
      '--token',
      saToken,
      'auth',
      'whoami',
      '-o',
      'jsonpath={.status.userInfo.username}',
    );
    expect(whoami).toBe(`system:serviceaccount:${SA.namespace}:${SA.name}`);
    const canI = (...args: string[]) =>
      promisify(execFile)('kubectl', [
        '--kubeconfig',
        h.apiserver.kubeconfigPath,
        '--token',
        saToken,
        'auth',
        'can-i',
        ...args,
      ]).then(
        (r) => r.stdout.trim(),
        (e: { stdout: string }) => e.stdout.trim(),
      );
    expect(await canI('patch', 'services', '--subresource=status', '-n', 'default')).toBe('yes');
    expect(await canI('list', 'secrets', '-n', 'default')).toBe('no');
  });

  /** The CCM's kubeconfig: through the recording proxy, with the ServiceAccount's token. */
  const throughProxy = (): KubeConfig => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'recorded', server: proxy.url, skipTLSVerify: true }],
      users: [{ name: 'ccm', token: saToken }],
      contexts: [{ name: 'ccm', cluster: 'recorded', user: 'ccm' }],
      currentContext: 'ccm',
    });
    return kc;
  };

  it('should use exactly the permissions deploy/ grants through the node, lifecycle, route, service and volume scenarios', async () => {
    const kc = throughProxy();
    const ccm = await h.startCcm(
      { ...adoptionFlags('kind', '10.244.0.0/16'), ...UPSTREAM_LEASE },
      { kubeConfig: kc },
    );
    await waitFor(() => ccm.isLeader(), { timeoutMs: 60_000, message: 'leading' });

    // Node controller (with adoption) and route controller: the kind cluster.
    const nodes = kindNodes();
    for (const node of nodes) {
      await registerNode(h, node);
    }
    for (const node of nodes) {
      await waitForInitialised(h, node.name);
      await waitForRouteCreated(h, node.name);
    }

    // Node controller: beta → GA label alignment on an initialised node.
    const labelled = await h.createInstance('labelled-1');
    await h.createNode('labelled-1', {
      tainted: false,
      ready: 'True',
      providerID: labelled.providerId,
      labels: { 'failure-domain.beta.kubernetes.io/zone': labelled.zone },
    });
    await waitFor(
      async () =>
        (await h.getNode('labelled-1'))?.metadata?.labels?.['topology.kubernetes.io/zone'] ===
        labelled.zone,
      { timeoutMs: 60_000, message: 'GA zone label' },
    );

    // Lifecycle: a stopped kind node is tainted shutdown, then untainted.
    await setReady(h, 'kind-worker', 'Unknown');
    await waitFor(async () => hasTaint(await h.getNode('kind-worker'), SHUTDOWN_TAINT), {
      timeoutMs: 60_000,
      message: 'shutdown taint',
    });
    await setReady(h, 'kind-worker', 'True');
    await waitFor(async () => !hasTaint(await h.getNode('kind-worker'), SHUTDOWN_TAINT), {
      timeoutMs: 60_000,
      message: 'shutdown taint removed',
    });

    // Lifecycle: a NotReady node whose instance is gone is deleted.
    const doomed = await h.createInstance('doomed-1');
    await h.createNode('doomed-1', {
      tainted: false,
      ready: 'True',
      providerID: doomed.providerId,
    });
    await h.cloud.instances.terminate(doomed.id);
    await setReady(h, 'doomed-1', 'Unknown');
    await waitFor(async () => (await h.getNode('doomed-1')) === undefined, {
      timeoutMs: 60_000,
      message: 'deleted',
    });

    // Service controller: ensure, re-ensure (the repeated event is aggregated), delete.
    await createLbService(h, 'web');
    await waitForIngress(h, 'web', 60_000);
    await patchService(h, 'web', { metadata: { annotations: { touched: '1' } } });
    await waitForEvent(h, 'web', 'EnsuringLoadBalancer', { minCount: 2, timeoutMs: 60_000 });
    await deleteService(h, 'web');
    await waitFor(async () => (await getService(h, 'web')) === undefined, {
      timeoutMs: 60_000,
      message: 'Service gone (finalizer removed)',
    });

    // Volume controllers (the CSI driver's controller half): addons, the driver on the CSINode
    // the kubelet created, provision, attach, detach, expand (Filesystem and Block), reschedule,
    // delete. The writes of KCM, the scheduler and the kubelet
    // are made by the test as those components make them (volume-e2e.ts).
    await waitFor(
      async () =>
        ((await storageApi(h).readCSINode({ name: 'kind-worker' })).spec?.drivers ?? []).length > 0,
      { timeoutMs: 60_000, message: 'CSINode of kind-worker' },
    );
    const { pv } = await provisionBound(h, 'data', 'kind-worker', { storage: '5Gi' });
    const va = await attach(h, pv, 'kind-worker');
    await waitFor(async () => (await getAttachment(h, va.metadata!.name!))?.status?.attached, {
      timeoutMs: 60_000,
      message: 'attached',
    });
    await detach(h, va);
    await waitFor(async () => (await getAttachment(h, va.metadata!.name!)) === undefined, {
      timeoutMs: 60_000,
      message: 'detached',
    });
    await patchClaim(h, 'data', { spec: { resources: { requests: { storage: '8Gi' } } } });
    await waitForVolumeEvent(h, 'data', 'FileSystemResizeRequired');
    await provisionBound(h, 'raw', 'kind-worker', { storage: '5Gi', volumeMode: 'Block' });
    await patchClaim(h, 'raw', { spec: { resources: { requests: { storage: '8Gi' } } } });
    await waitForVolumeEvent(h, 'raw', 'VolumeResizeSuccessful'); // no node step: claim patched
    await createClaim(h, 'ghost');
    await scheduleClaim(h, 'ghost', 'ghost-node'); // a node the volume cannot go to
    await awaitProvisioningRequest(h, 'ghost');
    await waitFor(
      async () =>
        (await getClaim(h, 'ghost')).metadata?.annotations?.[
          'volume.kubernetes.io/selected-node'
        ] === undefined,
      { timeoutMs: 60_000, message: 'selected-node removed for rescheduling' },
    );
    await h.core.deleteNamespacedPersistentVolumeClaim({ namespace: 'default', name: 'data' });
    await awaitReleased(h, pv.metadata!.name!);
    await waitFor(async () => (await getPv(h, pv.metadata!.name!)) === undefined, {
      timeoutMs: 60_000,
      message: 'PV deleted',
    });

    // Leader election: at least one renewal (update) of the Lease.
    const renewals = () =>
      proxy.requests.filter((r) => r.method === 'PUT' && r.url.includes('/leases/')).length;
    await waitFor(() => renewals() > 0, { timeoutMs: 60_000, message: 'a lease renewal' });
    await h.stopCcm(ccm);

    const attributes = proxy.requests.map((r) => ({ ...r, a: requestAttributes(r.method, r.url) }));
    const describe = (a: RequestAttributes) =>
      a.resourceRequest
        ? `${a.verb} ${a.apiGroup || 'core'}/${a.resource}${a.subresource ? `/${a.subresource}` : ''}${a.namespace ? ` in ${a.namespace}` : ''}${a.name ? ` (${a.name})` : ''}`
        : `${a.verb} ${a.path}`;
    // 1. The api-server refused nothing the CCM did, and the roles explain each request.
    expect(
      proxy.requests.filter((r) => r.status === 403).map((r) => `${r.method} ${r.url}`),
    ).toEqual([]);
    const denied = attributes
      .filter((r) => !allowedBy([...bound, DEFAULT_AUTHENTICATED_RULES], r.a))
      .map((r) => `${describe(r.a)}  ←  ${r.method} ${r.url}`);
    expect([...new Set(denied)]).toEqual([]);

    // 2. Every permission granted was used.
    const unused = grants(bound).filter((grant) => {
      const [groupResource, verb, name] = grant.split(/ \(?|\)/).filter(Boolean);
      const [group, ...resource] = groupResource.split('/');
      const rule: PolicyRule = {
        apiGroups: [group === 'core' ? '' : group],
        resources: [resource.join('/')],
        verbs: [verb],
        ...(name ? { resourceNames: [name] } : {}),
      };
      return !attributes.some((r) => r.a.resourceRequest && ruleAllows(rule, r.a));
    });
    expect(unused).toEqual([]);
    // The api-server answered everything it was asked (calls cut short by the CCM's stop aside).
    const failed = attributes.filter((r) => !r.aborted && !(r.status > 0 && r.status < 500));
    expect(failed.map((r) => `${r.status} ${r.method} ${r.url}`)).toEqual([]);
  });

  /*
   * One rule fewer: what a user sees when the ClusterRole lacks a permission. The rule is removed
   * from the ClusterRole in the api-server, whose RBAC authorizer then refuses the CCM's status
   * patch with its 403; the CCM reports it in its log and as the Service's event.
   */
  it('should surface a 403 in the CCM log and the Service events when services/status patch is removed', async () => {
    const role = JSON.parse(
      await kubectl('get', 'clusterrole', 'system:nimbus-cloud-controller-manager', '-o', 'json'),
    ) as Role;
    const trimmed = role.rules.filter((r) => !(r.resources ?? []).includes('services/status'));
    expect(trimmed).toHaveLength(role.rules.length - 1);
    const replaced = await new Promise<string>((resolveReplace, reject) => {
      const child = execFile(
        'kubectl',
        ['--kubeconfig', h.apiserver.kubeconfigPath, 'replace', '-f', '-'],
        { timeout: 60_000 },
        (error, stdout, stderr) => (error ? reject(new Error(stderr)) : resolveReplace(stdout)),
      );
      child.stdin?.end(JSON.stringify({ ...role, rules: trimmed }));
    });
    expect(replaced).toContain('replaced');
    const logger = new RecordingLogger();
    const ccm = await h.startCcm(
      { ...adoptionFlags('kind', ''), leaderElect: 'false' },
      { kubeConfig: throughProxy(), logger },
    );
    try {
      await createLbService(h, 'denied');
      const forbidden =
        'services "denied" is forbidden: User "system:serviceaccount:kube-system:nimbus-cloud-controller-manager" cannot patch resource "services/status" in API group "" in the namespace "default"';
      const event = await waitForEvent(h, 'denied', 'SyncLoadBalancerFailed', {
        timeoutMs: 60_000,
      });
      expect(event.type).toBe('Warning');
      expect(event.message).toContain(
        'Error syncing load balancer: failed to update load balancer status',
      );
      expect(event.message).toContain(forbidden);
      expect(
        logger.entries.some(
          (e) =>
            e.level !== 'info' &&
            Object.values(e.fields).some((v) => typeof v === 'string' && v.includes(forbidden)),
        ),
      ).toBe(true);
      // Nothing else was refused: the one missing rule is the only 403.
      const refused = proxy.requests
        .filter((r) => r.status === 403)
        .map((r) => `${r.method} ${new URL(r.url, 'http://x').pathname}`);
      expect([...new Set(refused)]).toEqual([
        'PATCH /api/v1/namespaces/default/services/denied/status',
      ]);
    } finally {
      await h.stopCcm(ccm);
    }
  });
});
