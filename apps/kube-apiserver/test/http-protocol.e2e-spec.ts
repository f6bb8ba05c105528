import { raw, stream } from './support/raw-client';
import {
  createServiceAccount,
  eventually,
  startTestServer,
  type TestServer,
} from './support/test-server';

// What the typed clients hide: auth, headers, content types, Tables, watch framing.
jest.setTimeout(30_000);

const AGGREGATED =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json';
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

describe('HTTP protocol', () => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer({ heartbeatMs: 200, bookmarkMs: 300 });
    await createServiceAccount(t.server);
    await raw(t.server, '/api/v1/namespaces/default/pods', {
      method: 'POST',
      body: JSON.stringify({
        metadata: { name: 'web-1', labels: { app: 'web' } },
        spec: { containers: [{ name: 'c', image: 'x' }] },
      }),
      headers: { 'Content-Type': 'application/json' },
    });
  });

  afterAll(async () => {
    await t?.stop();
  });

  it('should answer anonymous requests with a 401 Status but serve health and version', async () => {
    const denied = await raw(t.server, '/api/v1/pods', { anonymous: true });
    expect(denied.status).toBe(401);
    expect(denied.json()).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    expect(
      (await raw(t.server, '/api/v1/pods', { headers: { Authorization: 'Bearer wrong' } })).status,
    ).toBe(401);
    expect((await raw(t.server, '/healthz', { anonymous: true })).text).toBe('ok');
    expect((await raw(t.server, '/readyz', { anonymous: true })).status).toBe(200);
    expect((await raw(t.server, '/version', { anonymous: true })).json()).toMatchObject({
      major: '1',
      minor: '32',
    });
  });

  it("should list the health checks with ?verbose, skip ?exclude ones and answer one check's path", async () => {
    const readyz = await raw(t.server, '/readyz?verbose&exclude=log&exclude=nope', {
      anonymous: true,
    });
    expect(readyz.status).toBe(200);
    expect(readyz.text.split('\n')).toEqual([
      '[+]ping ok',
      '[+]log excluded: ok',
      '[+]etcd ok',
      '[+]poststarthook/start-system-namespaces-controller ok',
      '[+]poststarthook/bootstrap-controller ok',
      '[+]poststarthook/rbac/bootstrap-roles ok',
      '[+]poststarthook/scheduling/bootstrap-system-priority-classes ok',
      '[+]shutdown ok',
      'warn: some health checks cannot be excluded: no matches for "nope"',
      'readyz check passed',
      '',
    ]);
    // livez has no shutdown check; a check's own path needs credentials, as any non-resource URL.
    expect((await raw(t.server, '/livez?verbose', { anonymous: true })).text).not.toContain(
      'shutdown',
    );
    expect((await raw(t.server, '/livez/etcd')).text).toBe('ok');
    expect((await raw(t.server, '/readyz/shutdown')).text).toBe('ok');
    expect((await raw(t.server, '/livez/etcd', { anonymous: true })).status).toBe(401);
    expect((await raw(t.server, '/livez/shutdown')).status).toBe(404);
  });

  it('should accept component tokens from the token file', async () => {
    const token = t.server.tokenFor('system:cloud-controller-manager');
    expect(token).toBeDefined();
    expect(
      (await raw(t.server, '/api/v1/nodes', { headers: { Authorization: `Bearer ${token}` } }))
        .status,
    ).toBe(200);
  });

  it('should serve aggregated discovery with the exact content type, legacy otherwise', async () => {
    const aggregated = await raw(t.server, '/apis', { headers: { Accept: AGGREGATED } });
    expect(aggregated.headers['content-type']).toBe(
      'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
    );
    const groups = aggregated
      .json<{ items: { metadata: { name: string } }[] }>()
      .items.map((i) => i.metadata.name);
    expect(groups).toEqual(
      expect.arrayContaining([
        'storage.k8s.io',
        'coordination.k8s.io',
        'discovery.k8s.io',
        'events.k8s.io',
      ]),
    );
    const core = await raw(t.server, '/api', { headers: { Accept: AGGREGATED } });
    const pods = core
      .json<{
        items: {
          versions: {
            resources: {
              resource: string;
              shortNames?: string[];
              subresources?: { subresource: string }[];
            }[];
          }[];
        }[];
      }>()
      .items[0].versions[0].resources.find((r) => r.resource === 'pods');
    expect(pods).toMatchObject({
      shortNames: ['po'],
      subresources: expect.arrayContaining([expect.objectContaining({ subresource: 'status' })]),
    });
    expect((await raw(t.server, '/api')).json()).toMatchObject({
      kind: 'APIVersions',
      versions: ['v1'],
    });
    expect((await raw(t.server, '/apis')).json()).toMatchObject({ kind: 'APIGroupList' });
  });

  it('should cache OpenAPI documents by hash and redirect stale hashes', async () => {
    const root = (await raw(t.server, '/openapi/v3')).json<{
      paths: Record<string, { serverRelativeURL: string }>;
    }>();
    const url = root.paths['api/v1'].serverRelativeURL;
    const doc = await raw(t.server, url);
    expect(doc.headers['cache-control']).toBe('public, immutable');
    expect(doc.headers.etag).toBeDefined();
    const paths = doc.json<{
      paths: Record<string, { patch: { parameters: { name: string }[] } }>;
    }>().paths;
    expect(
      paths['/api/v1/namespaces/{namespace}/pods/{name}'].patch.parameters.map((p) => p.name),
    ).toContain('fieldValidation');
    const stale = await raw(t.server, '/openapi/v3/api/v1?hash=STALE');
    expect(stale.status).toBe(301);
    expect(stale.headers.location).toBe(url);
    const v2 = await raw(t.server, '/openapi/v2');
    expect(v2.status).toBe(200);
    expect(
      (await raw(t.server, '/openapi/v2', { headers: { 'If-None-Match': v2.headers.etag ?? '' } }))
        .status,
    ).toBe(304);
  });

  it('should render Tables with upstream columns and includeObject', async () => {
    const table = (
      await raw(t.server, '/api/v1/namespaces/default/pods', { headers: { Accept: TABLE } })
    ).json<{
      kind: string;
      metadata: { resourceVersion: string };
      columnDefinitions: { name: string; priority: number }[];
      rows: { cells: unknown[]; object?: { kind: string } }[];
    }>();
    expect(table.kind).toBe('Table');
    expect(table.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(table.columnDefinitions.filter((c) => c.priority === 0).map((c) => c.name)).toEqual([
      'Name',
      'Ready',
      'Status',
      'Restarts',
      'Age',
    ]);
    expect(table.rows[0].cells.slice(0, 3)).toEqual(['web-1', '0/1', 'Pending']);
    expect(table.rows[0].object?.kind).toBe('PartialObjectMetadata');
    const bare = (
      await raw(t.server, '/api/v1/namespaces/default/pods?includeObject=None', {
        headers: { Accept: TABLE },
      })
    ).json<{ rows: object[] }>();
    expect(bare.rows[0]).not.toHaveProperty('object');
    // LimitRanges print as upstream's default Table does (printLimitRange: Name, Created At).
    const limitRanges = (
      await raw(t.server, '/api/v1/namespaces/default/limitranges', {
        headers: { Accept: TABLE },
      })
    ).json<{ columnDefinitions: { name: string }[] }>();
    expect(limitRanges.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Created At']);
    const quotas = (
      await raw(t.server, '/api/v1/namespaces/default/resourcequotas', {
        headers: { Accept: TABLE },
      })
    ).json<{ columnDefinitions: { name: string }[] }>();
    expect(quotas.columnDefinitions.map((c) => c.name)).toEqual([
      'Name',
      'Age',
      'Request',
      'Limit',
    ]);
  });

  it('should refuse unknown body types with 415 and wrong verbs with 405', async () => {
    const proto = await raw(t.server, '/api/v1/namespaces/default/configmaps', {
      method: 'POST',
      body: Buffer.from('k8s\0junk', 'binary'),
      headers: { 'Content-Type': 'application/cbor' },
    });
    expect(proto.status).toBe(415);
    expect(proto.json()).toMatchObject({ reason: 'UnsupportedMediaType' });
    const patch = await raw(t.server, '/api/v1/namespaces/default/pods/web-1', {
      method: 'PATCH',
      body: '{}',
      headers: { 'Content-Type': 'text/plain' },
    });
    expect(patch.status).toBe(415);
    expect(
      (await raw(t.server, '/api/v1/namespaces/default/pods', { method: 'PUT', body: '{}' }))
        .status,
    ).toBe(405);
    expect((await raw(t.server, '/api/v1', { method: 'POST', body: '{}' })).status).toBe(405);
  });

  it('should reject invalid objects with 422 naming the field and change nothing', async () => {
    const before = (await raw(t.server, '/api/v1/namespaces/default/services')).json<{
      metadata: { resourceVersion: string };
    }>().metadata.resourceVersion;
    const bad = await raw(t.server, '/api/v1/namespaces/default/services', {
      method: 'POST',
      body: JSON.stringify({ metadata: { name: 'bad' }, spec: { ports: [{ port: 70000 }] } }),
      headers: { 'Content-Type': 'application/json' },
    });
    expect(bad.status).toBe(422);
    expect(bad.json()).toMatchObject({
      reason: 'Invalid',
      details: { causes: [{ field: 'spec.ports[0].port' }] },
    });
    const after = (await raw(t.server, '/api/v1/namespaces/default/services')).json<{
      metadata: { resourceVersion: string };
    }>().metadata.resourceVersion;
    expect(after).toBe(before);
  });

  it('should stream watch events with heartbeats, bookmarks and selector transitions', async () => {
    const w = await stream(
      t.server,
      '/api/v1/namespaces/default/pods?watch=1&labelSelector=app%3Dweb&allowWatchBookmarks=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan',
    );
    await eventually(() => expect(w.lines()[0]).toContain('"type":"ADDED"'));
    await eventually(() => expect(w.lines()[1]).toContain('k8s.io/initial-events-end'));
    await raw(t.server, '/api/v1/namespaces/default/pods/web-1', {
      method: 'PATCH',
      body: JSON.stringify({ metadata: { labels: { app: 'other' } } }),
      headers: { 'Content-Type': 'application/merge-patch+json' },
    });
    await eventually(() =>
      expect(w.lines().some((l) => l.startsWith('{"type":"DELETED"'))).toBe(true),
    );
    await eventually(() =>
      expect(w.lines().filter((l) => l.includes('"type":"BOOKMARK"')).length).toBeGreaterThan(1),
    );
    await eventually(() => expect(w.text()).toMatch(/\n\n/));
    w.close();
  });

  it('should page lists with continue tokens and refuse old exact versions', async () => {
    for (const name of ['page-a', 'page-b', 'page-c']) {
      await raw(t.server, '/api/v1/namespaces/default/configmaps', {
        method: 'POST',
        body: JSON.stringify({ metadata: { name, labels: { page: 'yes' } } }),
        headers: { 'Content-Type': 'application/json' },
      });
    }
    type Page = {
      metadata: { continue?: string; remainingItemCount?: number };
      items: { metadata: { name: string } }[];
    };
    const first = (
      await raw(t.server, '/api/v1/namespaces/default/configmaps?labelSelector=page&limit=2')
    ).json<Page>();
    expect(first.items.map((i) => i.metadata.name)).toEqual(['page-a', 'page-b']);
    // Like etcd-backed servers, the count is only given for lists without selectors.
    expect(first.metadata.remainingItemCount).toBeUndefined();
    const second = (
      await raw(
        t.server,
        `/api/v1/namespaces/default/configmaps?labelSelector=page&limit=2&continue=${first.metadata.continue ?? ''}`,
      )
    ).json<Page>();
    expect(second.items.map((i) => i.metadata.name)).toEqual(['page-c']);
    expect(second.metadata.continue).toBeUndefined();
    t.server.compact();
    const old = await raw(
      t.server,
      '/api/v1/namespaces/default/configmaps?resourceVersion=1&resourceVersionMatch=Exact',
    );
    expect(old.status).toBe(410);
    expect(
      (await raw(t.server, '/api/v1/namespaces/default/configmaps?continue=garbage')).status,
    ).toBe(400);
  });

  it('should serve the legacy /watch/ paths as watches', async () => {
    const w = await stream(t.server, '/api/v1/watch/namespaces/default/pods?timeoutSeconds=1');
    await w.ended;
    expect(w.lines()[0]).toContain('"type":"ADDED"');
  });

  it('should delete collections by selector', async () => {
    for (const name of ['dc-1', 'dc-2', 'dc-keep']) {
      await raw(t.server, '/api/v1/namespaces/default/configmaps', {
        method: 'POST',
        body: JSON.stringify({
          metadata: { name, labels: { drop: name === 'dc-keep' ? 'no' : 'yes' } },
        }),
        headers: { 'Content-Type': 'application/json' },
      });
    }
    const deleted = await raw(
      t.server,
      '/api/v1/namespaces/default/configmaps?labelSelector=drop%3Dyes',
      { method: 'DELETE' },
    );
    expect(deleted.json<{ items: unknown[] }>().items).toHaveLength(2);
    const left = (
      await raw(t.server, '/api/v1/namespaces/default/configmaps?labelSelector=drop')
    ).json<{ items: { metadata: { name: string } }[] }>();
    expect(left.items.map((i) => i.metadata.name)).toEqual(['dc-keep']);
  });

  it('should answer a delete with a Status or the object as upstream does', async () => {
    await raw(t.server, '/api/v1/nodes', {
      method: 'POST',
      body: JSON.stringify({ metadata: { name: 'gone' } }),
      headers: { 'Content-Type': 'application/json' },
    });
    const node = await raw(t.server, '/api/v1/nodes/gone', { method: 'DELETE' });
    expect(node.json()).toMatchObject({
      kind: 'Status',
      status: 'Success',
      details: { name: 'gone', kind: 'nodes' },
    });
    await raw(t.server, '/api/v1/persistentvolumes', {
      method: 'POST',
      body: JSON.stringify({ metadata: { name: 'pv' }, spec: {} }),
      headers: { 'Content-Type': 'application/json' },
    });
    expect(
      (await raw(t.server, '/api/v1/persistentvolumes/pv', { method: 'DELETE' })).json(),
    ).toMatchObject({ kind: 'PersistentVolume' });
  });

  it('should serve events.k8s.io/v1 as a view of core/v1 events', async () => {
    const watch = await stream(
      t.server,
      '/apis/events.k8s.io/v1/namespaces/default/events?watch=1',
    );
    const created = await raw(t.server, '/apis/events.k8s.io/v1/namespaces/default/events', {
      method: 'POST',
      body: JSON.stringify({
        metadata: { name: 'web-1.scheduled' },
        eventTime: '2026-11-26T19:00:00.5Z',
        reportingController: 'nimbus/ccm',
        reportingInstance: 'ccm-1',
        action: 'Binding',
        reason: 'Scheduled',
        note: 'assigned to node-1',
        type: 'Normal',
        regarding: { kind: 'Pod', name: 'web-1', namespace: 'default' },
      }),
      headers: { 'Content-Type': 'application/json' },
    });
    expect(created.status).toBe(201);
    expect(created.json()).toMatchObject({
      apiVersion: 'events.k8s.io/v1',
      note: 'assigned to node-1',
      eventTime: '2026-11-26T19:00:00.500000Z',
    });
    const core = (await raw(t.server, '/api/v1/namespaces/default/events/web-1.scheduled')).json();
    expect(core).toMatchObject({
      apiVersion: 'v1',
      message: 'assigned to node-1',
      involvedObject: { kind: 'Pod', name: 'web-1' },
      reportingComponent: 'nimbus/ccm',
    });
    expect(core).not.toHaveProperty('note');
    const selected = (
      await raw(
        t.server,
        '/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dweb-1',
      )
    ).json<{ items: unknown[] }>();
    expect(selected.items).toHaveLength(1);
    await eventually(() =>
      expect(watch.lines().some((l) => l.includes('"note":"assigned to node-1"'))).toBe(true),
    );
    watch.close();
  });

  it('should bind pods to nodes once and evict them', async () => {
    const json = { 'Content-Type': 'application/json' };
    await raw(t.server, '/api/v1/namespaces/default/pods', {
      method: 'POST',
      body: JSON.stringify({
        metadata: { name: 'bind-me' },
        spec: { containers: [{ name: 'c', image: 'x' }] },
      }),
      headers: json,
    });
    const binding = JSON.stringify({
      metadata: { name: 'bind-me' },
      target: { kind: 'Node', name: 'node-a' },
    });
    const bound = await raw(t.server, '/api/v1/namespaces/default/pods/bind-me/binding', {
      method: 'POST',
      body: binding,
      headers: json,
    });
    expect(bound.status).toBe(201);
    expect(bound.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      code: 201,
    });
    const pod = (await raw(t.server, '/api/v1/namespaces/default/pods/bind-me')).json<{
      metadata: { managedFields: { manager: string; operation: string }[] };
      spec: { nodeName: string };
      status: { conditions: { type: string; status: string; lastProbeTime: null }[] };
    }>();
    expect(pod.spec.nodeName).toBe('node-a');
    // BindingREST writes storage directly: the pod's managedFields still show only its creation.
    expect(pod.metadata.managedFields).toEqual([expect.objectContaining({ operation: 'Update' })]);
    expect(pod.metadata.managedFields[0]).not.toHaveProperty('subresource');
    expect(pod.status.conditions).toEqual([
      expect.objectContaining({ type: 'PodScheduled', status: 'True', lastProbeTime: null }),
    ]);
    const again = await raw(t.server, '/api/v1/namespaces/default/pods/bind-me/binding', {
      method: 'POST',
      body: binding,
      headers: json,
    });
    expect(again.status).toBe(409);
    expect(again.json<{ message: string; details: unknown }>()).toMatchObject({
      reason: 'Conflict',
      message:
        'Operation cannot be fulfilled on pods/binding "bind-me": pod bind-me is already assigned to node "node-a"',
      details: { name: 'bind-me', kind: 'pods/binding' },
    });
    const eviction = JSON.stringify({
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name: 'bind-me' },
      deleteOptions: { gracePeriodSeconds: 0 },
    });
    expect(
      (
        await raw(t.server, '/api/v1/namespaces/default/pods/bind-me/eviction', {
          method: 'POST',
          body: eviction,
          headers: json,
        })
      ).status,
    ).toBe(201);
    expect((await raw(t.server, '/api/v1/namespaces/default/pods/bind-me')).status).toBe(404);
  });

  it('should refuse a second server on the same data dir', async () => {
    await expect(startTestServer({}, t.dataDir)).rejects.toThrow(
      /already used by another api-server/,
    );
    expect((await raw(t.server, '/readyz')).status).toBe(200);
  });

  it('should expose Prometheus metrics', async () => {
    const metrics = await raw(t.server, '/metrics');
    expect(metrics.text).toContain(
      'apiserver_request_total{verb="LIST",group="",resource="pods",code="200"}',
    );
    expect(metrics.text).toMatch(/apiserver_registered_watchers \d+/);
  });
});
