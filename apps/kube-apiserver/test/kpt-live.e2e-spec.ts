import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { environmentWith } from '@app/config';
import { raw } from './support/raw-client';
import { startTestServer, type TestServer } from './support/test-server';

// kpt, a Go client built on client-go and cli-utils, as its users run it (api-compat.md §10's
// acceptance run): `kpt live init`, installing the ResourceGroup CRD, applying a package that
// defines a CRD and uses it (applied in dependency order, waiting for Established), kstatus
// reconciliation through watches, pruning what the package dropped, and destroy. Skipped when
// kpt is not installed.
jest.setTimeout(240_000);

function kptInstalled(): boolean {
  try {
    execFileSync('kpt', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const installed = kptInstalled();
const describeKpt = installed ? describe : describe.skip;
if (!installed) {
  console.warn('kpt is not on the PATH: the kpt live acceptance run is skipped');
}

interface Run {
  code: number;
  out: string;
}

const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer, default: 3}
`;

const PACKAGE: Record<string, string> = {
  'namespace.yaml': `apiVersion: v1
kind: Namespace
metadata:
  name: kpt-app
`,
  'crd.yaml': CRD,
  'widget.yaml': `apiVersion: example.com/v1
kind: Widget
metadata:
  name: gear
  namespace: kpt-app
spec: {}
`,
  'configmap.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: kpt-app
data:
  mode: fast
`,
  'service.yaml': `apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: kpt-app
spec:
  selector: {app: web}
  ports:
  - port: 80
`,
};

describeKpt('kpt live (a client-go / cli-utils client)', () => {
  let t: TestServer;
  let home: string;
  let pkg: string;

  const kpt = (args: string[]) =>
    new Promise<Run>((resolve) => {
      execFile(
        'kpt',
        args,
        {
          cwd: pkg,
          // Its own HOME: kpt's discovery cache stays out of the user's ~/.kube.
          env: environmentWith({ HOME: home, KUBECONFIG: t.server.kubeconfigPath }),
          encoding: 'utf8',
          timeout: 180_000,
        },
        (error, stdout, stderr) =>
          resolve({
            code: error ? Number((error as { code?: number }).code ?? 1) : 0,
            out: `${stdout}\n${stderr}`,
          }),
      );
    });
  const ok = async (args: string[]) => {
    const run = await kpt(args);
    if (run.code !== 0) {
      throw new Error(`kpt ${args.join(' ')} exited ${run.code}:\n${run.out}`);
    }
    return run.out;
  };
  const status = async (path: string) => (await raw(t.server, path)).status;

  beforeAll(async () => {
    t = await startTestServer();
    home = mkdtempSync(join(tmpdir(), 'nimbus-kpt-'));
    pkg = join(home, 'package');
    execFileSync('mkdir', [pkg]);
    for (const [name, body] of Object.entries(PACKAGE)) {
      writeFileSync(join(pkg, name), body);
    }
  });

  afterAll(async () => {
    await t?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('should initialise the inventory and install the ResourceGroup CRD', async () => {
    expect(await ok(['live', 'init', '.'])).toContain('success');
    expect(await ok(['live', 'install-resource-group'])).toContain(
      'installing inventory ResourceGroup CRD...success',
    );
    expect(await status('/apis/apiextensions.k8s.io/v1/customresourcedefinitions')).toBe(200);
    expect(
      await status(
        '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/resourcegroups.kpt.dev',
      ),
    ).toBe(200);
  });

  it('should apply a package with its own CRD, then see every object reconciled', async () => {
    const out = await ok(['live', 'apply', '.', '--reconcile-timeout=2m']);
    expect(out).toContain('apply result: 5 attempted, 5 successful, 0 skipped, 0 failed');
    expect(out).toContain('reconcile result: 5 attempted, 5 successful');
    expect(out).toContain(
      'customresourcedefinition.apiextensions.k8s.io/widgets.example.com reconcile successful',
    );
    const widget = await raw(t.server, '/apis/example.com/v1/namespaces/kpt-app/widgets/gear');
    expect(widget.json<{ spec: { size: number } }>().spec.size).toBe(3);
    const statusOut = await ok(['live', 'status', '.']);
    expect(statusOut).toMatch(/widget\.example\.com\/kpt-app\/gear is Current/);
    expect(statusOut).toMatch(/service\/kpt-app\/web is Current/);
  });

  it('should prune what the package no longer holds', async () => {
    unlinkSync(join(pkg, 'configmap.yaml'));
    const out = await ok(['live', 'apply', '.', '--reconcile-timeout=2m']);
    expect(out).toContain('configmap/settings prune successful');
    expect(out).toContain('prune result: 1 attempted, 1 successful');
    expect(await status('/api/v1/namespaces/kpt-app/configmaps/settings')).toBe(404);
    expect(await status('/api/v1/namespaces/kpt-app/services/web')).toBe(200);
  });

  it('should destroy the package, custom resources and CRD included', async () => {
    const out = await ok(['live', 'destroy', '.']);
    expect(out).toContain('delete result: 4 attempted, 4 successful, 0 skipped, 0 failed');
    expect(await status('/apis/example.com/v1/namespaces/kpt-app/widgets/gear')).toBe(404);
    expect(
      await status('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com'),
    ).toBe(404);
  });
});
