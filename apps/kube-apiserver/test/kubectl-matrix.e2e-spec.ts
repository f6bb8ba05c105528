import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { environmentWith } from '@app/config';
import { createServiceAccount, startTestServer, type TestServer } from './support/test-server';

// The kubectl compatibility matrix: the everyday flow with every kubectl minor from 1.27 to 1.33
// found next to the kubectl dispatcher, against one shared server. Minors that are not
// installed are skipped (and say so); the flows of installed minors run a few at a time.
jest.setTimeout(300_000);

const MINORS = ['1.27', '1.28', '1.29', '1.30', '1.31', '1.32', '1.33'];
const PARALLEL_FLOWS = 3;

function kubectlDir(): string | undefined {
  try {
    const which = execFileSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).trim();
    return dirname(realpathSync(which));
  } catch {
    return undefined;
  }
}

const dir = kubectlDir();
const installed = MINORS.filter((m) => dir && existsSync(join(dir, `kubectl.${m}`)));
const missing = MINORS.filter((m) => !installed.includes(m));

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Admits at most `n` flows at a time (the machine has two cores). */
function limiter(n: number) {
  let running = 0;
  const queue: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running >= n) {
      await new Promise<void>((resolve) => queue.push(resolve));
    }
    running++;
    try {
      return await task();
    } finally {
      running--;
      queue.shift()?.();
    }
  };
}
const limit = limiter(PARALLEL_FLOWS);

