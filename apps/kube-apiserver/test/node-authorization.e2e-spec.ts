import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { raw } from './support/raw-client';
import {
  createServiceAccount,
  eventually,
  kubectlFor,
  requireKubectl,
  startTestServer,
  type Kubectl,
  type TestServer,
} from './support/test-server';

jest.setTimeout(120_000);

const NS = 'shop';

/*
 * The Node authorizer and NodeRestriction end to end with the real kubectl: `auth can-i` through
 * impersonation, and real requests made with a node's own token (`nodeToken`), each node reaching
 * its own pods' Secrets, status and Node but not another node's.
 */
describe('Node authorization and NodeRestriction (e2e)', () => {
  let t: TestServer;
  let admin: Kubectl;
  const cache = mkdtempSync(join(tmpdir(), 'nimbus-kubectl-cache-'));
  /** kubectl with node `name`'s own credential. */
  const asNode = (name: string, args: string[]) =>
    admin(['--token', t.server.nodeToken(name), ...args]);
  const canI = async (node: string, args: string[]) => {
    const r = await admin([
      'auth',
      'can-i',
      '--as',
      `system:node:${node}`,
      '--as-group',
      'system:nodes',
      ...args,
    ]);
    return r.stdout.trim();
  };

  const podFor = (name: string, nodeName: string, secret: string) =>
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: NS },
      spec: {
        nodeName,
        containers: [{ name: 'app', image: 'nginx', envFrom: [{ secretRef: { name: secret } }] }],
      },
    });

  beforeAll(async () => {
    requireKubectl();
    t = await startTestServer({ logLevel: 'silent' });
    admin = kubectlFor(t.server.kubeconfigPath, cache);
    expect((await admin(['create', 'namespace', NS])).code).toBe(0);
    await createServiceAccount(t.server, NS, 'default');
    for (const node of ['worker-1', 'worker-2']) {
      const created = await admin(['create', '-f', '-'], {
        input: JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: node } }),
      });
      expect(created.stderr).toBe('');
    }
    for (const [pod, node, secret] of [
      ['web-1', 'worker-1', 'db-password'],
      ['web-2', 'worker-2', 'api-key'],
    ]) {
      const secretMade = await admin([
        'create',
        'secret',
        'generic',
        secret,
        '-n',
        NS,
        '--from-literal=k=v',
      ]);
      expect(secretMade.stderr).toBe('');
      const podMade = await admin(['create', '-f', '-'], { input: podFor(pod, node, secret) });
      expect(podMade.stderr).toBe('');
    }
  });

  afterAll(async () => {
    await t?.stop();
    rmSync(cache, { recursive: true, force: true });
  });

  it('should answer kubectl auth can-i for a node from its pods', async () => {
    expect(await canI('worker-1', ['get', 'secret/db-password', '-n', NS])).toBe('yes');
    expect(await canI('worker-1', ['get', 'secret/api-key', '-n', NS])).toBe(
      "no - no relationship found between node 'worker-1' and this object",
    );
    expect(await canI('worker-1', ['get', 'node/worker-1'])).toBe('yes');
    expect(await canI('worker-1', ['list', 'nodes'])).toBe(
      "no - node 'worker-1' cannot read all nodes, only its own Node object",
    );
    expect(await canI('worker-1', ['create', 'events', '-n', NS])).toBe('yes');
    expect(await canI('worker-1', ['delete', 'services', '-n', NS])).toBe('no');
  });

  it("should let a node's credential read its pod's Secret and refuse another node's with upstream's 403", async () => {
    const whoami = await asNode('worker-1', ['auth', 'whoami']);
    expect(whoami.stdout).toMatch(/Username\s+system:node:worker-1/);
    expect(whoami.stdout).toMatch(/Groups\s+\[system:nodes system:authenticated\]/);
    const own = await asNode('worker-1', ['get', 'secret', 'db-password', '-n', NS, '-o', 'name']);
    expect(own.stderr).toBe('');
    expect(own.stdout.trim()).toBe('secret/db-password');
    const other = await asNode('worker-1', ['get', 'secret/api-key', '-n', NS]);
    expect(other.code).toBe(1);
    expect(other.stderr.trim()).toBe(
      `Error from server (Forbidden): secrets "api-key" is forbidden: User "system:node:worker-1" cannot get resource "secrets" in API group "" in the namespace "${NS}": no relationship found between node 'worker-1' and this object`,
    );
    const all = await asNode('worker-1', ['get', 'pods', '-A']);
    expect(all.stderr.trim()).toBe(
      'Error from server (Forbidden): pods is forbidden: User "system:node:worker-1" cannot list resource "pods" in API group "" at the cluster scope: can only list/watch pods with spec.nodeName field selector',
    );
    const mine = await asNode('worker-1', [
      'get',
      'pods',
      '-A',
      '--field-selector',
      'spec.nodeName=worker-1',
      '-o',
      'name',
    ]);
    expect(mine.stdout.trim()).toBe('pod/web-1');
  });

  it("should let NodeRestriction stop a node writing another node's pod or Node", async () => {
    // As a kubelet writes: PATCH without reading first (kubectl would GET pods/status, which the
    // Node authorizer refuses a node, as upstream's does).
    const patch = (node: string, path: string, body: unknown) =>
      raw(t.server, path, {
        method: 'PATCH',
        body: JSON.stringify(body),
        headers: {
          Authorization: `Bearer ${t.server.nodeToken(node)}`,
          'Content-Type': 'application/merge-patch+json',
        },
      });
    const podStatus = (pod: string) => `/api/v1/namespaces/${NS}/pods/${pod}/status`;
    const message = { status: { message: 'hello' } };
    expect((await patch('worker-1', podStatus('web-1'), message)).status).toBe(200);
    const foreign = await patch('worker-1', podStatus('web-2'), message);
    expect([foreign.status, foreign.json().message]).toEqual([
      403,
      'pods "web-2" is forbidden: node "worker-1" can only update pod status for pods with spec.nodeName set to itself',
    ]);
    const deleted = await asNode('worker-1', ['delete', 'pod', 'web-2', '-n', NS, '--wait=false']);
    expect(deleted.stderr.trim()).toBe(
      'Error from server (Forbidden): pods "web-2" is forbidden: node "worker-1" can only delete pods with spec.nodeName set to itself',
    );
    const labels = (l: Record<string, string>) => ({ metadata: { labels: l } });
    expect(
      (await asNode('worker-1', ['label', 'node', 'worker-1', 'example.com/disk=ssd'])).stderr,
    ).toBe('');
    const other = await patch(
      'worker-1',
      '/api/v1/nodes/worker-2',
      labels({ 'example.com/disk': 'ssd' }),
    );
    expect([other.status, other.json().message]).toEqual([
      403,
      'nodes "worker-2" is forbidden: node "worker-1" is not allowed to modify node "worker-2"',
    ]);
    const own = await asNode('worker-1', [
      'label',
      'node',
      'worker-1',
      'node-restriction.kubernetes.io/pool=gold',
    ]);
    expect(own.stderr.trim()).toBe(
      'Error from server (Forbidden): nodes "worker-1" is forbidden: is not allowed to modify labels: node-restriction.kubernetes.io/pool',
    );
    // Nothing refused was written.
    const web2 = await admin(['get', 'pod', 'web-2', '-n', NS, '-o', 'jsonpath={.status.message}']);
    expect(web2.stdout).toBe('');
    const worker2 = await admin(['get', 'node', 'worker-2', '--show-labels', '--no-headers']);
    expect(worker2.stdout).not.toContain('example.com/disk');
  });

  it('should collect a claim owned by a pod the node deleted (the collector acts as the api-server, not the node)', async () => {
    expect(
      (await admin(['create', '-f', '-'], { input: podFor('db-0', 'worker-1', 'db-password') }))
        .stderr,
    ).toBe('');
    const uid = (await admin(['get', 'pod', 'db-0', '-n', NS, '-o', 'jsonpath={.metadata.uid}']))
      .stdout;
    const claim = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        name: 'data-db-0',
        namespace: NS,
        ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'db-0', uid }],
      },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    };
    expect((await admin(['create', '-f', '-'], { input: JSON.stringify(claim) })).stderr).toBe('');
    // As the kubelet ends a pod: DELETE with grace 0 and the node's own token.
    const deleted = await raw(t.server, `/api/v1/namespaces/${NS}/pods/db-0`, {
      method: 'DELETE',
      body: JSON.stringify({ gracePeriodSeconds: 0 }),
      headers: {
        Authorization: `Bearer ${t.server.nodeToken('worker-1')}`,
        'Content-Type': 'application/json',
      },
    });
    expect(deleted.status).toBe(200);
    // NodeRestriction would refuse the node this delete ("may only update PVC status"); the
    // collector's own delete is the api-server's. (pvc-protection keeps it Terminating here.)
    await eventually(async () => {
      const r = await admin([
        'get',
        'pvc',
        'data-db-0',
        '-n',
        NS,
        '--ignore-not-found',
        '-o',
        'json',
      ]);
      const left = r.stdout.trim()
        ? (JSON.parse(r.stdout) as { metadata: { deletionTimestamp?: string } })
        : undefined;
      expect(left === undefined || left.metadata.deletionTimestamp !== undefined).toBe(true);
    });
  });

  it('should keep the graph current: a pod bound later opens its Secret to its node', async () => {
    expect(await canI('worker-2', ['get', 'secret/db-password', '-n', NS])).toMatch(/^no/);
    const made = await admin(['create', '-f', '-'], {
      input: podFor('web-3', 'worker-2', 'db-password'),
    });
    expect(made.stderr).toBe('');
    expect(await canI('worker-2', ['get', 'secret/db-password', '-n', NS])).toBe('yes');
    expect(
      (await admin(['delete', 'pod', 'web-3', '-n', NS, '--grace-period=0', '--force'])).code,
    ).toBe(0);
    expect(await canI('worker-2', ['get', 'secret/db-password', '-n', NS])).toMatch(/^no/);
  });

  it("should keep a Node's pod CIDR once set, whoever writes (ValidateNodeUpdate)", async () => {
    const set = (cidr: string) =>
      admin([
        'patch',
        'node',
        'worker-2',
        '-p',
        JSON.stringify({ spec: { podCIDR: cidr, podCIDRs: [cidr] } }),
      ]);
    expect((await set('10.244.7.0/24')).stderr).toBe('');
    const moved = await set('10.244.8.0/24');
    expect(moved.stderr.trim()).toBe(
      'The Node "worker-2" is invalid: spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid',
    );
  });

  it('should refuse an unknown node token', async () => {
    const forged = `${t.server.nodeToken('worker-1').slice(0, -4)}AAAA`;
    const res = await admin(['--token', forged, 'get', 'node', 'worker-1']);
    expect(res.stderr).toMatch(/Unauthorized/);
  });
});

