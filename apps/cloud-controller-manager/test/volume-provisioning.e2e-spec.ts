import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FINALIZER_EXTERNAL_PROVISIONER } from '@app/csi';
import type { V1Event } from '@app/kube-client';
import type { RunningCloudControllerManager } from '../src';
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
  addFault,
  attach,
  audit,
  awaitBound,
  cloudVolumesNamed,
  createClaim,
  detach,
  eventsFor,
  getClaim,
  getPv,
  joinNode,
  provisionBound,
  provisionedPv,
  awaitReleased,
  awaitProvisioningRequest,
  scheduleClaim,
  storageApi,
  waitForEvent,
  startVolumeKcm,
} from './volume-e2e';

// Provisioning and deletion (ccm-behaviour §14 V1–V3, V6) against the real api-server and cloud.
// One CCM runs the volume controllers for the whole file; the tests share it and run in order.
jest.setTimeout(120_000);

let h: CcmHarness;
let ccm: RunningCloudControllerManager;
let kubectl: Kubectl;
let work: string;
const flags = { controllers: VOLUME_CONTROLLERS, defaultVolumeZone: 'nimbus-1c' };

beforeAll(async () => {
  requireKubectl();
  h = await CcmHarness.start();
  await startVolumeKcm(h);
  ccm = await h.startCcm(flags);
  work = mkdtempSync(join(tmpdir(), 'nimbus-volumes-'));
  kubectl = kubectlFor(h.apiserver.kubeconfigPath, join(work, 'cache'));
});

afterAll(async () => {
  await h?.close();
  rmSync(work, { recursive: true, force: true });
});

const ok = async (args: string[]) => {
  const r = await kubectl(args);
  if (r.code !== 0) {
    throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  }
  return r.stdout;
};

describe('volume addons', () => {
  it('creates the CSIDriver and the Nimbus StorageClasses (nimbus-ssd the default)', async () => {
    const driver = await waitFor(
      () =>
        storageApi(h)
          .readCSIDriver({ name: DRIVER })
          .catch(() => undefined),
      { timeoutMs: E2E_TIMEOUT, message: 'CSIDriver' },
    );
    expect(driver.spec).toMatchObject({
      attachRequired: true,
      podInfoOnMount: false,
      volumeLifecycleModes: ['Persistent'],
      fsGroupPolicy: 'File',
    });
    const table = await waitFor(
      async () => {
        const out = await ok(['get', 'storageclass']);
        return out.includes('nimbus-standard') && out;
      },
      { timeoutMs: E2E_TIMEOUT, message: 'kubectl get storageclass' },
    );
    expect(table).toMatch(
      /nimbus-ssd \(default\)\s+disk\.csi\.nimbus\.dev\s+Delete\s+WaitForFirstConsumer\s+true/,
    );
    expect(table).toMatch(
      /nimbus-standard\s+disk\.csi\.nimbus\.dev\s+Delete\s+WaitForFirstConsumer\s+true/,
    );
    const ssd = await storageApi(h).readStorageClass({ name: 'nimbus-ssd' });
    expect(ssd.parameters).toEqual({ type: 'ssd', 'csi.storage.k8s.io/fstype': 'ext4' });
    expect(ssd.metadata?.labels).toEqual({ 'addonmanager.kubernetes.io/mode': 'EnsureExists' });
  });

  it("never overwrites a user's edit, also across a restart", async () => {
    await ok([
      'annotate',
      'storageclass',
      'nimbus-ssd',
      'storageclass.kubernetes.io/is-default-class=false',
      '--overwrite',
    ]);
    await ok(['label', 'storageclass', 'nimbus-standard', 'team=storage']);
    ccm = await h.restartCcm(ccm, flags);
    await holdsFor(
      async () => {
        const ssd = await storageApi(h).readStorageClass({ name: 'nimbus-ssd' });
        const standard = await storageApi(h).readStorageClass({ name: 'nimbus-standard' });
        return (
          ssd.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'false' &&
          standard.metadata?.labels?.team === 'storage'
        );
      },
      1500,
      'the edits stay',
    );
    await ok([
      'annotate',
      'storageclass',
      'nimbus-ssd',
      'storageclass.kubernetes.io/is-default-class=true',
      '--overwrite',
    ]);
  });
});

