import type { ControllerDescriptor } from '../../controller-context';
import { volumeInformers } from '../volume-informers';
import { PersistentVolumeController } from './pv-controller';

/** `persistentvolume-binder-controller` (alias `persistentvolume-binder`). */
export const persistentVolumeBinderController: ControllerDescriptor = {
  name: 'persistentvolume-binder-controller',
  aliases: ['persistentvolume-binder'],
  init(ctx) {
    const v = volumeInformers(ctx.informers);
    const controller = new PersistentVolumeController({
      rest: ctx.rest,
      claims: v.claims(),
      volumes: v.volumes(),
      classes: v.classes(),
      recorder: ctx.eventRecorder('persistentvolume-controller'),
      scheduler: ctx.scheduler,
      logger: ctx.logger,
    });
    return { start: async () => (await controller.start(), controller) };
  },
};
