import type { ControllerRevisionObject, DaemonSetObject } from '@app/kube-client';
import type { ControllerDescriptor } from '../controller-context';
import { DaemonSetController } from './daemon-set-controller';

/** `daemonset-controller` (alias `daemonset`). */
export const daemonSetController: ControllerDescriptor = {
  name: 'daemonset-controller',
  aliases: ['daemonset'],
  init(ctx) {
    const controller = new DaemonSetController({
      rest: ctx.rest,
      daemonSets: ctx.informers.informer<DaemonSetObject>('/apis/apps/v1/daemonsets'),
      revisions: ctx.informers.informer<ControllerRevisionObject>(
        '/apis/apps/v1/controllerrevisions',
      ),
      nodes: ctx.informers.nodes(),
      pods: ctx.informers.pods(),
      podsByNamespace: ctx.podsByNamespace(),
      recorder: ctx.eventRecorder('daemonset-controller'),
      scheduler: ctx.scheduler,
      clockScheduler: ctx.clockScheduler,
      now: () => ctx.clock.now(),
      logger: ctx.logger,
    });
    return { start: async () => (await controller.start(), controller) };
  },
};