describe('V2: Immediate binding', () => {
  it('with no node running the driver, provisions in the default zone (--default-volume-zone)', async () => {
    await storageApi(h).createStorageClass({
      body: {
        metadata: { name: 'immediate' },
        provisioner: DRIVER,
        volumeBindingMode: 'Immediate',
        parameters: { type: 'standard' },
      },
    });
    const claim = await createClaim(h, 'v2-default', {
      storageClassName: 'immediate',
      storage: '1500Mi',
    });
    await awaitProvisioningRequest(h, 'v2-default'); // the PV controller's part
    const pv = await provisionedPv(h, claim);
    const volume = await h.cloud.volumes.get(pv.spec?.csi?.volumeHandle ?? '');
    expect(volume).toMatchObject({
      zone: 'nimbus-1c',
      sizeGiB: 2,
      type: 'standard',
      name: pv.metadata?.name,
    });
    // 1500Mi rounds up to the cloud's unit: the PV shows the real size.
    expect(pv.spec?.capacity).toEqual({ storage: '2Gi' });
    expect(pv.spec?.csi?.fsType).toBeUndefined();
  });

  it('with allowedTopologies, provisions in an allowed zone', async () => {
    await storageApi(h).createStorageClass({
      body: {
        metadata: { name: 'immediate-1b' },
        provisioner: DRIVER,
        volumeBindingMode: 'Immediate',
        allowedTopologies: [
          {
            matchLabelExpressions: [{ key: 'topology.kubernetes.io/zone', values: ['nimbus-1b'] }],
          },
        ],
      },
    });
    const claim = await createClaim(h, 'v2-allowed', { storageClassName: 'immediate-1b' });
    await awaitProvisioningRequest(h, 'v2-allowed');
    const pv = await provisionedPv(h, claim);
    expect((await h.cloud.volumes.get(pv.spec?.csi?.volumeHandle ?? '')).zone).toBe('nimbus-1b');
    expect(pv.spec?.nodeAffinity?.required?.nodeSelectorTerms).toEqual([
      {
        matchExpressions: [
          { key: 'topology.kubernetes.io/zone', operator: 'In', values: ['nimbus-1b'] },
        ],
      },
    ]);
  });
});

describe('CSINode', () => {
  it("publishes the driver on every initialised node with its instance type's attach limit", async () => {
    const { instance, csiNode } = await joinNode(h, 'vol-a', {
      zone: 'nimbus-1a',
      instanceType: 'nb.small',
    });
    await joinNode(h, 'vol-b', { zone: 'nimbus-1b', instanceType: 'nb.medium' });
    expect(csiNode.spec?.drivers).toEqual([
      {
        name: DRIVER,
        nodeID: instance.id,
        topologyKeys: ['topology.disk.csi.nimbus.dev/zone', 'topology.kubernetes.io/zone'],
        allocatable: { count: 8 },
      },
    ]);
    expect(csiNode.metadata?.ownerReferences).toEqual([
      expect.objectContaining({ apiVersion: 'v1', kind: 'Node', name: 'vol-a' }),
    ]);
    const node = await h.getNode('vol-a');
    expect(node?.metadata?.labels).toMatchObject({
      'topology.disk.csi.nimbus.dev/zone': 'nimbus-1a',
      'topology.kubernetes.io/zone': 'nimbus-1a',
    });
    const b = await storageApi(h).readCSINode({ name: 'vol-b' });
    expect(b.spec?.drivers?.[0]?.allocatable?.count).toBe(16);
  });

  it('leaves nodes the node controller has not initialised alone', async () => {
    await h.createNode('vol-no-instance', { ready: 'True' });
    await holdsFor(
      async () =>
        (await storageApi(h).listCSINode()).items.every(
          (c) => c.metadata?.name !== 'vol-no-instance',
        ),
      1500,
      'no CSINode for an uninitialised node',
    );
  });
});

