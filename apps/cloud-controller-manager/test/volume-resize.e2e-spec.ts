import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  kubectlFor,
  requireKubectl,
  type Kubectl,
} from '../../kube-apiserver/test/support/test-server';
import { CcmHarness, holdsFor, waitFor } from './harness';
import {
  DRIVER,
  E2E_TIMEOUT,
  VOLUME_CONTROLLERS,
  audit,
  eventsFor,
  getClaim,
  getPv,
  joinNode,
  patchClaimStatus,
  provisionBound,
  waitForEvent,
  startVolumeKcm,
} from './volume-e2e';

// Expansion as external-resizer (Kubernetes 1.32, RecoverVolumeExpansionFailure on). The
// kubelet's node-side file-system step is played by the test (`finishFileSystemResize`).
jest.setTimeout(120_000);

const RESIZER = `external-resizer ${DRIVER}`;
let h: CcmHarness;
let kubectl: Kubectl;
let work: string;

beforeAll(async () => {
  requireKubectl();
  h = await CcmHarness.start();
  await startVolumeKcm(h);
  await h.startCcm({ controllers: VOLUME_CONTROLLERS });
  work = mkdtempSync(join(tmpdir(), 'nimbus-resize-'));
  kubectl = kubectlFor(h.apiserver.kubeconfigPath, join(work, 'cache'));
  await joinNode(h, 'rs-a', { zone: 'nimbus-1a' });
});

afterAll(async () => {
  await h?.close();
  rmSync(work, { recursive: true, force: true });
});

const resizeTo = (claim: string, storage: string) =>
  kubectl([
    'patch',
    'pvc',
    claim,
    '--type',
    'merge',
    '-p',
    JSON.stringify({ spec: { resources: { requests: { storage } } } }),
  ]);

const conditionTypes = async (claim: string) =>
  ((await getClaim(h, claim)).status?.conditions ?? []).map((c) => c.type).sort();

/** The kubelet after NodeExpandVolume: claim capacity = PV capacity, resize state cleared. */
const finishFileSystemResize = (claim: string, capacity: string) =>
  patchClaimStatus(h, claim, {
    status: { capacity: { storage: capacity }, conditions: null, allocatedResourceStatuses: null },
  });

describe('expansion', () => {
  it('Filesystem volume: cloud resize, PV capacity, then FileSystemResizePending until the node grows the file system', async () => {
    const { pv } = await provisionBound(h, 'rs-fs', 'rs-a', { storage: '5Gi' });
    const volumeId = pv.spec?.csi?.volumeHandle ?? '';
    const patched = await resizeTo('rs-fs', '10Gi');
    expect(patched.code).toBe(0);

    const resizing = await waitForEvent(h, 'rs-fs', 'Resizing');
    expect(resizing.message).toBe(`External resizer is resizing volume ${pv.metadata?.name}`);
    expect(resizing.source?.component).toBe(RESIZER);
    const required = await waitForEvent(h, 'rs-fs', 'FileSystemResizeRequired');
    expect(required.message).toBe('Require file system resize of volume on node');

    expect((await h.cloud.volumes.get(volumeId)).sizeGiB).toBe(10);
    const grown = await getPv(h, pv.metadata?.name ?? '');
    expect(grown?.spec?.capacity).toEqual({ storage: '10Gi' });
    expect(grown?.metadata?.annotations?.['volume.alpha.kubernetes.io/pre-resize-capacity']).toBe(
      '5Gi',
    );
    const claim = await getClaim(h, 'rs-fs');
    expect(claim.status?.capacity).toEqual({ storage: '5Gi' });
    expect(claim.status?.allocatedResources).toEqual({ storage: '10Gi' });
    expect(claim.status?.allocatedResourceStatuses).toEqual({ storage: 'NodeResizePending' });
    expect(await conditionTypes('rs-fs')).toEqual(['FileSystemResizePending', 'Resizing']);
    const pending = claim.status?.conditions?.find((c) => c.type === 'FileSystemResizePending');
    expect(pending?.message).toBe(
      'Waiting for user to (re-)start a pod to finish file system resize of volume on node.',
    );
    const describe = await kubectl(['describe', 'pvc', 'rs-fs']);
    expect(describe.stdout).toMatch(/FileSystemResizePending\s+True/);

    await finishFileSystemResize('rs-fs', '10Gi'); // the kubelet's part
    await waitFor(
      async () =>
        (await getPv(h, pv.metadata?.name ?? ''))?.metadata?.annotations?.[
          'volume.alpha.kubernetes.io/pre-resize-capacity'
        ] === undefined,
      { timeoutMs: E2E_TIMEOUT, message: 'pre-resize annotation removed' },
    );
    const resizes = (await audit(h, 'volumes.resize')).filter((e) => e.resourceId === volumeId);
    expect(resizes).toHaveLength(1);
  });

  it('Block volume: no node step, VolumeResizeSuccessful and the claim capacity at once', async () => {
    await provisionBound(h, 'rs-block', 'rs-a', { storage: '4Gi', volumeMode: 'Block' });
    expect((await resizeTo('rs-block', '6Gi')).code).toBe(0);
    const done = await waitForEvent(h, 'rs-block', 'VolumeResizeSuccessful');
    expect(done.message).toBe('Resize volume succeeded');
    const claim = await getClaim(h, 'rs-block');
    expect(claim.status?.capacity).toEqual({ storage: '6Gi' });
    expect(claim.status?.conditions ?? []).toEqual([]);
    expect(claim.status?.allocatedResourceStatuses ?? {}).toEqual({});
    expect(claim.metadata?.annotations?.['volume.kubernetes.io/node-expansion-not-required']).toBe(
      'true',
    );
  });

  it('shrinking is refused by the api-server and never reaches the cloud', async () => {
    await provisionBound(h, 'rs-shrink', 'rs-a', { storage: '8Gi' });
    const refused = await resizeTo('rs-shrink', '4Gi');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(
      'spec.resources.requests.storage: Forbidden: field can not be less than status.capacity',
    );
    await holdsFor(
      async () => (await eventsFor(h, 'rs-shrink', 'Resizing')).length === 0,
      1000,
      'no resize',
    );
  });

  it('beyond the volume type maximum: VolumeResizeFailed and ControllerResizeError (infeasible)', async () => {
    const { pv } = await provisionBound(h, 'rs-huge', 'rs-a', { storage: '4Gi' });
    expect((await resizeTo('rs-huge', '20000Gi')).code).toBe(0);
    const failed = await waitForEvent(h, 'rs-huge', 'VolumeResizeFailed');
    expect(failed.type).toBe('Warning');
    expect(failed.message).toContain(
      `resize volume "${pv.metadata?.name}" by resizer "${RESIZER}" failed: rpc error: code = OutOfRange`,
    );
    const claim = await waitFor(
      async () => {
        const c = await getClaim(h, 'rs-huge');
        return c.status?.allocatedResourceStatuses?.storage === 'ControllerResizeInfeasible' && c;
      },
      { timeoutMs: E2E_TIMEOUT, message: 'ControllerResizeInfeasible' },
    );
    const error = claim.status?.conditions?.find((c) => c.type === 'ControllerResizeError');
    expect(error?.message).toMatch(/^failed to expand pvc with rpc error: code = OutOfRange/);
    expect(claim.status?.capacity).toEqual({ storage: '4Gi' });
  });
});
