import { volumeAttachmentName } from '@app/csi';
import type {
  NodeObject,
  PersistentVolumeClaimObject,
  PersistentVolumeObject,
  PodObject,
  VolumeAttachmentObject,
} from '@app/kube-client';
import { ClusterHarness, isRunningAndReady, waitFor } from './cluster-harness';

// Volumes on the built-in cluster with every real component (ccm-behaviour.md §9.2, §14 V1–V6):
// kube-controller-manager's PV binder, attach/detach, expander and protection controllers, the
// scheduler's VolumeBinding, the CCM's CSI controllers and the simulated kubelets' volume manager.
// Nothing is written by the test but what a user writes.
jest.setTimeout(300_000);

const DRIVER = 'disk.csi.nimbus.dev';
const WAIT = 90_000;
const ZONE = 'topology.kubernetes.io/zone';

describe('volumes on the built-in cluster', () => {
  let h: ClusterHarness;
  /** worker name → zone */
  const zoneOf: Record<string, string> = {};

  beforeAll(async () => {
    h = await ClusterHarness.start();
    for (const name of ['worker-1', 'worker-2', 'worker-3']) {
      const node = await h.node(name);
      zoneOf[name] = node.metadata?.labels?.[ZONE] ?? '';
    }
    // The CCM's registrar publishes the driver on every node before claims are used.
    await waitFor(
      async () => {
        const list = await h.kJson<{ items: { spec?: { drivers?: { name: string }[] } }[] }>([
          'get',
          'csinode',
        ]);
        return (
          list.items.filter((c) => (c.spec?.drivers ?? []).some((d) => d.name === DRIVER)).length >=
          3
        );
      },
      { timeoutMs: WAIT, message: 'CSINodes with the driver' },
    );
  });

  afterAll(async () => {
    await h?.close();
  });

  const claim = (name: string) => h.kJson<PersistentVolumeClaimObject>(['get', 'pvc', name]);
  const pv = (name: string) => h.kJson<PersistentVolumeObject>(['get', 'pv', name]);
  const exists = async (args: string[]) => (await h.kubectl(['get', ...args])).code === 0;
  const claimManifest = (name: string, extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name },
      spec: {
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: '5Gi' } },
        ...extra,
      },
    });
  const podWithClaims = (
    name: string,
    node: string | undefined,
    claims: string[],
    bypass = false,
  ) =>
    h.podManifest(name, node, {
      bypassScheduler: bypass,
      spec: {
        volumes: claims.map((c, i) => ({
          name: `vol-${i}`,
          persistentVolumeClaim: { claimName: c },
        })),
      },
      container: {
        volumeMounts: claims.map((_c, i) => ({ name: `vol-${i}`, mountPath: `/data/${i}` })),
      },
    });
  const event = (name: string, reason: string, kind?: string) =>
    waitFor(async () => (await h.events(name, { reason, kind }))[0], {
      timeoutMs: WAIT,
      message: `event ${reason} on ${name}`,
    });
  const bound = (name: string) =>
    waitFor(
      async () => {
        const c = await claim(name);
        return c.status?.phase === 'Bound' && c;
      },
      { timeoutMs: WAIT, message: `claim ${name} Bound` },
    );
  const attachment = (name: string) =>
    h.kJson<VolumeAttachmentObject>(['get', 'volumeattachment', name]).catch(() => undefined);
  const running = (name: string) =>
    h.waitForPod(name, isRunningAndReady, 'Running and Ready', WAIT);
  const deletePod = async (name: string) => {
    await h.k(['delete', 'pod', name, '--wait=false']);
    await h.waitForPodGone(name, WAIT);
  };
  const immediateClass = (name: string, zone: string) =>
    h.apply(
      JSON.stringify({
        apiVersion: 'storage.k8s.io/v1',
        kind: 'StorageClass',
        metadata: { name },
        provisioner: DRIVER,
        volumeBindingMode: 'Immediate',
        allowedTopologies: [{ matchLabelExpressions: [{ key: ZONE, values: [zone] }] }],
      }),
    );

  it('V1, V4, V6: WaitForFirstConsumer → provisioned in the pod’s zone, bound, attached, running; then detached, released and deleted', async () => {
    await h.apply(claimManifest('data')); // no class: DefaultStorageClass gives nimbus-ssd
    const waiting = await event('data', 'WaitForFirstConsumer');
    expect(waiting.message).toBe('waiting for first consumer to be created before binding');
    expect(waiting.source?.component).toBe('persistentvolume-controller');
    const pending = await claim('data');
    expect(pending.status?.phase).toBe('Pending');
    expect(pending.spec?.storageClassName).toBe('nimbus-ssd');
    expect(pending.metadata?.finalizers).toEqual(['kubernetes.io/pvc-protection']);

    await h.apply(podWithClaims('app', 'worker-2', ['data']));
    const external = await event('data', 'ExternalProvisioning');
    expect(external.message).toBe(
      `Waiting for a volume to be created either by the external provisioner '${DRIVER}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`,
    );
    await event('data', 'ProvisioningSucceeded');
    const c = await bound('data');
    expect(c.metadata?.annotations).toMatchObject({
      'volume.kubernetes.io/selected-node': 'worker-2',
      'volume.kubernetes.io/storage-provisioner': DRIVER,
      'volume.beta.kubernetes.io/storage-provisioner': DRIVER,
      'pv.kubernetes.io/bind-completed': 'yes',
      'pv.kubernetes.io/bound-by-controller': 'yes',
    });
    const pvName = `pvc-${c.metadata?.uid}`;
    expect(c.spec?.volumeName).toBe(pvName);
    expect(c.status?.capacity).toEqual({ storage: '5Gi' });
    const volume = await pv(pvName);
    expect(volume.status?.phase).toBe('Bound');
    expect(volume.metadata?.finalizers).toContain('kubernetes.io/pv-protection');
    expect(volume.spec?.nodeAffinity?.required?.nodeSelectorTerms?.[0]?.matchExpressions).toEqual([
      { key: ZONE, operator: 'In', values: [zoneOf['worker-2']] },
    ]);
    const handle = volume.spec?.csi?.volumeHandle ?? '';
    expect((await h.cloud.volumes.get(handle)).zone).toBe(zoneOf['worker-2']);

    // V4: the attach/detach controller's VolumeAttachment, attached by the CCM; the pod runs.
    const vaName = volumeAttachmentName(handle, DRIVER, 'worker-2');
    const pod = await running('app');
    expect(pod.spec?.nodeName).toBe('worker-2');
    const va = await attachment(vaName);
    expect(va?.spec).toEqual({
      attacher: DRIVER,
      nodeName: 'worker-2',
      source: { persistentVolumeName: pvName },
    });
    expect(va?.status?.attached).toBe(true);
    const attached = await event('app', 'SuccessfulAttachVolume');
    expect(attached.message).toBe(`AttachVolume.Attach succeeded for volume "${pvName}" `);
    expect(attached.source?.component).toBe('attachdetach-controller');
    const worker2 = await h.instance('worker-2');
    expect((await h.cloud.volumes.get(handle)).attachments).toEqual([
      expect.objectContaining({ instanceId: worker2.id, state: 'attached' }),
    ]);
    const unique = `kubernetes.io/csi/${DRIVER}^${handle}`;
    const node = await h.waitForNode(
      'worker-2',
      (n: NodeObject) =>
        !!n.status?.volumesInUse?.includes(unique) &&
        !!n.status?.volumesAttached?.some((v) => v.name === unique),
      'volume in use and attached',
      WAIT,
    );
    expect(node.status?.volumesAttached).toContainEqual({ name: unique, devicePath: '' });
    expect(await h.k(['describe', 'pod', 'app'])).toMatch(/ClaimName:\s+data/);

    // pvc-protection: a claim in use stays Terminating until its pod is gone.
    await h.k(['delete', 'pvc', 'data', '--wait=false']);
    const terminating = await claim('data');
    expect(terminating.metadata?.deletionTimestamp).toBeDefined();
    expect(terminating.metadata?.finalizers).toEqual(['kubernetes.io/pvc-protection']);

    // V4 detach: the pod goes, the kubelet stops reporting the volume, the attachment goes.
    await deletePod('app');
    await waitFor(async () => (await attachment(vaName)) === undefined, {
      timeoutMs: WAIT,
      message: 'VolumeAttachment deleted',
    });
    await h.waitForNode(
      'worker-2',
      (n) => !n.status?.volumesInUse?.length && !n.status?.volumesAttached?.length,
      'no volumes',
      WAIT,
    );

    // V6: the claim goes, the PV is Released, the provisioner deletes the disk and the PV.
    await waitFor(async () => !(await exists(['pvc', 'data'])), {
      timeoutMs: WAIT,
      message: 'claim deleted',
    });
    await waitFor(async () => !(await exists(['pv', pvName])), {
      timeoutMs: WAIT,
      message: 'PV deleted',
    });
    await waitFor(
      async () =>
        (await h.cloud.volumes.get(handle).catch(() => ({ state: 'deleted' }))).state === 'deleted',
      { timeoutMs: WAIT, message: 'cloud volume deleted' },
    );
  });

  it('V2: an Immediate class provisions and binds without a pod, in its allowed zone', async () => {
    await immediateClass('imm-b', zoneOf['worker-2']);
    await h.apply(claimManifest('imm', { storageClassName: 'imm-b' }));
    const c = await bound('imm');
    const volume = await pv(c.spec?.volumeName ?? '');
    expect((await h.cloud.volumes.get(volume.spec?.csi?.volumeHandle ?? '')).zone).toBe(
      zoneOf['worker-2'],
    );
    expect(await h.events('imm', { reason: 'WaitForFirstConsumer' })).toEqual([]);
  });

  it('V2 (Retain): a Released volume stays, with its disk', async () => {
    await h.apply(
      JSON.stringify({
        apiVersion: 'storage.k8s.io/v1',
        kind: 'StorageClass',
        metadata: { name: 'keep' },
        provisioner: DRIVER,
        reclaimPolicy: 'Retain',
        volumeBindingMode: 'Immediate',
      }),
    );
    await h.apply(claimManifest('kept', { storageClassName: 'keep' }));
    const c = await bound('kept');
    const pvName = c.spec?.volumeName ?? '';
    await h.k(['delete', 'pvc', 'kept']);
    const released = await waitFor(
      async () => {
        const v = await pv(pvName);
        return v.status?.phase === 'Released' && v;
      },
      { timeoutMs: WAIT, message: 'PV Released' },
    );
    expect(released.spec?.persistentVolumeReclaimPolicy).toBe('Retain');
    expect((await h.cloud.volumes.get(released.spec?.csi?.volumeHandle ?? '')).state).toBe(
      'available',
    );
  });

  it('a pre-provisioned volume binds to the smallest claim that fits; a too-small named one is refused', async () => {
    const staticPv = (name: string, size: string) =>
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: { name, labels: { tier: 'gold' } },
        spec: {
          capacity: { storage: size },
          accessModes: ['ReadWriteOnce'],
          storageClassName: '',
          persistentVolumeReclaimPolicy: 'Retain',
          hostPath: { path: `/tmp/${name}` },
        },
      });
    await h.apply(staticPv('static-big', '20Gi'));
    await h.apply(staticPv('static-small', '2Gi'));
    await h.apply(
      claimManifest('static-claim', {
        storageClassName: '',
        resources: { requests: { storage: '1Gi' } },
        selector: { matchLabels: { tier: 'gold' } },
      }),
    );
    const c = await bound('static-claim');
    expect(c.spec?.volumeName).toBe('static-small');
    expect(c.status?.capacity).toEqual({ storage: '2Gi' });
    const small = await pv('static-small');
    expect(small.status?.phase).toBe('Bound');
    expect(small.metadata?.annotations?.['pv.kubernetes.io/bound-by-controller']).toBe('yes');
    expect(small.spec?.claimRef?.uid).toBe(c.metadata?.uid);
    expect((await pv('static-big')).status?.phase).toBe('Available');

    await h.apply(
      claimManifest('wants-big', {
        storageClassName: '',
        volumeName: 'static-big',
        resources: { requests: { storage: '50Gi' } },
      }),
    );
    const mismatch = await event('wants-big', 'VolumeMismatch');
    expect(mismatch.message).toBe(
      'Cannot bind to requested volume "static-big": requested PV is too small',
    );
    expect((await claim('wants-big')).status?.phase).toBe('Pending');
  });

  it('V3: a failing cloud gives ProvisioningFailed; provisioning succeeds once it recovers', async () => {
    await h.apply(claimManifest('flaky'));
    const uid = (await claim('flaky')).metadata?.uid;
    const rule = await h.cloudAdmin<{ id: string }>('POST', '/admin/faults', {
      description: 'volumes e2e: create-volume fails',
      match: { operation: 'volumes.create', resourceName: `pvc-${uid}` },
      effect: { type: 'error', status: 503, message: 'injected: storage backend down' },
    });
    await h.apply(podWithClaims('flaky-app', 'worker-1', ['flaky']));
    const failed = await event('flaky', 'ProvisioningFailed');
    expect(failed.type).toBe('Warning');
    expect(failed.message).toContain('injected: storage backend down');
    await h.cloudAdmin('DELETE', `/admin/faults/${rule.id}`);
    await bound('flaky');
    await running('flaky-app');
    await deletePod('flaky-app');
  });

  it('V5: a pod placed on a node in another zone gets FailedAttachVolume with the cloud’s message', async () => {
    await immediateClass('imm-c', zoneOf['worker-3']);
    await h.apply(claimManifest('far', { storageClassName: 'imm-c' }));
    const c = await bound('far');
    const handle = (await pv(c.spec?.volumeName ?? '')).spec?.csi?.volumeHandle ?? '';
    // Bypassing the scheduler (which would honour the volume's zone).
    await h.apply(podWithClaims('far-app', 'worker-1', ['far'], true));
    const failed = await event('far-app', 'FailedAttachVolume');
    expect(failed.message).toContain(
      `AttachVolume.Attach failed for volume "${c.spec?.volumeName}" : rpc error: code = FailedPrecondition desc = could not attach volume "${handle}"`,
    );
    expect(failed.message).toContain('volume and instance must be in the same zone');
    const va = await attachment(volumeAttachmentName(handle, DRIVER, 'worker-1'));
    expect(va?.status?.attachError?.message).toContain('same zone');
    const pod = await h.pod('far-app');
    expect(pod.status?.containerStatuses?.[0]?.state?.waiting?.reason).toBe('ContainerCreating');
    await deletePod('far-app');
  });

  it('expansion: the resizer grows the disk, the kubelet grows the file system of the mounted claim', async () => {
    await h.apply(claimManifest('grow'));
    await h.apply(podWithClaims('grow-app', 'worker-3', ['grow']));
    await running('grow-app');
    const before = await bound('grow');
    await h.k([
      'patch',
      'pvc',
      'grow',
      '--type',
      'merge',
      '-p',
      JSON.stringify({ spec: { resources: { requests: { storage: '10Gi' } } } }),
    ]);
    const expanding = await event('grow', 'ExternalExpanding');
    expect(expanding.message).toBe('waiting for an external controller to expand this PVC');
    const done = await event('grow', 'FileSystemResizeSuccessful', 'PersistentVolumeClaim');
    expect(done.message).toBe(
      `MountVolume.NodeExpandVolume succeeded for volume "${before.spec?.volumeName}" worker-3`,
    );
    expect(done.source?.component).toBe('kubelet');
    await event('grow-app', 'FileSystemResizeSuccessful', 'Pod');
    const grown = await waitFor(
      async () => {
        const c = await claim('grow');
        return c.status?.capacity?.storage === '10Gi' && c;
      },
      { timeoutMs: WAIT, message: 'claim capacity 10Gi' },
    );
    expect((grown.status?.conditions ?? []).map((x) => x.type)).toEqual([]);
    expect(grown.metadata?.annotations?.['volume.kubernetes.io/storage-resizer']).toBe(DRIVER);
    const handle = (await pv(before.spec?.volumeName ?? '')).spec?.csi?.volumeHandle ?? '';
    expect((await h.cloud.volumes.get(handle)).sizeGiB).toBe(10);
    await deletePod('grow-app');
  });

  it('a StatefulSet spread over the zones: each pod’s volume is in its node’s zone', async () => {
    await h.apply(
      JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name: 'zoned' },
        spec: {
          replicas: 3,
          serviceName: 'zoned',
          selector: { matchLabels: { app: 'zoned' } },
          template: {
            metadata: { labels: { app: 'zoned' } },
            spec: {
              topologySpreadConstraints: [
                {
                  maxSkew: 1,
                  topologyKey: ZONE,
                  whenUnsatisfiable: 'DoNotSchedule',
                  labelSelector: { matchLabels: { app: 'zoned' } },
                },
              ],
              containers: [
                {
                  name: 'db',
                  image: 'nginx:1.27',
                  volumeMounts: [{ name: 'data', mountPath: '/data' }],
                },
              ],
            },
          },
          volumeClaimTemplates: [
            {
              metadata: { name: 'data' },
              spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
            },
          ],
        },
      }),
    );
    const zones = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const pod: PodObject = await running(`zoned-${i}`);
      const c = await bound(`data-zoned-${i}`);
      const volume = await pv(c.spec?.volumeName ?? '');
      const cloudVolume = await h.cloud.volumes.get(volume.spec?.csi?.volumeHandle ?? '');
      const nodeZone = zoneOf[pod.spec?.nodeName ?? ''];
      expect(cloudVolume.zone).toBe(nodeZone);
      zones.add(nodeZone);
    }
    expect(zones.size).toBe(3);
    await h.k(['delete', 'statefulset', 'zoned']);
  });

  it('attach limit: the volume beyond the node’s limit waits in ContainerCreating and attaches once another detaches', async () => {
    const zone = zoneOf['worker-1'];
    const { instance } = await h.cloud.instances.create({
      name: 'small-1',
      zone,
      instanceType: 'nb.small',
      labels: { 'nimbus.dev/cluster': 'kubernetes' },
    });
    expect(instance.instanceType).toBe('nb.small');
    await h.waitForNode(
      'small-1',
      (n) => (n.status?.conditions ?? []).some((x) => x.type === 'Ready' && x.status === 'True'),
      'Ready',
      WAIT,
    );
    const limit = await waitFor(
      async () => {
        const csiNode = await h
          .kJson<{ spec?: { drivers?: { allocatable?: { count?: number } }[] } }>([
            'get',
            'csinode',
            'small-1',
          ])
          .catch(() => undefined);
        return csiNode?.spec?.drivers?.[0]?.allocatable?.count;
      },
      { timeoutMs: WAIT, message: 'CSINode small-1' },
    );
    expect(limit).toBe(8);
    await immediateClass('imm-a', zone);
    const names = Array.from({ length: limit + 1 }, (_v, i) => `lim-${i}`);
    for (const name of names) {
      await h.apply(claimManifest(name, { storageClassName: 'imm-a' }));
    }
    for (const name of names) {
      await bound(name);
    }
    // Straight to the node (the scheduler would keep the pod Pending: NodeVolumeLimits).
    await h.apply(podWithClaims('fill', 'small-1', names.slice(0, limit), true));
    await running('fill');
    await h.apply(podWithClaims('extra', 'small-1', [names[limit]], true));
    const failed = await event('extra', 'FailedAttachVolume');
    expect(failed.message).toContain(
      'max attached volumes reached: instance type nb.small allows at most 8 attached volumes',
    );
    const waitingPod = await h.pod('extra');
    expect(waitingPod.status?.containerStatuses?.[0]?.state?.waiting?.reason).toBe(
      'ContainerCreating',
    );
    await deletePod('fill');
    await running('extra');
    await deletePod('extra');
  });
});
