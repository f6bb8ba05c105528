import type { DeploymentObject, ReplicaSetObject } from '@app/kube-client';
import type { ControllerDescriptor } from '../controller-context';
import { REPLICA_SET_KIND } from '../replicaset/replica-set-kind';
import { DeploymentController } from './deployment-controller';

/** `deployment-controller` (alias `deployment`). */
export const deploymentController: ControllerDescriptor = {
  name: 'deployment-controller',
  aliases: ['deployment'],
  init(ctx) {
    const controller = new DeploymentController({
      rest: ctx.rest,
      deployments: ctx.informers.informer<DeploymentObject>('/apis/apps/v1/deployments'),
      replicaSets: ctx.informers.informer<ReplicaSetObject>(REPLICA_SET_KIND.listPath),
      pods: ctx.informers.pods(),
      podsByNamespace: ctx.podsByNamespace(),
      recorder: ctx.eventRecorder('deployment-controller'),
      scheduler: ctx.scheduler,
      clockScheduler: ctx.clockScheduler,
      now: () => ctx.clock.now(),
      logger: ctx.logger,
    });
    return { start: async () => (await controller.start(), controller) };
  },
};
