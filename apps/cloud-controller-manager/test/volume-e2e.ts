import type { InstanceDto, VolumeDto } from '@app/cloud-contracts';
import { collect } from '@app/cloud-client';
import { NIMBUS_CSI_DRIVER } from '@app/cloud-provider';
import {
  ANN_BETA_STORAGE_PROVISIONER,
  ANN_BIND_COMPLETED,
  ANN_BOUND_BY_CONTROLLER,
  ANN_SELECTED_NODE,
  ANN_STORAGE_PROVISIONER,
  volumeAttachmentName,
} from '@app/csi';
import {
  PatchStrategy,
  StorageV1Api,
  setHeaderOptions,
  type V1CSINode,
  type V1Event,
  type V1PersistentVolume,
  type V1PersistentVolumeClaim,
  type V1VolumeAttachment,
} from '@app/kube-client';
import { KubeControllerManagerConfig, validateConfig } from '@app/config';
import { startKubeControllerManager } from '../../kube-controller-manager/src';
import { CLOUD_ADMIN_TOKEN, waitFor, type CcmHarness } from './harness';

/**
 * Helpers for the volume scenarios (ccm-behaviour §14, V1–V6) of the CCM's CSI controllers. The
 * real kube-controller-manager runs its volume controllers next to the CCM (`startVolumeKcm`:
 * PV binder, expander, pvc/pv protection), so `awaitProvisioningRequest`, `awaitBound` and
 * `awaitReleased` wait for its writes. These tests run no scheduler, attach/detach controller or
 * kubelet (the cluster tests in apps/cli/test/cluster/volumes.e2e-spec.ts do): `scheduleClaim`,
 * `attach` / `detach` and the resize test's node step make those components' writes by hand,
 * exactly as they make them, so the sidecars can be driven object by object.
 */
export const DRIVER = NIMBUS_CSI_DRIVER;
export const NS = 'default';
export const VOLUME_CONTROLLERS =
  'cloud-node,csi-provisioner,csi-attacher,csi-resizer,csi-node-driver-registrar';
export const E2E_TIMEOUT = 30_000;
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export const storageApi = (h: CcmHarness) => h.kubeConfig.makeApiClient(StorageV1Api);

/** A cloud instance and a kubelet-registered Node of that name; waits for the driver on CSINode. */
export async function joinNode(
  h: CcmHarness,
  name: string,
  options: { zone?: string; instanceType?: string } = {},
): Promise<{ instance: InstanceDto; csiNode: V1CSINode }> {
  const instance = await h.createInstance(name, options);
  await h.createNode(name, { ready: 'True' });
  const csiNode = await waitFor(
    async () => {
      const c = await storageApi(h).readCSINode({ name });
      return (c.spec?.drivers ?? []).some((d) => d.name === DRIVER) && c;
    },
    { timeoutMs: E2E_TIMEOUT, message: `CSINode ${name} with ${DRIVER}` },
  );
  return { instance, csiNode };
}

export function createClaim(
  h: CcmHarness,
  name: string,
  options: {
    storageClassName?: string;
    storage?: string;
    accessModes?: string[];
    volumeMode?: string;
    annotations?: Record<string, string>;
  } = {},
): Promise<V1PersistentVolumeClaim> {
  return h.core.createNamespacedPersistentVolumeClaim({
    namespace: NS,
    body: {
      metadata: { name, annotations: options.annotations },
      spec: {
        storageClassName: options.storageClassName ?? 'nimbus-ssd',
        accessModes: options.accessModes ?? ['ReadWriteOnce'],
        ...(options.volumeMode ? { volumeMode: options.volumeMode } : {}),
        resources: { requests: { storage: options.storage ?? '5Gi' } },
      },
    },
  });
}

export const getClaim = (h: CcmHarness, name: string) =>
  h.core.readNamespacedPersistentVolumeClaim({ namespace: NS, name });

export const patchClaim = (h: CcmHarness, name: string, body: object) =>
  h.core.patchNamespacedPersistentVolumeClaim({ namespace: NS, name, body }, MERGE);

export const patchClaimStatus = (h: CcmHarness, name: string, body: object) =>
  h.core.patchNamespacedPersistentVolumeClaimStatus({ namespace: NS, name, body }, MERGE);

export function getPv(h: CcmHarness, name: string): Promise<V1PersistentVolume | undefined> {
  return h.core.readPersistentVolume({ name }).catch((err: { code?: number }) => {
    if (err.code === 404) {
      return undefined;
    }
    throw err;
  });
}

/** The scheduler's write for a WaitForFirstConsumer claim of a pod it placed. */
export const scheduleClaim = (h: CcmHarness, claim: string, node: string) =>
  patchClaim(h, claim, { metadata: { annotations: { [ANN_SELECTED_NODE]: node } } });

/** The real kube-controller-manager with its volume controllers (closed with the harness). */
export async function startVolumeKcm(h: CcmHarness): Promise<void> {
  const kcm = await startKubeControllerManager(
    validateConfig(KubeControllerManagerConfig, {
      controllers: 'persistentvolume-binder,persistentvolume-expander,pvc-protection,pv-protection',
      securePort: 0,
      logLevel: 'silent',
    }),
    { kubeConfig: h.kubeConfig, releaseLeaseOnClose: true },
  );
  h.track(kcm);
}

/** KCM's PV controller names the provisioner on the claim (GA and beta annotations). */
export const awaitProvisioningRequest = (h: CcmHarness, claim: string) =>
  waitFor(
    async () => {
      const c = await getClaim(h, claim);
      const a = c.metadata?.annotations ?? {};
      return a[ANN_STORAGE_PROVISIONER] === DRIVER && a[ANN_BETA_STORAGE_PROVISIONER] === DRIVER;
    },
    { timeoutMs: E2E_TIMEOUT, message: `provisioner named on ${claim}` },
  );

