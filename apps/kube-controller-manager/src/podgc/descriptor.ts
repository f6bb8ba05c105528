import type { ControllerDescriptor } from '../controller-context';
import { PodGcController } from './pod-gc-controller';

/** `pod-garbage-collector-controller` (alias `podgc`). */
export const podGarbageCollectorController: ControllerDescriptor = {
  name: 'pod-garbage-collector-controller',
  aliases: ['podgc'],
  init(ctx) {
    const controller = new PodGcController({
      rest: ctx.rest,
      nodes: ctx.informers.nodes(),
      pods: ctx.informers.pods(),
      terminatedPodThreshold: ctx.settings.terminatedPodGcThreshold,
      scheduler: ctx.scheduler,
      clockScheduler: ctx.clockScheduler,
      logger: ctx.logger,
    });
    return { start: async () => (await controller.start(), controller) };
  },
};
