import {
  KubernetesObjectApi,
  PatchStrategy,
  createResilientInformer,
  loadKubeConfig,
  type KubeConfig,
  type KubernetesObject,
} from '@app/kube-client';
import { raw, type RawResponse } from './support/raw-client';
import { eventually, startTestServer, type TestServer } from './support/test-server';

// The CRD lifecycle through the REST API and client-node: naming conflicts, garbage collection
// across built-in and custom kinds, deletion with instance cleanup, discovery and OpenAPI as
// CRDs come and go, and an informer on a custom resource.
jest.setTimeout(120_000);

const JSON_HEADERS = { 'Content-Type': 'application/json' };
const MERGE_HEADERS = { 'Content-Type': 'application/merge-patch+json' };

function crd(plural: string, kind: string, group = 'test.nimbus.dev', scope = 'Namespaced') {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      scope,
      names: { plural, kind, listKind: `${kind}Collection` },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: { type: 'object', properties: { value: { type: 'string' } } },
              },
            },
          },
        },
      ],
    },
  };
}

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}

describe('CustomResourceDefinition lifecycle', () => {
  let t: TestServer;
  let kc: KubeConfig;

  const post = (path: string, body: unknown) =>
    raw(t.server, path, { method: 'POST', body: JSON.stringify(body), headers: JSON_HEADERS });
  const conditionsOf = async (name: string) =>
    Object.fromEntries(
      (await raw(t.server, `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`))
        .json<{ status: { conditions?: Condition[] } }>()
        .status.conditions?.map((c) => [c.type, c]) ?? [],
    ) as Record<string, Condition>;
  const established = (name: string) =>
    eventually(async () => expect((await conditionsOf(name)).Established?.status).toBe('True'));
  const expectStatus = (r: RawResponse, status: number) => {
    if (r.status !== status) {
      throw new Error(`expected ${status}, got ${r.status}: ${r.text}`);
    }
  };

  beforeAll(async () => {
    t = await startTestServer();
    kc = loadKubeConfig(t.server.kubeconfigPath);
    expectStatus(
      await post('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd('gizmos', 'Gizmo')),
      201,
    );
    await established('gizmos.test.nimbus.dev');
  });

  afterAll(async () => {
    await t?.stop();
  });

  it('should refuse an invalid CRD with a 422 naming the fields', async () => {
    const bad = crd('things', 'Thing');
    bad.metadata.name = 'things.elsewhere.dev';
    bad.spec.versions[0].storage = false;
    const r = await post('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', bad);
    expect(r.status).toBe(422);
    const status = r.json<{ message: string; details: { causes: { field: string }[] } }>();
    expect(status.message).toContain(
      'CustomResourceDefinition.apiextensions.k8s.io "things.elsewhere.dev" is invalid',
    );
    expect(status.details.causes.map((c) => c.field)).toEqual(
      expect.arrayContaining(['metadata.name', 'spec.versions']),
    );
  });

  it('should refuse names another CRD of the group accepted (NamesAccepted False)', async () => {
    const clash = crd('gadgets', 'Gizmo');
    expectStatus(await post('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', clash), 201);
    await eventually(async () => {
      const conditions = await conditionsOf('gadgets.test.nimbus.dev');
      expect(conditions.NamesAccepted).toMatchObject({
        status: 'False',
        reason: 'ListKindConflict',
        message: '"GizmoCollection" is already in use',
      });
      expect(conditions.Established).toMatchObject({
        status: 'False',
        reason: 'NotAccepted',
        message: 'not all names are accepted',
      });
    });
    expect((await raw(t.server, '/apis/test.nimbus.dev/v1/gadgets')).status).toBe(404);
  });

  it('should publish new group versions in discovery and OpenAPI, and withdraw them', async () => {
    const rootBefore = await raw(t.server, '/openapi/v3');
    expectStatus(
      await post(
        '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
        crd('clusterthings', 'ClusterThing', 'cluster.nimbus.dev', 'Cluster'),
      ),
      201,
    );
    await established('clusterthings.cluster.nimbus.dev');
    const aggregated = (
      await raw(t.server, '/apis', {
        headers: { Accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' },
      })
    ).json<{
      items: {
        metadata: { name: string };
        versions: { resources: { resource: string; scope: string }[] }[];
      }[];
    }>();
    const group = aggregated.items.find((g) => g.metadata.name === 'cluster.nimbus.dev');
    expect(group?.versions[0].resources).toEqual([
      expect.objectContaining({ resource: 'clusterthings', scope: 'Cluster' }),
    ]);
    const root = (await raw(t.server, '/openapi/v3')).json<{
      paths: Record<string, { serverRelativeURL: string }>;
    }>();
    expect(root.paths['apis/cluster.nimbus.dev/v1'].serverRelativeURL).toMatch(/\?hash=[0-9A-F]+$/);
    expect((await raw(t.server, '/openapi/v3')).headers.etag).not.toBe(rootBefore.headers.etag);
    const doc = (await raw(t.server, '/openapi/v3/apis/cluster.nimbus.dev/v1')).json<{
      paths: Record<string, unknown>;
    }>();
    expect(Object.keys(doc.paths)).toContain('/apis/cluster.nimbus.dev/v1/clusterthings/{name}');

    expectStatus(
      await post('/apis/cluster.nimbus.dev/v1/clusterthings', {
        apiVersion: 'cluster.nimbus.dev/v1',
        kind: 'ClusterThing',
        metadata: { name: 'one' },
        spec: { value: 'x' },
      }),
      201,
    );
    const deleted = await raw(
      t.server,
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/clusterthings.cluster.nimbus.dev',
      { method: 'DELETE' },
    );
    expect(deleted.status).toBe(200);
    await eventually(async () =>
      expect(
        (
          await raw(
            t.server,
            '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/clusterthings.cluster.nimbus.dev',
          )
        ).status,
      ).toBe(404),
    );
    expect((await raw(t.server, '/apis/cluster.nimbus.dev')).status).toBe(404);
    const after = (await raw(t.server, '/openapi/v3')).json<{ paths: Record<string, unknown> }>();
    expect(after.paths['apis/cluster.nimbus.dev/v1']).toBeUndefined();
  });

  it('should feed a client-node informer and the generic object API', async () => {
    const objects = KubernetesObjectApi.makeApiClient(kc);
    const seen: string[] = [];
    const informer = createResilientInformer<KubernetesObject>(
      kc,
      '/apis/test.nimbus.dev/v1/namespaces/default/gizmos',
      () => objects.list<KubernetesObject>('test.nimbus.dev/v1', 'Gizmo', 'default'),
      {
        add: (o) => seen.push(`add ${o.metadata?.name}`),
        update: (o) => seen.push(`update ${o.metadata?.name}`),
        delete: (o) => seen.push(`delete ${o.metadata?.name}`),
      },
      { initialBackoffMs: 100 },
    );
    await informer.start();
    try {
      const gizmo = {
        apiVersion: 'test.nimbus.dev/v1',
        kind: 'Gizmo',
        metadata: { name: 'g1', namespace: 'default' },
        spec: { value: 'a' },
      };
      await objects.create(gizmo);
      await objects.patch(
        { ...gizmo, spec: { value: 'b' } },
        undefined,
        undefined,
        undefined,
        undefined,
        PatchStrategy.MergePatch,
      );
      const read = await objects.read({
        apiVersion: 'test.nimbus.dev/v1',
        kind: 'Gizmo',
        metadata: { name: 'g1', namespace: 'default' },
      });
      expect((read as { spec: { value: string } }).spec.value).toBe('b');
      await objects.delete(gizmo);
      await eventually(() => expect(seen).toEqual(['add g1', 'update g1', 'delete g1']));
    } finally {
      await informer.stop();
    }
  });

  it('should collect garbage across built-in and custom kinds', async () => {
    const owner = (
      await post('/apis/test.nimbus.dev/v1/namespaces/default/gizmos', {
        metadata: { name: 'owner' },
        spec: { value: 'o' },
      })
    ).json<{ metadata: { uid: string } }>();
    const ref = (kind: string, apiVersion: string, name: string, uid: string) => ({
      ownerReferences: [{ apiVersion, kind, name, uid }],
    });
    expectStatus(
      await post('/api/v1/namespaces/default/configmaps', {
        metadata: {
          name: 'dependent',
          ...ref('Gizmo', 'test.nimbus.dev/v1', 'owner', owner.metadata.uid),
        },
      }),
      201,
    );
    const cm = (
      await post('/api/v1/namespaces/default/configmaps', { metadata: { name: 'cm-owner' } })
    ).json<{
      metadata: { uid: string };
    }>();
    expectStatus(
      await post('/apis/test.nimbus.dev/v1/namespaces/default/gizmos', {
        metadata: { name: 'owned', ...ref('ConfigMap', 'v1', 'cm-owner', cm.metadata.uid) },
      }),
      201,
    );
    await raw(t.server, '/apis/test.nimbus.dev/v1/namespaces/default/gizmos/owner', {
      method: 'DELETE',
    });
    await raw(t.server, '/api/v1/namespaces/default/configmaps/cm-owner', { method: 'DELETE' });
    await eventually(async () => {
      expect((await raw(t.server, '/api/v1/namespaces/default/configmaps/dependent')).status).toBe(
        404,
      );
      expect(
        (await raw(t.server, '/apis/test.nimbus.dev/v1/namespaces/default/gizmos/owned')).status,
      ).toBe(404);
    });
  });

  it('should delete custom resources with their namespace', async () => {
    expectStatus(await post('/api/v1/namespaces', { metadata: { name: 'doomed' } }), 201);
    expectStatus(
      await post('/apis/test.nimbus.dev/v1/namespaces/doomed/gizmos', { metadata: { name: 'g' } }),
      201,
    );
    await raw(t.server, '/api/v1/namespaces/doomed', { method: 'DELETE' });
    await eventually(async () => {
      expect((await raw(t.server, '/api/v1/namespaces/doomed')).status).toBe(404);
    }, 30_000);
    expect(
      (await raw(t.server, '/apis/test.nimbus.dev/v1/gizmos')).json<{ items: unknown[] }>().items,
    ).toEqual([]);
    // Lists carry the CRD's listKind.
    expect(
      (await raw(t.server, '/apis/test.nimbus.dev/v1/gizmos')).json<{ kind: string }>().kind,
    ).toBe('GizmoCollection');
  });

  it('should keep a CRD Terminating while a custom resource holds a finalizer', async () => {
    const base = '/apis/test.nimbus.dev/v1/namespaces/default/gizmos';
    expectStatus(
      await post(base, { metadata: { name: 'held', finalizers: ['example.com/hold'] } }),
      201,
    );
    const free = await post(base, { metadata: { name: 'free' } });
    expectStatus(free, 201);
    // Custom resources start at generation 1 with or without a spec.
    expect(free.json<{ metadata: { generation: number } }>().metadata.generation).toBe(1);
    const crdPath =
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gizmos.test.nimbus.dev';
    const marked = (await raw(t.server, crdPath, { method: 'DELETE' })).json<{
      metadata: { finalizers: string[]; deletionTimestamp?: string };
    }>();
    expect(marked.metadata.finalizers).toEqual(['customresourcecleanup.apiextensions.k8s.io']);
    expect(marked.metadata.deletionTimestamp).toBeDefined();
    await eventually(async () => {
      expect((await conditionsOf('gizmos.test.nimbus.dev')).Terminating).toMatchObject({
        status: 'True',
        reason: 'InstanceDeletionInProgress',
        message: 'CustomResource deletion is in progress',
      });
      expect((await raw(t.server, `${base}/free`)).status).toBe(404);
    });
    const discovered = (await raw(t.server, '/apis/test.nimbus.dev/v1')).json<{
      resources: { name: string; verbs: string[] }[];
    }>();
    expect(discovered.resources.find((r) => r.name === 'gizmos')?.verbs).toEqual([
      'delete',
      'deletecollection',
      'get',
      'list',
      'watch',
    ]);
    const refused = await post(base, { metadata: { name: 'late' } });
    expect(refused.status).toBe(403);
    expect(refused.json<{ message: string }>().message).toBe(
      'gizmos.test.nimbus.dev "late" is forbidden: create not allowed while custom resource definition is terminating',
    );
    expectStatus(
      await raw(t.server, `${base}/held`, {
        method: 'PATCH',
        body: JSON.stringify({ metadata: { finalizers: null } }),
        headers: MERGE_HEADERS,
      }),
      200,
    );
    await eventually(async () => expect((await raw(t.server, crdPath)).status).toBe(404));
    // The conflicting CRD's names are free now: it gets established.
    await established('gadgets.test.nimbus.dev');
  });
});
