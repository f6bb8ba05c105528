import { raw } from './support/raw-client';
import { startTestServer, type TestServer } from './support/test-server';

// Field ownership and field validation (api-compat.md §8 and §3.2): managedFields on every
// write, server-side apply conflicts with their causes, and unknown/duplicate fields under
// ?fieldValidation=Ignore|Warn|Strict.
jest.setTimeout(60_000);

interface Entry {
  manager: string;
  operation: string;
  apiVersion: string;
  time?: string;
  fieldsType: string;
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}
type Obj = {
  metadata: {
    name: string;
    resourceVersion: string;
    managedFields?: Entry[];
    labels?: Record<string, string>;
  };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
};

describe('managedFields and field validation', () => {
  let t: TestServer;
  const svcs = '/api/v1/namespaces/default/services';
  const cms = '/api/v1/namespaces/default/configmaps';

  const send = (
    method: string,
    path: string,
    body: unknown,
    contentType = 'application/json',
    headers: Record<string, string> = {},
  ) =>
    raw(t.server, path, {
      method,
      body: typeof body === 'string' ? body : JSON.stringify(body),
      headers: { 'Content-Type': contentType, ...headers },
    });
  const apply = (name: string, manager: string, spec: Record<string, unknown>, force = false) =>
    send(
      'PATCH',
      `${svcs}/${name}?fieldManager=${manager}${force ? '&force=true' : ''}`,
      { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec },
      'application/apply-patch+yaml',
    );
  const managers = (o: Obj) =>
    (o.metadata.managedFields ?? []).map(
      (e) => `${e.manager}/${e.operation}${e.subresource ? `/${e.subresource}` : ''}`,
    );

  beforeAll(async () => {
    t = await startTestServer();
  });

  afterAll(async () => {
    await t?.stop();
  });

  it('should record the creating manager from the User-Agent, with upstream FieldsV1', async () => {
    const res = await send(
      'POST',
      cms,
      { metadata: { name: 'owned', labels: { app: 'x' } }, data: { a: '1' } },
      'application/json',
      { 'User-Agent': 'helm/v3.17.0 (linux/amd64) kubernetes/abc' },
    );
    const cm = res.json<Obj>();
    expect(cm.metadata.managedFields).toEqual([
      {
        manager: 'helm',
        operation: 'Update',
        apiVersion: 'v1',
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:data': { '.': {}, 'f:a': {} },
          'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
        },
      },
    ]);
    // Another manager takes over what it changes; a no-op keeps everything as it is.
    const patched = (
      await send(
        'PATCH',
        `${cms}/owned?fieldManager=editor`,
        { data: { a: '2', b: '3' } },
        'application/merge-patch+json',
      )
    ).json<Obj>();
    const byManager = Object.fromEntries(
      (patched.metadata.managedFields ?? []).map((e) => [e.manager, e.fieldsV1]),
    );
    expect(byManager.editor).toEqual({ 'f:data': { 'f:a': {}, 'f:b': {} } });
    // helm keeps the map itself (a member without children is written as {}).
    expect(byManager.helm).toEqual({
      'f:data': {},
      'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
    });
    const again = (
      await send(
        'PATCH',
        `${cms}/owned?fieldManager=editor`,
        { data: { a: '2' } },
        'application/merge-patch+json',
      )
    ).json<Obj>();
    expect(again.metadata.resourceVersion).toBe(patched.metadata.resourceVersion);
  });

  it('should validate the fieldManager and refuse force on non-apply patches', async () => {
    const long = await send('POST', `${cms}?fieldManager=${'m'.repeat(129)}`, {
      metadata: { name: 'x' },
    });
    expect(long.json()).toMatchObject({
      code: 422,
      message:
        'CreateOptions.meta.k8s.io "" is invalid: fieldManager: Too long: may not be more than 128 bytes',
    });
    const force = await send(
      'PATCH',
      `${cms}/owned?force=true`,
      { data: {} },
      'application/merge-patch+json',
    );
    expect(force.json()).toMatchObject({
      code: 422,
      message:
        'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch',
    });
    const noManager = await send(
      'PATCH',
      `${svcs}/x`,
      { apiVersion: 'v1', kind: 'Service' },
      'application/apply-patch+yaml',
    );
    expect(noManager.json()).toMatchObject({
      code: 422,
      message:
        'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
    });
  });

  it('should report apply conflicts with their causes, and move ownership on force', async () => {
    const ports = [{ port: 80, targetPort: 8080 }];
    expect((await apply('web', 'alice', { ports, selector: { app: 'web' } })).status).toBe(201);
    // The same values co-own without conflict; a different value conflicts.
    expect((await apply('web', 'bob', { ports })).status).toBe(200);
    await send(
      'PATCH',
      `${svcs}/web?fieldManager=kubectl-edit`,
      { spec: { sessionAffinity: 'ClientIP' } },
      'application/merge-patch+json',
    );
    const conflict = await apply('web', 'carol', {
      ports: [{ port: 80, targetPort: 9090 }],
      sessionAffinity: 'None',
    });
    expect(conflict.status).toBe(409);
    const status = conflict.json<{
      message: string;
      reason: string;
      details: { causes: { reason: string; message: string; field: string }[] };
    }>();
    expect(status.reason).toBe('Conflict');
    expect(status.message).toBe(
      [
        'Apply failed with 3 conflicts: conflicts with "alice":',
        '- .spec.ports[port=80,protocol="TCP"].targetPort',
        'conflicts with "bob":',
        '- .spec.ports[port=80,protocol="TCP"].targetPort',
        'conflicts with "kubectl-edit" using v1:',
        '- .spec.sessionAffinity',
      ].join('\n'),
    );
    expect(status.details.causes).toEqual(
      expect.arrayContaining([
        {
          reason: 'FieldManagerConflict',
          message: 'conflict with "kubectl-edit" using v1',
          field: '.spec.sessionAffinity',
        },
        {
          reason: 'FieldManagerConflict',
          message: 'conflict with "alice"',
          field: '.spec.ports[port=80,protocol="TCP"].targetPort',
        },
      ]),
    );
    const single = await apply('web', 'dave', { sessionAffinity: 'None' });
    expect(single.json<{ message: string }>().message).toBe(
      'Apply failed with 1 conflict: conflict with "kubectl-edit" using v1: .spec.sessionAffinity',
    );
    const forced = (
      await apply(
        'web',
        'carol',
        { ports: [{ port: 80, targetPort: 9090 }], sessionAffinity: 'None' },
        true,
      )
    ).json<Obj>();
    expect(forced.spec).toMatchObject({
      sessionAffinity: 'None',
      ports: [{ port: 80, targetPort: 9090 }],
    });
    expect(managers(forced)).toEqual(
      expect.arrayContaining(['alice/Apply', 'bob/Apply', 'carol/Apply']),
    );
    expect(managers(forced)).not.toContain('kubectl-edit/Update');
  });

  it('should prune what an applier stops applying unless someone else owns it', async () => {
    await apply('prune', 'one', { ports: [{ port: 80 }, { port: 81 }], selector: { a: 'b' } });
    const pruned = (await apply('prune', 'one', { ports: [{ port: 80 }] })).json<Obj>();
    expect((pruned.spec?.ports as { port: number }[]).map((p) => p.port)).toEqual([80]);
    expect(pruned.spec?.selector).toBeUndefined();
    await apply('prune', 'two', { ports: [{ port: 80 }] });
    const kept = (await apply('prune', 'one', { ports: [{ port: 90 }] })).json<Obj>();
    expect((kept.spec?.ports as { port: number }[]).map((p) => p.port).sort()).toEqual([80, 90]);
  });

  it('should track status writers with subresource status', async () => {
    const status = await send(
      'PATCH',
      `${svcs}/web/status?fieldManager=cloud-controller-manager`,
      { status: { loadBalancer: { ingress: [{ ip: '203.0.113.7' }] } } },
      'application/merge-patch+json',
    );
    const entry = status
      .json<Obj>()
      .metadata.managedFields?.find((e) => e.manager === 'cloud-controller-manager');
    expect(entry).toMatchObject({
      operation: 'Update',
      subresource: 'status',
      fieldsV1: { 'f:status': { 'f:loadBalancer': { 'f:ingress': {} } } },
    });
  });

  it('should warn about, refuse or ignore unknown and duplicate fields per fieldValidation', async () => {
    const body = '{"metadata":{"name":"v1","name":"val"},"data":{"a":"1"},"spec":{"x":1}}';
    const warned = await send('POST', cms, body);
    expect(warned.status).toBe(201);
    expect(warned.headers.warning).toBe(
      '299 - "duplicate field \\"metadata.name\\"", 299 - "unknown field \\"spec\\""',
    );
    expect(warned.json()).not.toHaveProperty('spec');
    const strict = await send(
      'POST',
      `${cms}?fieldValidation=Strict`,
      body.replace(/val/, 'strict'),
    );
    expect(strict.json()).toMatchObject({
      code: 400,
      reason: 'BadRequest',
      message:
        'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: duplicate field "metadata.name", unknown field "spec"',
    });
    const ignored = await send(
      'POST',
      `${cms}?fieldValidation=Ignore`,
      body.replace(/val/, 'ignored'),
    );
    expect(ignored.status).toBe(201);
    expect(ignored.headers.warning).toBeUndefined();
    const wrongType = await send('POST', cms, { metadata: { name: 'typed' }, immutable: 'yes' });
    expect(wrongType.json()).toMatchObject({
      code: 400,
      message:
        'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal string into Go struct field ConfigMap.immutable of type bool',
    });
    const strictPatch = await send(
      'PATCH',
      `${cms}/val?fieldValidation=Strict`,
      { spec: { x: 1 } },
      'application/merge-patch+json',
    );
    expect(strictPatch.status).toBe(422);
    expect(strictPatch.json<{ message: string }>().message).toMatch(
      /^ "" is invalid: patch: Invalid value: ".*": strict decoding error: unknown field "spec"$/,
    );
    const badDirective = await send('POST', `${cms}?fieldValidation=Loud`, {
      metadata: { name: 'z' },
    });
    expect(badDirective.json()).toMatchObject({
      code: 422,
      message:
        'CreateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "Loud": supported values: "", "Ignore", "Strict", "Warn"',
    });
  });

  it('should refuse unknown fields in apply configurations', async () => {
    const res = await send(
      'PATCH',
      `${cms}/applied?fieldManager=tool`,
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'applied' },
        data: { a: '1' },
        spec: { x: 1 },
      },
      'application/apply-patch+yaml',
    );
    expect(res.json()).toMatchObject({
      code: 400,
      message:
        'failed to create typed patch object (/applied; /v1, Kind=ConfigMap): .spec: field not declared in schema',
    });
  });
});
