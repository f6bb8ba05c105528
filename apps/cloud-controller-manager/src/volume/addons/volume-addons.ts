import {
  ADDON_MODE_ENSURE_EXISTS,
  ANN_DEFAULT_STORAGE_CLASS,
  isDefaultStorageClass,
  LABEL_ADDON_MODE,
} from '@app/csi';
import { errorMessage, type Logger } from '@app/controller-runtime';
import {
  apiErrorMessage,
  isNotFound,
  statusCodeOf,
  type KubeClient,
  type V1CSIDriver,
  type V1StorageClass,
} from '@app/kube-client';

export const DEFAULT_STORAGE_CLASS = 'nimbus-ssd';
export const STANDARD_STORAGE_CLASS = 'nimbus-standard';

const ensureExists = { [LABEL_ADDON_MODE]: ADDON_MODE_ENSURE_EXISTS };

/** The CSIDriver object a driver's manifests install (attach required, no pod info, persistent). */
export function csiDriverObject(driver: string): V1CSIDriver {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'CSIDriver',
    metadata: { name: driver, labels: { ...ensureExists } },
    spec: {
      attachRequired: true,
      podInfoOnMount: false,
      volumeLifecycleModes: ['Persistent'],
      fsGroupPolicy: 'File',
      requiresRepublish: false,
      storageCapacity: false,
      seLinuxMount: false,
    },
  };
}

/**
 * `nimbus-ssd` (the default class unless the cluster already has one) and `nimbus-standard`:
 * WaitForFirstConsumer, reclaim Delete, expandable, ext4.
 */
export function storageClassObjects(driver: string, makeDefault: boolean): V1StorageClass[] {
  const storageClass = (name: string, type: string, isDefault: boolean): V1StorageClass => ({
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: {
      name,
      labels: { ...ensureExists },
      ...(isDefault ? { annotations: { [ANN_DEFAULT_STORAGE_CLASS]: 'true' } } : {}),
    },
    provisioner: driver,
    parameters: { type, 'csi.storage.k8s.io/fstype': 'ext4' },
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
    allowVolumeExpansion: true,
  });
  return [
    storageClass(DEFAULT_STORAGE_CLASS, 'ssd', makeDefault),
    storageClass(STANDARD_STORAGE_CLASS, 'standard', false),
  ];
}

/**
 * Creates the driver's objects that are missing, like the addon manager's EnsureExists mode: an
 * object that exists (whatever a user changed in it) is left alone. `nimbus-ssd` becomes the
 * default class only when no other class is (two defaults make claims without a class ambiguous).
 */
export async function ensureVolumeAddons(
  kube: KubeClient,
  driver: string,
  logger: Logger,
): Promise<void> {
  const objects = kube.storage.objects;
  await createIfMissing(
    () => objects.readCsiDriver(driver),
    () => objects.createCsiDriver(csiDriverObject(driver)),
    `CSIDriver ${driver}`,
    logger,
  );
  const existing = await objects.listStorageClasses();
  const otherDefault = existing.some(
    (sc) => isDefaultStorageClass(sc) && sc.metadata?.name !== DEFAULT_STORAGE_CLASS,
  );
  for (const storageClass of storageClassObjects(driver, !otherDefault)) {
    const name = storageClass.metadata?.name ?? '';
    if (existing.some((sc) => sc.metadata?.name === name)) {
      continue;
    }
    await createIfMissing(
      () => objects.readStorageClass(name),
      () => objects.createStorageClass(storageClass),
      `StorageClass ${name}`,
      logger,
    );
  }
}

async function createIfMissing(
  read: () => Promise<unknown>,
  create: () => Promise<unknown>,
  what: string,
  logger: Logger,
): Promise<void> {
  try {
    await read();
    return;
  } catch (err) {
    if (!isNotFound(err)) {
      throw err;
    }
  }
  try {
    await create();
    logger.info({ object: what }, 'Created volume addon');
  } catch (err) {
    // Someone created it in between: theirs stays.
    if (statusCodeOf(err) !== 409) {
      throw new Error(`creating ${what}: ${apiErrorMessage(err)}`, { cause: err });
    }
    logger.info({ object: what, err: errorMessage(err) }, 'Volume addon already exists');
  }
}
