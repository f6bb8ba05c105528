import { randomInt } from 'node:crypto';
import { errorMessage, sleep } from '@app/controller-runtime';
import type { ControllerContext, ControllerDescriptor, InitResult } from '../controller-context';
import { ensureVolumeAddons } from './addons/volume-addons';
import { AttacherController } from './attacher/attacher-controller';
import { ProvisionerController } from './provisioner/provisioner-controller';
import { CsiNodeRegistrar } from './registrar/csi-node-registrar';
import { ResizerController } from './resizer/resizer-controller';

/** Worker counts of the upstream sidecars (csi-provisioner 100, csi-attacher 10, csi-resizer 10). */
const PROVISIONER_WORKERS = 100;
const ATTACHER_WORKERS = 10;
const RESIZER_WORKERS = 10;
const ADDON_RETRY_MS = 5_000;

const NO_VOLUMES = 'the cloud provider does not support volumes';

/**
 * `csi-provisioner` (external-provisioner): claims → cloud volumes → PVs; Released PVs → deleted.
 * Also creates the CSIDriver and the Nimbus StorageClasses if missing (`--volume-addons`).
 */
export const csiProvisionerDescriptor: ControllerDescriptor = {
  name: 'csi-provisioner',
  fullName: 'csi-provisioner',
  init(ctx): InitResult {
    const volumes = ctx.cloud.volumes?.();
    if (!volumes) {
      return { skipped: NO_VOLUMES };
    }
    const driver = volumes.driverName();
    const controller = new ProvisionerController({
      volumes,
      driver,
      identity: `${ctx.scheduler.now()}-${randomInt(10_000)}-${driver}`,
      kube: ctx.kube,
      claims: ctx.informers.persistentVolumeClaims(),
      persistentVolumes: ctx.informers.persistentVolumes(),
      storageClasses: ctx.informers.storageClasses(),
      csiNodes: ctx.informers.csiNodes(),
      nodes: ctx.informers.nodes(),
      volumeAttachments: ctx.informers.volumeAttachments(),
      // sig-storage-lib-external-provisioner: `<provisioner name>_<hostname>_<uuid>`.
      recorder: ctx.eventRecorder(`${driver}_${ctx.identity}`),
      scheduler: ctx.scheduler,
      logger: ctx.logger,
      registry: ctx.registry,
      workers: PROVISIONER_WORKERS,
    });
    return {
      async start() {
        const addons = ctx.settings.volumeAddons ? ensureAddons(ctx, driver) : undefined;
        await controller.start();
        return {
          async stop() {
            addons?.abort();
            await controller.stop();
          },
        };
      },
    };
  },
};

/** `csi-attacher` (external-attacher): VolumeAttachments of the driver → cloud attach/detach. */
export const csiAttacherDescriptor: ControllerDescriptor = {
  name: 'csi-attacher',
  fullName: 'csi-attacher',
  init(ctx): InitResult {
    const volumes = ctx.cloud.volumes?.();
    if (!volumes) {
      return { skipped: NO_VOLUMES };
    }
    const controller = new AttacherController({
      volumes,
      driver: volumes.driverName(),
      kube: ctx.kube,
      persistentVolumes: ctx.informers.persistentVolumes(),
      csiNodes: ctx.informers.csiNodes(),
      volumeAttachments: ctx.informers.volumeAttachments(),
      scheduler: ctx.scheduler,
      logger: ctx.logger,
      registry: ctx.registry,
      workers: ATTACHER_WORKERS,
    });
    return started(
      () => controller.start(),
      () => controller.stop(),
    );
  },
};

/** `csi-resizer` (external-resizer): larger claims → cloud resize → PV and claim capacity. */
export const csiResizerDescriptor: ControllerDescriptor = {
  name: 'csi-resizer',
  fullName: 'csi-resizer',
  init(ctx): InitResult {
    const volumes = ctx.cloud.volumes?.();
    if (!volumes) {
      return { skipped: NO_VOLUMES };
    }
    const driver = volumes.driverName();
    const name = `external-resizer ${driver}`;
    const controller = new ResizerController({
      volumes,
      driver,
      name,
      kube: ctx.kube,
      claims: ctx.informers.persistentVolumeClaims(),
      persistentVolumes: ctx.informers.persistentVolumes(),
      recorder: ctx.eventRecorder(name),
      scheduler: ctx.scheduler,
      logger: ctx.logger,
      registry: ctx.registry,
      workers: RESIZER_WORKERS,
    });
    return started(
      () => controller.start(),
      () => controller.stop(),
    );
  },
};

/**
 * `csi-node-driver-registrar`: the CSINode entry (node ID, topology keys, attach limit) and the
 * topology labels a node plugin's registration would give each initialised node.
 */
export const csiNodeDriverRegistrarDescriptor: ControllerDescriptor = {
  name: 'csi-node-driver-registrar',
  fullName: 'csi-node-driver-registrar',
  init(ctx): InitResult {
    const volumes = ctx.cloud.volumes?.();
    if (!volumes) {
      return { skipped: NO_VOLUMES };
    }
    const controller = new CsiNodeRegistrar({
      volumes,
      driver: volumes.driverName(),
      kube: ctx.kube,
      nodes: ctx.informers.nodes(),
      csiNodes: ctx.informers.csiNodes(),
      scheduler: ctx.scheduler,
      logger: ctx.logger,
      registry: ctx.registry,
    });
    return started(
      () => controller.start(),
      () => controller.stop(),
    );
  },
};

export const VOLUME_CONTROLLERS: readonly ControllerDescriptor[] = [
  csiNodeDriverRegistrarDescriptor,
  csiProvisionerDescriptor,
  csiAttacherDescriptor,
  csiResizerDescriptor,
];

function started(start: () => Promise<unknown>, stop: () => Promise<void>): InitResult {
  return {
    async start() {
      await start();
      return { stop };
    },
  };
}

/** Creates the addons in the background, retrying every 5 s until done or stopped. */
function ensureAddons(ctx: ControllerContext, driver: string): AbortController {
  const stop = new AbortController();
  void (async () => {
    while (!stop.signal.aborted) {
      try {
        await ensureVolumeAddons(ctx.kube, driver, ctx.logger);
        return;
      } catch (err) {
        ctx.logger.warn({ err: errorMessage(err) }, 'Could not create volume addons; retrying');
      }
      await sleep(ctx.scheduler, ADDON_RETRY_MS, stop.signal);
    }
  })();
  return stop;
}