/** Waits for the PV `pvc-<uid>` of a claim. */
export async function provisionedPv(
  h: CcmHarness,
  claim: V1PersistentVolumeClaim,
): Promise<V1PersistentVolume> {
  const name = `pvc-${claim.metadata?.uid}`;
  return waitFor(() => getPv(h, name), { timeoutMs: E2E_TIMEOUT, message: `PV ${name}` });
}

/** KCM's PV controller binds the claim to its provisioned PV (both Bound). */
export async function awaitBound(
  h: CcmHarness,
  claimName: string,
  pv: V1PersistentVolume,
): Promise<V1PersistentVolumeClaim> {
  const claim = await waitFor(
    async () => {
      const c = await getClaim(h, claimName);
      return (
        c.status?.phase === 'Bound' &&
        c.metadata?.annotations?.[ANN_BIND_COMPLETED] === 'yes' &&
        c.metadata?.annotations?.[ANN_BOUND_BY_CONTROLLER] === 'yes' &&
        c
      );
    },
    { timeoutMs: E2E_TIMEOUT, message: `claim ${claimName} Bound` },
  );
  expect(claim.spec?.volumeName).toBe(pv.metadata?.name);
  await waitFor(async () => (await getPv(h, pv.metadata?.name ?? ''))?.status?.phase === 'Bound', {
    timeoutMs: E2E_TIMEOUT,
    message: `PV ${pv.metadata?.name} Bound`,
  });
  return claim;
}

/** KCM's PV controller after the claim was deleted: the PV is Released (or already gone). */
export const awaitReleased = (h: CcmHarness, pvName: string) =>
  waitFor(
    async () => {
      const pv = await getPv(h, pvName);
      return !pv || pv.status?.phase === 'Released';
    },
    { timeoutMs: E2E_TIMEOUT, message: `PV ${pvName} Released` },
  );

/** A claim provisioned for `node` (the scheduler's write by hand) and bound by KCM. */
export async function provisionBound(
  h: CcmHarness,
  name: string,
  node: string,
  options: Parameters<typeof createClaim>[2] = {},
): Promise<{ claim: V1PersistentVolumeClaim; pv: V1PersistentVolume }> {
  const created = await createClaim(h, name, options);
  await scheduleClaim(h, name, node);
  const pv = await provisionedPv(h, created);
  const claim = await awaitBound(h, name, pv);
  return { claim, pv };
}

/** KCM's attach/detach controller: the VolumeAttachment for a PV on a node. */
export function attach(
  h: CcmHarness,
  pv: V1PersistentVolume,
  nodeName: string,
): Promise<V1VolumeAttachment> {
  return storageApi(h).createVolumeAttachment({
    body: {
      metadata: { name: volumeAttachmentName(pv.spec?.csi?.volumeHandle ?? '', DRIVER, nodeName) },
      spec: {
        attacher: DRIVER,
        nodeName,
        source: { persistentVolumeName: pv.metadata?.name },
      },
    },
  });
}

export async function detach(h: CcmHarness, va: V1VolumeAttachment): Promise<void> {
  await storageApi(h).deleteVolumeAttachment({ name: va.metadata?.name ?? '' });
}

export const getAttachment = (h: CcmHarness, name: string) =>
  storageApi(h)
    .readVolumeAttachment({ name })
    .catch((err: { code?: number }) => {
      if (err.code === 404) {
        return undefined;
      }
      throw err;
    });

/** Events about one object, oldest first. */
export async function eventsFor(
  h: CcmHarness,
  involvedName: string,
  reason?: string,
): Promise<V1Event[]> {
  const events = await h.events({ involvedName, reason });
  return events.sort(
    (a, b) => Number(a.metadata?.resourceVersion ?? 0) - Number(b.metadata?.resourceVersion ?? 0),
  );
}

export const waitForEvent = (h: CcmHarness, involvedName: string, reason: string) =>
  waitFor(async () => (await eventsFor(h, involvedName, reason))[0], {
    timeoutMs: E2E_TIMEOUT,
    message: `event ${reason} on ${involvedName}`,
  });

/** Every cloud volume (any state) with this name. */
export const cloudVolumesNamed = (h: CcmHarness, name: string): Promise<VolumeDto[]> =>
  collect(h.cloud.volumes.listAll({ name }));

/** A cloud fault rule (POST /admin/faults); resolves with its remover. */
export async function addFault(h: CcmHarness, rule: object): Promise<() => Promise<void>> {
  const call = (method: string, path: string, body?: object) =>
    fetch(`${h.cloudApi.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${CLOUD_ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const res = await call('POST', '/admin/faults', rule);
  if (res.status !== 201) {
    throw new Error(`fault rule refused: ${res.status} ${await res.text()}`);
  }
  const { id } = (await res.json()) as { id: string };
  return async () => {
    await call('DELETE', `/admin/faults/${id}`);
  };
}

/** The cloud's audit log entries of an operation (e.g. `volumes.create`). */
export async function audit(
  h: CcmHarness,
  operation: string,
): Promise<{ resourceId?: string; status: number; idempotencyKey?: string }[]> {
  const res = await fetch(`${h.cloudApi.url}/admin/audit?operation=${operation}&pageSize=500`, {
    headers: { Authorization: `Bearer ${CLOUD_ADMIN_TOKEN}` },
  });
  return (
    (await res.json()) as {
      items: { resourceId?: string; status: number; idempotencyKey?: string }[];
    }
  ).items;
}