describe('authorization mode RBAC without Node (e2e)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nimbus-kube-rbac-only-'));
  const cache = mkdtempSync(join(tmpdir(), 'nimbus-kubectl-cache-'));
  let t: TestServer | undefined;

  afterAll(async () => {
    await t?.server.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(cache, { recursive: true, force: true });
  });

  it('should bind system:node to system:nodes as before the Node authorizer, and drop it once Node is on', async () => {
    t = await startTestServer({ logLevel: 'silent', authorizationMode: 'RBAC' }, dir);
    const admin = kubectlFor(t.server.kubeconfigPath, cache);
    const canI = async () =>
      (
        await admin([
          'auth',
          'can-i',
          '--as',
          'system:node:worker-1',
          '--as-group',
          'system:nodes',
          'get',
          'secret/anything',
          '-n',
          'default',
        ])
      ).stdout.trim();
    const binding = async () =>
      (await admin(['get', 'clusterrolebinding', 'nimbus:nodes', '-o', 'name'])).stdout.trim();
    expect(await binding()).toBe('clusterrolebinding.rbac.authorization.k8s.io/nimbus:nodes');
    expect(await canI()).toBe('yes');
    await t.server.close();
    t = await startTestServer({ logLevel: 'silent' }, dir);
    expect(await binding()).toBe('');
    expect(await canI()).toBe("no - no relationship found between node 'worker-1' and this object");
  });
});
