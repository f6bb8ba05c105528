import type { ControllerDescriptor } from '../../controller-context';
import { volumeInformers } from '../volume-informers';
import { AttachDetachController } from './attach-detach-controller';

/** `persistentvolume-attach-detach-controller` (alias `attachdetach`). */
export const attachDetachController: ControllerDescriptor = {
  name: 'persistentvolume-attach-detach-controller',
  aliases: ['attachdetach'],
  init(ctx) {
    const v = volumeInformers(ctx.informers);
    const controller = new AttachDetachController({
      rest: ctx.rest,
      nodes: ctx.informers.nodes(),
      pods: ctx.informers.pods(),
      podsByNode: ctx.podsByNode(),
      podsByNamespace: ctx.podsByNamespace(),
      claims: v.claims(),
      volumes: v.volumes(),
      attachments: v.attachments(),
      drivers: v.drivers(),
      recorder: ctx.eventRecorder('attachdetach-controller'),
      scheduler: ctx.scheduler,
      now: () => ctx.clock.now(),
      logger: ctx.logger,
    });
    return { start: async () => (await controller.start(), controller) };
  },
};