describe('V1: WaitForFirstConsumer', () => {
  it('waits for a selected node, then provisions in its zone (the scheduler played by the test)', async () => {
    const claim = await createClaim(h, 'v1-data', { storage: '5Gi' });
    await holdsFor(
      async () => (await eventsFor(h, 'v1-data', 'Provisioning')).length === 0,
      1000,
      'nothing happens before a consumer is scheduled',
    );
    // KCM's PV controller waits for the scheduler too: no provisioner named yet.
    const waiting = await waitForEvent(h, 'v1-data', 'WaitForFirstConsumer');
    expect(waiting.message).toBe('waiting for first consumer to be created before binding');
    expect((await getClaim(h, 'v1-data')).metadata?.annotations ?? {}).not.toHaveProperty(
      'volume.kubernetes.io/storage-provisioner',
    );
    await scheduleClaim(h, 'v1-data', 'vol-b');
    await awaitProvisioningRequest(h, 'v1-data');
    const pv = await provisionedPv(h, claim);
    const name = `pvc-${claim.metadata?.uid}`;

    const provisioning = await waitForEvent(h, 'v1-data', 'Provisioning');
    expect(provisioning.message).toBe(
      'External provisioner is provisioning volume for claim "default/v1-data"',
    );
    expect(provisioning.source?.component).toBe(`${DRIVER}_${ccm.identity}`);
    const succeeded = await waitForEvent(h, 'v1-data', 'ProvisioningSucceeded');
    expect(succeeded.message).toBe(`Successfully provisioned volume ${name}`);
    expect(succeeded.type).toBe('Normal');

    const volume = await h.cloud.volumes.get(pv.spec?.csi?.volumeHandle ?? '');
    expect(volume).toMatchObject({
      name,
      zone: 'nimbus-1b',
      sizeGiB: 5,
      type: 'ssd',
      state: 'available',
    });
    expect(volume.labels).toMatchObject({
      'csi.nimbus.dev/pvc-name': 'v1-data',
      'csi.nimbus.dev/pvc-namespace': 'default',
      'kubernetes.io/cluster-name': 'kubernetes',
    });
    expect(pv.metadata?.annotations).toMatchObject({
      'pv.kubernetes.io/provisioned-by': DRIVER,
      'volume.kubernetes.io/provisioner-deletion-secret-name': '',
    });
    expect(pv.metadata?.finalizers).toContain(FINALIZER_EXTERNAL_PROVISIONER);
    expect(pv.spec).toMatchObject({
      accessModes: ['ReadWriteOnce'],
      capacity: { storage: '5Gi' },
      persistentVolumeReclaimPolicy: 'Delete',
      storageClassName: 'nimbus-ssd',
      volumeMode: 'Filesystem',
      csi: { driver: DRIVER, volumeHandle: volume.id, fsType: 'ext4' },
      claimRef: {
        kind: 'PersistentVolumeClaim',
        namespace: 'default',
        name: 'v1-data',
        uid: claim.metadata?.uid,
      },
      nodeAffinity: {
        required: {
          nodeSelectorTerms: [
            {
              matchExpressions: [
                { key: 'topology.kubernetes.io/zone', operator: 'In', values: ['nimbus-1b'] },
              ],
            },
          ],
        },
      },
    });
    expect(
      pv.spec?.csi?.volumeAttributes?.['storage.kubernetes.io/csiProvisionerIdentity'],
    ).toMatch(/^\d+-\d+-disk\.csi\.nimbus\.dev$/);

    await awaitBound(h, 'v1-data', pv); // the PV controller's part
    const table = await ok(['get', 'pvc', 'v1-data']);
    expect(table).toMatch(new RegExp(`v1-data\\s+Bound\\s+${name}\\s+5Gi\\s+RWO\\s+nimbus-ssd`));
  });

  it('asks for another node when the selected one cannot host the volume (selected-node removed)', async () => {
    await createClaim(h, 'v1-ghost');
    await scheduleClaim(h, 'v1-ghost', 'ghost-node');
    await awaitProvisioningRequest(h, 'v1-ghost');
    const failed = await waitForEvent(h, 'v1-ghost', 'ProvisioningFailed');
    expect(failed.message).toContain('csinode.storage.k8s.io "ghost-node" not found');
    const claim = await waitFor(
      async () => {
        const c = await getClaim(h, 'v1-ghost');
        return c.metadata?.annotations?.['volume.kubernetes.io/selected-node'] === undefined && c;
      },
      { timeoutMs: E2E_TIMEOUT, message: 'selected-node removed' },
    );
    expect(claim.metadata?.annotations?.['volume.kubernetes.io/storage-provisioner']).toBe(DRIVER);
  });
});

