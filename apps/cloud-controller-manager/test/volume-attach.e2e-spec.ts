import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1VolumeAttachment } from '@app/kube-client';
import {
  kubectlFor,
  requireKubectl,
  type Kubectl,
} from '../../kube-apiserver/test/support/test-server';
import { CcmHarness, waitFor } from './harness';
import {
  DRIVER,
  E2E_TIMEOUT,
  VOLUME_CONTROLLERS,
  attach,
  detach,
  getAttachment,
  getPv,
  joinNode,
  provisionBound,
  storageApi,
  startVolumeKcm,
} from './volume-e2e';

// Attach/detach (ccm-behaviour §14 V4, V5, attach limit). KCM's attach/detach controller is
// played by the test: it creates and deletes the VolumeAttachments as that controller would.
jest.setTimeout(120_000);

const FINALIZER = 'external-attacher/disk-csi-nimbus-dev';
let h: CcmHarness;
let kubectl: Kubectl;
let work: string;
const instances: Record<string, string> = {};

beforeAll(async () => {
  requireKubectl();
  h = await CcmHarness.start();
  await startVolumeKcm(h);
  await h.startCcm({ controllers: VOLUME_CONTROLLERS });
  work = mkdtempSync(join(tmpdir(), 'nimbus-attach-'));
  kubectl = kubectlFor(h.apiserver.kubeconfigPath, join(work, 'cache'));
  for (const [name, zone] of [
    ['att-a', 'nimbus-1a'],
    ['att-a2', 'nimbus-1a'],
    ['att-b', 'nimbus-1b'],
  ]) {
    instances[name] = (await joinNode(h, name, { zone, instanceType: 'nb.small' })).instance.id;
  }
});

afterAll(async () => {
  await h?.close();
  rmSync(work, { recursive: true, force: true });
});

const attached = (name: string) =>
  waitFor(
    async () => {
      const va = await getAttachment(h, name);
      return va?.status?.attached === true && va;
    },
    { timeoutMs: E2E_TIMEOUT, message: `VolumeAttachment ${name} attached` },
  );

const attachError = (name: string) =>
  waitFor(
    async () => {
      const va = await getAttachment(h, name);
      return va?.status?.attachError && va;
    },
    { timeoutMs: E2E_TIMEOUT, message: `attachError on ${name}` },
  );

const gone = (name: string) =>
  waitFor(async () => (await getAttachment(h, name)) === undefined, {
    timeoutMs: E2E_TIMEOUT,
    message: `VolumeAttachment ${name} deleted`,
  });

describe('V4: attach and detach', () => {
  it('attaches with finalizers, node ID and device; detaches when the VolumeAttachment goes', async () => {
    const { pv } = await provisionBound(h, 'v4-data', 'att-a');
    const volumeId = pv.spec?.csi?.volumeHandle ?? '';
    const created = await attach(h, pv, 'att-a');
    const name = created.metadata?.name ?? '';
    expect(name).toMatch(/^csi-[0-9a-f]{64}$/);

    const va = await attached(name);
    expect(va.metadata?.finalizers).toEqual([FINALIZER]);
    expect(va.metadata?.annotations?.['csi.alpha.kubernetes.io/node-id']).toBe(instances['att-a']);
    expect(va.status?.attachmentMetadata).toEqual({ devicePath: '/dev/vdb' });
    expect(va.status?.attachError).toBeUndefined();
    expect((await getPv(h, pv.metadata?.name ?? ''))?.metadata?.finalizers).toContain(FINALIZER);
    const volume = await h.cloud.volumes.get(volumeId);
    expect(volume.state).toBe('in-use');
    expect(volume.attachments).toEqual([
      { instanceId: instances['att-a'], device: '/dev/vdb', state: 'attached' },
    ]);
    const table = await kubectl(['get', 'volumeattachment', name]);
    expect(table.stdout).toMatch(
      new RegExp(
        `${name}\\s+${DRIVER.replace(/\./g, '\\.')}\\s+${pv.metadata?.name}\\s+att-a\\s+true`,
      ),
    );

    await detach(h, va);
    await gone(name);
    const after = await h.cloud.volumes.get(volumeId);
    expect(after.attachments).toEqual([]);
    expect(after.state).toBe('available');
  });
});

describe('V5: attach errors', () => {
  let attachedVa: V1VolumeAttachment;

  it('cross-zone attach: attachError with the cloud message and time, nothing attached', async () => {
    const { pv } = await provisionBound(h, 'v5-zone', 'att-b'); // a volume in nimbus-1b
    const created = await attach(h, pv, 'att-a'); // a node in nimbus-1a
    const name = created.metadata?.name ?? '';
    const va = await attachError(name);
    expect(va.status?.attached).toBe(false);
    expect(va.status?.attachError?.message).toContain(
      `rpc error: code = FailedPrecondition desc = could not attach volume "${pv.spec?.csi?.volumeHandle}" to node "${instances['att-a']}": volume and instance must be in the same zone`,
    );
    expect(va.status?.attachError?.time).toBeInstanceOf(Date);
    // The finalizer was added before the attempt, so the deletion detaches (nothing) and ends.
    await detach(h, va);
    await gone(name);
  });

  it('second attach of a ReadWriteOnce volume: attachError "already attached"', async () => {
    const { pv } = await provisionBound(h, 'v5-rwo', 'att-a');
    attachedVa = await attached((await attach(h, pv, 'att-a')).metadata?.name ?? '');
    const second = await attach(h, pv, 'att-a2');
    const va = await attachError(second.metadata?.name ?? '');
    expect(va.status?.attachError?.message).toContain(
      `is not multi-attach and is already attached to instance ${instances['att-a']}`,
    );
    await detach(h, va);
    await gone(va.metadata?.name ?? '');
    await detach(h, attachedVa);
    await gone(attachedVa.metadata?.name ?? '');
  });
});

describe('attach limit', () => {
  it('CSINode allocatable = the instance type limit; one more → attachError; a detach frees a slot', async () => {
    const csiNode = await storageApi(h).readCSINode({ name: 'att-a2' });
    const limit = csiNode.spec?.drivers?.[0]?.allocatable?.count ?? 0;
    expect(limit).toBe(8); // nb.small's maxAttachedVolumes
    const attachments: V1VolumeAttachment[] = [];
    for (let i = 0; i < limit; i++) {
      const { pv } = await provisionBound(h, `limit-${i}`, 'att-a2');
      attachments.push(await attach(h, pv, 'att-a2'));
    }
    for (const va of attachments) {
      await attached(va.metadata?.name ?? '');
    }
    const { pv: extra } = await provisionBound(h, 'limit-extra', 'att-a2');
    const over = await attach(h, extra, 'att-a2');
    const va = await attachError(over.metadata?.name ?? '');
    expect(va.status?.attachError?.message).toContain(
      'max attached volumes reached: instance type nb.small allows at most 8 attached volumes',
    );
    await detach(h, attachments[0]);
    await gone(attachments[0].metadata?.name ?? '');
    const now = await waitFor(
      async () => {
        const current = await getAttachment(h, over.metadata?.name ?? '');
        return current?.status?.attached === true && current;
      },
      { timeoutMs: 60_000, message: 'the extra volume attached after a detach' },
    );
    expect(now.status?.attachError).toBeUndefined();
  });
});
