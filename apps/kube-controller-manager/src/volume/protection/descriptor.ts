import type { ControllerDescriptor } from '../../controller-context';
import { volumeInformers } from '../volume-informers';
import { PvProtectionController } from './pv-protection-controller';
import { PvcProtectionController } from './pvc-protection-controller';

/** `persistentvolumeclaim-protection-controller` (alias `pvc-protection`). */
export const pvcProtectionController: ControllerDescriptor = {
  name: 'persistentvolumeclaim-protection-controller',
  aliases: ['pvc-protection'],
  init(ctx) {
    const controller = new PvcProtectionController({
      rest: ctx.rest,
      claims: volumeInformers(ctx.informers).claims(),
      pods: ctx.informers.pods(),
      podsByNamespace: ctx.podsByNamespace(),
      scheduler: ctx.scheduler,
      logger: ctx.logger,
    });
    return { start: async () => (await controller.start(), controller) };
  },
};

/** `persistentvolume-protection-controller` (alias `pv-protection`). */
export const pvProtectionController: ControllerDescriptor = {
  name: 'persistentvolume-protection-controller',
  aliases: ['pv-protection'],
  init(ctx) {
    const controller = new PvProtectionController({
      rest: ctx.rest,
      volumes: volumeInformers(ctx.informers).volumes(),
      scheduler: ctx.scheduler,
      logger: ctx.logger,
    });
    return { start: async () => (await controller.start(), controller) };
  },
};
