import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { AdjustableClock } from '@app/common';
import { openKubeDatabase } from '../database/open-kube-database';
import { ObjectStore } from '../storage/object-store';
import type { WriteType } from '../storage/revision';
import { buildAuthorizer } from './authorizer';
import { BOOTSTRAP_ROLES } from './bootstrap-policy';
import { NodeAuthorizer } from './node-authorizer';
import { NodeGraph } from './node-graph';
import { resourceAttributes, type RequestAttributes } from './policy-rule';
import { RbacAuthorizer } from './rbac-authorizer';
import { RbacCache } from './rbac-cache';

const node = (name: string) => ({
  name: `system:node:${name}`,
  uid: '',
  groups: ['system:nodes', 'system:authenticated'],
});
const node0 = node('node0');
const node1 = node('node1');
const get = (resource: string, name: string, a: Partial<RequestAttributes> = {}) =>
  resourceAttributes({ verb: 'get', resource, namespace: 'ns0', name, ...a });
const NODE_RULES = BOOTSTRAP_ROLES.find((r) => r.name === 'system:node')!.rules;

/*
 * Cases after upstream's node_authorizer_test.go (TestNodeAuthorizer): node0 runs pod0, which
 * references secret0, configmap0, pvc0 (bound to pv0, whose CSI secret is pv-secret0) and
 * serviceaccount0; node1 runs nothing.
 */
