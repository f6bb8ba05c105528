import type {
  ControllerRevisionObject,
  PersistentVolumeClaimObject,
  StatefulSetObject,
} from '@app/kube-client';
import type { ControllerDescriptor } from '../controller-context';
import { StatefulSetController } from './stateful-set-controller';

/** `statefulset-controller` (alias `statefulset`). */
export const statefulSetController: ControllerDescriptor = {
  name: 'statefulset-controller',
  aliases: ['statefulset'],
  init(ctx) {
    const controller = new StatefulSetController({
      rest: ctx.rest,
      statefulSets: ctx.informers.informer<StatefulSetObject>('/apis/apps/v1/statefulsets'),
      revisions: ctx.informers.informer<ControllerRevisionObject>(
        '/apis/apps/v1/controllerrevisions',
      ),
      pods: ctx.informers.pods(),
      claims: ctx.informers.informer<PersistentVolumeClaimObject>('/api/v1/persistentvolumeclaims'),
      podsByNamespace: ctx.podsByNamespace(),
      recorder: ctx.eventRecorder('statefulset-controller'),
      scheduler: ctx.scheduler,
      clockScheduler: ctx.clockScheduler,
      now: () => ctx.clock.now(),
      logger: ctx.logger,
    });
    return { start: async () => (await controller.start(), controller) };
  },
};