describe('V3: cloud failures', () => {
  it('reports ProvisioningFailed while the cloud refuses, then provisions', async () => {
    const claim = await createClaim(h, 'v3-fault');
    const name = `pvc-${claim.metadata?.uid}`;
    const removeFault = await addFault(h, {
      description: 'v3: create-volume fails',
      match: { operation: 'volumes.create', resourceName: name },
      effect: { type: 'error', status: 503, message: 'injected: storage backend down' },
    });
    await scheduleClaim(h, 'v3-fault', 'vol-a');
    await awaitProvisioningRequest(h, 'v3-fault');
    const failed = await waitForEvent(h, 'v3-fault', 'ProvisioningFailed');
    expect(failed.type).toBe('Warning');
    expect(failed.message).toContain(
      `rpc error: code = Unavailable desc = could not create volume "${name}": injected: storage backend down`,
    );
    await removeFault();
    await provisionedPv(h, claim);
    await waitForEvent(h, 'v3-fault', 'ProvisioningSucceeded');
    expect(await cloudVolumesNamed(h, name)).toHaveLength(1);
  });

  it('delays retries of an infeasible claim (InvalidArgument)', async () => {
    await storageApi(h).createStorageClass({
      body: {
        metadata: { name: 'bad-type' },
        provisioner: DRIVER,
        volumeBindingMode: 'Immediate',
        parameters: { type: 'tape' },
      },
    });
    await createClaim(h, 'v3-infeasible', { storageClassName: 'bad-type' });
    await awaitProvisioningRequest(h, 'v3-infeasible');
    const failed = await waitForEvent(h, 'v3-infeasible', 'ProvisioningFailed');
    expect(failed.message).toMatch(
      /^Volume provisioning failed with infeasible error\. Retries will be delayed\. rpc error: code = InvalidArgument desc = unknown volume type "tape"/,
    );
    // One attempt: the Provisioning event was written before ProvisioningFailed, and a second
    // attempt within the slow-retry delay would raise its count (or add an event).
    const provisioningEvents = () => eventsFor(h, 'v3-infeasible', 'Provisioning');
    const attempts = (events: V1Event[]) => events.reduce((n, e) => n + (e.count ?? 1), 0);
    await waitFor(async () => attempts(await provisioningEvents()) > 0, {
      message: 'the Provisioning event',
    });
    await holdsFor(
      async () => {
        const events = await provisioningEvents();
        if (attempts(events) !== 1) {
          // Says which events there were (source, count, times) if this ever fails.
          throw new Error(
            `a second attempt within the slow-retry delay: ${JSON.stringify(
              events.map((e) => ({
                name: e.metadata?.name,
                count: e.count,
                source: e.source,
                first: e.firstTimestamp,
                last: e.lastTimestamp,
              })),
            )}`,
          );
        }
        return true;
      },
      2000,
      'no second attempt within the slow-retry delay',
    );
  });

  it('crash between the cloud create and the PV: one volume, one PV (commitThenFail)', async () => {
    const claim = await createClaim(h, 'v3-crash');
    const name = `pvc-${claim.metadata?.uid}`;
    // The cloud creates the volume, then answers 503 — to all five tries of the client, so the
    // whole attempt fails after the volume exists.
    const removeFault = await addFault(h, {
      description: 'v3: create commits, then fails',
      match: { operation: 'volumes.create', resourceName: name },
      trigger: { firstCalls: 5 },
      effect: { type: 'commitThenFail', status: 503 },
    });
    await scheduleClaim(h, 'v3-crash', 'vol-a');
    await awaitProvisioningRequest(h, 'v3-crash');
    await waitForEvent(h, 'v3-crash', 'ProvisioningFailed');
    const pv = await provisionedPv(h, claim);
    await removeFault();
    const volumes = await cloudVolumesNamed(h, name);
    expect(volumes).toHaveLength(1);
    expect(pv.spec?.csi?.volumeHandle).toBe(volumes[0].id);
    const creates = (await audit(h, 'volumes.create')).filter(
      (e) => e.resourceId === volumes[0].id,
    );
    expect(creates.length).toBeGreaterThanOrEqual(5);
    expect(new Set(creates.map((e) => e.idempotencyKey))).toEqual(new Set([claim.metadata?.uid]));
  });

  it('crash of the CCM itself after the cloud create: the next CCM finishes with the same volume', async () => {
    const claim = await createClaim(h, 'v3-restart');
    const name = `pvc-${claim.metadata?.uid}`;
    const removeFault = await addFault(h, {
      description: 'v3: create always commits, then fails',
      match: { operation: 'volumes.create', resourceName: name },
      effect: { type: 'commitThenFail', status: 503 },
    });
    await scheduleClaim(h, 'v3-restart', 'vol-a');
    await awaitProvisioningRequest(h, 'v3-restart');
    await waitFor(async () => (await cloudVolumesNamed(h, name)).length > 0, {
      timeoutMs: E2E_TIMEOUT,
      message: 'the cloud volume',
    });
    await h.stopCcm(ccm);
    expect(await getPv(h, name)).toBeUndefined();
    await removeFault();
    ccm = await h.startCcm(flags);
    const pv = await provisionedPv(h, claim);
    const volumes = await cloudVolumesNamed(h, name);
    expect(volumes).toHaveLength(1);
    expect(pv.spec?.csi?.volumeHandle).toBe(volumes[0].id);
  });
});

