import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  kubectlFor,
  requireKubectl,
  startTestServer,
  type Kubectl,
  type TestServer,
} from './support/test-server';

jest.setTimeout(60_000);

/** rbac.authorization.k8s.io/v1 objects are stored and validated (not enforced yet). */
describe('RBAC objects through kubectl (e2e)', () => {
  let t: TestServer;
  let kubectl: Kubectl;
  const cache = mkdtempSync(join(tmpdir(), 'nimbus-kubectl-cache-'));

  beforeAll(async () => {
    requireKubectl();
    t = await startTestServer({ logLevel: 'silent' });
    kubectl = kubectlFor(t.server.kubeconfigPath, cache);
  });

  afterAll(async () => {
    await t?.stop();
    rmSync(cache, { recursive: true, force: true });
  });

  it('should create roles and bindings and print them as kubectl does', async () => {
    // `kubectl create clusterrole …` sends protobuf, which the server reads for the kinds of
    // kube-apiserver.md only; apply sends JSON.
    const applied = await kubectl(['apply', '-f', '-'], {
      input: [
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRole',
          metadata: { name: 'node-reader' },
          rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list'] }],
        },
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRoleBinding',
          metadata: { name: 'read-nodes' },
          roleRef: {
            apiGroup: 'rbac.authorization.k8s.io',
            kind: 'ClusterRole',
            name: 'node-reader',
          },
          subjects: [
            { kind: 'ServiceAccount', name: 'ccm', namespace: 'kube-system' },
            { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'alice' },
          ],
        },
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'Role',
          metadata: { name: 'lease-writer', namespace: 'kube-system' },
          rules: [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['update'] }],
        },
      ]
        .map((o) => JSON.stringify(o))
        .join('\n'),
    });
    expect(applied.stderr).toBe('');
    expect(applied.stdout).toContain(
      'clusterrolebinding.rbac.authorization.k8s.io/read-nodes created',
    );
    const wide = await kubectl(['get', 'clusterrolebinding', 'read-nodes', '-o', 'wide']);
    expect(wide.stdout).toMatch(/^NAME\s+ROLE\s+AGE\s+USERS\s+GROUPS\s+SERVICEACCOUNTS$/m);
    expect(wide.stdout).toMatch(
      /^read-nodes\s+ClusterRole\/node-reader\s+\S+\s+alice\s+kube-system\/ccm$/m,
    );
    const role = await kubectl([
      'get',
      'role',
      '-n',
      'kube-system',
      'lease-writer',
      '-o',
      'jsonpath={.rules[0]}',
    ]);
    expect(JSON.parse(role.stdout)).toEqual({
      apiGroups: ['coordination.k8s.io'],
      resources: ['leases'],
      verbs: ['update'],
    });
  });

  it('should refuse rules without verbs or resources, and a changed roleRef, naming the field', async () => {
    const bad = await kubectl(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: 'broken' },
        rules: [{ apiGroups: [''], resources: [], verbs: [] }],
      }),
    });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain(
      'rules[0].verbs: Required value: verbs must contain at least one value',
    );
    expect(bad.stderr).toContain(
      'rules[0].resources: Required value: resource rules must supply at least one resource',
    );

    const changed = await kubectl([
      'patch',
      'clusterrolebinding',
      'read-nodes',
      '--type=merge',
      '-p',
      '{"roleRef":{"name":"other"}}',
    ]);
    expect(changed.code).not.toBe(0);
    expect(changed.stderr).toContain('roleRef: Invalid value: cannot change roleRef');
  });
});
