import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { raw } from './support/raw-client';
import {
  eventually,
  kubectlChecks,
  kubectlFor,
  requireKubectl,
  startTestServer,
  type Kubectl,
  type TestServer,
} from './support/test-server';

// CustomResourceDefinitions end to end through the real kubectl: a CRD becomes Established, its
// kind is discovered, explained, validated, pruned, defaulted, printed, scaled and deleted.
const fixtures = join(__dirname, 'fixtures');
jest.setTimeout(120_000);

const widget = (name: string, spec: Record<string, unknown>) =>
  JSON.stringify({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name }, spec });

describe('CustomResourceDefinitions', () => {
  let t: TestServer;
  let k: Kubectl;
  let work: string;

  const { ok } = kubectlChecks(() => k);

  beforeAll(async () => {
    requireKubectl();
    t = await startTestServer();
    work = mkdtempSync(join(tmpdir(), 'nimbus-crd-'));
    k = kubectlFor(t.server.kubeconfigPath, join(work, 'cache'));
    // A warm discovery cache from before the CRD, as a user's kubectl has.
    await ok(['get', 'pods']);
    await ok(['apply', '-f', join(fixtures, 'crd-widgets.yaml')]);
    await ok(['wait', '--for=condition=Established', 'crd/widgets.example.com', '--timeout=60s']);
  });

  afterAll(async () => {
    await t?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('should accept the names and establish the CRD with upstream conditions', async () => {
    const crd = JSON.parse(await ok(['get', 'crd', 'widgets.example.com', '-o', 'json'])) as {
      status: {
        conditions: { type: string; status: string; reason: string; message: string }[];
        acceptedNames: Record<string, unknown>;
        storedVersions: string[];
      };
    };
    const byType = Object.fromEntries(crd.status.conditions.map((c) => [c.type, c]));
    expect(byType.NamesAccepted).toMatchObject({
      status: 'True',
      reason: 'NoConflicts',
      message: 'no conflicts found',
    });
    expect(byType.Established).toMatchObject({
      status: 'True',
      reason: 'InitialNamesAccepted',
      message: 'the initial names have been accepted',
    });
    expect(crd.status.acceptedNames).toMatchObject({
      plural: 'widgets',
      singular: 'widget',
      kind: 'Widget',
      listKind: 'WidgetList',
      shortNames: ['wd'],
      categories: ['all'],
    });
    expect(crd.status.storedVersions).toEqual(['v1']);
  });

  it('should discover the kind with its short name, category and subresources', async () => {
    const resources = await ok(['api-resources', '--api-group', 'example.com']);
    expect(resources).toMatch(/widgets\s+wd\s+example\.com\/v1\s+true\s+Widget/);
    const list = (await raw(t.server, '/apis/example.com/v1')).json<{
      resources: { name: string; kind: string; verbs: string[] }[];
    }>();
    expect(list.resources.map((r) => r.name)).toEqual([
      'widgets',
      'widgets/status',
      'widgets/scale',
    ]);
    const group = (await raw(t.server, '/apis/example.com')).json<{
      preferredVersion: { version: string };
      versions: { version: string }[];
    }>();
    expect(group.versions.map((v) => v.version).sort()).toEqual(['v1', 'v1beta1']);
    expect(group.preferredVersion.version).toBe('v1');
  });

  it('should create, default and print custom resources with the printer columns', async () => {
    await ok(['apply', '-f', '-'], widget('w1', { color: 'red', replicas: 2 }));
    const w1 = JSON.parse(await ok(['get', 'widget', 'w1', '-o', 'json'])) as {
      spec: Record<string, unknown>;
      metadata: { generation: number };
    };
    expect(w1.spec).toEqual({ color: 'red', replicas: 2, size: 10 });
    expect(w1.metadata.generation).toBe(1);
    const table = await ok(['get', 'wd']);
    expect(table.split('\n')[0]).toMatch(/^NAME\s+COLOR\s+REPLICAS\s+AGE$/);
    expect(table).toMatch(/^w1\s+red\s+2\s+\d+s$/m);
    const wide = await ok(['get', 'widgets.example.com', '-o', 'wide']);
    expect(wide.split('\n')[0]).toMatch(/^NAME\s+COLOR\s+REPLICAS\s+SIZE\s+AGE$/);
    expect(await ok(['get', 'all'])).toContain('widget.example.com/w1');
    expect(await ok(['describe', 'widget', 'w1'])).toMatch(/^Name:\s+w1$/m);
    expect((await ok(['get', 'crd'])).split('\n')[0]).toMatch(/^NAME\s+CREATED AT$/);
  });

  it('should refuse invalid custom resources with 422 errors naming the fields', async () => {
    const r = await k(['apply', '-f', '-'], {
      input: widget('bad', { color: 'purple', size: 500, name: 'Abc', replicas: 'two' }),
    });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('The Widget "bad" is invalid');
    expect(r.stderr).toContain(
      'spec.color: Unsupported value: "purple": supported values: "red", "green", "blue"',
    );
    expect(r.stderr).toContain(
      'spec.size: Invalid value: 500: spec.size in body should be less than or equal to 100',
    );
    expect(r.stderr).toContain(
      `spec.name: Invalid value: "Abc": spec.name in body should match '^[a-z]+$'`,
    );
    expect(r.stderr).toContain(
      'spec.replicas: Invalid value: "two": spec.replicas in body must be of type integer: "string"',
    );
    const cel = await k(['create', '-f', '-'], {
      input: widget('bad', { color: 'red', replicas: 60 }),
    });
    expect(cel.stderr).toContain('spec: Invalid value: "object": replicas must be at most 50');
    const missing = await k(['create', '-f', '-'], { input: widget('bad', { size: 3 }) });
    expect(missing.stderr).toContain('spec.color: Required value');
    expect((await k(['get', 'widget', 'bad'])).code).not.toBe(0);
  });

  it('should prune unknown fields, report them, and keep preserved ones', async () => {
    const body = widget('w2', { color: 'blue', bogus: 1, extra: { anything: { goes: true } } });
    const warned = await raw(t.server, '/apis/example.com/v1/namespaces/default/widgets', {
      method: 'POST',
      body,
      headers: { 'Content-Type': 'application/json' },
    });
    expect(warned.status).toBe(201);
    expect(warned.headers.warning).toContain('unknown field \\"spec.bogus\\"');
    expect(warned.json<{ spec: Record<string, unknown> }>().spec).toEqual({
      color: 'blue',
      size: 10,
      extra: { anything: { goes: true } },
    });
    const strict = await raw(
      t.server,
      '/apis/example.com/v1/namespaces/default/widgets?fieldValidation=Strict',
      {
        method: 'POST',
        body: widget('w3', { color: 'blue', bogus: 1 }),
        headers: { 'Content-Type': 'application/json' },
      },
    );
    expect(strict.status).toBe(400);
    expect(strict.json<{ message: string }>().message).toBe(
      'Widget in version "v1" cannot be handled as a Widget: strict decoding error: unknown field "spec.bogus"',
    );
  });

  it('should serve the status and scale subresources so kubectl scale works', async () => {
    await ok([
      'patch',
      'widget',
      'w1',
      '--subresource',
      'status',
      '--type',
      'merge',
      '-p',
      JSON.stringify({ status: { replicas: 2, selector: 'app=w1' } }),
    ]);
    await ok(['scale', 'widget/w1', '--replicas=5']);
    const w1 = JSON.parse(await ok(['get', 'widget', 'w1', '-o', 'json'])) as {
      spec: { replicas: number };
      status: { replicas: number };
      metadata: { generation: number };
    };
    expect(w1.spec.replicas).toBe(5);
    expect(w1.status.replicas).toBe(2);
    expect(w1.metadata.generation).toBe(2);
    const scale = (
      await raw(t.server, '/apis/example.com/v1/namespaces/default/widgets/w1/scale')
    ).json();
    expect(scale).toMatchObject({
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      spec: { replicas: 5 },
      status: { replicas: 2, selector: 'app=w1' },
    });
    // Status in a main-resource write is ignored.
    await ok([
      'patch',
      'widget',
      'w1',
      '--type',
      'merge',
      '-p',
      JSON.stringify({ status: { replicas: 9 } }),
    ]);
    expect(await ok(['get', 'widget', 'w1', '-o', 'jsonpath={.status.replicas}'])).toBe('2');
  });

  it('should apply server-side with managed fields and conflicts', async () => {
    expect(
      await ok(['apply', '--server-side', '-f', '-'], widget('ssa', { color: 'green', size: 4 })),
    ).toBe('widget.example.com/ssa serverside-applied\n');
    const conflict = await k(['apply', '--server-side', '--field-manager', 'other', '-f', '-'], {
      input: widget('ssa', { color: 'blue' }),
    });
    expect(conflict.code).not.toBe(0);
    expect(conflict.stderr).toContain(
      'Apply failed with 1 conflict: conflict with "kubectl": .spec.color',
    );
    await ok(
      ['apply', '--server-side', '--force-conflicts', '--field-manager', 'other', '-f', '-'],
      widget('ssa', { color: 'blue' }),
    );
    const ssa = JSON.parse(
      await ok(['get', 'widget', 'ssa', '-o', 'json', '--show-managed-fields']),
    ) as {
      spec: Record<string, unknown>;
      metadata: { managedFields: { manager: string; operation: string }[] };
    };
    expect(ssa.spec).toEqual({ color: 'blue', size: 4 });
    expect(ssa.metadata.managedFields.map((m) => `${m.manager}/${m.operation}`).sort()).toEqual([
      'kubectl/Apply',
      'other/Apply',
    ]);
    const invalid = await k(['apply', '--server-side', '-f', '-'], {
      input: widget('ssa-bad', { color: 'pink' }),
    });
    expect(invalid.stderr).toContain('spec.color: Unsupported value: "pink"');
    await ok(['delete', 'widget', 'ssa']);
  });

  it('should refuse strategic merge patches and accept json patches', async () => {
    const smp = await k(['patch', 'widget', 'w1', '-p', '{"spec":{"size":3}}']);
    expect(smp.code).not.toBe(0);
    expect(smp.stderr).toContain('the body of the request was in an unknown format');
    await ok([
      'patch',
      'widget',
      'w1',
      '--type',
      'json',
      '-p',
      '[{"op":"replace","path":"/spec/size","value":3}]',
    ]);
    expect(await ok(['get', 'widget', 'w1', '-o', 'jsonpath={.spec.size}'])).toBe('3');
  });

  it('should serve every served version with apiVersion rewritten (conversion None)', async () => {
    const beta = (
      await raw(t.server, '/apis/example.com/v1beta1/namespaces/default/widgets/w1')
    ).json<{ apiVersion: string; spec: { color: string } }>();
    expect(beta.apiVersion).toBe('example.com/v1beta1');
    const deprecated = await raw(t.server, '/apis/example.com/v1beta1/namespaces/default/widgets');
    expect(deprecated.headers.warning).toBe(
      '299 - "example.com/v1beta1 Widget is deprecated; use example.com/v1 Widget"',
    );
    expect(beta.spec.color).toBe('red');
    const created = await raw(t.server, '/apis/example.com/v1beta1/namespaces/default/widgets', {
      method: 'POST',
      body: JSON.stringify({
        apiVersion: 'example.com/v1beta1',
        kind: 'Widget',
        metadata: { name: 'beta' },
        spec: { color: 'green', anything: 'kept by v1beta1' },
      }),
      headers: { 'Content-Type': 'application/json' },
    });
    expect(created.status).toBe(201);
    const v1 = (await raw(t.server, '/apis/example.com/v1/namespaces/default/widgets/beta')).json<{
      apiVersion: string;
      spec: Record<string, unknown>;
    }>();
    expect(v1.apiVersion).toBe('example.com/v1');
    // Read through v1: its schema prunes what v1beta1 preserved and applies v1's defaults.
    expect(v1.spec).toEqual({ color: 'green', size: 10 });
  });

  it('should explain the kind from the published OpenAPI', async () => {
    const out = await ok(['explain', 'widgets.spec']);
    expect(out).toContain('What the widget should be.');
    expect(out).toMatch(/color\s+<string> -required-/);
    const v2 = await ok(['explain', 'widget.spec.color', '--output=plaintext-openapiv2']);
    expect(v2).toContain('The colour of the widget.');
  });

  it('should work with kubectl 1.27, which validates and explains through /openapi/v2', async () => {
    const dir = dirname(
      realpathSync(execFileSync('sh', ['-c', 'command -v kubectl']).toString().trim()),
    );
    const bin = join(dir, 'kubectl.1.27');
    if (!existsSync(bin)) {
      console.warn(`kubectl 1.27 is not installed next to kubectl (${dir}): skipped`);
      return;
    }
    const run = (args: string[], input?: string) =>
      new Promise<{ code: number; out: string }>((resolve) => {
        const child = execFile(
          bin,
          [
            '--kubeconfig',
            t.server.kubeconfigPath,
            '--cache-dir',
            join(work, 'cache-1.27'),
            ...args,
          ],
          { timeout: 60_000 },
          (error, stdout, stderr) => resolve({ code: error ? 1 : 0, out: `${stdout}${stderr}` }),
        );
        child.stdin?.end(input ?? '');
      });
    const applied = await run(['apply', '-f', '-'], widget('old-client', { color: 'green' }));
    expect(applied).toEqual({ code: 0, out: 'widget.example.com/old-client created\n' });
    const refused = await run(
      ['apply', '-f', '-'],
      widget('typo', { color: 'green', colour: 'x' }),
    );
    expect(refused.code).toBe(1);
    expect(refused.out).toContain('strict decoding error: unknown field "spec.colour"');
    const explained = await run(['explain', 'widget.spec.color']);
    expect(explained.out).toContain('The colour of the widget.');
  });

  it('should select by labels and metadata fields and watch through the shared storage', async () => {
    await ok(['label', 'widget', 'w2', 'tier=gold']);
    expect(await ok(['get', 'widgets', '-l', 'tier=gold', '-o', 'name'])).toBe(
      'widget.example.com/w2\n',
    );
    expect(await ok(['get', 'widgets', '--field-selector', 'metadata.name=w1', '-o', 'name'])).toBe(
      'widget.example.com/w1\n',
    );
    // spec.color is a selectableField; other fields are not.
    expect(await ok(['get', 'widgets', '--field-selector', 'spec.color=blue', '-o', 'name'])).toBe(
      'widget.example.com/w2\n',
    );
    const bad = await k(['get', 'widgets', '--field-selector', 'spec.size=10']);
    expect(bad.stderr).toContain('field label not supported: spec.size');
  });

  it('should serve an updated CRD at once (kubectl apply of a changed CRD)', async () => {
    const yaml = readFileSync(join(fixtures, 'crd-widgets.yaml'), 'utf8').replace(
      'name: Color',
      'name: Colour',
    );
    expect(await ok(['apply', '-f', '-'], yaml)).toBe(
      'customresourcedefinition.apiextensions.k8s.io/widgets.example.com configured\n',
    );
    await eventually(async () =>
      expect((await ok(['get', 'widgets'])).split('\n')[0]).toMatch(/^NAME\s+COLOUR\s+/),
    );
  });

  it('should survive a restart with the CRD re-registered', async () => {
    await t.restart();
    expect(await ok(['get', 'widget', 'w1', '-o', 'jsonpath={.spec.color}'])).toBe('red');
  });

  it('should delete the custom resources with the CRD and then the CRD itself', async () => {
    await ok(['delete', 'crd', 'widgets.example.com', '--wait=true', '--timeout=60s']);
    expect((await k(['get', 'crd', 'widgets.example.com'])).code).not.toBe(0);
    const gone = await raw(t.server, '/apis/example.com/v1/namespaces/default/widgets');
    expect(gone.status).toBe(404);
    // The storage is empty: a CRD of the same name starts without the old objects.
    await ok(['apply', '-f', join(fixtures, 'crd-widgets.yaml')]);
    await ok(['wait', '--for=condition=Established', 'crd/widgets.example.com', '--timeout=60s']);
    await eventually(async () => {
      const items = (await raw(t.server, '/apis/example.com/v1/widgets')).json<{
        items: unknown[];
      }>();
      expect(items.items).toEqual([]);
    });
  });
});