describe('V6: deletion', () => {
  it('Released PV: cloud volume deleted, then the PV; a refusing cloud or an attachment → VolumeFailedDelete', async () => {
    const { pv } = await provisionBound(h, 'v6-data', 'vol-a');
    const pvName = pv.metadata?.name ?? '';
    const volumeId = pv.spec?.csi?.volumeHandle ?? '';
    const va = await attach(h, pv, 'vol-a'); // the attach/detach controller's part
    await waitFor(async () => (await h.cloud.volumes.get(volumeId)).state === 'in-use', {
      timeoutMs: E2E_TIMEOUT,
      message: 'attached',
    });

    await h.core.deleteNamespacedPersistentVolumeClaim({ namespace: 'default', name: 'v6-data' });
    await awaitReleased(h, pvName); // the PV controller's part
    const attached = await waitForEvent(h, pvName, 'VolumeFailedDelete');
    expect(attached.message).toBe(`persistentvolume ${pvName} is still attached to node vol-a`);
    expect(attached.type).toBe('Warning');

    const removeFault = await addFault(h, {
      description: 'v6: delete-volume refused',
      match: { operation: 'volumes.delete', resourceId: volumeId },
      effect: { type: 'error', status: 403, message: 'injected: deletion protection' },
    });
    await detach(h, va);
    await waitFor(
      async () =>
        (await eventsFor(h, pvName, 'VolumeFailedDelete')).some((e) =>
          e.message?.includes('injected: deletion protection'),
        ),
      { timeoutMs: E2E_TIMEOUT, message: 'VolumeFailedDelete from the cloud' },
    );
    expect(await getPv(h, pvName)).toBeDefined();
    await removeFault();
    await waitFor(async () => !(await getPv(h, pvName)), {
      timeoutMs: 60_000,
      message: 'PV deleted',
    });
    await waitFor(
      async () =>
        await h.cloud.volumes.get(volumeId).then(
          () => false,
          () => true,
        ),
      { timeoutMs: E2E_TIMEOUT, message: 'cloud volume gone' },
    );
  });

  it('Retain keeps the cloud volume', async () => {
    await storageApi(h).createStorageClass({
      body: {
        metadata: { name: 'retained' },
        provisioner: DRIVER,
        volumeBindingMode: 'WaitForFirstConsumer',
        reclaimPolicy: 'Retain',
      },
    });
    const { pv } = await provisionBound(h, 'v6-retain', 'vol-a', { storageClassName: 'retained' });
    expect(pv.spec?.persistentVolumeReclaimPolicy).toBe('Retain');
    await h.core.deleteNamespacedPersistentVolumeClaim({ namespace: 'default', name: 'v6-retain' });
    await awaitReleased(h, pv.metadata?.name ?? '');
    await holdsFor(
      async () => (await getPv(h, pv.metadata?.name ?? '')) !== undefined,
      1500,
      'a retained PV stays',
    );
    const retained = await getPv(h, pv.metadata?.name ?? '');
    expect(retained?.metadata?.finalizers ?? []).not.toContain(FINALIZER_EXTERNAL_PROVISIONER);
    expect((await h.cloud.volumes.get(pv.spec?.csi?.volumeHandle ?? '')).state).toBe('available');
  });
});
