import { AdjustableClock } from '@app/common';
import { openKubeDatabase } from '../database/open-kube-database';
import { ObjectStore } from '../storage/object-store';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { buildAuthorizer } from './authorizer';
import { RbacAuthorizer } from './rbac-authorizer';
import { RbacCache } from './rbac-cache';
import { resourceAttributes, type RequestAttributes } from './policy-rule';

const attrs = (a: Partial<RequestAttributes>): RequestAttributes =>
  resourceAttributes({ verb: 'get', apiVersion: 'v1', resource: 'pods', namespace: 'team', ...a });
const alice = { name: 'alice', uid: '1', groups: ['devs', 'system:authenticated'] };
const sa = {
  name: 'system:serviceaccount:team:bot',
  uid: '2',
  groups: ['system:serviceaccounts', 'system:serviceaccounts:team', 'system:authenticated'],
};

describe('RbacAuthorizer over the store (cache kept fresh by writes)', () => {
  let dir: string;
  let dataSource: DataSource;
  let store: ObjectStore;
  let cache: RbacCache;
  let rbac: RbacAuthorizer;

  const put = (resource: string, object: Record<string, unknown>) =>
    store.write({
      group: 'rbac.authorization.k8s.io',
      resource,
      type: 'ADDED',
      object: object as never,
    });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nimbus-rbac-'));
    const opened = await openKubeDatabase(dir);
    dataSource = opened.dataSource;
    store = new ObjectStore(opened.db.connection, new AdjustableClock());
    cache = new RbacCache(store);
    rbac = new RbacAuthorizer(cache);
  });

  afterEach(async () => {
    cache.close();
    await dataSource.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should allow through a RoleBinding only in its namespace, and see new bindings at once', () => {
    put('clusterroles', {
      metadata: { name: 'pod-reader', uid: 'r' },
      rules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }],
    });
    expect(rbac.authorize(alice, attrs({})).allowed).toBe(false);
    put('rolebindings', {
      metadata: { name: 'devs-read', namespace: 'team', uid: 'b' },
      roleRef: { kind: 'ClusterRole', name: 'pod-reader' },
      subjects: [{ kind: 'Group', name: 'devs' }],
    });
    expect(rbac.authorize(alice, attrs({}))).toEqual({
      allowed: true,
      reason:
        'RBAC: allowed by RoleBinding "devs-read/team" of ClusterRole "pod-reader" to Group "devs"',
    });
    expect(rbac.authorize(alice, attrs({ namespace: 'other' })).allowed).toBe(false);
    expect(rbac.authorize(alice, attrs({ namespace: '' })).allowed).toBe(false);
  });

  it('should match ServiceAccount subjects, defaulting their namespace to the binding', () => {
    put('roles', {
      metadata: { name: 'lease', namespace: 'team', uid: 'r' },
      rules: [
        {
          verbs: ['update'],
          apiGroups: ['coordination.k8s.io'],
          resources: ['leases'],
          resourceNames: ['l'],
        },
      ],
    });
    put('rolebindings', {
      metadata: { name: 'bot', namespace: 'team', uid: 'b' },
      roleRef: { kind: 'Role', name: 'lease' },
      subjects: [{ kind: 'ServiceAccount', name: 'bot' }],
    });
    const lease = attrs({
      verb: 'update',
      apiGroup: 'coordination.k8s.io',
      resource: 'leases',
      name: 'l',
    });
    expect(rbac.authorize(sa, lease).allowed).toBe(true);
    expect(rbac.authorize(sa, { ...lease, name: 'other' }).allowed).toBe(false);
    expect(rbac.authorize(alice, lease).allowed).toBe(false);
  });

  it('should give the missing role as the reason of a denial', () => {
    put('clusterrolebindings', {
      metadata: { name: 'ghost', uid: 'b' },
      roleRef: { kind: 'ClusterRole', name: 'missing' },
      subjects: [{ kind: 'User', name: 'alice' }],
    });
    expect(rbac.authorize(alice, attrs({}))).toEqual({
      allowed: false,
      reason: 'RBAC: clusterrole.rbac.authorization.k8s.io "missing" not found',
    });
  });

  it('should let system:masters and AlwaysAllow through without any binding', () => {
    const masters = { name: 'root', uid: '', groups: ['system:masters'] };
    expect(
      buildAuthorizer(['RBAC'], { rbac }).authorize(masters, attrs({ verb: 'delete' })).allowed,
    ).toBe(true);
    expect(buildAuthorizer(['RBAC'], { rbac }).authorize(alice, attrs({})).allowed).toBe(false);
    expect(buildAuthorizer(['AlwaysAllow'], { rbac }).authorize(alice, attrs({})).allowed).toBe(
      true,
    );
    expect(
      buildAuthorizer(['RBAC', 'AlwaysAllow'], { rbac }).authorize(alice, attrs({})).allowed,
    ).toBe(true);
  });
});