describe('kubectl compatibility matrix', () => {
  let t: TestServer;
  let work: string;

  beforeAll(async () => {
    t = await startTestServer();
    work = mkdtempSync(join(tmpdir(), 'nimbus-kubectl-matrix-'));
  });

  afterAll(async () => {
    await t?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  for (const minor of missing) {
    it.skip(`kubectl ${minor}: not installed next to the kubectl dispatcher`, () => undefined);
  }

  it.concurrent.each(installed)('kubectl %s: the everyday flow', (minor) =>
    limit(async () => {
      const bin = join(dir as string, `kubectl.${minor}`);
      const ns = `matrix-${minor.replace('.', '-')}`;
      const files = mkdtempSync(join(work, `${ns}-`));
      const k = (args: string[], options: { input?: string } = {}) =>
        new Promise<Result>((resolve) => {
          const child = execFile(
            bin,
            ['--kubeconfig', t.server.kubeconfigPath, '--cache-dir', join(files, 'cache'), ...args],
            { env: environmentWith({}), timeout: 60_000 },
            (error, stdout, stderr) =>
              resolve({
                code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
                stdout,
                stderr,
              }),
          );
          child.stdin?.end(options.input);
        });
      const ok = async (args: string[], options?: { input?: string }) => {
        const r = await k(args, options);
        if (r.code !== 0) {
          throw new Error(
            `kubectl ${minor} ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`,
          );
        }
        return r.stdout;
      };
      const manifest = (port: number, value: string) => {
        const path = join(files, `objects-${port}-${value}.yaml`);
        writeFileSync(
          path,
          [
            'apiVersion: v1',
            'kind: ConfigMap',
            'metadata:',
            '  name: settings',
            `  namespace: ${ns}`,
            'data:',
            `  mode: "${value}"`,
            '---',
            'apiVersion: v1',
            'kind: Service',
            'metadata:',
            '  name: web',
            `  namespace: ${ns}`,
            'spec:',
            '  selector: {app: web}',
            '  ports:',
            `  - port: ${port}`,
            '    targetPort: 8080',
            '---',
            'apiVersion: v1',
            'kind: Pod',
            'metadata:',
            '  name: web-0',
            `  namespace: ${ns}`,
            '  labels: {app: web}',
            'spec:',
            '  containers:',
            '  - name: web',
            '    image: nginx',
            '',
          ].join('\n'),
        );
        return path;
      };

      await ok(['create', 'namespace', ns]);
      // What the serviceaccount controller does in every namespace (pods need it).
      await createServiceAccount(t.server, ns);

      // create, client-side apply (created / unchanged / configured)
      const v1 = manifest(80, 'a');
      expect(await ok(['apply', '-f', v1])).toMatch(
        /configmap\/settings created[\s\S]*service\/web created[\s\S]*pod\/web-0 created/,
      );
      expect(await ok(['apply', '-f', v1])).toMatch(/configmap\/settings unchanged/);
      const v2 = manifest(81, 'b');
      expect(await ok(['apply', '-f', v2])).toMatch(
        /configmap\/settings configured[\s\S]*service\/web configured/,
      );

      // get -o wide / yaml (managedFields hidden unless asked), describe
      expect(await ok(['get', 'pods', '-n', ns, '-o', 'wide'])).toMatch(
        /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE/,
      );
      const yaml = await ok(['get', 'service', 'web', '-n', ns, '-o', 'yaml']);
      expect(yaml).toContain('port: 81');
      expect(yaml).not.toContain('managedFields');
      expect(
        await ok(['get', 'service', 'web', '-n', ns, '-o', 'yaml', '--show-managed-fields']),
      ).toContain('manager: kubectl-client-side-apply');
      expect(await ok(['describe', 'service', 'web', '-n', ns])).toMatch(
        /Name:\s+web[\s\S]*Port:\s+<unset>\s+81\/TCP/,
      );

      // label, annotate, patch of every type
      expect(await ok(['label', 'pod', 'web-0', '-n', ns, 'tier=front'])).toContain('labeled');
      // kubectl 1.27 prints "annotate" (fixed in 1.28).
      expect(await ok(['annotate', 'pod', 'web-0', '-n', ns, 'note=hi'])).toMatch(
        /pod\/web-0 annotated?/,
      );
      // patch: strategic (kubectl's default), merge and JSON patch
      for (const [type, body] of [
        ['strategic', '{"data":{"smp":"1"}}'],
        ['merge', '{"data":{"merge":"1"}}'],
        ['json', '[{"op":"add","path":"/data/json","value":"1"}]'],
      ]) {
        const args = ['patch', 'configmap', 'settings', '-n', ns, '--type', type, '-p', body];
        expect(await ok(args)).toContain('patched');
      }

      // server-side apply: kubectl takes over its client-side-applied fields, others conflict
      const v3 = manifest(82, 'c');
      expect(await ok(['apply', '--server-side', '-f', v3])).toContain('serverside-applied');
      const conflict = await k([
        'apply',
        '--server-side',
        '--field-manager',
        `other-${minor}`,
        '-f',
        manifest(83, 'd'),
      ]);
      expect(conflict.code).not.toBe(0);
      expect(conflict.stderr).toMatch(
        /Apply failed with \d+ conflicts?: conflicts? with "kubectl"/,
      );
      const forcedAsOther = [
        '--server-side',
        '--force-conflicts',
        '--field-manager',
        `other-${minor}`,
      ];
      expect(await ok(['apply', ...forcedAsOther, '-f', manifest(83, 'd')])).toContain(
        'serverside-applied',
      );

      // scale (apps/v1 Deployment has the scale subresource)
      await ok(['create', 'deployment', 'scaled', '-n', ns, '--image', 'nginx']);
      expect(await ok(['scale', 'deployment/scaled', '-n', ns, '--replicas', '2'])).toContain(
        'scaled',
      );
      const scaled = JSON.parse(
        await ok(['get', 'deployment/scaled', '-n', ns, '-o', 'json', '--show-managed-fields']),
      ) as {
        spec: { replicas: number };
        metadata: { managedFields: { subresource?: string }[] };
      };
      expect(scaled.spec.replicas).toBe(2);
      expect(scaled.metadata.managedFields.map((e) => e.subresource)).toContain('scale');

      // diff: exit 1 with the change, 0 without
      const diff = await k(['diff', '-f', manifest(84, 'e')]);
      expect(diff.code).toBe(1);
      // Ports are a keyed list: kubectl's 82 and the other manager's 83 both live; 82 becomes 84.
      expect(diff.stdout).toMatch(/-\s+mode: d[\s\S]*\+\s+mode: e/);
      expect(diff.stdout).toMatch(/-\s+- port: 82[\s\S]*\+\s+- port: 84/);
      expect((await k(['diff', ...forcedAsOther, '-f', manifest(83, 'd')])).code).toBe(0);

      // explain (OpenAPI v3, and v2 through its protobuf form)
      expect(await ok(['explain', 'pods.spec.containers.image'])).toMatch(
        /FIELD:\s+image <string>|FIELDS?:?\s+image/,
      );
      expect(await ok(['explain', 'services.spec.ports', '--output=plaintext-openapiv2'])).toMatch(
        /RESOURCE: ports <\[\]Object>/,
      );

      // auth can-i (SelfSubjectAccessReview; RBAC enforced): the admin may, a ServiceAccount
      // with no binding may not (impersonated with --as).
      expect((await ok(['auth', 'can-i', 'create', 'deployments', '-n', ns])).trim()).toBe('yes');
      const sa = `system:serviceaccount:${ns}:nobody`;
      const denied = await k(['auth', 'can-i', 'list', 'pods', '-n', ns, '--as', sa]);
      expect([denied.code, denied.stdout.trim()]).toEqual([1, 'no']);

      // wait: jsonpath, then deletion
      const waited = k([
        'wait',
        '--for=jsonpath={.data.ready}=yes',
        'configmap/settings',
        '-n',
        ns,
        '--timeout=30s',
      ]);
      await ok([
        'patch',
        'configmap',
        'settings',
        '-n',
        ns,
        '--type',
        'merge',
        '-p',
        '{"data":{"ready":"yes"}}',
      ]);
      expect((await waited).stdout).toContain('condition met');

      // delete (and wait for it)
      expect(await ok(['delete', '-f', manifest(84, 'e')])).toMatch(
        /configmap "settings" deleted[\s\S]*pod "web-0" deleted/,
      );
      expect((await k(['get', 'pod', 'web-0', '-n', ns])).stderr).toContain('NotFound');
      await ok(['delete', 'namespace', ns, '--wait=false']);
    }),
  );
});
