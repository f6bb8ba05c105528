import type { ControllerDescriptor } from '../controller-context';
import { TaintEvictionController } from './taint-eviction-controller';

/** `taint-eviction-controller` (no alias, as upstream); events from `taint-eviction-controller`. */
export const taintEvictionController: ControllerDescriptor = {
  name: 'taint-eviction-controller',
  init(ctx) {
    const controller = new TaintEvictionController({
      rest: ctx.rest,
      nodes: ctx.informers.nodes(),
      pods: ctx.informers.pods(),
      podsByNode: ctx.podsByNode(),
      recorder: ctx.eventRecorder('taint-eviction-controller'),
      scheduler: ctx.scheduler,
      clockScheduler: ctx.clockScheduler,
      logger: ctx.logger,
    });
    return { start: async () => (await controller.start(), controller) };
  },
};
