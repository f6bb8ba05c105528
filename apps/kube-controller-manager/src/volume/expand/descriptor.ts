import type { ControllerDescriptor } from '../../controller-context';
import { volumeInformers } from '../volume-informers';
import { ExpandController } from './expand-controller';

/** `persistentvolume-expander-controller` (alias `persistentvolume-expander`). */
export const persistentVolumeExpanderController: ControllerDescriptor = {
  name: 'persistentvolume-expander-controller',
  aliases: ['persistentvolume-expander'],
  init(ctx) {
    const v = volumeInformers(ctx.informers);
    const controller = new ExpandController({
      rest: ctx.rest,
      claims: v.claims(),
      volumes: v.volumes(),
      recorder: ctx.eventRecorder('volume_expand'),
      scheduler: ctx.scheduler,
      logger: ctx.logger,
    });
    return { start: async () => (await controller.start(), controller) };
  },
};