describe('NodeAuthorizer over the store (graph kept current by writes)', () => {
  let dir: string;
  let dataSource: DataSource;
  let store: ObjectStore;
  let graph: NodeGraph;
  let authorizer: NodeAuthorizer;

  const write = (
    group: string,
    resource: string,
    object: Record<string, unknown>,
    type: WriteType = 'ADDED',
  ) => {
    const meta = object.metadata as { namespace?: string; name: string };
    const previous = store.get(`${group}/${resource}`, meta.namespace ?? '', meta.name);
    store.write({ group, resource, type, object: object as never, previous });
  };
  const pod0 = (nodeName: string) => ({
    metadata: { name: 'pod0', namespace: 'ns0', uid: 'p0' },
    spec: {
      nodeName,
      serviceAccountName: 'serviceaccount0',
      imagePullSecrets: [{ name: 'pull0' }],
      containers: [
        {
          name: 'c',
          envFrom: [{ configMapRef: { name: 'configmap0' } }],
          env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'secret0', key: 'k' } } }],
        },
      ],
      volumes: [
        { name: 'data', persistentVolumeClaim: { claimName: 'pvc0' } },
        { name: 'scratch', ephemeral: { volumeClaimTemplate: {} } },
        { name: 'proj', projected: { sources: [{ configMap: { name: 'projected0' } }] } },
      ],
    },
  });
  const allowed = (user = node0, a: RequestAttributes) => authorizer.authorize(user, a);

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nimbus-node-authz-'));
    const opened = await openKubeDatabase(dir);
    dataSource = opened.dataSource;
    store = new ObjectStore(opened.db.connection, new AdjustableClock());
    // What exists before the graph is built must count as much as what is written afterwards.
    write('', 'pods', pod0('node0'));
    graph = new NodeGraph(store);
    authorizer = new NodeAuthorizer(graph, NODE_RULES);
    write('', 'persistentvolumes', {
      metadata: { name: 'pv0', uid: 'v0' },
      spec: {
        claimRef: { namespace: 'ns0', name: 'pvc0' },
        csi: { driver: 'd', volumeHandle: 'h', nodePublishSecretRef: { name: 'pv-secret0' } },
      },
    });
    write('storage.k8s.io', 'volumeattachments', {
      metadata: { name: 'va0', uid: 'a0' },
      spec: { nodeName: 'node0', attacher: 'd', source: { persistentVolumeName: 'pv0' } },
    });
  });

  afterEach(async () => {
    graph.close();
    await dataSource.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should let a node read what its pods reference, and nothing of another node', () => {
    for (const [resource, name] of [
      ['secrets', 'secret0'],
      ['secrets', 'pull0'],
      ['configmaps', 'configmap0'],
      ['configmaps', 'projected0'],
      ['persistentvolumeclaims', 'pvc0'],
      ['persistentvolumeclaims', 'pod0-scratch'],
      ['pods', 'pod0'],
    ]) {
      expect([resource, name, allowed(node0, get(resource, name))]).toEqual([
        resource,
        name,
        { allowed: true, reason: '' },
      ]);
      expect(allowed(node1, get(resource, name))).toEqual({
        allowed: false,
        reason: "no relationship found between node 'node1' and this object",
      });
    }
    expect(allowed(node0, get('persistentvolumes', 'pv0', { namespace: '' })).allowed).toBe(true);
    expect(allowed(node0, get('secrets', 'pv-secret0')).allowed).toBe(true);
    expect(allowed(node1, get('secrets', 'pv-secret0')).allowed).toBe(false);
    const va = get('volumeattachments', 'va0', { apiGroup: 'storage.k8s.io', namespace: '' });
    expect(allowed(node0, va).allowed).toBe(true);
    expect(allowed(node1, va).allowed).toBe(false);
    expect(allowed(node0, get('secrets', 'unrelated'))).toEqual({
      allowed: false,
      reason: "no relationship found between node 'node0' and this object",
    });
  });

  it('should follow pods as they are bound, moved and deleted', () => {
    const pod = pod0('node1');
    write('', 'pods', pod, 'MODIFIED');
    expect(allowed(node1, get('secrets', 'secret0')).allowed).toBe(true);
    expect(allowed(node0, get('secrets', 'secret0')).allowed).toBe(false);
    write('', 'pods', pod, 'DELETED');
    expect(allowed(node1, get('secrets', 'secret0')).allowed).toBe(false);
    expect(allowed(node1, get('persistentvolumes', 'pv0', { namespace: '' })).allowed).toBe(false);
    // An unbound pod gives no node anything.
    write('', 'pods', pod0(''));
    expect(allowed(node0, get('secrets', 'secret0')).allowed).toBe(false);
  });

  it('should keep a reference while another pod on the node still has it', () => {
    const other = pod0('node0');
    other.metadata = { name: 'pod1', namespace: 'ns0', uid: 'p1' };
    write('', 'pods', other);
    write('', 'pods', pod0('node0'), 'DELETED');
    expect(allowed(node0, get('secrets', 'secret0')).allowed).toBe(true);
  });

  it('should refuse verbs and forms the node has no business with, with upstream reasons', () => {
    expect(allowed(node0, get('secrets', 'secret0', { verb: 'update' }))).toEqual({
      allowed: false,
      reason: 'can only read resources of this type',
    });
    expect(allowed(node0, get('secrets', '', { verb: 'list' }))).toEqual({
      allowed: false,
      reason: 'No Object name found',
    });
    expect(allowed(node0, get('configmaps', 'configmap0', { namespace: '' })).reason).toBe(
      'can only read namespaced object of this type',
    );
    expect(allowed(node0, get('persistentvolumeclaims', 'pvc0', { verb: 'list' })).reason).toBe(
      'can only get individual resources of this type',
    );
    expect(
      allowed(
        node0,
        get('persistentvolumeclaims', 'pvc0', { verb: 'patch', subresource: 'status' }),
      ).allowed,
    ).toBe(true);
    expect(
      allowed(node0, get('persistentvolumeclaims', 'pvc0', { verb: 'get', subresource: 'status' }))
        .reason,
    ).toBe('can only get/update/patch this type');
  });

  it('should scope nodes, pods, leases and tokens to the node itself', () => {
    const nodes = (verb: string, name: string) =>
      resourceAttributes({ verb, resource: 'nodes', name });
    expect(allowed(node0, nodes('get', 'node0')).allowed).toBe(true);
    expect(allowed(node0, nodes('get', 'node1')).reason).toBe(
      "node 'node0' cannot read 'node1', only its own Node object",
    );
    expect(allowed(node0, nodes('list', '')).reason).toBe(
      "node 'node0' cannot read all nodes, only its own Node object",
    );
    // Writes pass here; NodeRestriction confines them to the node's own object.
    expect(allowed(node0, nodes('patch', 'node1')).allowed).toBe(true);

    const pods = (fieldSelector?: string) =>
      resourceAttributes({ verb: 'watch', resource: 'pods', fieldSelector });
    expect(allowed(node0, pods('spec.nodeName=node0')).allowed).toBe(true);
    expect(allowed(node0, pods('spec.nodeName=node1')).reason).toBe(
      'can only list/watch pods with spec.nodeName field selector',
    );
    expect(allowed(node0, pods()).allowed).toBe(false);

    const lease = (verb: string, name: string, namespace = 'kube-node-lease') =>
      resourceAttributes({
        verb,
        apiGroup: 'coordination.k8s.io',
        resource: 'leases',
        namespace,
        name,
      });
    expect(allowed(node0, lease('update', 'node0')).allowed).toBe(true);
    expect(allowed(node0, lease('create', '')).allowed).toBe(true);
    expect(allowed(node0, lease('update', 'node1')).reason).toBe(
      'can only access node lease with the same name as the requesting node',
    );
    expect(allowed(node0, lease('get', 'node0', 'default')).reason).toBe(
      'can only access leases in the "kube-node-lease" system namespace',
    );
    expect(allowed(node0, lease('list', '')).reason).toBe(
      'can only get, create, update, patch, or delete a node lease',
    );

    const token = (name: string) =>
      resourceAttributes({
        verb: 'create',
        resource: 'serviceaccounts',
        subresource: 'token',
        namespace: 'ns0',
        name,
      });
    expect(allowed(node0, token('serviceaccount0')).allowed).toBe(true);
    expect(allowed(node1, token('serviceaccount0')).allowed).toBe(false);
  });

  it('should fall back to the system:node rules, and ignore users that are not nodes', () => {
    const events = resourceAttributes({ verb: 'create', resource: 'events', namespace: 'ns0' });
    expect(allowed(node0, events).allowed).toBe(true);
    expect(
      allowed(node0, resourceAttributes({ verb: 'delete', resource: 'services' })).allowed,
    ).toBe(false);
    const alice = { name: 'alice', uid: '', groups: ['system:authenticated'] };
    expect(authorizer.authorize(alice, get('secrets', 'secret0'))).toEqual({
      allowed: false,
      reason: '',
    });
    // A node user outside system:nodes is not a node.
    const impostor = { name: 'system:node:node0', uid: '', groups: ['system:authenticated'] };
    expect(authorizer.authorize(impostor, get('secrets', 'secret0')).allowed).toBe(false);
    const nameless = { ...node0, name: 'system:node:' };
    expect(authorizer.authorize(nameless, get('secrets', 'secret0')).reason).toBe(
      'unknown node for user "system:node:"',
    );
  });

  it('should answer Node,RBAC as the union: RBAC may grant what Node does not, reasons joined', () => {
    const cache = new RbacCache(store);
    try {
      const union = buildAuthorizer(['Node', 'RBAC'], {
        node: authorizer,
        rbac: new RbacAuthorizer(cache),
      });
      expect(union.authorize(node1, get('secrets', 'secret0'))).toEqual({
        allowed: false,
        reason: "no relationship found between node 'node1' and this object",
      });
      write('rbac.authorization.k8s.io', 'clusterroles', {
        metadata: { name: 'read-secrets', uid: 'r' },
        rules: [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'] }],
      });
      write('rbac.authorization.k8s.io', 'clusterrolebindings', {
        metadata: { name: 'node1-secrets', uid: 'b' },
        roleRef: { kind: 'ClusterRole', name: 'read-secrets' },
        subjects: [{ kind: 'User', name: 'system:node:node1' }],
      });
      expect(union.authorize(node1, get('secrets', 'secret0')).allowed).toBe(true);
    } finally {
      cache.close();
    }
  });
});
