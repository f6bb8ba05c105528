import type { ControllerDescriptor } from '../controller-context';
import { NodeLifecycleController } from './node-lifecycle-controller';

/** `node-lifecycle-controller` (alias `nodelifecycle`); events from `node-controller`. */
export const nodeLifecycleController: ControllerDescriptor = {
  name: 'node-lifecycle-controller',
  aliases: ['nodelifecycle'],
  init(ctx) {
    const controller = new NodeLifecycleController({
      settings: ctx.settings,
      rest: ctx.rest,
      nodes: ctx.informers.nodes(),
      pods: ctx.informers.pods(),
      leases: ctx.informers.leases('kube-node-lease'),
      podsByNode: ctx.podsByNode(),
      recorder: ctx.eventRecorder('node-controller'),
      scheduler: ctx.scheduler,
      clockScheduler: ctx.clockScheduler,
      logger: ctx.logger,
    });
    return { start: async () => (await controller.start(), controller) };
  },
};
