import type {
  DeploymentObject,
  PodDisruptionBudgetObject,
  ReplicaSetObject,
  ReplicationControllerObject,
  StatefulSetObject,
} from '@app/kube-client';
import type { ControllerDescriptor } from '../controller-context';
import { DisruptionController } from './disruption-controller';

/** `disruption-controller` (alias `disruption`). */
export const disruptionController: ControllerDescriptor = {
  name: 'disruption-controller',
  aliases: ['disruption'],
  init(ctx) {
    const i = ctx.informers;
    const controller = new DisruptionController({
      rest: ctx.rest,
      pdbs: i.informer<PodDisruptionBudgetObject>('/apis/policy/v1/poddisruptionbudgets'),
      pods: i.pods(),
      podsByNamespace: ctx.podsByNamespace(),
      replicaSets: i.informer<ReplicaSetObject>('/apis/apps/v1/replicasets'),
      deployments: i.informer<DeploymentObject>('/apis/apps/v1/deployments'),
      replicationControllers: i.informer<ReplicationControllerObject>(
        '/api/v1/replicationcontrollers',
      ),
      statefulSets: i.informer<StatefulSetObject>('/apis/apps/v1/statefulsets'),
      recorder: ctx.eventRecorder('controllermanager'),
      scheduler: ctx.scheduler,
      clockScheduler: ctx.clockScheduler,
      now: () => ctx.clock.now(),
      logger: ctx.logger,
    });
    return { start: async () => (await controller.start(), controller) };
  },
};
