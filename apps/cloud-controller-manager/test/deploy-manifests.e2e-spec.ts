import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { KubeApiServerConfig, validateConfig } from '@app/config';
import { tempDir } from '@app/testing';
import { startKubeApiServer, type RunningKubeApiServer } from '../../kube-apiserver/src';

jest.setTimeout(120_000);

const REPO = resolve(__dirname, '../../..');
const run = promisify(execFile);

/**
 * `deploy/` as users apply it: every overlay renders with `kubectl kustomize` and the built-in
 * api-server accepts every object of the output in a server-side dry run (validation, defaulting,
 * namespaces) without storing anything. The Deployment needs apps/v1 in the api-server.
 */
describe('deploy/ manifests (kubectl kustomize | kubectl apply --dry-run=server)', () => {
  let server: RunningKubeApiServer;
  const dir = tempDir('nimbus-deploy-');

  beforeAll(async () => {
    server = await startKubeApiServer(
      validateConfig(KubeApiServerConfig, { port: 0, dataDir: dir.path, logLevel: 'silent' }),
    );
  });

  afterAll(async () => {
    await server?.close();
    dir.remove();
  });

  const kubectl = async (args: string[], input?: string): Promise<string> => {
    const child = run('kubectl', ['--kubeconfig', server.kubeconfigPath, ...args], {
      cwd: REPO,
      timeout: 60_000,
    });
    if (input !== undefined) {
      child.child.stdin!.end(input);
    }
    return (await child).stdout;
  };

  it.each(['kind', 'minikube', 'k3d', 'host-run'])(
    'should apply deploy/overlays/%s in a server-side dry run',
    async (overlay) => {
      const manifests = (
        await run('kubectl', ['kustomize', `deploy/overlays/${overlay}`], { cwd: REPO })
      ).stdout;
      const kinds = [...manifests.matchAll(/^kind: (\w+)$/gm)].map((m) => m[1]);
      const out = await kubectl(['apply', '--dry-run=server', '-f', '-'], manifests);
      const lines = out.trim().split('\n');
      expect(lines).toHaveLength(kinds.length);
      for (const line of lines) {
        expect(line).toMatch(/ created \(server dry run\)$/);
      }
      // A dry run stores nothing.
      await expect(
        kubectl(['get', 'serviceaccount', '-n', 'kube-system', 'nimbus-cloud-controller-manager']),
      ).rejects.toThrow(/NotFound/);
      if (overlay !== 'host-run') {
        expect(kinds).toEqual(
          expect.arrayContaining(['ServiceAccount', 'ClusterRole', 'Role', 'Secret', 'Deployment']),
        );
      }
    },
  );
});
