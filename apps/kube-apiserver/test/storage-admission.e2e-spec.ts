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

const storageClass = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name },
  provisioner: 'disk.csi.nimbus.dev',
  ...extra,
});
const claim = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name, namespace: 'default' },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec },
});
const asInput = (...objects: object[]) => objects.map((o) => JSON.stringify(o)).join('\n');

/** DefaultStorageClass and PersistentVolumeClaimResize admission, through the real kubectl. */
describe('storage admission plugins (e2e)', () => {
  let t: TestServer;
  let kubectl: Kubectl;
  const cache = mkdtempSync(join(tmpdir(), 'nimbus-kubectl-cache-'));

  const className = async (pvc: string) =>
    (await kubectl(['get', 'pvc', pvc, '-o', 'jsonpath={.spec.storageClassName}'])).stdout;
  const markBound = async (pvc: string) => {
    const bound = await kubectl([
      'patch',
      'pvc',
      pvc,
      '--subresource=status',
      '--type=merge',
      '-p',
      '{"status":{"phase":"Bound","capacity":{"storage":"1Gi"}}}',
    ]);
    expect(bound.stderr).toBe('');
  };
  const grow = (pvc: string, storage: string) =>
    kubectl([
      'patch',
      'pvc',
      pvc,
      '--type=merge',
      '-p',
      JSON.stringify({ spec: { resources: { requests: { storage } } } }),
    ]);

  beforeAll(async () => {
    requireKubectl();
    t = await startTestServer({ logLevel: 'silent' });
    kubectl = kubectlFor(t.server.kubeconfigPath, cache);
  });

  afterAll(async () => {
    await t?.stop();
    rmSync(cache, { recursive: true, force: true });
  });

  it('should give class-less claims the default StorageClass, once there is one', async () => {
    const before = await kubectl(['apply', '-f', '-'], {
      input: asInput(storageClass('standard'), claim('early')),
    });
    expect(before.stderr).toBe('');
    expect(await className('early')).toBe('');

    const after = await kubectl(['apply', '-f', '-'], {
      input: asInput(
        storageClass('ssd', {
          metadata: {
            name: 'ssd',
            annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
          },
          allowVolumeExpansion: true,
        }),
        claim('defaulted'),
        claim('explicit', { storageClassName: 'standard' }),
        claim('no-class', { storageClassName: '' }),
      ),
    });
    expect(after.stderr).toBe('');
    expect(await className('defaulted')).toBe('ssd');
    expect(await className('explicit')).toBe('standard');
    expect(await className('no-class')).toBe('');
    const table = await kubectl(['get', 'storageclass']);
    expect(table.stdout).toMatch(/^ssd \(default\)\s+disk\.csi\.nimbus\.dev/m);
  });

  it("should refuse to grow a claim unless it is bound and its class allows expansion, with upstream's messages", async () => {
    const pending = await grow('defaulted', '2Gi');
    expect(pending.code).not.toBe(0);
    expect(pending.stderr).toContain(
      'Error from server (Forbidden): persistentvolumeclaims "defaulted" is forbidden: Only bound persistent volume claims can be expanded',
    );

    await markBound('explicit');
    const fixed = await grow('explicit', '2Gi');
    expect(fixed.code).not.toBe(0);
    expect(fixed.stderr).toContain(
      'Error from server (Forbidden): persistentvolumeclaims "explicit" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize',
    );
    const unchanged = await kubectl([
      'get',
      'pvc',
      'explicit',
      '-o',
      'jsonpath={.spec.resources.requests.storage}',
    ]);
    expect(unchanged.stdout).toBe('1Gi');

    await markBound('defaulted');
    const expandable = await grow('defaulted', '2Gi');
    expect(expandable.stderr).toBe('');
    expect(expandable.stdout).toContain('persistentvolumeclaim/defaulted patched');
  });
});
